"""The setup parsers on files the tests write themselves (encodings, damage, every format) and on real ones."""

from __future__ import annotations

import json
import os
import random
import tracemalloc
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from workbench.core.case import Case
from workbench.core.clock import format_us
from workbench.core.identify import identify_kind
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.parsers.setupact import SetupLogParser, bracket_stamp
from workbench.core.store import CaseStore
from workbench.core.timeline import query_timeline

STAMP = "2021-05-18 03:11:02, "


def _line(level: str, component: str, message: str, msg_id: str = "", t: str = STAMP) -> str:
    ident = f"[{msg_id}] " if msg_id else " " * 11
    return f"{t}{level:<11}{ident}{component:<7}{message}"


def _ingest(path: Path) -> CaseStore:
    case = Case.open(path)
    case.ensure_ingested()
    return case.store


def _messages(store: CaseStore) -> list[str]:
    return [r.message for r in query_timeline(store)]


# ------------------------------------------------------------------------------------------ setupact


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                        ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")])
def test_setupact_unicode_encodings(tmp_path: Path, codec: str, bom: bytes) -> None:
    text = "\r\n".join([
        _line("Info", "MOUPG", "SetupHost::Initialize: CmdLine = [/Install /Media]"),
        _line("Error", "SP", "Operation failed: Apply WIM for 用户数据. Error: 0x80070070", "0x08094f"),
        "",
    ])
    path = tmp_path / "setupact.log"
    path.write_bytes(bom + text.encode(codec))
    rows = list(query_timeline(_ingest(path)))
    assert [r.component for r in rows] == ["MOUPG", "SP"]
    assert rows[1].message == "[0x08094f] Operation failed: Apply WIM for 用户数据. Error: 0x80070070"
    assert rows[1].level == "error" and rows[1].line == 2
    assert format_us(rows[0].local, utc=False) == "2021-05-18T03:11:02"


def test_setupact_ansi_gbk_and_cp1252_decided_by_content(tmp_path: Path) -> None:
    (tmp_path / "zh").mkdir()
    (tmp_path / "de").mkdir()
    zh = "\r\n".join([_line("Error", "MIG", f"迁移用户配置文件失败：张三 第{i}次") for i in range(40)]) + "\r\n"
    (tmp_path / "zh" / "setupact.log").write_bytes(zh.encode("gbk"))
    de = "\r\n".join([_line("Warning", "CONX", "Gerät wurde nicht gefunden (Lösung: Treiber)")] * 5) + "\r\n"
    (tmp_path / "de" / "setupact.log").write_bytes(de.encode("cp1252"))
    assert _messages(_ingest(tmp_path / "zh" / "setupact.log"))[0] == "迁移用户配置文件失败：张三 第0次"
    assert _messages(_ingest(tmp_path / "de" / "setupact.log"))[0] == "Gerät wurde nicht gefunden (Lösung: Treiber)"


def test_setupact_bare_lf_nuls_truncated(tmp_path: Path) -> None:
    raw = (
        _line("Error", "CONX", "aeinv: ERROR,first half of the message").encode() + b"\n"  # bare LF inside CRLF
        + b"second half after the bare LF\r\n\r\n"
        + _line("Info", "SP", "with\x00 NUL\x00s inside").encode() + b"\r\n"
        + b"[8312] [0xc142011c] WIMGetMountedImageHandle:(2897)\r\n"
        + b"2021-05-18 03:11:0"  # cut short in the middle of a stamp
    )
    path = tmp_path / "setupact.log"
    path.write_bytes(raw)
    store = _ingest(path)
    rows = list(query_timeline(store))
    assert rows[0].message == "aeinv: ERROR,first half of the message\nsecond half after the bare LF"
    assert rows[1].message == "with NULs inside" and rows[1].line == 4
    assert rows[2].message.startswith("[8312]") and rows[2].line == 5 and rows[2].local == rows[1].local
    assert store.scalar("SELECT status FROM files") in ("parsed", "partial")


def test_setupact_binary_tail_garbage_and_empty(tmp_path: Path) -> None:
    rnd = random.Random(7)
    for name in ("tail", "garbage", "empty"):
        (tmp_path / name).mkdir()
    good = (_line("Info", "SP", "last good line") + "\r\n").encode()
    # a tail as Windows leaves it: NUL padding and record bytes, then whatever the disk held
    tail = b"\x00" * 64 + b"\x11\x11\xe0\xe0\xe36\x07M" + bytes(rnd.randrange(256) for _ in range(3000))
    (tmp_path / "tail" / "setupact.log").write_bytes(good + tail)
    (tmp_path / "garbage" / "setupact.log").write_bytes(bytes(rnd.randrange(256) for _ in range(20000)))
    (tmp_path / "empty" / "setupact.log").write_bytes(b"")
    store = _ingest(tmp_path / "tail" / "setupact.log")
    assert _messages(store)[0] == "last good line"
    problems = store.query("SELECT file, error FROM problems")
    assert problems and problems[-1]["file"] == "setupact.log" and "binary" in problems[-1]["error"]
    garbage = _ingest(tmp_path / "garbage" / "setupact.log")
    assert garbage.scalar("SELECT status FROM files") != "failed"  # never a crash
    assert any("setupact.log" == p["file"] for p in garbage.query("SELECT file FROM problems"))
    empty = _ingest(tmp_path / "empty" / "setupact.log")
    assert empty.scalar("SELECT count(*) FROM timeline") == 0
    assert empty.scalar("SELECT status FROM files") in ("parsed", "skipped")


def test_rotated_and_renamed_copies_are_setup_logs() -> None:
    head = (_line("Info", "SP", "x") + "\r\n").encode()
    for name in ("Panther/setupact_1.log", "setupact_part2.log", "Rollback/setupact_rollback.log",
                 "Panther/setupact.log.1", "Panther/setupact.log.old", "PC01_setupact.txt"):
        assert identify_kind(name, head) == "setupact", name
    assert identify_kind("Panther/setuperr.log.bak", head) == "setuperr"


def test_free_text_windows_setupact_with_bracket_stamps(shared_fixtures: Path) -> None:
    path = fixture_file(shared_fixtures, "setup/T007-tim_PROJECT-BASED-TIM__setupact.log")
    rows = sorted(query_timeline(_ingest(path)), key=lambda r: r.line or 0)
    assert rows[0].message == "AudMig: Initializing upgrade diagnostics for first run" and rows[0].ts is None
    wudf = [r for r in rows if r.message.startswith("WudfCoInstaller: ReadWdfSection")]
    assert wudf and format_us(wudf[0].local, utc=False) == "2025-05-12T07:44:06.575000"
    assert bracket_stamp("AudMig: x") is None


def test_setupact_streams_in_bounded_memory(tmp_path: Path) -> None:
    """Memory while parsing does not grow with the file: the Python heap peaks well below the file's size."""
    path = tmp_path / "setupact.log"
    block = "".join(_line("Info", "CSI", f"{i:08x} some servicing message that is long enough to count, part {i}")
                    + "\r\n" for i in range(1000)).encode()
    with open(path, "wb") as fh:
        for _ in range(80):
            fh.write(block)
    size = path.stat().st_size
    assert size > 9_000_000
    store = CaseStore.open(tmp_path / "case.db")
    fid = store.add_file(path="setupact.log", status="pending", kind="setupact")
    mediator = Mediator(store, CaseFile(fid, "setupact.log", "setupact", None, path), "setuplog")
    tracemalloc.start()
    SetupLogParser().parse(mediator.file, mediator)
    mediator.flush()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert mediator.events == 80_000
    assert peak < size * 0.75, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


# ------------------------------------------------------------------------------------------ setupapi

SETUPAPI = """[Device Install Log]
     OS Version = 10.0.19045
     Architecture = amd64

[BeginLog]

[Boot Session: 2024/03/01 08:00:00.100]

>>>  [Device Install (Hardware initiated) - USB\\VID_1234&PID_5678\\0001]
>>>  Section start 2024/03/01 08:01:00.000
     utl:      Driver Node:
     utl:           Status         - Selected
     utl:           Driver INF     - oem7.inf (C:\\Windows\\System32\\DriverStore\\FileRepository\\acmecam.inf_amd64_1\\acmecam.inf)
     utl:           Driver Version - 01/02/2023,1.2.3.4
!!!  dvi:           Device not started: Device has problem: 0x0a (CM_PROB_FAILED_START), problem status: 0xc0000001. 08:01:02.000
>>>  [Device Install (Hardware initiated) - PCI\\VEN_10EC&DEV_8168\\01]
>>>  Section start 2024/03/01 08:01:01.000
     inf:                {Configure Driver: 网络适配器 Realtek PCIe GbE}
     dvi: {Core Device Install} 08:01:01.500
>>>  [Device Install (Hardware initiated) - USB\\VID_1234&PID_5678\\0001]
<<<  Section end 2024/03/01 08:01:03.000
<<<  [Exit status: FAILURE(0xe0000219)]
"""


def test_setupapi_sections_failure_and_unfinished(tmp_path: Path) -> None:
    path = tmp_path / "Windows" / "INF" / "setupapi.dev.log"
    path.parent.mkdir(parents=True)
    path.write_bytes(SETUPAPI.replace("\n", "\r\n").encode("gbk") + b"\x00" * 200 + b"\x11\x07\x01\x02" * 50)
    store = _ingest(tmp_path / "Windows")
    rows = {r["device"]: dict(r) for r in store.query("SELECT * FROM setupapi_sections")}
    usb = rows["USB\\VID_1234&PID_5678\\0001"]
    assert (usb["status"], usb["exit_code"], usb["inf"], usb["inf_original"]) == (
        "FAILURE", "0xe0000219", "oem7.inf", "acmecam.inf")
    assert usb["driver_version"] == "01/02/2023,1.2.3.4" and usb["end_line"] == 22
    nic = rows["PCI\\VEN_10EC&DEV_8168\\01"]
    assert nic["status"] == "unfinished" and nic["state"] == "installing" and nic["end_line"] is None
    assert nic["description"] == "网络适配器 Realtek PCIe GbE"
    fact = json.loads(store.fact("setupapi.unfinished_section")["value"])
    assert fact["device"] == "PCI\\VEN_10EC&DEV_8168\\01"
    levels = {(r.component, r.level) for r in query_timeline(store)}
    assert ("boot", "info") in levels and ("dvi", "error") in levels
    assert ("setupapi.unfinished_section", "error") in levels
    assert any("Exit status: FAILURE(0xe0000219)" in m for m in _messages(store))
    assert any("binary" in p["error"] for p in store.query("SELECT error FROM problems"))


@pytest.mark.fixtures
def test_setupapi_plaso_all_sections_succeed(shared_fixtures: Path) -> None:
    store = _ingest(fixture_file(shared_fixtures, "setup/log2timeline_plaso__test_data__setupapi.dev.log"))
    assert store.scalar("SELECT count(*) FROM setupapi_sections") == 194
    assert store.scalar("SELECT count(*) FROM setupapi_sections WHERE status != 'SUCCESS'") == 0
    assert store.fact("setupapi.unfinished_section") is None
    assert store.scalar("SELECT count(*) FROM problems") == 0


def test_setupapi_garbage_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "setupapi.dev.log"
    path.write_bytes(b"hello\r\nthis is not a setupapi log\r\n")
    store = _ingest(path)
    assert any("SetupAPI" in p["error"] for p in store.query("SELECT error FROM problems"))


# ------------------------------------------------------------------------------------------ XML and INI


@pytest.mark.fixtures
def test_diag_xml_real_and_cut_short(shared_fixtures: Path) -> None:
    store = _ingest(fixture_file(shared_fixtures, "setup/cralborn_cyberforce__Panther__diagwrn.xml"))
    assert store.scalar("SELECT count(*) FROM diag_rows") == 11
    rows = list(query_timeline(store))
    assert rows[0].level == "warning" and rows[0].component and rows[0].local is not None
    cut = _ingest(fixture_file(shared_fixtures, "setup/Shekhar-sss_Git_Basic__diagerr.xml"))
    assert cut.scalar("SELECT count(*) FROM diag_rows") == 8  # the rowset is never closed; rows still read
    assert any("closing tags" in p["error"] for p in cut.query("SELECT error FROM problems"))
    assert {r.level for r in query_timeline(cut)} == {"error"}


SETUPDIAG = """<?xml version="1.0" encoding="utf-16"?>
<SetupDiag xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="https://docs.microsoft.com/windows/deployment/upgrade/setupdiag">
  <Version>1.6.0.42</Version>
  <ProfileName>FindRollbackFailure</ProfileName>
  <ProfileGuid>3A43C9B5-05B3-4F7C-A955-88F991BB5A48</ProfileGuid>
  <SystemInfo>
    <MachineName>PC-财务01</MachineName>
    <HostOSVersion>10.0.19045</HostOSVersion>
  </SystemInfo>
  <FailureData>
    <string>Error: 0xC1900101 - 0x40017</string>
  </FailureData>
  <FailureDetails>RollbackErrorCode = 0xC1900101, ExtendedCode = 0x40017, LastOperation = Ensure suspended services are stopped, LastPhase = Post First Boot</FailureDetails>
</SetupDiag>
"""


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-8", b"")])
def test_setupdiag_results(tmp_path: Path, codec: str, bom: bytes) -> None:
    path = tmp_path / "Windows" / "Logs" / "SetupDiag" / "SetupDiagResults.xml"
    path.parent.mkdir(parents=True)
    path.write_bytes(bom + SETUPDIAG.encode(codec))  # the utf-8 copy still declares utf-16, as re-saved files do
    store = _ingest(tmp_path / "Windows")
    facts = {name: store.fact(name)["value"] for name in (
        "setupdiag.profile_name", "setupdiag.result_code", "setupdiag.extend_code", "setupdiag.last_phase",
        "setupdiag.last_operation", "setupdiag.machine_name")}
    assert facts == {
        "setupdiag.profile_name": "FindRollbackFailure", "setupdiag.result_code": "0xC1900101",
        "setupdiag.extend_code": "0x40017", "setupdiag.last_phase": "Post First Boot",
        "setupdiag.last_operation": "Ensure suspended services are stopped", "setupdiag.machine_name": "PC-财务01"}
    assert json.loads(store.fact("setupdiag.failure_data")["value"]) == ["Error: 0xC1900101 - 0x40017"]
    assert store.scalar("SELECT count(*) FROM problems") == 0


COMPAT = """<?xml version="1.0" encoding="UTF-8"?>
<CompatReport xmlns="http://www.microsoft.com/ApplicationExperience/UpgradeAdvisor/01012009">
  <Devices/>
  <Programs>
    <Program Name="VeryOld Antivirus 2012" Id="abc">
      <CompatibilityInfo BlockingType="Hard" StatusDetail="Uninstall" Message="Must be uninstalled"/>
      <Action Name="UninstallProgram" ResolveState="NotRun"/>
    </Program>
    <Program Name="Notepad++"><CompatibilityInfo BlockingType="None"/></Program>
  </Programs>
  <DriverPackages>
    <DriverPackage Inf="oem12.inf" BlockMigration="True" HasSignedBinaries="False"/>
    <DriverPackage Inf="oem3.inf" BlockMigration="False" HasSignedBinaries="True"/>
  </DriverPackages>
</CompatReport>
"""


def test_compatdata_blocks(tmp_path: Path) -> None:
    path = tmp_path / "CompatData_2022_07_06_08_08_50_3_00020003.xml"
    path.write_text(COMPAT, "utf-8")
    store = _ingest(path)
    hard = json.loads(store.fact("compat.hard_blocks")["value"])
    assert [(h["item"], h["name"]) for h in hard] == [("Program", "VeryOld Antivirus 2012"),
                                                       ("DriverPackage", "oem12.inf")]
    assert [p["name"] for p in json.loads(store.fact("compat.blocking_programs")["value"])] == [
        "VeryOld Antivirus 2012"]
    assert store.scalar("SELECT count(*) FROM compat_items") == 4
    rows = list(query_timeline(store))
    assert len(rows) == 2 and format_us(rows[0].local, utc=False) == "2022-07-06T08:08:50"


def test_garbage_xml_is_a_problem_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "CompatData_broken.xml"
    path.write_bytes(b"<CompatReport><Programs><Program Name='x'>\x00\x01<<<>>>")
    store = _ingest(path)
    problems = store.query("SELECT file, error FROM problems")
    assert problems and problems[0]["file"] == "CompatData_broken.xml" and "XML" in problems[0]["error"]
    assert store.scalar("SELECT status FROM files") == "partial"


def test_rollbackinfo_and_setupplatform_ini(tmp_path: Path) -> None:
    rb = tmp_path / "$WINDOWS.~BT" / "Sources" / "Rollback"
    rb.mkdir(parents=True)
    (rb / "rollbackinfo.ini").write_bytes("[RollbackInfo]\r\nCurrentPhase=FirstBoot,Start\r\nCurrentOp=151,Start\r\n"
                                          .encode("utf-16"))
    (rb / "SetupPlatform.ini").write_bytes(b"[Settings]\r\nLogDirectory=C:\\$WINDOWS.~BT\\Sources\\Panther\r\n"
                                           b"SourceOSVersion=10.0.18363\r\nthis line is junk\r\n")
    store = _ingest(tmp_path / "$WINDOWS.~BT")
    assert store.fact("setup.rollbackinfo.current_phase")["value"] == "FirstBoot,Start"
    assert store.fact("setup.source_version")["value"] == "10.0.18363"
    assert store.fact("upgrade.rollback")["value"] == "true"
    assert store.scalar("SELECT count(*) FROM setup_ini") == 4
    assert any("junk" not in p["error"] and "neither" in p["error"] for p in store.query("SELECT error FROM problems"))


def _nfo(items: list[tuple[str, str]], summary: str) -> str:
    data = "".join(f"<Data>\n<Item><![CDATA[{k}]]></Item>\n<Value><![CDATA[{v}]]></Value>\n</Data>\n" for k, v in items)
    sub = "<Category name=\"Hardware Resources\"><Data><Item><![CDATA[Version]]></Item>" \
          "<Value><![CDATA[9.9.9 Build 99999]]></Value></Data></Category>"
    return f'<?xml version="1.0"?>\n<MsInfo>\n<Metadata><Version>8.0</Version></Metadata>\n' \
           f'<Category name="{summary}">\n{data}{sub}</Category>\n</MsInfo>\n'


def test_msinfo_nfo_chinese_sets_case_clock(tmp_path: Path) -> None:
    items = [("操作系统名称", "Microsoft Windows 10 专业版"), ("版本", "10.0.19045 内部版本 19045"),
             ("系统名称", "DESKTOP-财务"), ("系统型号", "ThinkPad T480"), ("BIOS 版本/日期", "LENOVO N24ET, 2019/1/1"),
             ("时区", "中国标准时间")]
    (tmp_path / "SYSSUM.NFO").write_bytes(b"\xff\xfe" + _nfo(items, "系统摘要").encode("utf-16-le"))
    log = tmp_path / "$WINDOWS.~BT" / "Sources" / "Panther" / "setupact.log"
    log.parent.mkdir(parents=True)
    log.write_text(_line("Info", "SP", "hello", t="2024-03-01 10:00:00, ") + "\r\n", "utf-8")
    store = _ingest(tmp_path)
    got = {n: store.fact(n)["value"] for n in ("system.os_name", "system.os_version", "system.os_build",
                                                 "system.computer", "system.model", "system.bios",
                                                 "system.time_zone")}
    assert got == {"system.os_name": "Microsoft Windows 10 专业版", "system.os_version": "10.0.19045",
                   "system.os_build": "19045", "system.computer": "DESKTOP-财务", "system.model": "ThinkPad T480",
                   "system.bios": "LENOVO N24ET, 2019/1/1", "system.time_zone": "中国标准时间"}
    assert store.scalar("SELECT count(*) FROM findings WHERE rule_id = 'upgrade.source_os_too_old'") == 0
    row = next(r for r in query_timeline(store) if r.message == "hello")
    assert format_us(row.ts) == "2024-03-01T02:00:00Z" and format_us(row.local, utc=False) == "2024-03-01T10:00:00"


def test_msinfo_nfo_english_and_not_an_nfo(tmp_path: Path) -> None:
    items = [("OS Name", "Microsoft Windows 7 Professional"), ("Version", "6.1.7601 Service Pack 1 Build 7601"),
             ("System Name", "OLDPC"), ("Time Zone", "W. Europe Standard Time")]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "SYSSUM.NFO").write_bytes(_nfo(items, "System Summary").encode("utf-16"))
    store = _ingest(tmp_path / "a" / "SYSSUM.NFO")
    assert store.fact("system.os_build")["value"] == "7601"  # not the nested category's 99999
    assert store.fact("system.os_version")["value"] == "6.1.7601"
    assert store.fact("system.computer")["value"] == "OLDPC"
    old = store.query("SELECT title FROM findings WHERE rule_id = 'upgrade.source_os_too_old'")
    assert old and "Windows 7" in old[0]["title"] and "7601" in old[0]["title"]
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "report.nfo").write_bytes(os.urandom(10) + b"<html>not an nfo</html>")
    bad = _ingest(tmp_path / "b" / "report.nfo")
    assert bad.fact("system.os_name") is None
    assert bad.scalar("SELECT status FROM files") != "failed"


_SAMPLES = {
    "setupact.log": (_line("Info", "SP", "one") + "\r\n" + _line("Error", "SP", "two") + "\r\n").encode(),
    "setupapi.dev.log": SETUPAPI.encode(),
    "diagerr.xml": b'<xml xmlns:z="#RowsetSchema"><s:Schema id="RowsetSchema"/><rs:data>'
                   b'<z:row Msg="a" DT="2021-06-09T12:08:20"/><z:row Msg="b" DT="2021-06-09T12:08:21"/></rs:data></xml>',
    "SetupDiagResults.xml": SETUPDIAG.replace('encoding="utf-16"', 'encoding="utf-8"').encode(),
    "CompatData_2022_07_06_08_08_50_3.xml": COMPAT.encode(),
    "rollbackinfo.ini": b"[RollbackInfo]\r\nCurrentPhase=FirstBoot,Start\r\nCurrentOp=151,Start\r\n",
    "SYSSUM.NFO": _nfo([("OS Name", "Microsoft Windows 11 Pro"), ("Version", "10.0.22631 Build 22631")],
                       "System Summary").encode(),
}


@pytest.mark.parametrize("name", sorted(_SAMPLES))
@pytest.mark.parametrize("damage", ["truncated", "empty", "nul_padded"])
def test_damaged_files_never_crash(tmp_path: Path, name: str, damage: str) -> None:
    """Every setup format, cut in the middle, empty, or followed by NUL padding: read, with problems, never failed."""
    data = _SAMPLES[name]
    data = {"truncated": data[: len(data) * 3 // 5], "empty": b"", "nul_padded": data + b"\x00" * 4096}[damage]
    path = tmp_path / name
    path.write_bytes(data)
    store = _ingest(path)
    row = store.query("SELECT status, reason, kind FROM files")[0]
    assert row["status"] != "failed", row["reason"]
    if damage == "truncated" and name.endswith((".xml", ".NFO")):
        problems = store.query("SELECT file, error FROM problems")
        assert problems and problems[0]["file"] == name
