"""``workbench report``: the subcommand end to end, through the CLI entry point."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from tests.unit.test_report_summary import PLANTED, build_case
from workbench.cli import main


def test_report_command_writes_each_format(tmp_path: Path, capsys) -> None:
    case = build_case(tmp_path, all_plugins=True)  # as the CLI ingests, so it finds the store current
    source = str(case.source)
    case.close()
    out = tmp_path / "out"
    out.mkdir()
    now = "2026-11-25T08:30:00Z"
    for fmt in ("md", "html", "txt", "eml"):
        target = out / f"summary.{fmt}"
        assert main(["report", source, "--format", fmt, "--lang", "en", "--now", now, "-q", "-o", str(target)]) == 0
        assert target.stat().st_size > 0
    md = (out / "summary.md").read_text("utf-8")
    assert md.startswith("# Case summary: 0xC1900101 - 0x40017 on FIN-PC-0231")
    assert "lwfmgr" in md
    msg = BytesParser(policy=policy.default).parsebytes((out / "summary.eml").read_bytes())
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]

    # preview, then an edited list, then a redacted Chinese export
    assert main(["report", source, "--redact-preview", "-q", "--now", now]) == 0
    preview = capsys.readouterr().out
    assert "PC-1" in preview and "FIN-PC-0231" in preview and "fact system.computer" in preview
    target = out / "redacted.html"
    assert main(["report", source, "--format", "html", "--redact", "--redact-add", "user=Customer",
                 "--redact-keep", PLANTED["ipv4"], "-q", "--now", now, "-o", str(target)]) == 0
    html = target.read_text("utf-8")
    assert "案例描述" in html and "lwfmgr.sys" in html
    assert PLANTED["ipv4"] in html  # the user said keep
    for name, value in PLANTED.items():
        assert name == "ipv4" or value not in html
    assert "Customer uninstalled" not in html


def test_report_command_rejects_a_bad_time(tmp_path: Path, capsys) -> None:
    case = build_case(tmp_path, all_plugins=True)
    source = str(case.source)
    case.close()
    assert main(["report", source, "--now", "yesterday", "-q"]) == 2
    assert "--now" in capsys.readouterr().err
