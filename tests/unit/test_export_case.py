"""Case bundles (``workbench export-case``, opening a ``.wbcase``): what a colleague receives must read the
same as what the sender saw, carry the notes, and never carry the customer's archive unless asked."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest

from workbench.cli import main as cli_main
from workbench.core.analysis import build_analysis
from workbench.core.bundle import BundleCase, export_case, open_bundle
from workbench.core.case import Case, cases_root
from workbench.core.errors import UserActionRequired, WorkbenchError
from workbench.core.store import NotesStore
from workbench.demo import write_demo_case

NOTE = "## Cause\nlwfmgr.sys (a filter driver) crashed the second boot. <b>not html</b>\n"


@pytest.fixture
def sender(tmp_path: Path) -> tuple[Path, Path]:
    """A demo archive ingested in the sender's home, with a note: (archive, sender home)."""
    archive = write_demo_case(tmp_path / "in" / "demo-case.zip")
    home = tmp_path / "sender"
    case = Case.open(archive, home=home)
    case.ensure_ingested()
    with NotesStore.open(case.folder) as notes:
        notes.save(NOTE)
    case.close()
    return archive, home


def _bodies(case: Case) -> list[str]:
    with NotesStore.open(case.folder) as notes:
        return [n.body for n in notes.notes()]


def _export(archive: Path, home: Path, out: Path, *, with_source: bool = False) -> dict:
    case = Case.open(archive, home=home)
    try:
        return export_case(case, out, with_source=with_source)
    finally:
        case.close()


def _analysis(case: Case) -> dict:
    return build_analysis(case.store)


def test_round_trip_keeps_notes_and_analysis_without_the_archive(sender: tuple[Path, Path], tmp_path: Path) -> None:
    archive, home = sender
    original = Case.open(archive, home=home)
    expected = _analysis(original)
    original.close()
    bundle = tmp_path / "out" / "case.wbcase"
    manifest = _export(archive, home, bundle)
    assert manifest["counts"]["notes"] == 1 and manifest["source"] is None
    archive.unlink()  # the receiver never had it

    received = Case.open(bundle, home=tmp_path / "receiver")
    try:
        assert isinstance(received, BundleCase) and not received.has_source
        assert received.ensure_ingested() is False  # the database is the case: nothing to ingest
        assert _analysis(received) == expected
        with NotesStore.open(received.folder) as notes:
            (note,) = notes.notes()
            assert note.body == NOTE and [v.body for v in notes.versions(note.id)] == [NOTE]
        assert received.folder.parent == cases_root(tmp_path / "receiver")
    finally:
        received.close()


def test_bundle_never_holds_the_raw_archive_by_default(sender: tuple[Path, Path], tmp_path: Path) -> None:
    archive, home = sender
    bundle = tmp_path / "plain.wbcase"
    _export(archive, home, bundle)
    raw = archive.read_bytes()
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        assert names == ["manifest.json", "case.sqlite", "notes.sqlite", "analysis.json", "notes.md"]
        assert not any(n.startswith(("source/", "blobs/")) for n in names)
        assert all(raw not in zf.read(n) for n in names)
        assert NOTE.strip() in zf.read("notes.md").decode("utf-8")
        assert json.loads(zf.read("analysis.json"))["schema"] == "workbench.analysis/1"


def test_with_source_can_ingest_again_and_keeps_notes(sender: tuple[Path, Path], tmp_path: Path) -> None:
    archive, home = sender
    bundle = tmp_path / "full.wbcase"
    manifest = _export(archive, home, bundle, with_source=True)
    assert manifest["source"]["files"] == [{"name": "demo-case.zip", "size": archive.stat().st_size}]
    with zipfile.ZipFile(bundle) as zf:
        assert zf.read("source/demo-case.zip") == archive.read_bytes()
    received = Case.open(bundle, home=tmp_path / "receiver")
    try:
        assert isinstance(received, BundleCase) and received.has_source
        assert received.source.read_bytes() == archive.read_bytes()
        before = _analysis(received)
        assert received.ensure_ingested(force=True) is True  # really ingests, from the extracted archive
        after = _analysis(received)
        assert after["findings"] == before["findings"] and after["upgrade"] == before["upgrade"]
        assert _bodies(received) == [NOTE]  # a re-ingest leaves the notes alone
    finally:
        received.close()


def test_reopening_reuses_the_folder_and_the_receivers_notes(sender: tuple[Path, Path], tmp_path: Path) -> None:
    archive, home = sender
    bundle = tmp_path / "c.wbcase"
    _export(archive, home, bundle)
    receiver = tmp_path / "receiver"
    first = Case.open(bundle, home=receiver)
    with NotesStore.open(first.folder) as notes:
        notes.save("receiver's own note")
    folder = first.folder
    first.close()
    again = Case.open(bundle, home=receiver)
    try:
        assert again.folder == folder
        assert _bodies(again) == [NOTE, "receiver's own note"]
    finally:
        again.close()
    # the sender's own case (same digest) is a different folder: a bundle never overwrites it
    own = Case.open(archive, home=receiver)
    try:
        assert own.folder != folder
    finally:
        own.close()


def test_a_format_1_bundle_brings_its_notes(sender: tuple[Path, Path], tmp_path: Path) -> None:
    """Bundles written before notes had their own database carry them inside case.sqlite (format /1): opening
    one moves them to the receiver's notes database, like any older case."""
    import hashlib

    from tests.unit.test_notes_store import LEGACY, legacy_tables, write_legacy_notes

    archive, home = sender
    new = tmp_path / "new.wbcase"
    _export(archive, home, new)
    database = tmp_path / "old-case.sqlite"
    with zipfile.ZipFile(new) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        database.write_bytes(zf.read("case.sqlite"))
        members = {name: zf.read(name) for name in ("analysis.json", "notes.md")}
    assert legacy_tables(database) == set()  # a /2 bundle's case database holds no notes
    write_legacy_notes(database)
    manifest["format"] = "workbench.case-bundle/1"
    del manifest["notes_database"]
    data = database.read_bytes()
    manifest["database"] = {"name": "case.sqlite", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    old = _hand_made_bundle(tmp_path / "old.wbcase", manifest, {"case.sqlite": data, **members})

    received = Case.open(old, home=tmp_path / "receiver")
    try:
        assert _bodies(received) == [body for _, body, _, _ in LEGACY]
        assert legacy_tables(received.store.path) == set()
    finally:
        received.close()
    again = Case.open(old, home=tmp_path / "receiver")
    try:
        assert _bodies(again) == [body for _, body, _, _ in LEGACY]  # moved once
    finally:
        again.close()


def test_a_damaged_notes_database_is_refused(sender: tuple[Path, Path], tmp_path: Path) -> None:
    archive, home = sender
    bundle = tmp_path / "n.wbcase"
    _export(archive, home, bundle)
    with zipfile.ZipFile(bundle) as zf:
        members = {name: zf.read(name) for name in zf.namelist() if name != "manifest.json"}
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format"] == "workbench.case-bundle/2" and manifest["notes_database"]["name"] == "notes.sqlite"
    members["notes.sqlite"] = members["notes.sqlite"][:-1] + b"!"
    damaged = _hand_made_bundle(tmp_path / "damaged.wbcase", manifest, members)
    with pytest.raises(WorkbenchError, match="notes.sqlite is damaged"):
        Case.open(damaged, home=tmp_path / "receiver")
    del members["notes.sqlite"]
    missing = _hand_made_bundle(tmp_path / "missing.wbcase", manifest, members)
    with pytest.raises(WorkbenchError, match="notes database"):
        Case.open(missing, home=tmp_path / "receiver2")


def test_forced_ingest_without_source_reclocks(sender: tuple[Path, Path], tmp_path: Path) -> None:
    archive, home = sender
    bundle = tmp_path / "z.wbcase"
    _export(archive, home, bundle)
    received = Case.open(bundle, home=tmp_path / "receiver")
    try:
        received.store.set_meta("time_zone_user", "UTC")
        assert received.ensure_ingested(force=True) is True
        assert received.store.get_meta("time_zone") == "UTC"
        assert received.store.scalar("SELECT count(*) FROM findings") > 0  # nothing was dropped
    finally:
        received.close()


def test_cli_export_then_analyze_bundle(sender: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    archive, home = sender
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    out = tmp_path / "cli.wbcase"
    assert cli_main(["export-case", str(archive), "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().out.strip() == str(out.resolve()) or out.is_file()
    assert cli_main(["analyze", "--json", str(archive)]) == 0
    sent = json.loads(capsys.readouterr().out)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "receiver"))
    assert cli_main(["analyze", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == sent
    assert cli_main(["export-case", str(archive), "-o", str(tmp_path / "wrong.zip")]) == 2


def _hand_made_bundle(path: Path, manifest: dict, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _manifest(**over: object) -> dict:
    base = {"format": "workbench.case-bundle/1", "case": {"sha256": "ab" * 32, "source_name": "x.zip"},
            "database": {"name": "case.sqlite", "sha256": None}, "source": None}
    base.update(over)
    return base


def test_unsafe_source_names_are_refused(tmp_path: Path) -> None:
    evil = _hand_made_bundle(tmp_path / "evil.wbcase", _manifest(source={"entry": "../x.zip", "files": [
        {"name": "../x.zip", "size": 1}]}), {"case.sqlite": b"", "source/../x.zip": b"boom"})
    with pytest.raises(WorkbenchError, match="unsafe"):
        open_bundle(evil, home=tmp_path / "home")
    assert not (tmp_path / "home" / "cases" / "x.zip").exists() and not (tmp_path / "home" / "x.zip").exists()
    for bad in ("CON", "a\\b", "c:x", "x. ", ""):
        evil2 = _hand_made_bundle(tmp_path / "evil2.wbcase", _manifest(source={"entry": bad, "files": [
            {"name": bad, "size": 1}]}), {"case.sqlite": b"", f"source/{bad}": b"boom"})
        with pytest.raises(WorkbenchError):
            open_bundle(evil2, home=tmp_path / "home2")


def test_not_a_bundle_and_damaged_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wbcase"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(UserActionRequired, match="not a case bundle"):
        Case.open(junk, home=tmp_path / "home")
    foreign = _hand_made_bundle(tmp_path / "f.wbcase", {"format": "other/1"}, {})
    with pytest.raises(UserActionRequired, match="not a case bundle"):
        Case.open(foreign, home=tmp_path / "home")
    damaged = _hand_made_bundle(tmp_path / "d.wbcase", _manifest(database={"name": "case.sqlite",
                                                                            "sha256": "00" * 32}),
                                {"case.sqlite": b"SQLite format 3\0"})
    with pytest.raises(WorkbenchError, match="damaged"):
        Case.open(damaged, home=tmp_path / "home")


def test_incomplete_case_is_not_exported(tmp_path: Path) -> None:
    archive = write_demo_case(tmp_path / "demo.zip")
    case = Case.open(archive, home=tmp_path / "home")  # opened, never ingested
    try:
        with pytest.raises(UserActionRequired, match="ingested"):
            export_case(case, tmp_path / "x.wbcase")
    finally:
        case.close()
    assert not (tmp_path / "x.wbcase").exists()


def test_app_errors_go_to_the_user_log_not_a_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench import applog

    monkeypatch.setenv("WORKBENCH_LOG_DIR", str(tmp_path / "logs"))
    path = applog.install()
    try:
        assert path == tmp_path / "logs" / "workbench.log"
        logging.getLogger("workbench.test").error("something broke")
        for h in logging.getLogger().handlers:
            h.flush()
        assert "something broke" in path.read_text("utf-8")
        assert applog.install() == path  # idempotent
    finally:
        applog.uninstall()
    monkeypatch.delenv("WORKBENCH_LOG_DIR")
    home = Path(str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    assert applog.log_dir() == home / "logs" and cases_root(home) not in applog.log_dir().parents


def test_windowed_process_output_goes_beside_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from workbench import applog

    monkeypatch.setattr(sys, "stdout", None)
    log = tmp_path / "logs" / "workbench.log"
    log.parent.mkdir()
    applog.redirect_missing_streams(log)
    assert sys.stdout is not None
    sys.stdout.write("hello from a windowed build\n")
    sys.stdout.flush()
    assert "hello from a windowed build" in (tmp_path / "logs" / "console.log").read_text("utf-8")
    sys.stdout.close()


def test_folder_source_travels_with_source(tmp_path: Path) -> None:
    """A case opened from a folder: ``--with-source`` carries its files, and the receiver ingests them again."""
    archive = write_demo_case(tmp_path / "demo.zip")
    folder = tmp_path / "collected"
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if not info.is_dir():
                target = folder / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
    case = Case.open(folder, home=tmp_path / "sender")
    case.ensure_ingested()
    expected = _analysis(case)
    export_case(case, tmp_path / "folder.wbcase", with_source=True)
    case.close()
    received = Case.open(tmp_path / "folder.wbcase", home=tmp_path / "receiver")
    try:
        assert isinstance(received, BundleCase) and received.source.is_dir()
        assert received.source.name == "collected"
        assert received.ensure_ingested(force=True) is True
        again = _analysis(received)
        assert again["upgrade"] == expected["upgrade"] and len(again["findings"]) == len(expected["findings"])
    finally:
        received.close()
