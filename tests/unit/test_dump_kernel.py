"""Kernel dumps: the real triage fixtures, generated triage dumps, and damaged ones."""

from __future__ import annotations

import io
import json
import os
import random
import struct
from pathlib import Path

import pytest

from tests.conftest import fixture_file
from tests.unit import dumpgen
from workbench.core.dumps import bugchecks
from workbench.core.dumps.culprit import choose_culprit
from workbench.core.dumps.kdump import DumpFormatError, read_kernel_dump
from workbench.core.dumps.stack import recover_kernel_stack


def analyse(data: bytes):
    dump = read_kernel_dump(io.BytesIO(data), len(data))
    recover_kernel_stack(dump)
    choose_culprit(dump.report)
    return dump


def analyse_file(path: Path):
    with open(path, "rb") as fh:
        dump = read_kernel_dump(fh, os.path.getsize(path))
    recover_kernel_stack(dump)
    choose_culprit(dump.report)
    return dump


# ------------------------------------------------------------------------------------------- bugcheck table


def test_bugcheck_names_and_m_twins() -> None:
    assert bugchecks.code_count() == 425
    assert bugchecks.bugcheck_name(0x7E) == "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"
    assert bugchecks.bugcheck_name(0x1000007E) == "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M"
    assert bugchecks.bugcheck_name(0xD1) == "DRIVER_IRQL_NOT_LESS_OR_EQUAL"
    assert bugchecks.bugcheck_name(0xDEADDEAD) == "MANUALLY_INITIATED_CRASH1"
    assert bugchecks.bugcheck_name(0x12345678) is None
    assert bugchecks.format_code(0x7E) == "0x0000007E"
    # a twin with no row of its own borrows the base name, and every twin the base parameters
    assert bugchecks.base_code(0x1000007E) == 0x7E
    assert bugchecks.parameter_role(0x1000007E, "context") == 3
    assert bugchecks.parameter_role(0xD1, "fault_address") == 3
    assert bugchecks.parameter_role(0x3B, "context") == 2
    assert bugchecks.parameter_meanings(0x1C8) is None


# ------------------------------------------------------------------------------------------- real fixtures


@pytest.mark.fixtures
def test_x64_triage_fixture_amdppm(shared_fixtures: Path) -> None:
    path = fixture_file(shared_fixtures, "dumps/bin/kernel_triage_x64_1000007E_amdppm.dmp")
    dump = analyse_file(path)
    r = dump.report
    assert dump.problems == []
    assert bugchecks.format_code(r.bugcheck_code) == "0x1000007E"
    assert r.parameters == [0xFFFFFFFFC0000005, 0xFFFFF8048B58334C, 0xFFFF850429891EE8, 0xFFFF850429891720]
    assert (r.arch, r.os_build, dump.dump_type_value, dump.processors) == ("x64", 19041, 4, 16)
    assert len(r.modules) == 151 and r.modules[0].name.lower() == "ntoskrnl.exe"
    amdppm = r.find_module("amdppm.sys")
    assert amdppm is not None
    assert (amdppm.base, amdppm.size, amdppm.timestamp) == (0xFFFFF8048B580000, 0x3B000, 0xC9C03000)
    assert amdppm.path == "\\SystemRoot\\System32\\drivers\\amdppm.sys"
    # the exception record at P3 and the CONTEXT at P4, both read out of the stack copy
    assert r.exception_code == 0xC0000005
    assert r.exception_address == 0xFFFFF8048B58334C
    first = r.frames[0]
    assert (first.module, first.offset, first.how, first.confidence) == ("amdppm.sys", 0x334C, "context", "exact")
    assert first.sp == 0xFFFF850429892120
    # the scan finds the true callers the PDB unwind lists (text/rizin_expected_...): amdppm, Wdf01000, nt
    labels = [f.label() for f in r.frames]
    for expected in ("amdppm.sys+0x313f", "amdppm.sys+0x3234", "amdppm.sys+0x20e8f", "amdppm.sys+0x1f852",
                     "Wdf01000.sys+0x7c027", "ntoskrnl.exe+0x252f55"):
        assert expected in labels
    assert all(f.how == "scan" for f in r.frames[1:])
    # crash time 2021-02-21 01:38:22 UTC
    assert r.crash_time_us // 1_000_000 == 1613871502
    # amdppm.sys is Microsoft's inbox driver despite its name: no third-party module, the fault is named
    assert r.culprit == "amdppm.sys"
    assert "Microsoft" in (r.culprit_reason or "")
    assert "DumpBlob" in r.extra["privacy"]  # SMBIOS and driver-log strings follow the dump proper


@pytest.mark.fixtures
def test_arm64_triage_fixture(shared_fixtures: Path) -> None:
    dump = analyse_file(fixture_file(shared_fixtures, "dumps/bin/kernel_triage_arm64_1C8_powerbutton.dmp"))
    r = dump.report
    assert (r.bugcheck_code, r.arch, r.os_build, len(r.modules)) == (0x1C8, "arm64", 22000, 245)
    assert bugchecks.bugcheck_name(r.bugcheck_code) == "MANUALLY_INITIATED_POWER_BUTTON_HOLD"
    assert r.parameters[:2] == [0x1B58, 0xFFFFF803F3A20860]
    assert r.frames[0].address == 0xFFFFF803F32DE014 and r.frames[0].sp == 0xFFFFE00E0E4BC4A0
    assert r.frames[0].module.lower() == "ntoskrnl.exe"


# ------------------------------------------------------------------------------------------- generated


def test_generated_lwfmgr_triage_dump() -> None:
    r = analyse(dumpgen.lwfmgr_case()).report
    assert "privacy" not in r.extra  # no secondary data written
    assert bugchecks.format_code(r.bugcheck_code) == "0x0000007E"
    assert r.frames[0].label() == "ndis.sys+0x1a047" and r.frames[0].how == "context"
    second = r.frames[1]
    assert second.label() == "lwfmgr.sys+0x5167"
    assert second.confidence == "high"  # the bytes before it are a CALL (given in a data block)
    assert r.frames[2].confidence == "low"  # no code bytes: only "inside the module"
    assert "lwfmgr.sys+0x10" not in [f.label() for f in r.frames]  # header-page pointer dropped
    assert r.culprit == "lwfmgr.sys" and r.culprit_frame == 1
    assert "ndis.sys+0x1a047" in r.culprit_reason
    frames = json.loads(r.frames_json())
    assert frames[1] == {"module": "lwfmgr.sys", "symbol": None, "offset": "0x5167"}


def test_generated_x86_pagedump() -> None:
    dump = analyse(dumpgen.x86_case())
    r = dump.report
    assert dump.bits == 32 and r.arch == "x86"
    assert r.bugcheck_code == 0x1E and r.parameters[1] == 0xFE43B1E4
    assert r.frames[0].label() == "qic117.sys+0xb1e4"
    assert r.culprit == "qic117.sys"


def test_faulting_address_without_context_uses_parameter() -> None:
    # 0xD1: P4 is the instruction that referenced memory; no CONTEXT parameter
    data = bytearray(dumpgen.unrelated_d1(1_600_000_000_000_000))
    data[0x348:0x348 + 0x4D0] = bytes(0x4D0)  # no header context either
    r = analyse(bytes(data)).report
    assert r.frames[0].how == "exception" and r.frames[0].label() == "acmefilt.sys+0x1111"
    assert any("no usable context" in q for q in r.stack_quality)


@pytest.mark.parametrize("cut", [0x10, 0x1800, 0x2040, 0x2100 + 0x900, None])
def test_truncated_dumps_report_problems(cut: int | None) -> None:
    data = dumpgen.lwfmgr_case()
    cut = cut if cut is not None else len(data) - 2  # only the TRGD marker damaged
    part = data[:cut]
    if cut < 0x2000:
        with pytest.raises(DumpFormatError, match="cut short"):
            read_kernel_dump(io.BytesIO(part), len(part))
        return
    dump = analyse(part)
    assert dump.problems, "a cut-short triage dump must say so"
    assert dump.report.bugcheck_code == 0x7E  # the header still gives the bugcheck


def test_garbage_dumps_never_crash() -> None:
    rng = random.Random(11)
    for i in range(40):
        body = bytearray(rng.randbytes(rng.choice([0x2100, 0x3000, 0x8000])))
        body[0:8] = b"PAGEDU64" if i % 2 else b"PAGEDUMP"
        struct.pack_into("<I", body, 0xF98 if i % 2 else 0xF88, 4)  # force the triage path
        dump = analyse(bytes(body))
        assert dump.report.bugcheck_code is not None
    with pytest.raises(DumpFormatError):
        read_kernel_dump(io.BytesIO(b"MZ" + bytes(100)), 102)


@pytest.mark.parametrize("bitmap", [False, True])
def test_generated_full_and_bitmap_dumps(bitmap: bool) -> None:
    dump = analyse(dumpgen.build_physical_dump(bitmap))
    r = dump.report
    assert dump.problems == []
    assert r.dump_type == ("bitmap" if bitmap else "full")
    # the module list walked through the page tables, timestamps from the PE headers in memory
    assert [(m.name, m.base, m.timestamp) for m in r.modules] == [
        (d.name, d.base, d.timestamp) for d in (dumpgen.NT, dumpgen.NDIS, dumpgen.LWFMGR)]
    assert r.modules[2].path == "\\SystemRoot\\System32\\drivers\\lwfmgr.sys"
    assert r.exception_code == 0xC0000005  # the record at P3, read through translation
    assert [(f.label(), f.how, f.confidence) for f in r.frames[:2]] == [
        ("ndis.sys+0x1a047", "context", "exact"), ("lwfmgr.sys+0x5167", "scan", "high")]
    assert r.culprit == "lwfmgr.sys"


def test_truncated_full_dump_reports_and_keeps_the_header() -> None:
    data = dumpgen.build_physical_dump(False)
    dump = analyse(data[: 0x2000 + 0x3000])
    assert any("cut short" in p for p, _ in dump.problems)
    assert dump.report.bugcheck_code == 0x7E
    broken = bytearray(dumpgen.build_physical_dump(True))
    broken[0x2000:0x2004] = b"XXXX"
    dump = analyse(bytes(broken))
    assert any("bitmap header" in p for p, _ in dump.problems)


def test_crash_dump_copies_are_judged_by_the_driver_they_copy() -> None:
    from workbench.core.dumps.culprit import classify
    from workbench.core.dumps.model import Module

    ms, why = classify(Module(name="dump_stornvme.sys"))
    assert ms and "stornvme.sys" in why
    ms, why = classify(Module(name="dump_iaStorAC.sys"))
    assert not ms and "iastorac.sys" in why
    assert classify(Module(name="Vid.sys"))[0] and not classify(Module(name="VBoxDrv.sys"))[0]
