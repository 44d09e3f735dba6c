"""Turning the names archives carry into clean logical paths, and decoding legacy zip names.

Windows' own "Send to compressed folder" and most Chinese archivers write zip names in the OEM/ANSI code
page (GBK/CP936 on Chinese Windows) without the UTF-8 flag; Python decodes those as CP437 and shows
mojibake. We recover the raw bytes and decode them the way the customer's Windows wrote them.
"""

from __future__ import annotations

import re
import struct

from workbench.core.textio import looks_like_gbk

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f]")
#: Anything cleaning might change: control characters, backslashes, a drive, a leading, doubled or trailing
#: '/', '.' and '..' parts, and what could be a device name. Names without any go through unchanged.
_NEEDS_CLEANING = re.compile(
    r"[\x00-\x1f\\:]|^/|//|/$|(?:^|/)\.\.?(?:/|$)"
    r"|(?i:(?:^|/)(?:con|prn|aux|nul|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3]|conin\$|conout\$"
    r"|clock\$)[ .]*(?:\.|/|$))"
)


def clean_member_path(raw: str) -> tuple[str, list[str]]:
    """Return a '/'-separated relative path with no empty, ``.`` or ``..`` parts, plus notes on what changed.

    The result is only ever used as a label and for kind detection; files are stored under names of
    our own, so this is about showing the truth, not about safety.
    """
    if not _NEEDS_CLEANING.search(raw):  # nearly every name; checking each part cost 3 µs a member
        return raw, []
    return clean_member_path_slowly(raw)


def clean_member_path_slowly(raw: str) -> tuple[str, list[str]]:
    """:func:`clean_member_path` without the shortcut for names that need nothing (the tests compare them)."""
    notes: list[str] = []
    name = raw.replace("\\", "/")
    if _CONTROL.search(name):
        notes.append("control characters in the name replaced")
        name = _CONTROL.sub("_", name)
    if name.startswith("//"):
        notes.append("UNC path made relative")
    elif _DRIVE.match(name):
        notes.append(f"drive letter {name[:2]} stripped")
        name = name[2:]
    elif name.startswith("/"):
        notes.append("absolute path made relative")
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if "path traversal ('..') removed" not in notes:
                notes.append("path traversal ('..') removed")
            continue
        if is_device_name(part):
            notes.append(f"{part!r} is a Windows device name (never written as a file)")
        if ":" in part:
            notes.append(f"{part!r} names an NTFS alternate data stream ('{part.split(':', 1)[1]}' of "
                         f"'{part.split(':', 1)[0]}'); a Windows copy would hide it in another file")
        parts.append(part)
    return "/".join(parts), notes


#: Windows' reserved device names; the superscript digits count too (COM¹ is COM1 to Windows' name parser,
#: as Microsoft's "Naming Files, Paths, and Namespaces" lists them)
_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
            *(f"COM{i}" for i in [*range(1, 10), "\u00b9", "\u00b2", "\u00b3"]),
            *(f"LPT{i}" for i in [*range(1, 10), "\u00b9", "\u00b2", "\u00b3"])}


def is_device_name(part: str) -> bool:
    """Windows treats ``CON``, ``NUL.txt``, ``com1 .log``, ``COM¹`` ... as devices, whatever the extension."""
    return part.split(".", 1)[0].rstrip(" .").upper() in _DEVICES


def choose_legacy_encoding(raw_names: list[bytes], preferred: str | None = None) -> str:
    """Pick one encoding for all the non-UTF-8-flagged names of a zip: the user's choice, UTF-8, GBK or CP437.

    One choice per archive keeps names consistent; UTF-8 is tried first because Linux and macOS zip tools
    write UTF-8 without setting the flag.
    """
    if preferred:
        return preferred
    non_ascii = [n for n in raw_names if not n.isascii()]
    if not non_ascii:
        return "cp437"
    try:
        for n in non_ascii:
            n.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if looks_like_gbk(b"".join(n + b"/" for n in non_ascii)):
        return "gbk"
    return "cp437"


def unicode_path_extra(extra: bytes) -> str | None:
    """The Info-ZIP Unicode Path extra field (0x7075), which some archivers add beside a legacy name."""
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, i)
        body = extra[i + 4 : i + 4 + size]
        if tag == 0x7075 and len(body) > 5 and body[0] == 1:
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        i += 4 + size
    return None
