"""HTML and Markdown safety: case content is text, the HTML is e-mail-safe, notes keep their formatting."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.unit.test_report_summary import NOW, build_case
from workbench.core.report import build_summary, render_summary
from workbench.core.report.markdown import to_html
from workbench.core.report.render import code_fence, md_escape, notes_md

HOSTILE = "<script>alert('x')</script>"


class _Tags(HTMLParser):
    """Every start tag and its attributes, as a mail client would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_is_escaped_and_email_safe(tmp_path: Path, lang: str) -> None:
    case = build_case(tmp_path)
    try:
        summary = build_summary(case.store, lang=lang, now=NOW)
        # case content can carry markup anywhere, not only in log lines
        summary["findings"][0]["remediation"] = HOSTILE
        summary["system"]["os_name"] = '"><img src=x onerror=alert(1)>'
        html = render_summary(summary, "html")
    finally:
        case.close()
    parser = _Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "style", "img", "link", "iframe", "object", "embed", "form", "base"}
    for tag, attrs in parser.tags:
        assert not any(a.startswith("on") for a in attrs), tag
        assert "class" not in attrs and "src" not in attrs, tag
        assert "href" not in attrs or attrs["href"].startswith(("https://", "http://", "mailto:")), tag
    text = "".join(parser.text)
    assert HOSTILE in text  # shown, as text
    assert "Script error <script>alert('x')</script> & <b>bold</b>" in text
    assert "<img src=x onerror=alert(1)>" in text  # from the engineer's note
    assert "url(" not in html and "@import" not in html


def test_markdown_output_neutralises_case_text(tmp_path: Path) -> None:
    case = build_case(tmp_path)
    try:
        summary = build_summary(case.store, lang="en", now=NOW)
        summary["findings"][0]["evidence"][0]["text"] = "a ``` fence and a ```` longer one"
        md = render_summary(summary, "md")
    finally:
        case.close()
    assert "#### 2. SetupHost.exe exited unexpectedly \\<vUserHCI.exe\\> (high)" in md
    assert "\n`````text\n" in md  # a fence longer than any run of backticks in the content
    assert "Not a tag: \\<img src=x onerror=alert(1)>" in md


def test_markdown_helpers() -> None:
    assert md_escape("a_b *c* <d> [e]") == "a\\_b \\*c\\* \\<d\\> \\[e\\]"
    assert md_escape("# not a heading\n- not a list") == "\\# not a heading\n\\- not a list"
    assert code_fence("x ``` y") == "````text\nx ``` y\n````"
    assert notes_md("# Title\n```\n# code <b>\n```\nuse `<b>` or <i>") == \
        "### Title\n```\n# code <b>\n```\nuse `<b>` or \\<i>"


def test_notes_markdown_to_html() -> None:
    html = str(to_html("# Plan\n\n- **one** `<b>`\n- two\n\n> quoted <i>\n\n[ok](https://example.com/?a=1&b=2) "
                       "[bad](javascript:alert(1))\n\n```\n<script>\n```"))
    assert re.search(r"<h3 style=\"[^\"]+\">Plan</h3>", html)
    assert "<li><strong>one</strong> <code" in html and "&lt;b&gt;</code>" in html
    assert "<blockquote" in html and "quoted &lt;i&gt;" in html
    assert 'href="https://example.com/?a=1&amp;b=2"' in html
    assert "javascript:" in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_a_team_template_overrides_the_bundled_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = tmp_path / "team-templates"
    team.mkdir()
    (team / "summary.en.txt.j2").write_text("TEAM {{ s.upgrade.result_code }} {{ s.findings | length }}\n", "utf-8")
    case = build_case(tmp_path / "case")
    try:
        summary = build_summary(case.store, lang="en", now=NOW)
        monkeypatch.setenv("WORKBENCH_REPORT_TEMPLATES", str(team))
        assert render_summary(summary, "txt") == "TEAM 0xC1900101 2\n"
        assert render_summary(summary, "md").startswith("# Case summary")  # the rest still comes from resources/
    finally:
        case.close()
