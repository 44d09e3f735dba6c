"""Streaming XML for the setup parsers: whatever encoding the file really has, with line numbers.

Setup's XML files lie about their encoding often enough to matter: SetupDiagResults.xml declares UTF-16
(and is, when Windows wrote it) but arrives re-saved as UTF-8 from collectors; msinfo32 NFO files are
UTF-16 without a declaration. We sniff the BOM ourselves (:func:`workbench.core.textio.sniff_encoding`),
decode incrementally, drop the declared encoding and hand expat UTF-8, a chunk at a time, so a 200 MB NFO
costs a bounded amount of memory. Malformed XML stops the read with a problem naming the line; what was
read before it is kept.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

from workbench.core.parsers.base import Mediator
from workbench.core.textio import sniff_encoding

CHUNK = 1024 * 1024
_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)

StartFn = Callable[[str, dict[str, str], int], None]
EndFn = Callable[[str, str, int], None]


def local_name(name: str) -> str:
    """``z:row`` → ``row``; namespace prefixes carry nothing the parsers need."""
    return name.rsplit(":", 1)[-1]


def stream_xml(path: Path, mediator: Mediator, start: StartFn, end: EndFn | None = None) -> bool:
    """Call ``start(name, attrs, line)`` and ``end(name, text, line)`` for every element; True when well-formed.

    ``text`` is the element's own character data (CDATA included), stripped. Checks for cancel every chunk.
    """
    parser = expat.ParserCreate("utf-8")
    texts: list[list[str]] = []

    def on_start(name: str, attrs: dict[str, str]) -> None:
        texts.append([])
        start(local_name(name), attrs, parser.CurrentLineNumber)

    def on_end(name: str) -> None:
        text = "".join(texts.pop()).strip() if texts else ""
        if end is not None:
            end(local_name(name), text, parser.CurrentLineNumber)

    def on_data(data: str) -> None:
        if texts:
            texts[-1].append(data)

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_data
    parser.buffer_text = True
    with open(path, "rb") as fh:
        head = fh.read(4096)
        codec, bom = sniff_encoding(head)
        fh.seek(bom)
        decoder = codecs.getincrementaldecoder(codec)("replace")
        first = True
        offset = bom
        try:
            while True:
                raw = fh.read(CHUNK)
                final = not raw
                text = decoder.decode(raw, final=final).replace("\x00", "")
                if first:
                    text = _DECL.sub("", text.lstrip("\ufeff"), count=1)
                    if not text.strip() and final:
                        mediator.problem("the file is empty")
                        return False
                    first = False
                parser.Parse(text.encode("utf-8"), final)
                offset += len(raw)
                mediator.check(offset)
                if final:
                    break
        except expat.ExpatError as exc:
            if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS] and final:
                # Panther rowsets are closed only when Setup exits: a live or cut-off file ends open
                mediator.problem("the XML ends before its closing tags (cut short, or still being written "
                                 f"when collected) at line {exc.lineno}; everything before was read", None)
                return False
            mediator.problem(f"not well-formed XML at line {exc.lineno}, column {exc.offset}: "
                             f"{expat.ErrorString(exc.code)}; read up to there", None)
            return False
    return True
