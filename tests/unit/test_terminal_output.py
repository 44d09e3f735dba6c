"""Control characters from a case never reach a terminal raw (issue 18, 9 and 10): text output shows them
escaped, JSON stays valid JSON with its own escapes, and a report or CSV on a terminal is escaped while the
same output to a file or pipe keeps its bytes (a report shows them escaped wherever it goes)."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.archives import make_zip
from tests.unit.procmon_scenario import upgrade_scenario
from tests.unit.test_report_redact import _eml_text
from tests.unit.test_setup_parsers import _line, _nfo
from workbench.cli import main
from workbench.core.case import Case
from workbench.core.printable import dump_json, one_line, printable
from workbench.core.store import NotesStore
from workbench.writers.procmon import write_csv

#: Every character that may not reach a terminal raw: C0 (bar tab/LF), DEL, C1, bidi and invisible controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
#: A log message full of them: colour, clear screen (CSI as ESC [ and as C1 0x9B), a title change, a bell,
#: a right-to-left override that shows "evil.exe" as "exe.live", a bare CR that rewrites the line.
HOSTILE = "bad \x1b[31mred\x1b[0m \x9b2J \x1b]0;pwned\x07 \u202eexe.live\u202c fake\rOK"
#: A computer name with CR/LF would print a fake line of our own output.
COMPUTER = "EVIL-PC\r\nUpgrade   0xC1900101 - 0x40017  phase OOBE_BOOT"


def _hostile_case(root: Path) -> Path:
    items = [("OS Name", "Microsoft Windows 10 Pro"), ("System Name", "EVIL-PC&#13;&#10;Upgrade   0xC1900101 - "
                                                          "0x40017  phase OOBE_BOOT"), ("Time Zone", "UTC")]
    nfo = b"\xff\xfe" + _nfo(items, "System Summary").replace("<![CDATA[EVIL", "EVIL").replace(
        "OOBE_BOOT]]>", "OOBE_BOOT").encode("utf-16-le")
    log = (_line("Error", "SP", HOSTILE) + "\r\n").encode("utf-8")
    return make_zip(root / "c.zip", {"SYSSUM.NFO": nfo, "Panther/setupact.log": log})


def test_show_escapes_every_control_and_keeps_text() -> None:
    assert one_line(HOSTILE) == ("bad \\x1b[31mred\\x1b[0m \\x9b2J \\x1b]0;pwned\\x07 \\u202eexe.live\\u202c "
                             "fake\\x0dOK")
    assert one_line(COMPUTER).count("\n") == 0 and "\\x0d\\x0a" in one_line(COMPUTER)
    assert one_line("升级失败 C:\\Users\\张三\ttab") == "升级失败 C:\\Users\\张三\\x09tab"
    assert one_line(None) == ""
    # multi-line text keeps its lines (and CRLF) but no other control
    assert printable("a\r\nb\n\tc\x1bd\re") == "a\r\nb\n\tc\\x1bd\\x0de"


def test_dump_json_is_valid_json_with_json_escapes() -> None:
    text = dump_json({"m": HOSTILE, "c": COMPUTER}, indent=2)
    assert not RAW.search(text.replace("\n", ""))
    assert json.loads(text) == {"m": HOSTILE, "c": COMPUTER}  # the same strings, not altered
    assert "\\u202e" in text and "\\u009b" in text and "\\u001b" in text


def test_text_output_shows_case_content_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _hostile_case(tmp_path)
    main(["analyze", str(src), "--quiet"])
    out, _ = capsys.readouterr()
    assert not RAW.search(out)
    system = [ln for ln in out.splitlines() if ln.startswith("System")]
    assert len(system) == 1 and "computer EVIL-PC\\x0d\\x0aUpgrade" in system[0]
    assert not [ln for ln in out.splitlines() if ln.startswith("Upgrade   0xC1900101")]  # no forged line
    main(["files", str(src), "--quiet"])
    out, _ = capsys.readouterr()
    assert not RAW.search(out) and "SYSSUM.NFO" in out


def test_json_outputs_stay_valid_and_carry_the_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _hostile_case(tmp_path)
    main(["analyze", str(src), "--json", "--quiet"])
    out, _ = capsys.readouterr()
    assert not RAW.search(out.replace("\n", "")) and json.loads(out)["system"]["computer"] == COMPUTER
    main(["timeline", str(src), "--quiet"])
    out, _ = capsys.readouterr()
    rows = [json.loads(x) for x in out.splitlines()]
    assert not RAW.search(out.replace("\n", "")) and rows[0]["message"] == HOSTILE.replace("\r", "\n") or \
        rows[0]["message"].startswith("bad \x1b[31m")
    main(["files", str(src), "--json", "--quiet"])
    out, _ = capsys.readouterr()
    assert not RAW.search(out.replace("\n", "")) and len(json.loads(out)) == 2


def test_processes_text_escapes_names_and_command_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "Logfile.CSV", *upgrade_scenario())
    path.write_bytes(path.read_bytes().replace(b"SetupHost.exe", "Setup\x1b[8mHost\u202eexe.txt".encode()))
    main(["processes", str(path), "--quiet"])
    out, _ = capsys.readouterr()
    assert not RAW.search(out) and "Setup\\x1b[8mHost\\u202eexe.txt" in out
    main(["processes", str(path), "--json", "--quiet"])
    out, _ = capsys.readouterr()
    names: list[str] = []

    def walk(nodes: list[dict]) -> None:
        for n in nodes:
            names.append(n["name"])
            walk(n["children"])

    walk(json.loads(out))
    assert not RAW.search(out.replace("\n", "")) and "Setup\x1b[8mHost\u202eexe.txt" in names


class _FakeTerminal(io.StringIO):
    """A stdout that says it is a terminal, with a byte buffer like the real one."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()

    def isatty(self) -> bool:
        return True


def _note(case_path: Path, text: str) -> None:
    case = Case.open(case_path)
    try:
        case.ensure_ingested()
        with NotesStore.open(case.folder) as notes:
            notes.save(text)
    finally:
        case.close()


@pytest.mark.parametrize("fmt", ["md", "txt", "html", "eml"])
def test_reports_show_control_characters_escaped(tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """A report is a document for people: whether it goes to a file, a pipe or a terminal, the case's control
    characters are shown as escapes (the computer name's CR/LF does not forge a heading line), NULs dropped."""
    src = _hostile_case(tmp_path)
    _note(src, "Customer says: " + HOSTILE + " and a NUL \x00 here")
    assert main(["report", str(src), "--format", fmt, "--lang", "en", "--quiet"]) == 0
    data = capsysbinary.readouterr().out
    if fmt == "eml":
        text = _eml_text(data)
    else:
        text = data.decode("utf-8")
    assert not RAW.search(text.replace("\r\n", "\n")), RAW.search(text.replace("\r\n", "\n"))
    assert "\\x1b[31mred" in text and "\\u202eexe.live" in text and "EVIL-PC\\x0d\\x0aUpgrade" in text
    terminal = _FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["report", str(src), "--format", fmt, "--lang", "en", "--quiet"]) == 0
    shown = terminal.getvalue()
    assert shown and not terminal.buffer.getvalue()
    assert not RAW.search(shown.replace("\r\n", "\n"))


def test_csv_and_errors_on_a_terminal_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _hostile_case(tmp_path)
    out, err = _FakeTerminal(), _FakeTerminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["timeline", str(src), "--format", "csv", "--quiet"]) == 0
    assert "\\x1b[31m" in out.getvalue() and not RAW.search(out.getvalue().replace("\r\n", "\n"))
    assert main(["timeline", str(src), "--search", "\x1b[2J\u202e\"", "--quiet"]) == 2
    assert err.getvalue().count("\n") == 1 and not RAW.search(err.getvalue().rstrip("\n"))
    assert sys.stdout is out  # the terminal streams are put back after the command


def _run_on_pty(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run the CLI with stdout and stderr on a real pseudo-terminal; return its exit code and what it showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "workbench", *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks)


def test_a_real_terminal_sees_no_escape_sequence(tmp_path: Path, wb_home: Path) -> None:
    src = _hostile_case(tmp_path)
    _note(src, "Customer says: " + HOSTILE)
    env = dict(os.environ, WORKBENCH_HOME=str(wb_home))
    for args in (["report", str(src), "--format", "md"], ["analyze", str(src)], ["files", str(src)],
                 ["timeline", str(src), "--format", "csv"], ["timeline", str(src)]):
        code, shown = _run_on_pty(args, env)
        text = shown.decode("utf-8", "replace").replace("\r\n", "\n")
        assert code in (0, 1), (args, text)
        assert not RAW.search(text), (args, RAW.search(text), text[-300:])
    assert "\\x1b[31m" in text or "\\u001b[31m" in text
