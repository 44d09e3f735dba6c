"""A writer of small x64 PE images (driver look-alikes) for tests: code, .pdata unwind data, exports, version.

Only what the dump analysis reads: section table, RUNTIME_FUNCTION entries with UNWIND_INFO, an export
table and a VS_VERSIONINFO resource with a CompanyName. Layout per the PE/COFF specification; one section per
0x1000 page, file offsets equal to RVAs so the file is its own mapped image. Nothing here is ever executed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

PAGE = 0x1000


@dataclass
class Function:
    begin: int  # RVA
    end: int
    codes: list[tuple[int, int, int, bytes]]  # (prolog offset, op, info, extra slot bytes), newest first
    prolog: int = 0
    frame_reg: int = 0
    frame_off16: int = 0


@dataclass
class PeSpec:
    timestamp: int
    size_of_image: int
    code: dict[int, bytes] = field(default_factory=dict)  # RVA (inside .text at 0x1000..) -> bytes
    functions: list[Function] = field(default_factory=list)
    exports: dict[str, int] = field(default_factory=dict)
    company: str | None = None
    dll_name: str = "driver.sys"


def _utf16z(text: str) -> bytes:
    return (text + "\0").encode("utf-16-le")


def _pad4(buf: bytearray) -> None:
    buf += bytes((-len(buf)) % 4)


def _vs_block(key: str, value: bytes, value_len: int, wtype: int, children: list[bytes]) -> bytes:
    body = bytearray(struct.pack("<HHH", 0, value_len, wtype)) + _utf16z(key)
    _pad4(body)
    body += value
    _pad4(body)
    for child in children:
        body += child
        _pad4(body)
    struct.pack_into("<H", body, 0, len(body))
    return bytes(body)


def version_resource(company: str) -> bytes:
    strings = [_vs_block(k, _utf16z(v), len(v) + 1, 1, []) for k, v in
               (("CompanyName", company), ("FileVersion", "1.2.3.4"), ("ProductName", "Test product"))]
    table = _vs_block("040904b0", b"", 0, 1, strings)
    sfi = _vs_block("StringFileInfo", b"", 0, 1, [table])
    fixed = struct.pack("<13I", 0xFEEF04BD, 0x10000, 0x10002, 0x30004, 0x10002, 0x30004, 0x3F, 0, 0x40004, 3, 0, 0, 0)
    return _vs_block("VS_VERSION_INFO", fixed, len(fixed), 0, [sfi])


def build_pe(spec: PeSpec) -> bytes:
    text_rva, rdata_rva, pdata_rva, rsrc_rva = 1 * PAGE, None, None, None
    code_end = max([rva + len(b) for rva, b in spec.code.items()] + [f.end for f in spec.functions] + [0x1100])
    text_size = (code_end - text_rva + PAGE - 1) // PAGE * PAGE
    rdata_rva = text_rva + text_size
    rdata = bytearray()
    unwind_rvas = []
    for f in spec.functions:
        _pad4(rdata)
        unwind_rvas.append(rdata_rva + len(rdata))
        slots = bytearray()
        for off, op, info, extra in f.codes:
            slots += bytes([off, op | (info << 4)]) + extra
        count = len(slots) // 2
        rdata += bytes([1, f.prolog, count, f.frame_reg | (f.frame_off16 << 4)]) + slots
        if count % 2:
            rdata += b"\0\0"
    export_dir_rva = 0
    if spec.exports:
        _pad4(rdata)
        export_dir_rva = rdata_rva + len(rdata)
        names = sorted(spec.exports)
        n = len(names)
        funcs_rva = export_dir_rva + 40
        names_rva = funcs_rva + 4 * n
        ords_rva = names_rva + 4 * n
        strings_rva = ords_rva + 2 * n
        strings = bytearray(spec.dll_name.encode() + b"\0")
        name_ptrs = []
        for name in names:
            name_ptrs.append(strings_rva + len(strings))
            strings += name.encode() + b"\0"
        rdata += struct.pack("<IIHHIIIIIII", 0, spec.timestamp, 0, 0, strings_rva, 1, n, n, funcs_rva, names_rva,
                             ords_rva)
        rdata += b"".join(struct.pack("<I", spec.exports[name]) for name in names)
        rdata += b"".join(struct.pack("<I", p) for p in name_ptrs)
        rdata += b"".join(struct.pack("<H", i) for i in range(n))
        rdata += strings
        export_size = rdata_rva + len(rdata) - export_dir_rva
    rdata_size = max(PAGE, (len(rdata) + PAGE - 1) // PAGE * PAGE)
    pdata_rva = rdata_rva + rdata_size
    pdata = b"".join(struct.pack("<III", f.begin, f.end, u) for f, u in zip(spec.functions, unwind_rvas, strict=True))
    rsrc_rva = pdata_rva + PAGE
    rsrc = bytearray()
    if spec.company:
        version = version_resource(spec.company)
        # root dir -> type 16 (RT_VERSION) -> id 1 -> language 0x409 -> data entry
        rsrc += struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 1) + struct.pack("<II", 16, 0x80000000 | 0x18)
        rsrc += struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 1) + struct.pack("<II", 1, 0x80000000 | 0x30)
        rsrc += struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 1) + struct.pack("<II", 0x409, 0x48)
        rsrc += struct.pack("<IIII", rsrc_rva + 0x58, len(version), 0, 0)
        rsrc += bytes(0x58 - len(rsrc)) + version
    sections = [(b".text", text_rva, text_size, 0x60000020), (b".rdata", rdata_rva, rdata_size, 0x40000040),
                (b".pdata", pdata_rva, PAGE, 0x40000040)]
    if rsrc:
        sections.append((b".rsrc", rsrc_rva, PAGE, 0x40000040))
    end = sections[-1][1] + sections[-1][2]
    image = bytearray(end)
    image[0:2] = b"MZ"
    struct.pack_into("<I", image, 0x3C, 0x80)
    image[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", image, 0x84, 0x8664, len(sections), spec.timestamp, 0, 0, 0xF0, 0x2022)
    opt = 0x98
    struct.pack_into("<HBBIIIIIQII", image, opt, 0x20B, 14, 0, text_size, 0, 0, text_rva, text_rva,
                     0xFFFFF80000000000 & 0xFFFFFFFFFFFFFFFF, PAGE, PAGE)
    struct.pack_into("<HHHHHHI", image, opt + 40, 10, 0, 10, 0, 10, 0, 0)
    struct.pack_into("<IIIHH", image, opt + 56, spec.size_of_image, PAGE, 0, 1, 0x160)
    struct.pack_into("<QQQQII", image, opt + 72, 0x40000, 0x1000, 0x100000, 0x1000, 0, 16)
    dirs = opt + 112
    if spec.exports:
        struct.pack_into("<II", image, dirs + 0 * 8, export_dir_rva, export_size)
    if rsrc:
        struct.pack_into("<II", image, dirs + 2 * 8, rsrc_rva, len(rsrc))
    if pdata:
        struct.pack_into("<II", image, dirs + 3 * 8, pdata_rva, len(pdata))
    table = opt + 0xF0
    for i, (name, rva, size, chars) in enumerate(sections):
        struct.pack_into("<8sIIIIIIHHI", image, table + 40 * i, name, size, rva, size, rva, 0, 0, 0, 0, chars)
    for rva, data in spec.code.items():
        image[rva:rva + len(data)] = data
    image[rdata_rva:rdata_rva + len(rdata)] = rdata
    image[pdata_rva:pdata_rva + len(pdata)] = pdata
    image[rsrc_rva:rsrc_rva + len(rsrc)] = rsrc
    return bytes(image)
