"""Opening a big archive imports the ingest's modules on a second thread while the archive is hashed, and
nothing of that changes what the open gives: the same digest, the same case folder, and a plugin that cannot
be imported is still said by the plugin manager, not lost in the thread."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from workbench.core import case as case_module
from workbench.core.case import Case
from workbench.core.plugins import manager


def _archive(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Panther/setupact.log", "2026-11-02 06:00:00, Info                  SP     Setup starts\r\n" * 200)
    return path


def test_the_imports_run_beside_the_hash_and_the_open_is_the_same(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    source = _archive(tmp_path / "case.zip")
    started = []
    real = case_module._import_while_hashing

    def watched(path: Path):  # type: ignore[no-untyped-def]
        thread = real(path)
        started.append(thread)
        return thread

    monkeypatch.setattr(case_module, "WARM_IMPORT_BYTES", 1)
    monkeypatch.setattr(case_module, "_import_while_hashing", watched)
    monkeypatch.setattr(manager, "BUILTIN_PLUGINS", (*manager.BUILTIN_PLUGINS, "workbench.core.no_such_plugin"))
    case = Case.open(source, home=tmp_path / "home")
    try:
        assert started and started[0] is not None and not started[0].is_alive()  # joined before the open returned
        assert case.digest == hashlib.sha256(source.read_bytes()).hexdigest()
        assert case.folder.name == case.digest[:24]
        case.ensure_ingested()
        assert case.store.scalar("SELECT count(*) FROM timeline WHERE source = 'setupact'") == 200
        _pm, report = manager.build_plugin_manager(user=False)
        assert [name for name, _ in report.failed] == ["workbench.core.no_such_plugin"]
    finally:
        case.close()


def test_a_small_source_is_hashed_without_a_second_thread(tmp_path: Path) -> None:
    assert case_module._import_while_hashing(_archive(tmp_path / "small.zip")) is None
    assert case_module._import_while_hashing(tmp_path) is None  # a folder is listed, not hashed


def test_the_hash_read_on_a_second_thread_is_the_sha256_of_the_parts_in_order(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Volumes of a split archive are hashed as one stream: empty parts, a block exactly, a block and a bit;
    a part that cannot be read is the open's error, raised where the hash is asked for."""
    monkeypatch.setattr(case_module, "HASH_BLOCK", 1024)
    parts = []
    for i, size in enumerate((0, 1, 1024, 1024 * 3 + 7, 5000)):
        part = tmp_path / f"case.7z.{i:03d}"
        part.write_bytes(bytes((i * 31 + j) % 251 for j in range(size)))
        parts.append(part)
    whole = b"".join(p.read_bytes() for p in parts)
    assert case_module._hash_files(parts) == hashlib.sha256(whole).hexdigest()
    with pytest.raises(FileNotFoundError):
        case_module._hash_files([parts[3], tmp_path / "case.7z.999"])
