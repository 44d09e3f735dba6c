"""Archives of many small members: every member catalogued exactly as before the batched catalogue.

The ingest writes catalogue rows in batches, reports extract progress at most every few tens of
milliseconds, skips ``zipfile.open`` for empty stored members and calls the identify hooks without pluggy's
dispatch (bench/archive_ingest.py measures what that buys). These tests hold it to the same results: every
member listed with its hash, kind, size and status, problems naming their file, a kill and a reopen ending
where a clean ingest ends. No timings here: speed lives in bench/.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.archives import setupact_bytes, zip_bytes
from workbench.core.archive.names import clean_member_path, clean_member_path_slowly
from workbench.core.case import Case
from workbench.core.ingest import REPORT_SECONDS, Ingest, Progress
from workbench.core.plugins import hookimpl
from workbench.core.plugins.manager import build_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 20_000


def _members(count: int) -> Iterator[tuple[str, bytes]]:
    """What a swept temp or driver folder holds: empty files, small INF/text files, a few setup logs."""
    for i in range(count):
        folder = f"Drivers/{i // 500:03d}"
        if i % 1000 == 7:
            yield f"{folder}/Panther/setupact.log", setupact_bytes(f"2021-05-18 03:12:00, Info                  SP     member {i}\r\n")
        elif i % 3 == 0:
            yield f"{folder}/oem{i}.inf", f'[Version]\r\nSignature="$Windows NT$"\r\nDriverVer=01/02/2024,{i}\r\n'.encode()
        else:
            yield f"{folder}/~tmp{i}.tmp", b""


def _many_zip(path: Path, count: int = MEMBERS) -> dict[str, bytes]:
    """Write the archive (stored, as collectors that sweep folders often do); returns its members."""
    members = dict(_members(count))
    members["pc/nested/logs.zip"] = zip_bytes({"Rollback/setupact.log": setupact_bytes()})
    members["../../escape/setupact.log"] = setupact_bytes()
    members["Drivers/CASE/a.inf"] = b"one"
    members["drivers/case/A.INF"] = b"two"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5)), data)
    return members


@pytest.mark.slow  # 20 000 members: a couple of seconds
def test_many_member_archive_ingests_completely(tmp_path: Path) -> None:
    src = tmp_path / "many.zip"
    members = _many_zip(src)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    seen: list[Progress] = []
    started = time.monotonic()
    case = Case.open(src)
    case.ensure_ingested(progress=seen.append)
    elapsed = time.monotonic() - started

    rows = {r["path"]: r for r in case.store.query("SELECT * FROM files WHERE container = ''")}
    expected = {clean_member_path(name)[0]: data for name, data in members.items()}
    assert set(rows) == set(expected)
    for path, data in expected.items():
        row = rows[path]
        assert row["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert row["size"] == len(data) and row["kind"] is not None, path
        assert row["status"] in ("parsed", "skipped", "expanded"), (path, row["status"], row["reason"])
        if row["blob"] is not None:
            assert Path(row["blob"]).read_bytes() == data
            assert Path(row["blob"]).parent == case.blobs and Path(row["blob"]).name == f"{row['id']:07d}"
    logs = [p for p in expected if p.endswith("Panther/setupact.log")]
    assert len(logs) == MEMBERS // 1000 and all(rows[p]["status"] == "parsed" for p in logs)
    small = rows["Drivers/000/oem3.inf"]
    assert small["kind"] == "text" and small["status"] == "skipped" and small["blob"] is not None
    empty = rows["Drivers/000/~tmp1.tmp"]
    assert empty["status"] == "skipped" and empty["reason"] == "empty file (0 bytes)"
    assert empty["blob"] is None  # no byte to keep: no file is made for it
    assert rows["pc/nested/logs.zip"]["status"] == "expanded"
    nested = case.store.query("SELECT * FROM files WHERE container = 'pc/nested/logs.zip'")
    assert [(r["path"], r["status"]) for r in nested] == [("pc/nested/logs.zip::Rollback/setupact.log", "parsed")]

    problems = case.store.query("SELECT file_id, file, error FROM problems")
    unsafe = [p for p in problems if "unsafe name" in p["error"]]
    assert [(p["file"], p["file_id"]) for p in unsafe] == [("escape/setupact.log", rows["escape/setupact.log"]["id"]),
                                                           ("drivers/case/A.INF", rows["drivers/case/A.INF"]["id"])]
    assert "path traversal" in unsafe[0]["error"]
    assert "differs only by letter case" in (rows["drivers/case/A.INF"]["notes"] or "")
    assert "differs only by letter case" in unsafe[1]["error"]  # a name Windows cannot hold beside its twin
    assert case.store.scalar("SELECT count(*) FROM files WHERE sha256 IS NULL") == 0

    extract = [p for p in seen if p.stage == "extract" and "::" not in p.current]  # the nested zip reports apart
    assert (extract[-1].done, extract[-1].total) == (len(expected), len(expected))  # the last one always comes
    assert [p.done for p in extract] == sorted(p.done for p in extract)
    assert len(extract) <= 4 + elapsed / REPORT_SECONDS  # throttled by time, not one per member
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest
    case.close()


_INGEST_CHILD = """
import sys, time
from workbench.core.case import Case
case = Case.open(sys.argv[1])
said = False
def progress(p):
    global said
    if not said and p.stage == "extract" and p.done >= int(sys.argv[2]):
        said = True
        print("AT", p.done, flush=True)
        time.sleep(120)
case.ensure_ingested(progress=progress)
"""


def _summary(case: Case) -> dict[str, object]:
    store = case.store
    return {
        "files": sorted((r["path"], r["status"], r["sha256"], r["kind"], r["size"], r["records"]) for r in store.query(
            "SELECT path, status, sha256, kind, size, records FROM files")),
        "problems": sorted((r["file"], r["error"]) for r in store.query("SELECT file, error FROM problems")),
        "timeline": store.scalar("SELECT count(*) FROM timeline"),
        "state": store.get_meta("ingest_state"),
    }


@pytest.mark.slow  # a reference ingest, a killed one and its recovery: several seconds
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_many_member_archive_killed_mid_extract_recovers(tmp_path: Path, wb_home: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "many.zip"
    _many_zip(src)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "reference-home"))
    reference = Case.open(src)
    reference.ensure_ingested()
    ref = _summary(reference)
    reference.close()
    assert ref["state"] == "complete"

    monkeypatch.setenv("WORKBENCH_HOME", str(wb_home))
    proc = subprocess.Popen([sys.executable, "-c", _INGEST_CHILD, str(src), str(MEMBERS // 2)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("AT"), proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    case = Case.open(src)
    assert case.store.scalar("PRAGMA integrity_check") == "ok"
    assert case.store.get_meta("ingest_state") != "complete"
    committed = case.store.scalar("SELECT count(*) FROM files WHERE sha256 IS NOT NULL")
    assert 0 < committed <= int(line.split()[1])  # batches were committed while it ran, none past the kill point
    assert case.ensure_ingested() is True
    assert _summary(case) == ref
    kept = {Path(r["blob"]).name for r in case.store.query("SELECT blob FROM files WHERE blob IS NOT NULL")}
    assert {p.name for p in case.blobs.iterdir()} == kept, "stray blobs left by the killed ingest"
    case.close()


def _corrupt_local_header(path: Path, member: str, how: str) -> None:
    """Damage one member's local header the way a bad copy does: its signature, or its name."""
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo(member).header_offset
    data = bytearray(path.read_bytes())
    if how == "signature":
        data[offset:offset + 4] = b"PK\x09\x09"
    else:
        name_len = struct.unpack_from("<H", data, offset + 26)[0]
        data[offset + 30 + name_len - 1] ^= 0x01  # the last letter of the name
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["signature", "name"])
def test_empty_member_with_a_damaged_local_header_fails_as_zipfile_says(tmp_path: Path, how: str) -> None:
    src = tmp_path / "damaged.zip"
    with zipfile.ZipFile(src, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("Panther/setupact.log", setupact_bytes())
        zf.writestr("Temp/empty.tmp", b"")
        zf.writestr("Temp/after.tmp", b"")
    _corrupt_local_header(src, "Temp/empty.tmp", how)
    with zipfile.ZipFile(src) as zf, pytest.raises(zipfile.BadZipFile) as raised:
        zf.open("Temp/empty.tmp")
    case = Case.open(src)
    case.ensure_ingested()
    rows = {r["path"]: r for r in case.store.query("SELECT * FROM files")}
    assert rows["Temp/empty.tmp"]["status"] == "failed"
    assert rows["Temp/empty.tmp"]["reason"] == f"cannot be decompressed: {raised.value}"
    assert rows["Temp/after.tmp"]["status"] == "skipped" and rows["Panther/setupact.log"]["status"] == "parsed"
    problems = case.store.query("SELECT file, file_id, error FROM problems")
    assert [(p["file"], p["file_id"]) for p in problems] == [("Temp/empty.tmp", rows["Temp/empty.tmp"]["id"])]


def test_the_cleaning_shortcut_matches_the_full_cleaning() -> None:
    """Names the shortcut lets through unchanged are exactly those the full cleaning leaves unchanged."""
    atoms = ["a", "CON", "con", "Con ", "nul.txt", "conın$", "CONIN$", "com1", "COM0", "lpt9 .x", "clock$", "..",
             ".", "", "\\", "C:", "c:", "//", "/", "x\x01y", "ſ", "aux", "AUX.", "prn..", " ", "a.b", "é", "日本"]
    rng = random.Random(7)
    for _ in range(20_000):
        name = "".join(rng.choice(atoms) + rng.choice(["/", "", "\\", "."]) for _ in range(rng.randint(1, 5)))
        assert clean_member_path(name) == clean_member_path_slowly(name), name


class _ClaimsTmp:
    @hookimpl(tryfirst=True)
    def workbench_identify(self, name: str) -> str | None:  # a plugin may take only some of the arguments
        return "text" if name.endswith(".tmp") else None


class _Wrapper:
    @hookimpl(wrapper=True)
    def workbench_identify(self, name: str, head: bytes) -> Iterator[None]:
        kind = yield
        return "unknown" if name.endswith(".secret") else kind


@pytest.mark.parametrize("extra", [(), (_ClaimsTmp(),), (_ClaimsTmp(), _Wrapper())])
def test_identify_answers_as_the_hook_does(tmp_path: Path, extra: tuple[object, ...]) -> None:
    pm, _ = build_plugin_manager(entry_points=False, extra=extra)
    src = tmp_path / "c.zip"
    src.write_bytes(zip_bytes({"a.txt": b"x"}))
    case = Case.open(src)
    ingest = Ingest(case, plugin_manager=pm)
    samples = [("x/System.evtx", b""), ("x/renamed.bin", b"ElfFile\x00" + bytes(100)), ("a/b.tmp", b"PK\x03\x04"),
               ("Panther/setupact.log", b""), ("c.secret", b"hello"), ("z.bin", bytes(range(256))), ("e.png", b"")]
    for name, head in samples:
        assert ingest.identify(name, head) == (pm.hook.workbench_identify(name=name, head=head) or "unknown"), name
    case.close()
