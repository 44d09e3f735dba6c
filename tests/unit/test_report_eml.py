"""The ``.eml`` export: a MIME message the standard library parses, with a plain and an HTML alternative."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from tests.unit.test_report_summary import NOW, build_case
from workbench.core.report import export_summary


def _parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


def test_eml_has_plain_and_html_alternatives(tmp_path: Path) -> None:
    case = build_case(tmp_path)
    try:
        msg = _parse(export_summary(case.store, "eml", lang="zh", now=NOW))
    finally:
        case.close()
    assert msg.get_content_type() == "multipart/alternative"
    assert not msg.defects
    kinds = [part.get_content_type() for part in msg.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "案例描述" in plain and "建议 / 下一步" in plain and "0xC1900101 - 0x40017" in plain
    assert html.lstrip().startswith("<!DOCTYPE html>") and "案例分析" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert msg["Subject"].startswith("Windows 升级失败 0xC1900101 - 0x40017")
    assert msg["X-Unsent"] == "1"
    assert msg["Date"] == "Wed, 25 Nov 2026 08:30:00 +0000"


def test_eml_attachments_and_determinism(tmp_path: Path) -> None:
    case = build_case(tmp_path)
    try:
        first = export_summary(case.store, "eml", lang="en", now=NOW, attach_markdown=True, attach_evidence=True)
        second = export_summary(case.store, "eml", lang="en", now=NOW, attach_markdown=True, attach_evidence=True)
        markdown = export_summary(case.store, "md", lang="en", now=NOW).decode("utf-8")
    finally:
        case.close()
    assert first == second, "the same summary exported twice must give the same bytes"
    assert b"\r\n" in first
    msg = _parse(first)
    assert msg.get_content_type() == "multipart/mixed"
    alternative = next(p for p in msg.iter_parts() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    attachments = {a.get_filename(): a for a in msg.iter_attachments()}
    assert set(attachments) == {"summary-0xC1900101.en.md", "evidence-0xC1900101.en.txt"}
    # MIME text travels with CRLF line ends; the content is otherwise the Markdown export itself
    assert attachments["summary-0xC1900101.en.md"].get_content().replace("\r\n", "\n") == markdown
    evidence = attachments["evidence-0xC1900101.en.txt"].get_content()
    assert "Rollback/setupact.log:3" in evidence
    assert "Driver lwfmgr.sys failed NdisFDeregisterFilterDriver" in evidence
    assert msg["Subject"] == ("Windows upgrade failure 0xC1900101 - 0x40017 on FIN-PC-0231: "
                              "Blue screen in lwfmgr.sys during the second boot (蓝屏)")
