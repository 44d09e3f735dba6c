"""Facts fill in as they are read (review of issue 16: on an 84 MB setupact.log the overview named no machine
until the analysis, though line 15 says the host OS): the setupact parser records Setup's Host OS lines as it
reads them, and the analysis does not write them twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cases import BOM
from workbench.core.case import Case

HEAD = [
    "2024-06-10 09:00:00, Info                  MOUPG  *************** SetupHost Logging Begin ***************",
    "2024-06-10 09:00:00, Info                  MOUPG  Host OS Version         [ 10.0.17134 ]",
    "2024-06-10 09:00:00, Info                  MOUPG  Host OS Edition         [ Professional ]",
    "2024-06-10 09:00:01, Info                  CONX   Source OS: Host SKU Info: Edition = 'Professional', "
    "Product Name = 'Windows 10 Pro', Build = 17134",
]


def test_host_os_facts_are_there_before_the_analysis(tmp_path: Path) -> None:
    src = tmp_path / "case" / "$WINDOWS.~BT" / "Sources" / "Panther"
    src.mkdir(parents=True)
    body = [f"2024-06-10 09:01:{n % 60:02d}, Info                  SP     Operation {n}" for n in range(3000)]
    (src / "setupact.log").write_bytes(BOM + "\r\n".join(HEAD + body).encode() + b"\r\n")
    case = Case.open(tmp_path / "case", home=tmp_path / "home")
    seen: dict[str, str] = {}

    def progress(p: object) -> None:
        if getattr(p, "stage", "") == "finalize" and not seen:  # the parse is over, the analysis not begun
            with sqlite3.connect(case.folder / "case.sqlite") as conn:
                seen.update(conn.execute("SELECT name, value FROM facts WHERE name LIKE 'system.%'").fetchall())

    case.ensure_ingested(progress=progress)
    assert seen.get("system.os_version") == "10.0.17134" and seen.get("system.os_name") == "Windows 10 Pro"
    assert seen.get("system.edition") == "Professional" and seen.get("system.os_build") == "17134"
    facts = case.store.conn.execute("SELECT name, value, line FROM facts WHERE name = 'system.os_version'").fetchall()
    assert facts == [("system.os_version", "10.0.17134", 2)]  # once, from its line, not again by the analysis
