"""What went wrong in a crash: the bad address and the NULL, read from every place a source holds it.

WinDbg texts are built here in the layouts the debugger prints (reference/dumps.md §6.3-6.4, the
``!analyze -v`` of the insightengineering fixture, the user-mode layout Chromium's "example of working with a
dump" page quotes): machine A of BRIEF.md §3 as ``!analyze -v`` + ``kv`` + ``.cxr``/``r``, a user-mode access
violation, a non-NULL bad address. Binary dumps: the generated machine A triage dump (its exception record,
its CONTEXT, the ndis.sys image in the case) and the real fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.archives import make_zip
from tests.unit import dumpgen
from tests.unit.test_verdict import WINDBG_KV, _analyse, _zh_markdown, english_sentences, machine_a_files
from workbench.cli import main
from workbench.core.dumps.fault import decode_memory_operand, derive, is_null, memory_operand
from workbench.core.dumps.model import CrashReport
from workbench.core.dumps.pipeline import analyse_kernel_dump, analyse_user_dump
from workbench.core.dumps.windbg import parse_windbg_text
from workbench.core.verdict.causes import fault_sentence

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "dumps"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures not found at {FIXTURES}")

REGISTERS_A = """rax=0000000000000000 rbx=0000000000000000 rcx=ffffc20b5c2e7010
rdx=0000000000000000 rsi=ffffc20b5c2e7010 rdi=ffffc20b5a0d1d20
rip=fffff80521915167 rsp=ffffa88ce7007530 rbp=ffffa88ce70075a0
 r8=0000000000000000  r9=0000000000000000 r10=fffff80521915120
r11=ffffa88ce7007560 r12=0000000000000000 r13=ffffc20b5a0d1d20
r14=ffffc20b5c2e7010 r15=0000000000000001
iopl=0         nv up ei pl zr na po nc
cs=0010  ss=0018  ds=002b  es=002b  fs=0053  gs=002b             efl=00010246
ndis!NdisFDeregisterFilterDriver+0x47:
fffff805`21915167 488b8b58010000  mov     rcx,qword ptr [rbx+158h] ds:002b:00000000`00000158=????????
"""

#: Machine A (BRIEF.md §3): the engineer's ``!analyze -v``, ``kv`` and ``.cxr`` + ``r`` of setupmem.dmp.
ANALYZE_A = """Loading Dump File [C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp]
Mini Kernel Dump File: Only registers and stack trace are available

0: kd> !analyze -v
*******************************************************************************
*                                                                             *
*                        Bugcheck Analysis                                    *
*                                                                             *
*******************************************************************************

SYSTEM_THREAD_EXCEPTION_NOT_HANDLED (7e)
This is a very common BugCheck.  Usually the exception address pinpoints
the driver/function that caused the problem.  Always note this address
as well as the link date of the driver/image that contains this address.
Arguments:
Arg1: ffffffffc0000005, The exception code that was not handled
Arg2: fffff80521915167, The address that the exception occurred at
Arg3: ffffa88ce7007468, Exception Record Address
Arg4: ffffa88ce7006c80, Context Record Address

Debugging Details:
------------------


KEY_VALUES_STRING: 1

    Key  : AV.Fault
    Value: Read

    Key  : Failure.Bucket
    Value: AV_R_INVALID_lwfmgr!unknown_function


BUGCHECK_CODE:  7e

BUGCHECK_P1: ffffffffc0000005

BUGCHECK_P2: fffff80521915167

BUGCHECK_P3: ffffa88ce7007468

BUGCHECK_P4: ffffa88ce7006c80

EXCEPTION_RECORD:  ffffa88ce7007468 -- (.exr 0xffffa88ce7007468)
ExceptionAddress: fffff80521915167 (ndis!NdisFDeregisterFilterDriver+0x0000000000000047)
   ExceptionCode: c0000005 (Access violation)
  ExceptionFlags: 00000000
NumberParameters: 2
   Parameter[0]: 0000000000000000
   Parameter[1]: 0000000000000158
Attempt to read from address 0000000000000158

CONTEXT:  ffffa88ce7006c80 -- (.cxr 0xffffa88ce7006c80)
""" + REGISTERS_A + """Resetting default scope

PROCESS_NAME:  System

READ_ADDRESS:  0000000000000158␠

ERROR_CODE: (NTSTATUS) 0xc0000005 - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.

EXCEPTION_CODE_STR:  c0000005

EXCEPTION_PARAMETER1:  0000000000000000

EXCEPTION_PARAMETER2:  0000000000000158

SYMBOL_NAME:  lwfmgr+5167

MODULE_NAME: lwfmgr

IMAGE_NAME:  lwfmgr.sys

STACK_COMMAND:  .cxr 0xffffa88ce7006c80 ; kb

FAILURE_BUCKET_ID:  AV_R_INVALID_lwfmgr!unknown_function

Followup:     MachineOwner
---------

""" + WINDBG_KV + """0: kd> .cxr 0xffffa88ce7006c80
""" + REGISTERS_A + """0: kd> r
""" + REGISTERS_A
ANALYZE_A = ANALYZE_A.replace("␠", " ")  # the spaces WinDbg leaves at the end of some key lines

#: A user-mode access violation as ``!analyze -v`` and ``.ecxr`` print it (0:000> prompt, FAULTING_IP,
#: ``EXCEPTION_RECORD: (.exr -1)``): SetupHost.exe reading through a NULL pointer in an injected DLL.
ANALYZE_USER = """0:000> !analyze -v
*******************************************************************************
*                                                                             *
*                        Exception Analysis                                   *
*                                                                             *
*******************************************************************************

FAULTING_IP:␠
Hook64+1a2b3
00007ffb`1001a2b3 488b4808        mov     rcx,qword ptr [rax+8]

EXCEPTION_RECORD:  ffffffffffffffff -- (.exr 0xffffffffffffffff)
ExceptionAddress: 00007ffb1001a2b3 (Hook64+0x000000000001a2b3)
   ExceptionCode: c0000005 (Access violation)
  ExceptionFlags: 00000000
NumberParameters: 2
   Parameter[0]: 0000000000000000
   Parameter[1]: 0000000000000008
Attempt to read from address 0000000000000008

CONTEXT:  0000000000000000 -- (.cxr 0x0;r)
rax=00007ffb2b5a1000 rbx=0000000000000000 rcx=0000000000000000
rdx=0000000000000000 rsi=0000000000000000 rdi=0000000000000000
rip=00007ffb2b5f0c14 rsp=000000628f6fe3c8 rbp=0000000000000000
 r8=0000000000000000  r9=0000000000000000 r10=0000000000000000
r11=0000000000000246 r12=0000000000000000 r13=0000000000000000
r14=0000000000000000 r15=0000000000000000
iopl=0         nv up ei pl zr na po nc
cs=0033  ss=002b  ds=002b  es=002b  fs=0053  gs=002b             efl=00000246

PROCESS_NAME:  SetupHost.exe

READ_ADDRESS:  0000000000000008␠

ERROR_CODE: (NTSTATUS) 0xc0000005 - The instruction at 0x%p referenced memory at 0x%p. The memory could not be %s.

EXCEPTION_CODE_STR:  c0000005

BUGCHECK_STR:  APPLICATION_FAULT_NULL_POINTER_READ

STACK_TEXT:␠␠
00000062`8f6fe9a0 00007ffb`1001b5c4 : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : Hook64+0x1a2b3
00000062`8f6fea00 00007ff7`10012345 : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : Hook64+0x1b5c4
00000062`8f6fea40 00007ffb`2a1e7034 : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : SetupHost+0x12345
00000062`8f6feb00 00007ffb`2b5a2651 : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : KERNEL32!BaseThreadInitThunk+0x14
00000062`8f6feb30 00000000`00000000 : 00000000`00000000 00000000`00000000 00000000`00000000 00000000`00000000 : ntdll!RtlUserThreadStart+0x21


SYMBOL_NAME:  Hook64+1a2b3

MODULE_NAME: Hook64

IMAGE_NAME:  Hook64.dll

0:000> .ecxr
rax=0000000000000000 rbx=000001e3b65047b0 rcx=00000000000002fc
rdx=0000000000000000 rsi=000001e3b6504a20 rdi=0000000000000001
rip=00007ffb1001a2b3 rsp=000000628f6fe9a0 rbp=000000628f6feab0
 r8=0000000000000000  r9=0000000000000000 r10=0000000000000000
r11=0000000000000246 r12=0000000000000000 r13=0000000000000000
r14=0000000000000000 r15=0000000000000000
iopl=0         nv up ei pl zr na po nc
cs=0033  ss=002b  ds=002b  es=002b  fs=0053  gs=002b             efl=00010246
Hook64+0x1a2b3:
00007ffb`1001a2b3 488b4808        mov     rcx,qword ptr [rax+8] ds:00000000`00000008=????????
""".replace("␠", " ")


def _parse(text: str) -> CrashReport:
    report = parse_windbg_text(text.splitlines())
    derive(report)
    return report


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    return [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln][nth]


# ------------------------------------------------------------------------------------------- WinDbg text


def test_machine_a_text_reads_the_null_register_the_instruction_and_the_address() -> None:
    report = _parse(ANALYZE_A)
    bad = report.bad_access
    assert bad is not None
    assert (bad.address, bad.access) == (0x158, "read")
    assert bad.instruction == "mov rcx,qword ptr [rbx+158h]"
    assert (bad.operand, bad.register, bad.register_value) == ("rbx+158h", "rbx", 0)
    assert report.registers["rip"] == 0xFFFFF80521915167 and report.exception_code == 0xC0000005
    # evidence: the instruction and the register line first, with the text's own line numbers
    lines = dict((t, ln) for ln, t in bad.evidence)
    first, second = bad.evidence[0][1], bad.evidence[1][1]
    assert "mov     rcx,qword ptr [rbx+158h]" in first and "rbx=0000000000000000" in second
    assert lines["Attempt to read from address 0000000000000158"] == _line_of(ANALYZE_A, "Attempt to read")
    assert lines["READ_ADDRESS:  0000000000000158"] == _line_of(ANALYZE_A, "READ_ADDRESS:")
    assert report.frames[0].symbol == "KeBugCheckEx"  # the kv listing is still the stack read


def test_a_register_dump_of_the_bugcheck_context_is_not_the_fault() -> None:
    """``r`` without ``.cxr`` shows KeBugCheckEx's registers: no NULL may be read from them."""
    text = WINDBG_KV + "0: kd> r\n" + REGISTERS_A.replace(
        "rip=fffff80521915167", "rip=fffff8052028599e").replace(
        "ndis!NdisFDeregisterFilterDriver+0x47:\nfffff805`21915167 488b8b58010000  mov     rcx,qword ptr [rbx+158h] "
        "ds:002b:00000000`00000158=????????\n", "nt!KeBugCheckEx:\nfffff805`2028599e 48894c2408      mov     "
        "qword ptr [rsp+8],rcx\n")
    report = _parse(text)
    assert report.bad_access is None and report.registers == {}


def test_user_mode_access_violation_text() -> None:
    report = _parse(ANALYZE_USER)
    bad = report.bad_access
    assert bad is not None and not report.kernel
    assert (bad.address, bad.access, bad.register, bad.register_value) == (8, "read", "rax", 0)
    assert bad.instruction == "mov rcx,qword ptr [rax+8]"
    # the .ecxr block (its rip is the exception address), not the CONTEXT block of the dump writer's wait
    assert report.registers["rip"] == 0x7FFB1001A2B3
    assert bad.evidence[1] == (_line_of(ANALYZE_USER, "rax=0000000000000000"), ANALYZE_USER.splitlines()[
        _line_of(ANALYZE_USER, "rax=0000000000000000") - 1])


def test_a_bad_address_that_is_not_null() -> None:
    """Freed pool, not NULL: the sentence must not say NULL even though a register elsewhere is zero."""
    text = ANALYZE_A.replace("0000000000000158", "ffffc20b5c2e8000").replace(
        "rbx=0000000000000000", "rbx=ffffc20b5c2e7ea8").replace("00000000`00000158", "ffffc20b`5c2e8000")
    bad = _parse(text).bad_access
    assert bad is not None and bad.address == 0xFFFFC20B5C2E8000 and not is_null(bad.address)
    key, values = fault_sentence(json.loads(bad.as_json()), 0xC0000005, "lwfmgr.sys")
    assert key == "step_fault_bad_address" and values["address"] == "0xFFFFC20B5C2E8000"


@needs_fixtures
def test_real_analyze_v_of_a_kernel_access_violation() -> None:
    """insightengineering's 0x7E: READ_ADDRESS ffffffffffffffff (a non-canonical pointer), xor eax,[rax]."""
    text = (FIXTURES / "text" / "insightengineering_analyze_v_kernel_0x7E_evildriver.txt").read_text("utf-8")
    bad = _parse(text).bad_access
    assert bad is not None
    assert (bad.address, bad.access, bad.register) == (0xFFFFFFFFFFFFFFFF, "read", "rax")
    assert bad.instruction == "xor eax,dword ptr [rax]" and bad.register_value == 0x4141414141414139
    assert fault_sentence(json.loads(bad.as_json()), 0xC0000005, None)[0] == "step_fault_bad_address"


@needs_fixtures
def test_real_exr_and_cxr_of_an_x86_0x1e() -> None:
    """Microsoft's bug check 0x1E page: ``.exr`` Parameter[1] 0362cfff (a read; not NULL)."""
    bad = _parse((FIXTURES / "text" / "msdocs_kb_cxr_x86_0x1E.txt").read_text("utf-8")).bad_access
    assert bad is not None and (bad.address, bad.access) == (0x362CFFF, "read")
    assert any(t == "Parameter[1]: 0362cfff" for _, t in bad.evidence)


# ------------------------------------------------------------------------------------------- binary dumps


def test_machine_a_dump_reads_the_exception_record_and_the_context(tmp_path: Path) -> None:
    dump, ndis, lwf = dumpgen.lwfmgr_with_images()
    path = tmp_path / "setupmem.dmp"
    path.write_bytes(dump)
    report, _ = analyse_kernel_dump(path)
    bad = derive(report)
    assert bad is not None and (bad.address, bad.access) == (0x158, "read")
    assert report.exception_parameters == [0, 0x158] and report.registers["rbx"] == 0
    assert bad.register is None  # without the ndis.sys image the instruction's bytes are not in a triage dump
    from workbench.core.dumps.images import ImageLibrary

    library = ImageLibrary()
    for name, data in (("ndis.sys", ndis), ("lwfmgr.sys", lwf)):
        (tmp_path / name).write_bytes(data)
        library.add(tmp_path / name, name)
    report, _ = analyse_kernel_dump(path, library)
    bad = derive(report)
    assert bad is not None and (bad.operand, bad.register, bad.register_value) == ("rbx+158h", "rbx", 0)
    assert any("48 8b 8b 58 01 00 00" in t for _, t in bad.evidence)


@needs_fixtures
@pytest.mark.parametrize(("name", "address", "access", "null"), [
    ("user_x86_winxp_test_app_av.dmp", 0x45, "write", True),
    ("user_x64_win10_write_av_non_canonical.dmp", 0xFFFFFFFFFFFFFFFF, "read", False),
    ("kernel_triage_x64_1000007E_amdppm.dmp", 0xFFFFFFFFFFFFFFFF, "write", False),
])
def test_real_dumps_exception_parameters(name: str, address: int, access: str, null: bool) -> None:
    path = FIXTURES / "bin" / name
    report, _ = (analyse_kernel_dump if name.startswith("kernel") else analyse_user_dump)(path)
    bad = derive(report)
    assert bad is not None and (bad.address, bad.access) == (address, access) and is_null(bad.address) == null
    key = fault_sentence(json.loads(bad.as_json()), 0xC0000005, None)[0]
    # write_av_non_canonical: [rax+rcx] with rax = 0 and rcx = -1 touched -1, which is no NULL
    assert key == ("step_fault_null_address" if null else "step_fault_bad_address")


def test_memory_operands_as_windbg_writes_them() -> None:
    cases = {"488b8b58010000": ("rbx+158h", "rbx", 0x158), "8b01": ("rcx", "rcx", 0),
             "f77c2428": ("rsp+28h", "rsp", 0x28), "488b44c8f0": ("rax+rcx*8-10h", "rax", -0x10),
             "488b80a8000000": ("rax+0A8h", "rax", 0xA8), "4c8b4308": ("rbx+8", "rbx", 8),
             "438914 01".replace(" ", ""): ("r9+r8", "r9", 0)}
    for code, expected in cases.items():
        decoded = decode_memory_operand(bytes.fromhex(code))
        assert decoded is not None and decoded[:3] == expected, code
    for code in ("488d4c2420", "f3a4", "4c8bd1", "c3"):  # lea, movsb, a register move, ret: no memory touched
        assert decode_memory_operand(bytes.fromhex(code)) is None
    assert memory_operand("mov     rcx,qword ptr [rbx+158h] ds:002b:00000000`00000158=????????") == \
        ("rbx+158h", "rbx", 0x158)


# ------------------------------------------------------------------------------------------- the verdict


def _fault_step(a: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in a["verdict"]["reasoning"] if s["step"].startswith("What went wrong"))


def test_machine_a_verdict_says_the_null_handle_the_engineer_wrote(tmp_path: Path) -> None:
    case, a = _analyse(tmp_path, machine_a_files(windbg=ANALYZE_A))
    step = _fault_step(a)
    assert "a NULL pointer: the instruction read [rbx+158h] with rbx = 0" in step["step"]
    assert "passed in by lwfmgr.sys" in step["step"] and "NdisFDeregisterFilterDriver+0x47" in step["step"]
    assert "空指针" in step["step_zh"] and "rbx = 0" in step["step_zh"] and "由 lwfmgr.sys 传入" in step["step_zh"]
    first = step["evidence"][0]
    assert first["file"].endswith("setupmem_kv.txt") and first["line"] == _line_of(ANALYZE_A, "[rbx+158h]", -1)
    md = _zh_markdown(case)
    assert english_sentences(md) == [] and "空指针" in md


def test_machine_a_dump_alone_reads_the_register_from_the_image_in_the_case(tmp_path: Path) -> None:
    _case, a = _analyse(tmp_path, machine_a_files())
    step = _fault_step(a)
    assert "the instruction read [rbx+158h] with rbx = 0" in step["step"]
    assert any("EXCEPTION_RECORD" in e["text"] for e in step["evidence"])


def test_user_mode_verdict_names_the_null_in_the_dll(tmp_path: Path) -> None:
    files = {"debug/setuphost_analyze.txt": ANALYZE_USER.replace("\n", "\r\n").encode("ascii")}
    _case, a = _analyse(tmp_path, files)
    assert a["verdict"]["culprit"]["module"].lower().startswith("hook64")
    step = _fault_step(a)
    assert "a NULL pointer: the instruction read [rax+8] with rax = 0" in step["step"]
    assert "passed in" not in step["step"]  # the DLL faulted itself


def test_a_kv_alone_claims_no_null(tmp_path: Path) -> None:
    """The check case's text (``kv`` only): no register, no record: the verdict does not invent a NULL."""
    _case, a = _analyse(tmp_path, {"analysis/setupmem_kv.txt": WINDBG_KV.encode("ascii")})
    assert "NULL" not in _fault_step(a)["step"]


# ------------------------------------------------------------------------------------------- the text output


def test_analyze_prints_a_stack_excerpt_one_frame_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = WINDBG_KV.replace("lwfmgr+0xb49a", "lwfmgr!Start\x1b[31mFilter+0xb49a")  # a hostile escape in a frame
    src = make_zip(tmp_path / "t.zip", {"analysis/setupmem_kv.txt": text.encode("ascii")})
    main(["analyze", str(src)])
    out = capsys.readouterr().out
    verdict = out.split("\nCase ")[0]
    assert "\\x0a" not in verdict and ":-" not in verdict and "\x1b" not in verdict
    lines = verdict.splitlines()
    at = lines.index("         ndis!NdisFDeregisterFilterDriver+0x47")
    assert lines[at - 1].strip() == "analysis/setupmem_kv.txt" and lines[at + 1] == "         lwfmgr+0x5167"
    assert "         lwfmgr!Start\\x1b[31mFilter+0xb49a" in lines  # escaped, on its own line
