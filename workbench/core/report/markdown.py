"""Just enough Markdown for engineers' notes in an HTML e-mail: escaped first, then a small safe subset.

Notes are written in the notes pane as Markdown (quotes from "Add to notes", lists, code, headings). A full
Markdown library would pass raw HTML through, which an e-mail summary must not do; this subset escapes every
character of the note and only then adds tags, each with inline styles (mail clients drop ``<style>``).
Supported: ATX headings, paragraphs (line breaks kept), ``>`` quotes, ``-``/``*``/``1.`` lists, fenced code,
``---`` rules, and inline code, bold, italic and http/https/mailto links. Anything else stays literal text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

STYLES = {
    "p": "margin:0 0 8px 0;",
    "h": "margin:12px 0 6px 0;font-family:Segoe UI,Microsoft YaHei,Arial,sans-serif;",
    "blockquote": "margin:0 0 8px 0;padding:4px 10px;border-left:3px solid #c8c8c8;color:#444444;",
    "pre": "margin:0 0 8px 0;padding:6px 8px;background:#f4f4f4;border:1px solid #dddddd;"
           "font-family:Consolas,Menlo,monospace;font-size:12px;white-space:pre-wrap;",
    "code": "font-family:Consolas,Menlo,monospace;font-size:12px;background:#f4f4f4;",
    "list": "margin:0 0 8px 0;padding-left:22px;",
    "hr": "border:0;border-top:1px solid #dddddd;margin:8px 0;",
    "a": "color:#0563c1;",
}

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")


def inline(text: str) -> Markup:
    """One line of Markdown as escaped HTML: code spans are literal, then bold, italic and safe links."""
    codes: list[str] = []
    text = text.replace("\x00", "")  # NUL marks the stashed code spans below; a note's own NULs mean nothing

    def stash(m: re.Match[str]) -> str:
        codes.append(f'<code style="{STYLES["code"]}">{escape(m.group(1))}</code>')
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE_SPAN.sub(stash, text)
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    html = _LINK.sub(lambda m: f'<a href="{m.group(2)}" style="{STYLES["a"]}">{m.group(1)}</a>', html)
    html = re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], html)
    return Markup(html)


def to_html(source: str, heading_offset: int = 2) -> Markup:
    """``source`` as e-mail-safe HTML; headings move down ``heading_offset`` levels to sit under the summary's."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                body.append(lines[i])
                i += 1
            i += 1
            out.append(f'<pre style="{STYLES["pre"]}">{escape(chr(10).join(body))}</pre>')
            continue
        if not line.strip():
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            level = min(6, len(heading.group(1)) + heading_offset)
            out.append(f'<h{level} style="{STYLES["h"]}">{inline(heading.group(2))}</h{level}>')
            i += 1
            continue
        if _RULE.match(line):
            out.append(f'<hr style="{STYLES["hr"]}">')
            i += 1
            continue
        if line.lstrip().startswith(">"):
            quoted: list[str] = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                quoted.append(re.sub(r"^\s*>\s?", "", lines[i]))
                i += 1
            out.append(f'<blockquote style="{STYLES["blockquote"]}">{to_html(chr(10).join(quoted), heading_offset)}'
                       "</blockquote>")
            continue
        for rx, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            if rx.match(line):
                items: list[str] = []
                while i < len(lines) and (m := rx.match(lines[i])):
                    items.append(f"<li>{inline(m.group(1))}</li>")
                    i += 1
                out.append(f'<{tag} style="{STYLES["list"]}">{"".join(items)}</{tag}>')
                break
        else:
            para: list[str] = []
            while i < len(lines) and lines[i].strip() and not (
                _FENCE.match(lines[i]) or _HEADING.match(lines[i]) or _RULE.match(lines[i])
                or lines[i].lstrip().startswith(">") or _BULLET.match(lines[i]) or _NUMBERED.match(lines[i])
            ):
                para.append(str(inline(lines[i].strip())))
                i += 1
            out.append(f'<p style="{STYLES["p"]}">{"<br>".join(para)}</p>')
    return Markup("\n".join(out))
