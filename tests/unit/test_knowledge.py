"""The knowledge tables: loading (good and bad YAML, aliases, paths, a third party's folder through the hook),
the built-in data (every entry sourced and in both languages, at least 100 modules) and stack activities on
real stacks (the brief's boot-driver bug check, a PnP start, a power IRP)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.knowledge import (
    KINDS,
    Knowledge,
    builtin_knowledge_roots,
    clear_cache,
    load_folders,
    load_knowledge,
    parse_frame,
)
from workbench.core.plugins import hookimpl
from workbench.core.plugins.manager import build_plugin_manager

BUILTIN = load_folders(builtin_knowledge_roots())

#: The stack of the brief's machine A (second boot, 0x40017): an NDIS filter's DriverEntry at boot.
BRIEF_STACK = """\
nt!KeBugCheckEx
nt!PspUnhandledExceptionInSystemThread+0x27
nt!PspSystemThreadStartup$filt$0+0x44
nt!_C_specific_handler+0xa2
nt!RtlpExecuteHandlerForException+0x12
nt!RtlDispatchException+0x297
nt!KiExceptionDispatch+0xc2
nt!KiPageFault+0x42e
ndis!NdisFDeregisterFilterDriver+0x47
lwfmgr+0x5167
lwfmgr+0xb49a
nt!IopLoadDriver+0x4bd
nt!IopInitializeSystemDrivers+0x134
nt!IoInitSystem+0x12
nt!Phase1InitializationDiscard+0xb5f
nt!Phase1Initialization+0x9
nt!PspSystemThreadStartup+0x55
nt!KiStartSystemThread+0x1c
""".splitlines()

#: A storage miniport failing in start-device, as ``kv`` prints it (Child-SP RetAddr : Args : Call Site).
PNP_STACK_KV = """\
ffff9801`a80534b8 fffff80b`df13f624 : 00000000`00000000 00000000`00000000 : nvme!NVMeFindAdapter
ffff9801`a80534c0 fffff80b`df13f957 : 00000000`00000000 00000000`00000000 : storport!RaCallMiniportFindAdapter+0xb8
ffff9801`a8053590 fffff80b`df13bf44 : 00000000`00000000 00000000`00000000 : storport!RaidAdapterStartMiniport+0x5b
ffff9801`a80535d0 fffff80b`df13715e : 00000000`00000000 00000000`00000000 : storport!RaidAdapterStartDeviceIrp+0x16c
ffff9801`a8053660 fffff80b`df12822e : 00000000`00000000 00000000`00000000 : storport!RaidAdapterPnpIrp+0x222
ffff9801`a8053700 fffff806`52ae8f49 : 00000000`00000000 00000000`00000000 : storport!RaDriverPnpIrp+0x8e
ffff9801`a8053740 fffff806`531b5f0e : 00000000`00000000 00000000`00000000 : nt!IofCallDriver+0x59
ffff9801`a8053780 fffff806`52ad3095 : 00000000`00000000 00000000`00000000 : nt!PnpAsynchronousCall+0xea
ffff9801`a80537c0 fffff806`52c15768 : 00000000`00000000 00000000`00000000 : nt!PnpSendIrp+0x95
ffff9801`a8053830 fffff806`531a7be7 : 00000000`00000000 00000000`00000000 : nt!PnpStartDevice+0x88
ffff9801`a80538c0 fffff806`531a7dcf : 00000000`00000000 00000000`00000000 : nt!PnpStartDeviceNode+0xdb
ffff9801`a8053950 fffff806`531a29e8 : 00000000`00000000 00000000`00000000 : nt!PipProcessStartPhase1+0x6f
ffff9801`a80539a0 fffff806`5321b56f : 00000000`00000000 00000000`00000000 : nt!PipProcessDevNodeTree+0x3dc
ffff9801`a8053a60 fffff806`52c16771 : 00000000`00000000 00000000`00000000 : nt!PiRestartDevice+0xab
ffff9801`a8053ab0 fffff806`52b6d4ca : 00000000`00000000 00000000`00000000 : nt!PnpDeviceActionWorker+0x421
ffff9801`a8053b70 fffff806`52bef1e5 : 00000000`00000000 00000000`00000000 : nt!ExpWorkerThread+0x16a
ffff9801`a8053c10 fffff806`52c7dd6c : 00000000`00000000 00000000`00000000 : nt!PspSystemThreadStartup+0x55
ffff9801`a8053c60 00000000`00000000 : 00000000`00000000 00000000`00000000 : nt!KiStartSystemThread+0x1c
""".splitlines()

#: A 0x9F-style power IRP stuck in a third-party driver below WDF, as ``k`` prints it (numbered, with sources).
POWER_STACK_K = """\
00 ffffcd04`6ba1f1a8 fffff807`90876b9a     nt!KiSwapContext+0x76
01 ffffcd04`6ba1f1b0 fffff807`90875e4f     nt!KiSwapThread+0x6d4
02 ffffcd04`6ba1f260 fffff807`9087594d     nt!KeWaitForSingleObject+0x859
03 ffffcd04`6ba1f300 fffff807`a1b2c3d4     a38ccid+0x1b2c3
04 ffffcd04`6ba1f380 fffff807`9079b7be     Wdf01000!FxPkgFdo::DispatchDeviceSetPower+0x62 [minkernel\\wdf\\framework\\shared\\irphandlers\\pnp\\fdopower.cpp @ 112]
05 ffffcd04`6ba1f460 fffff807`9079b7be     Wdf01000!FxDevice::DispatchWithLock+0x232 [minkernel\\wdf\\framework\\shared\\core\\fxdevice.cpp @ 1445]
06 ffffcd04`6ba1f4c0 fffff807`9085585a     nt!PopIrpWorker+0x2de [minkernel\\ntos\\po\\irpwork.c @ 608]
07 ffffcd04`6ba1f570 fffff807`90a7ae54     nt!PspSystemThreadStartup+0x5a [minkernel\\ntos\\ps\\psexec.c @ 11931]
08 ffffcd04`6ba1f5c0 00000000`00000000     nt!KiStartSystemThread+0x34 [minkernel\\ntos\\ke\\amd64\\threadbg.asm @ 87]
""".splitlines()


# ------------------------------------------------------------------------------------------- built-in data


def test_builtin_tables_load_without_errors() -> None:
    assert BUILTIN.errors == [], [str(e) for e in BUILTIN.errors]
    assert len(BUILTIN.modules()) >= 100
    assert len(BUILTIN.rules) >= 30


def test_every_module_is_sourced_typed_and_in_both_languages() -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for m in BUILTIN.modules():
        assert m.untranslated == (), (m.module, m.untranslated)
        assert m.kind in KINDS, m.module
        assert m.category in BUILTIN.categories, m.module
        assert m.sources and all(s.strip() for s in m.sources), m.module
        for s in m.sources:
            assert not s.startswith("http") or re.match(r"^https://[^\s/]+\.[a-z]{2,}/", s), (m.module, s)
        assert cjk.search(m.breaks_zh) and cjk.search(m.fix_zh), m.module
        assert not cjk.search(m.breaks) and not cjk.search(m.fix), m.module
        assert m.breaks != m.breaks_zh and m.fix != m.fix_zh, m.module
    for rule in BUILTIN.rules:
        assert rule.untranslated == () and cjk.search(rule.activity_zh), rule.id
    for cat in BUILTIN.categories.values():
        assert cjk.search(cat.name_zh), cat.id


def test_module_names_are_unique_across_files() -> None:
    names = [n.lower() for m in BUILTIN.modules() for n in m.names()]
    assert len(names) == len(set(names))


def test_categories_the_brief_needs_are_covered() -> None:
    cats = {m.category for m in BUILTIN.modules()}
    assert {"edr", "antivirus", "dlp", "file_encryption", "ndis_filter", "storage", "audio",
            "virtualization"} <= cats
    # vendors common on Chinese enterprise machines, named in Chinese
    zh_vendors = {m.vendor_zh for m in BUILTIN.modules() if m.vendor_zh}
    assert {"奇虎360", "腾讯", "火绒安全", "奇安信", "深信服"} <= zh_vendors


# ------------------------------------------------------------------------------------------- lookups


@pytest.mark.parametrize("name", [
    "csagent.sys", "CSAGENT.SYS", "csagent", r"C:\Windows\System32\drivers\CSAgent.sys",
    r"\SystemRoot\System32\drivers\csagent.sys", "csagent+0x5167", "csagent!SomeFunction+0x12",
    "/mnt/case/Windows/System32/drivers/csagent.sys",
])
def test_module_lookup_any_case_extension_path_or_frame(name: str) -> None:
    m = BUILTIN.module(name)
    assert m is not None and m.module == "csagent.sys" and m.vendor == "CrowdStrike"


def test_aliases_and_unknown_names() -> None:
    assert BUILTIN.module("chdrt32.sys").module == "chdrt64.sys"  # type: ignore[union-attr]
    assert BUILTIN.module("CtxMcsWbc.sys").vendor == "Citrix"  # type: ignore[union-attr]
    assert BUILTIN.module("ntoskrnl.exe") is None
    assert BUILTIN.module("csagent2.sys") is None
    assert BUILTIN.module("") is None


# ------------------------------------------------------------------------------------------- activities


def test_the_brief_stack_reads_as_loading_boot_drivers() -> None:
    act = BUILTIN.activity(BRIEF_STACK)
    assert act is not None
    assert act.id == "boot.driver_entry_system_start"
    assert act.functions == ("nt!IopLoadDriver", "nt!IopInitializeSystemDrivers")
    assert act.frame == 11
    assert "boot" in act.activity and "启动" in act.activity_zh
    # the NDIS filter call on the way is a match too, ranked below the boot context
    ids = [a.id for a in BUILTIN.activities(BRIEF_STACK)]
    assert ids.index("filter.ndis_filter_register") > ids.index("boot.driver_entry_system_start")
    assert "thread.system" in ids and ids[-1] == "thread.system"


def test_a_pnp_start_device_stack_from_kv_output() -> None:
    act = BUILTIN.activity(PNP_STACK_KV)
    assert act is not None and act.id == "pnp.start_device"
    assert act.functions[0] == "nt!PnpStartDevice"
    ids = [a.id for a in BUILTIN.activities(PNP_STACK_KV)]
    assert "storage.miniport_start" in ids and "pnp.enumerate" in ids


def test_a_power_irp_stack_from_numbered_k_output() -> None:
    act = BUILTIN.activity(POWER_STACK_K)
    assert act is not None and act.id == "power.irp"
    assert act.functions == ("nt!PopIrpWorker",) and act.frame == 6


def test_a_stack_with_no_known_function() -> None:
    assert BUILTIN.activity(["lwfmgr+0x5167", "0xfffff80312345678", ""]) is None
    assert BUILTIN.activity([]) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("nt!IopLoadDriver+0x4bd", ("nt", "IopLoadDriver")),
    ("ntoskrnl.exe!IopLoadDriver", ("nt", "IopLoadDriver")),
    ("FLTMGR!FltpInitInstance+0x565", ("fltmgr", "FltpInitInstance")),
    ("0a fffff38b`51f3d9c0 fffff805`0d13903f     nt!IopLoadUnloadDriver+0x57", ("nt", "IopLoadUnloadDriver")),
    ("nt!PspSystemThreadStartup$filt$0+0x44", ("nt", "PspSystemThreadStartup$filt$0")),
    ("SetupPlatform!CSetupPlatform::Initialize+0x1a", ("setupplatform", "CSetupPlatform::Initialize")),
    ("IopLoadDriver", ("", "IopLoadDriver")),
    ("lwfmgr+0x5167", None),
    ("fffff803`1e5d0f3b", None),
])
def test_parse_frame(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_frame(text) == expected


def test_user_mode_setup_and_injection_stacks() -> None:
    injected = ["Hook64+0x1a2b", "ntdll!LdrpCallInitRoutine+0x65", "ntdll!LdrpInitializeNode+0x1b1",
                "ntdll!LdrpLoadDllInternal+0x196", "ntdll!LdrLoadDll+0xa4", "KERNELBASE!LoadLibraryExW+0x162",
                "SetupHost+0x4567"]
    act = BUILTIN.activity(injected)
    assert act is not None and act.id == "user.dll_main"
    mig = ["MigCore!Mig::CMXEMigrationXml::Apply+0x40", "MigCore!ActionPlatform::LaunchModule+0x1c3"]
    assert BUILTIN.activity(mig).id == "setup.migration"  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------- loading


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


GOOD = """\
categories:
  vpn_test: {en: 'test VPN', zh: '测试 VPN'}
modules:
  - module: acmevpn.sys
    aliases: [acmevpn64.sys, AcmeVpnSvc.exe]
    kind: driver
    vendor: Acme
    vendor_zh: 极客
    product: Acme VPN
    category: vpn_test
    breaks: {en: 'Its NDIS filter crashes at the second boot.', zh: '其 NDIS 筛选器在第二次启动时崩溃。'}
    fix: {en: 'Update Acme VPN to 5.1.', zh: '将 Acme VPN 更新到 5.1。'}
    source: https://example.com/kb/123
activities:
  - id: acme.vpn_connect
    functions: ['acmevpn!Connect*']
    priority: 99
    activity: {en: 'the Acme VPN was connecting', zh: 'Acme VPN 正在连接'}
"""


def test_a_folder_of_good_tables(tmp_path: Path) -> None:
    _write(tmp_path / "k" / "acme.yml", GOOD)
    k = load_folders([tmp_path / "k"])
    assert k.errors == []
    m = k.module("AcmeVpnSvc")
    assert m is not None and m.module == "acmevpn.sys" and m.aliases == ("acmevpn64.sys", "AcmeVpnSvc.exe")
    assert (m.vendor_zh, m.breaks_zh, m.fix_zh) == ("极客", "其 NDIS 筛选器在第二次启动时崩溃。", "将 Acme VPN 更新到 5.1。")
    assert m.file == tmp_path / "k" / "acme.yml" and m.line == 4
    assert k.activity(["acmevpn!ConnectTunnel+0x10", "nt!IopLoadDriver+0x4bd"]).id == "acme.vpn_connect"  # type: ignore[union-attr]


def test_bad_yaml_names_the_file_and_line_and_the_rest_loads(tmp_path: Path) -> None:
    folder = tmp_path / "k"
    _write(folder / "a_good.yml", GOOD)
    _write(folder / "b_syntax.yml", "modules:\n  - module: x.sys\n    kind: [driver\n")
    _write(folder / "c_fields.yml", """\
modules:
  - module: ok.sys
    kind: driver
    vendor: V
    product: P
    category: vpn_test
    breaks: {en: b, zh: 乙}
    fix: {en: f, zh: 丙}
    source: a document title that exists
  - module: 'C:\\bad\\path.sys'
    kind: gadget
    vendor: V
    product: P
    category: nosuch
    breaks: {en: b}
    fix: 12
    source: http://not a url
    colour: red
  - module: nosource.sys
    kind: driver
    vendor: V
    product: P
    category: vpn_test
    breaks: b
    fix: f
activities:
  - id: Bad Id
    functions: ['nt!!x']
    priority: high
    activity: a
""")
    k = load_folders([folder])
    text = "\n".join(str(e) for e in k.errors)
    assert "b_syntax.yml:3" in text or "b_syntax.yml:4" in text
    assert re.search(r"c_fields\.yml:10: module .*must be a file name", text)
    assert re.search(r"c_fields\.yml:11: kind 'gadget' must be one of", text)
    assert re.search(r"c_fields\.yml:14: category 'nosuch' is not defined", text)
    assert re.search(r"c_fields\.yml:16: 'fix' must be text or .*not int", text)
    assert re.search(r"c_fields\.yml:17: source 'http://not a url' is not a valid URL", text)
    assert re.search(r"c_fields\.yml:18: .*unknown key 'colour'", text)
    assert re.search(r"c_fields\.yml:19: .*missing required key 'source'", text)
    assert re.search(r"c_fields\.yml:27: id 'Bad Id'", text)
    assert re.search(r"c_fields\.yml:28: function 'nt!!x'", text)
    assert re.search(r"c_fields\.yml:29: priority 'high'", text)
    # the good entries of every file still load, with an English-only text marked untranslated
    assert k.module("acmevpn.sys") is not None and k.module("ok.sys") is not None
    assert k.module("path.sys") is None and k.module("nosource.sys") is None
    assert k.module("ok.sys").source == "a document title that exists"  # type: ignore[union-attr]


def test_english_only_text_falls_back_and_is_marked(tmp_path: Path) -> None:
    _write(tmp_path / "k" / "x.yml", GOOD.replace(
        "breaks: {en: 'Its NDIS filter crashes at the second boot.', zh: '其 NDIS 筛选器在第二次启动时崩溃。'}",
        "breaks: 'Its NDIS filter crashes at the second boot.'"))
    k = load_folders([tmp_path / "k"])
    m = k.module("acmevpn")
    assert k.errors == [] and m is not None
    assert m.breaks_zh == m.breaks and m.untranslated == ("breaks",)


def test_a_later_folder_replaces_a_module_with_the_same_name(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "x.yml", GOOD)
    _write(tmp_path / "b" / "x.yml", GOOD.replace("vendor: Acme", "vendor: Acme Corp").split("activities:")[0])
    k = load_folders([tmp_path / "a", tmp_path / "b"])
    assert k.module("acmevpn.sys").vendor == "Acme Corp"  # type: ignore[union-attr]
    assert any("replaces the one in" in n for n in k.notes)
    assert len(k.modules()) == 1


def test_the_same_module_twice_in_one_file_is_an_error(tmp_path: Path) -> None:
    entry = GOOD.split("modules:\n")[1].split("activities:")[0]
    _write(tmp_path / "k" / "x.yml", GOOD.split("modules:\n")[0] + "modules:\n" + entry + entry)
    k = load_folders([tmp_path / "k"])
    assert any("listed twice in this file" in str(e) for e in k.errors)


class _ThirdParty:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def workbench_knowledge(self) -> list[Path]:
        return [self.folder]


class _Broken:
    @hookimpl
    def workbench_knowledge(self) -> list[Path]:
        raise RuntimeError("boom")


def test_a_third_party_folder_through_the_hook_and_the_cache(tmp_path: Path) -> None:
    clear_cache()
    folder = tmp_path / "vendor_tables"
    _write(folder / "acme.yml", GOOD)
    pm, _ = build_plugin_manager(entry_points=False, user=False, extra=(_ThirdParty(folder),))
    k = load_knowledge(pm, user=False)
    assert k.errors == []
    assert k.module("acmevpn.sys") is not None and k.module("csagent.sys") is not None  # built-ins first, then theirs
    assert len(k.modules()) == len(BUILTIN.modules()) + 1
    assert load_knowledge(pm, user=False) is k  # cached for the same folders and files
    _write(folder / "more.yml", GOOD.replace("acmevpn", "acmefw").replace("acmevpn64", "acmefw64")
           .replace("AcmeVpnSvc", "AcmeFwSvc").replace("acme.vpn_connect", "acme.fw").split("categories:")[0]
           + "modules:" + GOOD.replace("acmevpn", "acmefw").replace("AcmeVpnSvc", "AcmeFwSvc")
           .split("modules:")[1].split("activities:")[0])
    k2 = load_knowledge(pm, user=False)
    assert k2 is not k and k2.module("acmefw.sys") is not None  # an added file is read


def test_a_hook_that_raises_is_a_note_and_the_rest_loads() -> None:
    pm, _ = build_plugin_manager(entry_points=False, user=False, extra=(_Broken(),))
    k = load_knowledge(pm, user=False)
    assert any("workbench_knowledge failed: RuntimeError: boom" in n for n in k.notes)
    assert k.module("csagent.sys") is not None


def test_the_user_folder_is_read(wb_home: Path) -> None:
    _write(wb_home / "plugins" / "knowledge" / "mine.yml", GOOD)
    pm, _ = build_plugin_manager(entry_points=False, user=False)
    k = load_knowledge(pm, home=wb_home)
    assert k.module("acmevpn") is not None


def test_knowledge_is_not_a_signature_pack() -> None:
    from workbench.core.signatures.packs import builtin_pack_roots, load_packs

    packs = load_packs(builtin_pack_roots())
    assert "knowledge" not in {p["name"] for p in packs.packs}
    assert packs.errors == []


def test_empty_and_wrong_shaped_files(tmp_path: Path) -> None:
    _write(tmp_path / "k" / "empty.yml", "")
    _write(tmp_path / "k" / "list.yml", "- a\n- b\n")
    _write(tmp_path / "k" / "mods.yml", "modules: {a: b}\n")
    k = load_folders([tmp_path / "k", tmp_path / "missing"])
    text = "\n".join(str(e) for e in k.errors)
    assert "list.yml:1: a knowledge file must be a mapping" in text
    assert "mods.yml:1: modules must be a list" in text
    assert "missing: knowledge folder not found" in text
    assert isinstance(k, Knowledge) and k.modules() == []


# ------------------------------------------------------------------------------------------- CLI


def test_cli_list_show_activity_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["knowledge", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 100 and all(r["source"] for r in rows)
    assert main(["knowledge", "show", r"C:\Windows\System32\drivers\sysdiag.sys"]) == 0
    out = capsys.readouterr().out
    assert "Huorong Security (火绒安全)" in out and "source: https://learn.microsoft.com" in out
    assert main(["knowledge", "show", "lwfmgr.sys"]) == 2
    assert main(["knowledge", "activity", "nt!PnpStartDevice+0x88", "nt!ExpWorkerThread+0x16a"]) == 0
    assert "Plug and Play" in capsys.readouterr().out
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(BRIEF_STACK)))
    assert main(["knowledge", "activity", "-", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.index("boot.driver_entry_system_start") < out.index("filter.ndis_filter_register")
    _write(tmp_path / "k" / "bad.yml", "modules:\n  - module: x.sys\n")
    assert main(["knowledge", "validate", str(tmp_path / "k")]) == 1
    assert "bad.yml:2: modules[0]: missing required key 'kind'" in capsys.readouterr().out
    assert main(["knowledge", "validate"]) == 0
