"""Module images in the case: .pdata unwinding, export names, company data, the symbol-server match key."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from tests.unit import dumpgen, pegen
from workbench.core.analysis import build_analysis
from workbench.core.case import Case
from workbench.core.dumps.culprit import choose_culprit, classify
from workbench.core.dumps.images import ImageLibrary, PeImage, apply_images
from workbench.core.dumps.kdump import read_kernel_dump
from workbench.core.dumps.model import Module
from workbench.core.dumps.stack import recover_kernel_stack
from workbench.core.dumps.unwind import RSP, unwind_step


def write_images(folder: Path, ndis: bytes, lwf: bytes) -> ImageLibrary:
    folder.mkdir(parents=True, exist_ok=True)
    library = ImageLibrary()
    for name, data in (("ndis.sys", ndis), ("lwfmgr.sys", lwf)):
        (folder / name).write_bytes(data)
        library.add(folder / name, name)
    return library


def analyse(dump_bytes: bytes, library: ImageLibrary | None):
    dump = read_kernel_dump(io.BytesIO(dump_bytes), len(dump_bytes))
    images = apply_images(dump.report.modules, library) if library else None
    recover_kernel_stack(dump, images)
    choose_culprit(dump.report)
    return dump.report


def test_pdata_unwind_and_export_names(tmp_path: Path) -> None:
    dump, ndis, lwf = dumpgen.lwfmgr_with_images()
    r = analyse(dump, write_images(tmp_path, ndis, lwf))
    got = [(f.label(), f.how, f.confidence) for f in r.frames]
    assert got == [
        ("ndis.sys!NdisFDeregisterFilterDriver+0x47", "context", "exact"),
        ("lwfmgr.sys+0x5167", "unwind", "exact"),
        ("lwfmgr.sys+0xb49a", "unwind", "exact"),  # through a frame-pointer (SET_FPREG) function
        ("ntoskrnl.exe+0x6a04bd", "unwind", "exact"),
        ("ntoskrnl.exe+0x6a0134", "scan", "low"),  # no nt image: back to scanning
    ]
    # the stale nt pointer inside lwfmgr's locals is stepped over, not listed
    assert "ntoskrnl.exe+0x123456" not in [f.label() for f in r.frames]
    assert r.culprit == "lwfmgr.sys"
    assert "CompanyName 'Contoso Ltd.'" in r.culprit_reason
    assert "NdisFDeregisterFilterDriver+0x47" in r.culprit_reason
    assert "not exported" in (r.frames[1].note or "")


def test_without_images_the_same_dump_only_scans(tmp_path: Path) -> None:
    dump, _, _ = dumpgen.lwfmgr_with_images()
    r = analyse(dump, None)
    assert r.frames[0].label() == "ndis.sys+0x1047"
    assert all(f.how == "scan" for f in r.frames[1:])
    assert "ntoskrnl.exe+0x123456" in [f.label() for f in r.frames]  # the scan cannot tell it is stale
    assert r.culprit == "lwfmgr.sys"


def test_company_decides_not_the_name(tmp_path: Path) -> None:
    # lwfmgr.sys signed as Microsoft's: nothing third-party left, the fault's module is named instead
    dump, ndis, lwf = dumpgen.lwfmgr_with_images(lwfmgr_company="Microsoft Corporation")
    r = analyse(dump, write_images(tmp_path, ndis, lwf))
    assert r.culprit == "ndis.sys" and "every module" in r.culprit_reason
    # an inbox name with a foreign company is third-party; a vendor-looking inbox name is Microsoft's
    assert classify(Module(name="tcpip.sys", company="Contoso Ltd."))[0] is False
    assert classify(Module(name="amdppm.sys"))[0] is True
    assert classify(Module(name="lwfmgr.sys"))[0] is False


def test_mismatched_image_is_not_used(tmp_path: Path) -> None:
    dump, ndis, lwf = dumpgen.lwfmgr_with_images()
    lwf = bytearray(lwf)
    struct.pack_into("<I", lwf, 0x88, 0x12345678)  # another build: TimeDateStamp differs
    library = write_images(tmp_path, ndis, bytes(lwf))
    d = read_kernel_dump(io.BytesIO(dump), len(dump))
    images = apply_images(d.report.modules, library)
    assert sorted(images) == ["ndis.sys"]
    assert any("do not match" in m for m in library.mismatches)


def test_machine_frame_unwind(tmp_path: Path) -> None:
    """A KiPageFault-like function (UWOP_PUSH_MACHFRAME): RIP and RSP come from the trap frame."""
    data = pegen.build_pe(pegen.PeSpec(
        timestamp=1, size_of_image=0x10000, code={0x2000: b"\x90" * 0x40},
        functions=[pegen.Function(0x2000, 0x2100, [(0, 10, 1, b"")])]))
    (tmp_path / "nt.exe").write_bytes(data)
    image = PeImage(tmp_path / "nt.exe")
    stack = {0x1000: 0xDEAD, 0x1008: 0xFFFFF80411001047, 0x1020: 0x5000}  # error code, RIP, ..., RSP
    ret, regs, machframe = unwind_step(image, 0x2030, {RSP: 0x1000}, stack.get, first=False)
    assert (ret, regs[RSP], machframe) == (0xFFFFF80411001047, 0x5000, True)


def test_images_through_ingest(tmp_path: Path) -> None:
    dump, ndis, lwf = dumpgen.lwfmgr_with_images()
    src = tmp_path / "case"
    rollback = src / "$WINDOWS.~BT/Sources/Rollback"
    rollback.mkdir(parents=True)
    (rollback / "setupmem.dmp").write_bytes(dump)
    write_images(src / "Windows/System32/drivers", ndis, lwf)
    (src / "Windows/System32/drivers/broken.sys").write_bytes(b"MZ" + bytes(30))
    case = Case.open(src)
    case.ensure_ingested(force=True)
    store = case.store
    a = build_analysis(store)
    assert a["crash"]["culprit_module"] == "lwfmgr.sys"
    assert a["crash"]["frames"][0] == {"module": "ndis.sys", "symbol": "NdisFDeregisterFilterDriver",
                                       "offset": "0x47"}
    hows = [r["how"] for r in store.query("SELECT how FROM dump_frames ORDER BY idx")]
    assert hows[:4] == ["context", "unwind", "unwind", "unwind"]
    images = {r["name"]: r["company"] for r in store.query("SELECT name, company FROM pe_images")}
    assert images == {"ndis.sys": "Microsoft Corporation", "lwfmgr.sys": "Contoso Ltd."}
    status = store.scalar("SELECT status FROM files WHERE path LIKE '%broken.sys'")
    assert status == "partial"
    # the dump's timeline row was written once, by the parser
    assert store.scalar("SELECT count(*) FROM timeline WHERE source = 'kernel_dump'") == 1
    case.close()


def test_full_dump_unwinds_with_images_from_its_own_memory(tmp_path: Path) -> None:
    from workbench.core.dumps.pipeline import analyse_kernel_dump

    for bitmap in (False, True):
        path = tmp_path / f"MEMORY{int(bitmap)}.DMP"
        path.write_bytes(dumpgen.build_physical_dump(bitmap, with_images=True))
        r, problems = analyse_kernel_dump(path)  # pages are read from the file while the stack is recovered
        assert problems == []
        assert [(f.label(), f.how) for f in r.frames[:4]] == [
            ("ndis.sys!NdisFDeregisterFilterDriver+0x47", "context"), ("lwfmgr.sys+0x5167", "unwind"),
            ("lwfmgr.sys+0xb49a", "unwind"), ("ntoskrnl.exe+0x6a04bd", "unwind")]
        assert any("own memory: 2" in q for q in r.stack_quality)
        assert r.culprit == "lwfmgr.sys"
