"""WinDbg text (fixtures and the BRIEF.md lwfmgr stack) and user-mode minidumps."""

from __future__ import annotations

import io
import os
import random
import struct
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from workbench.core.dumps.culprit import choose_culprit
from workbench.core.dumps.kdump import DumpFormatError
from workbench.core.dumps.udump import read_user_dump
from workbench.core.dumps.windbg import parse_windbg_text

TEXT = "dumps/text/"

# The stack of the case in BRIEF.md, as an engineer would save WinDbg's `kv` of setupmem.dmp.
LWFMGR_KV = """\
Loading Dump File [C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp]
Mini Kernel Dump File: Only registers and stack trace are available
Windows 10 Kernel Version 19041 MP (8 procs) Free x64
0: kd> .bugcheck
Bugcheck code 0000007E
Arguments ffffffff`c0000005 fffff804`1b2ca047 ffffe50f`5d3a6e38 ffffe50f`5d3a6670
0: kd> kv
 # Child-SP          RetAddr               : Args to Child                                                           : Call Site
00 ffffe50f`5d3a5df8 fffff804`1a4bd7c7     : 00000000`0000007e ffffffff`c0000005 fffff804`1b2ca047 ffffe50f`5d3a6e38 : nt!KeBugCheckEx
01 ffffe50f`5d3a5e00 fffff804`1a49a4bc     : fffff804`1a000000 fffff804`1a4bd6a0 00000000`00000000 00000000`00000000 : nt!PspUnhandledExceptionInSystemThread+0x27
02 ffffe50f`5d3a5e40 fffff804`1a40e9f2     : 00000000`00000000 00000000`00000000 ffffe50f`5d3a5ee0 00000000`00000000 : nt!PspSystemThreadStartup$filt$0+0x44
03 ffffe50f`5d3a5e80 fffff804`1a40e9a2     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!_C_specific_handler+0xa2
04 ffffe50f`5d3a5ef0 fffff804`1a2bb617     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!RtlpExecuteHandlerForException+0x12
05 ffffe50f`5d3a5f20 fffff804`1a2ba1b6     : ffffe50f`5d3a6e38 ffffe50f`5d3a6670 00000000`00000000 00000000`00000000 : nt!RtlDispatchException+0x297
06 ffffe50f`5d3a6640 fffff804`1a40fcac     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!KiDispatchException+0x186
07 ffffe50f`5d3a6d00 fffff804`1a40ba2e     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!KiExceptionDispatch+0x12c
08 ffffe50f`5d3a6ee0 fffff804`1b2ca047     : ffffe50f`5d3a7100 00000000`00000000 00000000`00000000 00000000`00000000 : nt!KiPageFault+0x42e (TrapFrame @ ffffe50f`5d3a6ee0)
09 ffffe50f`5d3a7070 fffff804`2a195167     : 00000000`00000000 ffffa38c`3fe2a8c0 00000000`00000000 00000000`00000000 : ndis!NdisFDeregisterFilterDriver+0x47
0a ffffe50f`5d3a70a0 fffff804`2a19b49a     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : lwfmgr+0x5167
0b ffffe50f`5d3a70d0 fffff804`1a8074bd     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : lwfmgr+0xb49a
0c ffffe50f`5d3a7100 fffff804`1a807134     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!IopLoadDriver+0x4bd
0d ffffe50f`5d3a72d0 fffff804`1a7f2a12     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!IopInitializeSystemDrivers+0x134
0e ffffe50f`5d3a7360 fffff804`1a41be1c     : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : nt!IoInitSystem+0x12
0f ffffe50f`5d3a7390 00000000`00000000     : ffffe50f`5d3a8000 ffffe50f`5d3a1000 00000000`00000000 00000000`00000000 : nt!KiStartSystemThread+0x1c
"""


def parse_text(text: str):
    report = parse_windbg_text(text.splitlines())
    choose_culprit(report)
    return report


def parse_fixture(shared: Path, name: str):
    path = fixture_file(shared, TEXT + name)
    return parse_text(path.read_text("utf-8"))


def test_brief_lwfmgr_kv_gives_lwfmgr() -> None:
    r = parse_text(LWFMGR_KV)
    assert r.bugcheck_code == 0x7E and r.kernel and r.os_build == 19041
    assert r.parameters[1] == 0xFFFFF8041B2CA047
    assert len(r.frames) == 16
    ndis = r.frames[9]
    assert (ndis.module, ndis.symbol, ndis.offset) == ("ndis.sys", "NdisFDeregisterFilterDriver", 0x47)
    assert r.frames[8].symbol == "KiPageFault"  # the "(TrapFrame @ ...)" suffix is not part of the name
    assert r.culprit == "lwfmgr.sys"
    assert r.culprit_frame == 10
    assert "lwfmgr.sys+0x5167" in r.culprit_reason and "KeBugCheckEx" in r.culprit_reason
    assert r.extra["dump_file"].endswith("setupmem.dmp")


def test_arrow_notation_and_x86_kb() -> None:
    r = parse_text("nt!KeBugCheckEx <- nt!KiPageFault+0x42e <- ndis!NdisFDeregisterFilterDriver+0x47 "
                   "<- lwfmgr+0x5167 <- nt!IopLoadDriver+0x4bd\n")
    assert r.culprit == "lwfmgr.sys"
    x86 = parse_text("kd> kb\nChildEBP RetAddr  Args to Child\n"
                     "fe40ce54 80402e09 ff6c4000 ff63d000 03ff0000 NT!_RtlMoveMemory@12+0x3e\n"
                     "fe40ceb8 fe4385b4 ff6ce388 6cd00800 ffbc0c28 acme!_Flush@20+0x28 (FPO: [Non-Fpo])\n")
    assert [f.symbol for f in x86.frames] == ["_RtlMoveMemory@12", "_Flush@20"]
    assert x86.culprit == "acme.sys"


def test_preamble_bugcheck_line_and_probably_caused_by() -> None:
    text = ("Loading Dump File [C:\\cases\\setupmem.dmp]\n"
            "BugCheck 7E, {ffffffffc0000005, fffff8064a2b1c47, ffff8a0c1f2e6f38, ffff8a0c1f2e6770}\n\n"
            "Probably caused by : lwfmgr.sys ( lwfmgr+5167 )\n")
    r = parse_text(text)
    assert r.bugcheck_code == 0x7E
    assert r.parameters == [0xFFFFFFFFC0000005, 0xFFFFF8064A2B1C47, 0xFFFF8A0C1F2E6F38, 0xFFFF8A0C1F2E6770]
    assert r.culprit == "lwfmgr.sys" and "IMAGE_NAME" in r.culprit_reason
    assert r.extra["probably_caused_by_at"] == "lwfmgr+5167"


def test_lm_rows_are_not_stack_frames() -> None:
    text = ("0: kd> lm\nstart             end                 module name\n"
            "fffff801`09200000 fffff801`0925f000   volmgrx    (no symbols)\n"
            "fffff801`092ec000 fffff801`0934d000   CLFS       (export symbols)       CLFS.SYS\n\n"
            "0: kd> u\nfffff802`bb8feba0 48894c2408      mov     qword ptr [rsp+8],rcx\n")
    r = parse_windbg_text(text.splitlines())
    assert r.frames == []
    assert [(m.name, m.base, m.size) for m in r.modules] == [
        ("volmgrx.sys", 0xFFFFF80109200000, 0x5F000), ("CLFS.SYS", 0xFFFFF801092EC000, 0x61000)]


#: amdppm's real triage stack as ``k`` prints it: the exception filter's cold code has no symbol of its own
AMDPPM_K = """0: kd> k
 # Child-SP          RetAddr               Call Site
00 ffff8504`29890ee8 fffff804`7bdf5a80     nt!KeBugCheckEx
01 ffff8504`29890ef0 fffff804`7be0f4e1     {handler}
02 ffff8504`29890f30 fffff804`7bdcc052     nt!__C_specific_handler+0xa2
03 ffff8504`29890fa0 fffff804`7bdfe942     nt!RtlpExecuteHandlerForException+0x12
04 ffff8504`29890fd0 fffff804`7bd2bf97     nt!RtlDispatchException+0x297
05 ffff8504`298916f0 fffff804`7bd2ab86     nt!KiDispatchException+0x186
06 ffff8504`29891db0 fffff804`7be07bac     nt!KiExceptionDispatch+0x12c
07 ffff8504`29891f90 fffff804`7be031f5     nt!KiSegmentNotPresentFault+0x335
08 ffff8504`29892120 fffff804`8b58334c     amdppm!WriteIoMemRawEx+0x70
09 ffff8504`29892150 fffff804`8b58313f     amdppm!WriteGenAddrEx+0x6b
0a ffff8504`29892770 fffff804`7c1548a6     nt!PnpAsynchronousCall+0xea
0b ffff8504`29892c60 fffff804`7bdfd0d8     nt!KiStartSystemThread+0x28

Probably caused by : amdppm.sys ( amdppm!WriteIoMemRawEx+70 )
"""


@pytest.mark.parametrize("handler", ["nt! ?? ::FNODOBFM::`string'+0x1611", "nt!?? ::FNODOBFM::`string'+0x1611",
                                     "nt!PspSystemThreadStartup$filt$0+0x44"])
def test_frames_above_the_trap_frame_only_handle_the_fault(handler: str) -> None:
    """WinDbg spells a handler's cold code ``nt! ?? ::FNODOBFM::`string'`` (with or without the space): it is
    one frame of the stack, and like every frame above the trap frame it handles the fault, it is not the
    fault — the culprit stays the faulting module the debugger also names, never ntoskrnl.exe."""
    r = parse_windbg_text(AMDPPM_K.format(handler=handler).splitlines())
    assert len(r.frames) == 12 and r.frames[1].module == "ntoskrnl.exe"
    choose_culprit(r)
    assert r.culprit == "amdppm.sys" and r.frames[r.culprit_frame].symbol == "WriteIoMemRawEx"


@pytest.mark.fixtures
def test_analyze_v_evildriver_0x7e(shared_fixtures: Path) -> None:
    r = parse_fixture(shared_fixtures, "insightengineering_analyze_v_kernel_0x7E_evildriver.txt")
    assert r.bugcheck_code == 0x7E
    assert r.parameters == [0xFFFFFFFFC0000005, 0xFFFFF8076624F3D4, 0xFFFFA1088A4AEBF8, 0xFFFFA1088A4AE410]
    assert len(r.frames) == 13 and r.frames[0].symbol == "RtlpHpVsFreeChunkInsert"
    assert r.culprit == "EvilDriver.sys"  # past the heap helpers, as !analyze's SYMBOL_NAME says
    assert r.frames[r.culprit_frame].offset == 0x115B
    assert r.extra["IMAGE_NAME"] == "EvilDriver.sys" and r.process_name == "System"


@pytest.mark.fixtures
def test_mex_evildriver(shared_fixtures: Path) -> None:
    r = parse_fixture(shared_fixtures, "insightengineering_mex_t_kernel_0x7E_evildriver.txt")
    assert len(r.frames) == 21 and r.frames[0].symbol == "KeBugCheckEx"
    assert r.culprit == "EvilDriver.sys" and r.frames[r.culprit_frame].label() == "EvilDriver.sys+0x115b"


@pytest.mark.fixtures
@pytest.mark.parametrize("name, code, culprit, nframes", [
    ("blog_analyze_v_kernel_triage_0xD1_netio.txt", 0xD1, "NETIO.SYS", 11),
    ("msdocs_analyze_v_kernel_0xC4_verifier.txt", 0xC4, "MyDriver.sys", 12),
    ("msdocs_analyze_v_kernel_0x133.txt", 0x133, "BthA2DP.sys", 0),
    ("msdocs_kb_cxr_x86_0x1E.txt", 0x1E, "QIC117.sys", 9),
    ("msdocs_kn_kernel_x64_inline_source.txt", None, "ECHO.sys", 6),
    ("msdocs_k_user_x64_childsp.txt", None, "win32u.dll", 9),
    ("msdocs_analyze_v_user_stack_text.txt", None, "MyApp", 6),
])
def test_text_fixtures(shared_fixtures: Path, name: str, code: int | None, culprit: str, nframes: int) -> None:
    r = parse_fixture(shared_fixtures, name)
    assert r.bugcheck_code == code
    assert r.culprit == culprit
    assert len(r.frames) == nframes


@pytest.mark.fixtures
def test_netio_details(shared_fixtures: Path) -> None:
    r = parse_fixture(shared_fixtures, "blog_analyze_v_kernel_triage_0xD1_netio.txt")
    assert (r.os_build, r.arch, r.dump_type, r.process_name) == (26100, "x64", "triage (minidump)", "ManicTime.exe")
    assert r.parameters == [8, 2, 0, 0xFFFFF8024E50C688]
    assert r.extra["kv.Failure.Exception.IP.Module"] == "NETIO"
    assert r.frames[3].label() == "NETIO.SYS!StreamInvokeCalloutAndNormalizeAction+0x5c"
    assert "every module" in r.culprit_reason  # all Microsoft's: the fault's module is named, and said so


@pytest.mark.fixtures
def test_x86_kb_uses_the_stack_after_cxr(shared_fixtures: Path) -> None:
    r = parse_fixture(shared_fixtures, "msdocs_kb_cxr_x86_0x1E.txt")
    assert r.frames[0].symbol == "_RtlMoveMemory@12"  # not the first kb (the bugcheck's own stack)
    assert r.parameters[:2] == [0xC0000005, 0x8013CD0A]


@pytest.mark.fixtures
@pytest.mark.parametrize("name, count, first", [
    ("msdocs_lm_kernel_x64.txt", 10, ("volmgrx.sys", 0xFFFFF80109200000, 0x5F000)),
    ("msdocs_lm_user_x64.txt", 16, ("notepad", 0x7FF66E760000, 0x38000)),
    ("msdocs_lm_x86_unloaded.txt", 6, ("sysaudio.sys", 0xF9F73000, 0xCD80)),
    ("msdocs_lmv_kernel_tcpip.txt", 1, ("tcpip.sys", 0xFFFFF80109EEB000, 0x26C000)),
])
def test_lm_fixtures(shared_fixtures: Path, name: str, count: int, first: tuple) -> None:
    r = parse_fixture(shared_fixtures, name)
    assert len(r.modules) == count
    m = r.modules[0]
    assert (m.name, m.base, m.size) == first


@pytest.mark.fixtures
def test_lmv_details(shared_fixtures: Path) -> None:
    tcpip = parse_fixture(shared_fixtures, "msdocs_lmv_kernel_tcpip.txt").modules[0]
    assert (tcpip.timestamp, tcpip.checksum, tcpip.path) == (
        0x546029F7, 0x263DB1, "\\SystemRoot\\System32\\drivers\\tcpip.sys")
    brepro = parse_fixture(shared_fixtures, "msdocs_lmDvm_kernel_brepro.txt").modules[0]
    assert (brepro.name, brepro.timestamp, brepro.size) == ("AcxHdAudio.sys", 0x08294233, 0x88000)
    unloaded = parse_fixture(shared_fixtures, "msdocs_lm_x86_unloaded.txt")
    assert unloaded.extra["unloaded_modules"] == "swmidi.sys splitter.sys Sfloppy.SYS"


# ------------------------------------------------------------------------------------------- user dumps

USER = [
    ("user_x64_win7_calc_breakpoint.dmp", "x64", 7601, 0x80000003, "ntdll.dll", None, 28),
    ("user_x64_win10_write_av_non_canonical.dmp", "x64", 19042, 0xC0000005, "crash.exe", 0x1331, 15),
    ("user_x64_win10_fastfail_c0000409.dmp", "x64", 19042, 0xC0000409, "tiny.exe", 0x1AF42, 21),
    ("user_x64_win10_invalid_parameter.dmp", "x64", 17134, 0xC000000D, "CrashTest.exe", None, 31),
    ("user_x86_winxp_test_app_av.dmp", "x86", 2600, 0xC0000005, "test_app.exe", 0x429E, 13),
]


@pytest.mark.fixtures
@pytest.mark.parametrize("name, arch, build, code, module, offset, nmods", USER)
def test_user_fixtures(shared_fixtures: Path, name: str, arch: str, build: int, code: int, module: str,
                       offset: int | None, nmods: int) -> None:
    path = fixture_file(shared_fixtures, "dumps/bin/" + name)
    with open(path, "rb") as fh:
        r, _mem, problems = read_user_dump(fh, os.path.getsize(path))
    choose_culprit(r)
    assert problems == []
    assert (r.arch, r.os_build, r.exception_code, len(r.modules)) == (arch, build, code, nmods)
    first = r.frames[0]
    assert first.how == "context" and first.module == module
    if offset is not None:
        assert first.offset == offset
    assert r.culprit == module  # ntdll's breakpoint: all Microsoft's, the faulting module is named
    assert r.process_name == {"ntdll.dll": "calc.exe"}.get(module, module)


@pytest.mark.fixtures
def test_user_dump_truncated(shared_fixtures: Path) -> None:
    data = fixture_file(shared_fixtures, "dumps/bin/user_x64_win10_write_av_non_canonical.dmp").read_bytes()
    part = data[: len(data) // 2]
    r, _mem, problems = read_user_dump(io.BytesIO(part), len(part))
    assert problems  # streams past the end are reported


def test_user_garbage_never_crashes() -> None:
    rng = random.Random(7)
    for _ in range(40):
        body = bytearray(rng.randbytes(rng.choice([64, 600, 5000])))
        body[0:4] = b"MDMP"
        struct.pack_into("<II", body, 8, rng.randrange(0, 40), rng.randrange(0, len(body)))
        read_user_dump(io.BytesIO(bytes(body)), len(body))
    with pytest.raises(DumpFormatError):
        read_user_dump(io.BytesIO(b"MDMP"), 4)
