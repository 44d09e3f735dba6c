"""Case bundles (``.wbcase``): hand a worked case to a colleague without the customer's archive.

A bundle is a zip holding ``manifest.json``, consistent copies of the case database (``case.sqlite``: the
timeline, facts, findings) and of the notes database (``notes.sqlite``: the notes and their versions),
``analysis.json`` and ``notes.md`` (readable without the workbench), and, only when asked for
(``--with-source``), the original source under ``source/``. Format ``/1`` bundles, written before notes had a
database of their own, carry the notes inside ``case.sqlite``; they are still read, and opening one moves
the notes out like for any older case (:func:`workbench.core.case.open_case_store`). The format became ``/2``
so that an older workbench refuses a new bundle instead of opening it without its notes.
Why no raw archive by default: the archive is the customer's full data and often large; the database is what
the colleague needs to read the case, and it is a deliberate, smaller hand-over. Extracted members
(``blobs/``) are never bundled: they are raw data too, and only the ingest reads them.

Opening a bundle (:func:`open_bundle`, reached through :meth:`workbench.core.case.Case.open` for a
``.wbcase`` path) extracts the databases into a case folder of its own, named after the case digest the
bundle records plus the bundle's own digest (``<case digest[:24]>-bundle-<bundle digest[:12]>``). Why not the
original case folder: a colleague who already has the same archive open would have their own notes
overwritten; and why include the bundle digest: an updated bundle of the same case must not replace notes the
receiver added to the earlier one. Reopening the same bundle reuses its folder, so notes written on it stay.

Nothing is ever written by a name the zip gives, except source files listed in the manifest, each checked
part by part (no ``..``, drive, device names or separators) and kept below the case folder's ``source/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.core.case import Case, cases_root, open_case_store, source_digest
from workbench.core.errors import UserActionRequired, WorkbenchError
from workbench.core.locking import case_lock
from workbench.core.output_file import check_output, output_failure
from workbench.core.scratch import scratch, sweep
from workbench.core.store import SCHEMA_VERSION, NotesStore
from workbench.core.store.notes_store import NOTES_DATABASE, Note
from workbench.core.store.snapshot import copy_database

__all__ = ["BUNDLE_SUFFIX", "FORMAT", "BundleCase", "export_case", "open_bundle", "read_manifest",
           "is_bundle"]

BUNDLE_SUFFIX = ".wbcase"
FORMAT = "workbench.case-bundle/2"
#: formats this workbench opens: /1 kept the notes inside case.sqlite
READABLE_FORMATS = ("workbench.case-bundle/1", FORMAT)
MANIFEST = "manifest.json"
DATABASE = "case.sqlite"
ANALYSIS = "analysis.json"
NOTES = "notes.md"
SOURCE_DIR = "source"
#: marker written last into a bundle's case folder: its presence means the extraction completed
MARKER = "bundle.json"
#: what a bundle may expand to on disk; a larger declaration is refused before anything is written
MAX_EXPANDED = 64 * 1024**3
MAX_MANIFEST = 1024 * 1024

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def is_bundle(path: str | Path) -> bool:
    """True for a path named like a case bundle (the suffix decides; the content is checked on open)."""
    return Path(path).suffix.lower() == BUNDLE_SUFFIX


# ------------------------------------------------------------------------------------------------ export


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _source_files(case: Case) -> tuple[str, list[tuple[Path, str]]]:
    """The source's files as (path on disk, name inside ``source/``), and what kind of source it was."""
    if isinstance(case, BundleCase) and not case.has_source:
        raise UserActionRequired(f"{case.source.name} was exported without its source archive, so there is no "
                                 "source to include; export it again without --with-source.")
    source = case.source
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file() and not p.is_symlink())
        return "folder", [(p, f"{source.name}/{p.relative_to(source).as_posix()}") for p in files]
    from workbench.core.archive.volumes import volume_set

    parts = volume_set(source) or [source]
    return ("volumes" if len(parts) > 1 else "file"), [(p, p.name) for p in parts]


def _notes_markdown(notes: list[Note]) -> str:
    if not notes:
        return ""
    return "\n\n".join(f"<!-- note {n.id}, saved {n.updated} -->\n{n.body}" for n in notes) + "\n"


def _database_entry(name: str, path: Path) -> dict[str, Any]:
    return {"name": name, "size": path.stat().st_size, "sha256": _sha256_file(path)}


def _write_bundle(case: Case, work: Path, db_copy: Path, notes_copy: Path, sources: list[tuple[Path, str]],
                  source_kind: str) -> dict[str, Any]:
    """Write the bundle's zip to ``work`` from fresh copies of the case's databases; returns its manifest."""
    from workbench import __version__
    from workbench.core.analysis import build_analysis

    store = case.store
    store.commit()
    copy_database(store.conn, db_copy)  # the receiver opens it like any case database
    with NotesStore.open(case.folder) as notes_store:
        notes_store.copy_to(notes_copy)
    with NotesStore(notes_copy, sqlite3.connect(notes_copy)) as copy:  # notes.md and counts: that snapshot
        notes = copy.notes()
    counts = {
        "files": store.scalar("SELECT count(*) FROM files"),
        "timeline": store.scalar("SELECT count(*) FROM timeline"),
        "findings": store.scalar("SELECT count(*) FROM findings"),
        "notes": len(notes),
    }
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "app_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "case": {"sha256": case.digest, "source_name": case.source.name if not isinstance(case, BundleCase)
                 else case.source_name, "source_kind": source_kind},
        "database": _database_entry(DATABASE, db_copy),
        "notes_database": _database_entry(NOTES_DATABASE, notes_copy),
        "source": None,
        "counts": counts,
    }
    if sources:
        manifest["source"] = {"entry": sources[0][1].split("/", 1)[0] if source_kind == "folder"
                              else sources[0][1],
                              "files": [{"name": name, "size": p.stat().st_size} for p, name in sources]}
    analysis = build_analysis(store)
    with zipfile.ZipFile(work, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        zf.write(db_copy, DATABASE)
        zf.write(notes_copy, NOTES_DATABASE)
        zf.writestr(ANALYSIS, json.dumps(analysis, ensure_ascii=False, indent=2))
        zf.writestr(NOTES, _notes_markdown(notes))
        for path, name in sources:
            # archives are compressed already: storing them is as small and much faster
            zf.write(path, f"{SOURCE_DIR}/{name}", compress_type=zipfile.ZIP_STORED
                     if source_kind != "folder" else zipfile.ZIP_DEFLATED)
    return manifest


def export_case(case: Case, out: Path, *, with_source: bool = False) -> dict[str, Any]:
    """Write ``case`` as a bundle to ``out``; returns the manifest written.

    Both databases are copied with ``VACUUM INTO`` so each copy is consistent (WAL content included) even while
    a window has the case open or saves a note, and compact. The copies and the zip are written in the case's
    own folder (:mod:`workbench.core.scratch`) and the zip is renamed into place, so a failed or killed export
    leaves neither a half bundle under the final name nor a copy of the case beside it.
    """
    store = case.store
    if store.get_meta("ingest_state") != "complete":
        raise UserActionRequired(f"{case.source.name}: the case has not been ingested completely; open it "
                                 "(and let the ingest finish) before exporting it.")
    out = Path(out).expanduser().resolve()
    if out == case.source.resolve():
        raise UserActionRequired(f"{out}: the bundle would replace the case it is made from; choose another name.")
    sources: list[tuple[Path, str]] = []
    source_kind = "folder" if case.source.is_dir() else "file"
    if with_source:
        source_kind, sources = _source_files(case)
    check_output(out, new_folders=True)
    with scratch(case.folder) as run:  # every copy of the case inside its own folder, swept after a kill
        work = run.path / "bundle.part"
        db_copy = run.path / "case.sqlite"
        notes_copy = run.path / "notes.sqlite"
        manifest = _write_bundle(case, work, db_copy, notes_copy, sources, source_kind)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_failure(out, exc) from exc
        try:
            os.replace(work, out)
        except OSError:  # another drive: copied beside the output under a name the sweep knows, then renamed
            part = run.outside(out.parent / f".{out.name}.{os.getpid()}.part")
            try:
                shutil.copyfile(work, part)
                os.replace(part, out)
            except OSError as exc:  # the output's disk or folder: the user's to fix, named
                raise output_failure(out, exc) from exc
            finally:
                part.unlink(missing_ok=True)
    return manifest


# ------------------------------------------------------------------------------------------------ import


def read_manifest(zf: zipfile.ZipFile, label: str) -> dict[str, Any]:
    """The bundle's manifest, checked enough that nothing below trusts a malformed one."""
    try:
        info = zf.getinfo(MANIFEST)
    except KeyError:
        raise UserActionRequired(f"{label} is not a case bundle (no {MANIFEST} inside).") from None
    if info.file_size > MAX_MANIFEST:
        raise WorkbenchError(f"{label}: the bundle's {MANIFEST} is implausibly large.")
    try:
        manifest = json.loads(zf.read(info).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise WorkbenchError(f"{label}: the bundle's {MANIFEST} cannot be read ({exc}).") from exc
    if not isinstance(manifest, dict) or not str(manifest.get("format", "")).startswith("workbench.case-bundle/"):
        raise UserActionRequired(f"{label} is not a case bundle (unknown format).")
    if manifest["format"] not in READABLE_FORMATS:
        raise UserActionRequired(f"{label} is a {manifest['format']} bundle; this workbench reads "
                                 f"{' and '.join(READABLE_FORMATS)}. Update the workbench to open it.")
    case = manifest.get("case") or {}
    digest = str(case.get("sha256", ""))
    if not _HEX64.match(digest):
        raise WorkbenchError(f"{label}: the bundle records no valid case digest.")
    return manifest


def _safe_relative(name: str) -> Path | None:
    """``name`` (a ``/``-separated path from the manifest) as a relative path that is harmless on every OS."""
    parts = name.split("/")
    for part in parts:
        stem = part.split(".", 1)[0].lower()
        if (not part or part in (".", "..") or any(c in part for c in '\\:*?"<>|\0') or stem in _RESERVED
                or part != part.rstrip(" .")):
            return None
    return Path(*parts)


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, sha256: str | None = None) -> None:
    """Copy one member to ``target`` through a temporary name, checking its digest when one is recorded."""
    part = target.with_name(target.name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with zf.open(info) as src, open(part, "wb") as dst:
        while chunk := src.read(1024 * 1024):
            digest.update(chunk)
            dst.write(chunk)
    if sha256 is not None and digest.hexdigest() != sha256:
        part.unlink(missing_ok=True)
        raise WorkbenchError(f"{zf.filename}: {info.filename} is damaged (its SHA-256 does not match the manifest).")
    os.replace(part, target)


def _unpack(path: Path, zf: zipfile.ZipFile, manifest: dict[str, Any], folder: Path) -> None:
    label = path.name
    try:
        db_info = zf.getinfo(DATABASE)
    except KeyError:
        raise WorkbenchError(f"{label}: the bundle holds no case database.") from None
    databases: list[tuple[zipfile.ZipInfo, str, str | None]] = [
        (db_info, DATABASE, str((manifest.get("database") or {}).get("sha256") or "") or None)]
    notes_entry = manifest.get("notes_database") or None  # absent in /1 bundles: their notes are in case.sqlite
    if notes_entry is not None:
        if not isinstance(notes_entry, dict):
            raise WorkbenchError(f"{label}: the bundle's manifest describes its notes database wrongly.")
        try:
            databases.append((zf.getinfo(NOTES_DATABASE), NOTES_DATABASE,
                              str(notes_entry.get("sha256") or "") or None))
        except KeyError:
            raise WorkbenchError(f"{label}: the notes database the manifest lists is missing.") from None
    plan: list[tuple[zipfile.ZipInfo, Path]] = []
    source = manifest.get("source") or None
    seen: set[str] = set()
    if source:
        for entry in source.get("files") or []:
            name = str(entry.get("name", "")) if isinstance(entry, dict) else ""
            rel = _safe_relative(name)
            if rel is None or name.lower() in seen:
                raise WorkbenchError(f"{label}: the bundle names an unsafe source file {name!r}; nothing was "
                                     "extracted.")
            seen.add(name.lower())
            try:
                plan.append((zf.getinfo(f"{SOURCE_DIR}/{name}"), folder / SOURCE_DIR / rel))
            except KeyError:
                raise WorkbenchError(f"{label}: the source file {name} the manifest lists is missing.") from None
    total = sum(i.file_size for i, _, _ in databases) + sum(i.file_size for i, _ in plan)
    if total > MAX_EXPANDED:
        raise WorkbenchError(f"{label}: the bundle would expand to {total / 1024**3:.1f} GiB, more than the "
                             f"{MAX_EXPANDED // 1024**3} GiB a case may take; nothing was extracted.")
    free = shutil.disk_usage(folder).free
    if total > free:
        raise UserActionRequired(f"{label}: the bundle needs {total / 1024**2:.0f} MiB and only "
                                 f"{free / 1024**2:.0f} MiB are free in {folder.parent}.")
    for info, name, sha256 in databases:
        for suffix in ("-wal", "-shm"):  # left by an interrupted earlier open; they belong to no database now
            (folder / (name + suffix)).unlink(missing_ok=True)
        _extract(zf, info, folder / name, sha256)
    if plan:
        shutil.rmtree(folder / SOURCE_DIR, ignore_errors=True)
        for info, target in plan:
            _extract(zf, info, target)


@dataclass
class BundleCase(Case):
    """A case opened from a ``.wbcase`` bundle.

    ``source`` is the extracted original when the bundle carries it (so the case can be ingested again,
    notes kept), else the bundle itself, which is never ingested: its database is the case.
    """

    bundle: Path | None = None
    has_source: bool = False
    source_name: str = ""

    def ensure_ingested(self, progress: Any = None, cancel: Any = None, *, force: bool = False,
                        plugin_manager: Any = None, limits: Any = None) -> bool:
        """With a source, as for any case. Without one, nothing to ingest: a forced run (a new case time zone,
        ``--reingest``) can only put the timeline on the case clock again, which needs no source."""
        if self.has_source:
            return super().ensure_ingested(progress, cancel, force=force, plugin_manager=plugin_manager,
                                           limits=limits)
        if not force:
            return False
        from workbench.core.ingest import finalize_timeline

        with case_lock(self.folder):
            finalize_timeline(self.store)
            self.store.commit()
        return True


def open_bundle(path: Path, *, home: Path | None = None, password: str | None = None,
                name_encoding: str | None = None) -> BundleCase:
    """Open a ``.wbcase``: extract it into its own case folder on first use, then open that folder's database."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserActionRequired(f"{path}: no such case bundle.")
    path = path.resolve()
    try:
        bundle_digest = source_digest(path, home)
        zf = zipfile.ZipFile(path)
    except PermissionError as exc:
        raise UserActionRequired(f"{path}: cannot be read ({exc.strerror}).") from exc
    except zipfile.BadZipFile as exc:
        raise UserActionRequired(f"{path.name} is not a case bundle (not a readable zip: {exc}).") from exc
    with zf:
        manifest = read_manifest(zf, path.name)
        case_digest = manifest["case"]["sha256"]
        folder = cases_root(home) / f"{case_digest[:24]}-bundle-{bundle_digest[:12]}"
        folder.mkdir(parents=True, exist_ok=True)
        with case_lock(folder):
            if not (folder / MARKER).is_file():
                _unpack(path, zf, manifest, folder)
                record = {"bundle": str(path), "bundle_sha256": bundle_digest, "manifest": manifest,
                          "opened": datetime.now(timezone.utc).isoformat(timespec="seconds")}
                (folder / MARKER).write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
    source = manifest.get("source") or {}
    has_source = bool(source)
    entry = _safe_relative(str(source.get("entry", ""))) if has_source else None
    if has_source and entry is None:
        raise WorkbenchError(f"{path.name}: the bundle names an unsafe source entry.")
    sweep(folder)
    store = open_case_store(folder)
    if not has_source and store.get_meta("schema_version") != str(SCHEMA_VERSION):
        version = store.get_meta("schema_version")
        store.close()
        raise UserActionRequired(f"{path.name} was written by a workbench with case schema {version}; this one "
                                 f"reads schema {SCHEMA_VERSION} and cannot rebuild it without the source. Ask "
                                 "for a bundle exported with --with-source, or open it with a matching version.")
    src_path = folder / SOURCE_DIR / entry if entry is not None else path
    return BundleCase(src_path, case_digest, folder, store, password, name_encoding, bundle=path,
                      has_source=has_source, source_name=str(manifest["case"].get("source_name") or path.name))
