"""Nothing inside a case is ever executed or loaded: no script, no plugin, no signature pack, no link.

The case below carries what a hostile or careless upload could: a Python plugin and an enabled-list in the
shape the user folder uses, a signature pack that would "find" something, batch and shell scripts, a
Windows shortcut, a symlink and an executable. Each one, if it ran or loaded, would leave a trace we look for.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.archives import add_symlink, make_zip, setupact_bytes
from workbench.core.case import Case

MARKER = "WORKBENCH_EXECUTED_CASE_CONTENT"


def _payloads(marker: Path) -> dict[str, bytes]:
    python = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n".encode()
    pack_signature = (
        b"title: 'A pack from inside the case'\nid: case.injected\nstatus: stable\nlevel: critical\n"
        b"sources: [setupact]\ndetection:\n  any:\n    message|contains: 'rollback'\n  condition: any\n"
        b"details: 'injected'\n"
    )
    return {
        "$WINDOWS.~BT/Sources/Rollback/setupact.log": setupact_bytes(),
        "plugins/enabled.txt": b"evil\n",
        "plugins/evil/plugin.py": python,
        "plugins/evil/pack.yaml": b"name: evil\n",
        "plugins/evil/signatures/injected.yml": pack_signature,
        "conftest.py": python,
        "sitecustomize.py": python,
        "collect.bat": f"echo ran > {marker}\r\n".encode(),
        "collect.sh": f"#!/bin/sh\necho ran > {marker}\n".encode(),
        "setup.exe": b"MZ\x90\x00" + b"\x00" * 200,
        "open me.lnk": b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 60,
    }


def test_nothing_from_a_case_runs_or_loads(tmp_path: Path, wb_home: Path) -> None:
    marker = tmp_path / MARKER
    src = make_zip(tmp_path / "hostile.zip", _payloads(marker))
    add_symlink(src, "plugins/link_to_home", str(wb_home))
    before = set(sys.modules)
    case = Case.open(src)
    case.ensure_ingested()
    assert not marker.exists(), "a file from the case was executed"
    loaded = [m for m in set(sys.modules) - before if "workbench_user_plugin" in m or m in ("conftest", "sitecustomize")]
    assert not loaded, f"modules from the case were imported: {loaded}"
    ids = {r["rule_id"] for r in case.store.query("SELECT rule_id FROM findings")}
    assert "case.injected" not in ids, "a signature pack inside the case was loaded"
    # the case's own files are catalogued like any other file, and the user folder was not touched
    paths = {r["path"]: r for r in case.store.query("SELECT path, kind, status FROM files")}
    assert paths["plugins/evil/plugin.py"]["status"] == "skipped"
    assert paths["plugins/link_to_home"]["status"] == "skipped"
    assert not (wb_home / "plugins" / "evil").exists()


def test_a_case_folder_that_looks_like_a_plugin_folder_is_only_read(tmp_path: Path, wb_home: Path) -> None:
    marker = tmp_path / MARKER
    folder = tmp_path / "collected"
    for name, data in _payloads(marker).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    Case.open(folder).ensure_ingested()
    assert not marker.exists()
