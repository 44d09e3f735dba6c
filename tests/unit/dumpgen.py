"""A small writer of kernel triage dumps (PAGEDU64 / PAGEDUMP, DumpType 4) for tests, so CI needs no samples.

It lays the file out the way reference/dumps.md §2.1-2.2 documents it: header (unused fields filled with
"PAGE"), triage block at 0x2000 (0x1000 for 32-bit), stack copy mapped at TopOfStack, driver list with a
string pool, data blocks, and the ``TRGD`` marker at ValidOffset.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

FILETIME_EPOCH_US = 11644473600 * 1_000_000


@dataclass
class Driver:
    name: str  # file name; the path written is \SystemRoot\System32\drivers\<name>
    base: int
    size: int
    timestamp: int = 0x5F000000
    checksum: int = 0x1234


@dataclass
class TriageSpec:
    bits: int = 64
    build: int = 19041
    bugcheck: int = 0x7E
    params: tuple[int, int, int, int] = (0, 0, 0, 0)
    crash_time_us: int = 1_613_871_502_000_000
    top_of_stack: int = 0xFFFF850429890000
    stack: bytes = b""
    header_context: bytes = b""  # raw CONTEXT for the header (0x4D0 x64 / 0x2CC x86)
    drivers: list[Driver] = field(default_factory=list)
    blocks: list[tuple[int, bytes]] = field(default_factory=list)  # (VA, bytes) of extra memory


def x64_context(rip: int, rsp: int) -> bytes:
    ctx = bytearray(0x4D0)
    struct.pack_into("<I", ctx, 0x30, 0x10001F)
    struct.pack_into("<Q", ctx, 0x98, rsp)
    struct.pack_into("<Q", ctx, 0xF8, rip)
    return bytes(ctx)


def x86_context(eip: int, esp: int) -> bytes:
    ctx = bytearray(0x2CC)
    struct.pack_into("<I", ctx, 0xB8, eip)
    struct.pack_into("<I", ctx, 0xC4, esp)
    return bytes(ctx)


def exception_record64(code: int, address: int, params: tuple[int, ...] = (0, 0x158)) -> bytes:
    """An EXCEPTION_RECORD64; an access violation's parameters are (0 read / 1 write / 8 execute, address):
    the default is the brief's read of [rbx+158h] with rbx = 0."""
    rec = bytearray(0x98)
    struct.pack_into("<IIQQI", rec, 0, code, 0, 0, address, len(params))
    for i, value in enumerate(params):
        struct.pack_into("<Q", rec, 0x20 + 8 * i, value)
    return bytes(rec)


def build_triage(spec: TriageSpec) -> bytes:
    """The bytes of a triage dump described by ``spec``."""
    wide = spec.bits == 64
    hsize = 0x2000 if wide else 0x1000
    header = bytearray(b"PAGE" * (hsize // 4))
    header[0:8] = b"PAGEDU64" if wide else b"PAGEDUMP"
    struct.pack_into("<II", header, 8, 0xF, spec.build)
    if wide:
        struct.pack_into("<II", header, 0x30, 0x8664, 4)
        struct.pack_into("<I", header, 0x38, spec.bugcheck)
        struct.pack_into("<4Q", header, 0x40, *spec.params)
        ctx = spec.header_context or bytes(0x4D0)
        header[0x348:0x348 + len(ctx)] = ctx
        header[0xF00:0xF98] = bytes(0x98)
        struct.pack_into("<I", header, 0xF98, 4)
        struct.pack_into("<Q", header, 0xFA8, spec.crash_time_us * 10 + FILETIME_EPOCH_US * 10)
    else:
        struct.pack_into("<II", header, 0x20, 0x14C, 1)
        struct.pack_into("<I", header, 0x28, spec.bugcheck)
        struct.pack_into("<4I", header, 0x2C, *spec.params)
        ctx = spec.header_context or bytes(0x2CC)
        header[0x320:0x320 + len(ctx)] = ctx
        header[0x7D0:0x820] = bytes(0x50)
        struct.pack_into("<I", header, 0xF88, 4)
        struct.pack_into("<Q", header, 0xFC0, spec.crash_time_us * 10 + FILETIME_EPOCH_US * 10)

    triage_off = hsize
    pos = triage_off + 0x100
    stack_off = pos
    pos += len(spec.stack)
    pos = (pos + 7) & ~7
    stride = 0x90 if wide else 0x4C
    drivers_off = pos
    pos += stride * len(spec.drivers)
    pool_off = pos
    pool = bytearray()
    name_offsets = []
    for d in spec.drivers:
        text = f"\\SystemRoot\\System32\\drivers\\{d.name}".encode("utf-16-le")
        name_offsets.append(pool_off + len(pool))
        pool += struct.pack("<I", len(text) // 2) + text + b"\0\0"
        pool += bytes((-len(pool)) % 8)
    pos += len(pool)
    blocks_off = pos
    pos += 16 * len(spec.blocks)
    block_data_off = pos
    pos += sum(len(b) for _, b in spec.blocks)
    valid_off = pos

    driver_table = bytearray(stride * len(spec.drivers))
    for i, d in enumerate(spec.drivers):
        e = i * stride
        struct.pack_into("<I", driver_table, e, name_offsets[i])
        if wide:
            struct.pack_into("<Q", driver_table, e + 0x38, d.base)
            struct.pack_into("<I", driver_table, e + 0x48, d.size)
            struct.pack_into("<I", driver_table, e + 0x80, d.checksum)
            struct.pack_into("<I", driver_table, e + 0x88, d.timestamp)
        else:
            struct.pack_into("<I", driver_table, e + 0x1C, d.base)
            struct.pack_into("<I", driver_table, e + 0x24, d.size)
            struct.pack_into("<I", driver_table, e + 0x44, d.checksum)
            struct.pack_into("<I", driver_table, e + 0x48, d.timestamp)
    block_table = bytearray()
    block_data = bytearray()
    for va, data in spec.blocks:
        block_table += struct.pack("<QII", va, block_data_off + len(block_data), len(data))
        block_data += data

    triage = bytearray(0x100)
    fields = {0x04: valid_off + 4, 0x08: valid_off, 0x0C: 0x348 if wide else 0x320,
              0x10: 0xF00 if wide else 0x7D0, 0x28: stack_off, 0x2C: len(spec.stack), 0x30: drivers_off,
              0x34: len(spec.drivers), 0x38: pool_off, 0x3C: len(pool), 0x44: 0xFFFFFFFF}
    for off, value in fields.items():
        struct.pack_into("<I", triage, off, value)
    if wide:
        struct.pack_into("<Q", triage, 0x48, spec.top_of_stack)
        struct.pack_into("<II", triage, 0x78, blocks_off, len(spec.blocks))
    else:
        struct.pack_into("<I", triage, 0x48, spec.top_of_stack)
        struct.pack_into("<II", triage, 0x5C, blocks_off, len(spec.blocks))

    out = bytearray(header) + triage + spec.stack
    out += bytes(drivers_off - len(out))
    out += driver_table + pool + block_table + block_data
    assert len(out) == valid_off
    out += b"TRGD"
    return bytes(out)


# ------------------------------------------------------------------------------------------- scenarios

NT = Driver("ntoskrnl.exe", 0xFFFFF80400000000, 0x1000000)
NDIS = Driver("ndis.sys", 0xFFFFF80411000000, 0x150000)
LWFMGR = Driver("lwfmgr.sys", 0xFFFFF80422000000, 0x20000, timestamp=0x5E5E5E5E)
OTHER = Driver("acmefilt.sys", 0xFFFFF80433000000, 0x10000)


def lwfmgr_case(crash_time_us: int = 1_700_000_000_000_000, extra_frames: int = 0) -> bytes:
    """The BRIEF.md case as a triage dump: 0x7E, fault in ndis (NULL handle), called from lwfmgr.sys.

    P3/P4 point at an exception record and a CONTEXT inside the stack copy, as in real 0x7E dumps; above the
    fault's RSP sit return addresses into lwfmgr and nt, and one stale data pointer into lwfmgr.
    """
    top = 0xFFFF850429890000
    stack = bytearray(0x2000 + 8 * extra_frames)
    exr_va, ctx_va, rsp = top + 0x200, top + 0x400, top + 0x1000
    fault = NDIS.base + 0x1A047
    stack[0x200:0x298] = exception_record64(0xC0000005, fault)
    stack[0x400:0x8D0] = x64_context(fault, rsp)
    returns = [LWFMGR.base + 0x5167, LWFMGR.base + 0xB49A, NT.base + 0x6A04BD, NT.base + 0x6A0134]
    slot = 0x1000 + 0x28
    for value in returns:
        struct.pack_into("<Q", stack, slot, value)
        slot += 0x30
    struct.pack_into("<Q", stack, 0x1010, LWFMGR.base + 0x10)  # inside the PE header page: must be ignored
    for i in range(extra_frames):
        struct.pack_into("<Q", stack, 0x2000 + 8 * i, NT.base + 0x2000 + 16 * i)
    # code bytes before lwfmgr+0x5167: "call qword ptr [rip+x]" (FF 15 disp32), as the image would have
    code = bytes(0x100 - 8) + b"\x90\x90\xff\x15\x10\x20\x00\x00"
    blocks = [(LWFMGR.base + 0x5167 - 0x100, code + bytes(0x100))]
    spec = TriageSpec(bugcheck=0x7E, params=(0xFFFFFFFFC0000005, fault, exr_va, ctx_va),
                      crash_time_us=crash_time_us, top_of_stack=top, stack=bytes(stack),
                      header_context=x64_context(NT.base + 0x3F5A80, top + 0x8),
                      drivers=[NT, NDIS, LWFMGR], blocks=blocks)
    return build_triage(spec)


def unrelated_d1(crash_time_us: int) -> bytes:
    """An unrelated 0xD1 minidump blaming another third-party driver (for "do not blame the old dump")."""
    top = 0xFFFF850400000000
    stack = bytearray(0x400)
    struct.pack_into("<Q", stack, 0x100, OTHER.base + 0x2222)
    spec = TriageSpec(bugcheck=0xD1, params=(0x8, 0x2, 0x0, OTHER.base + 0x1111), crash_time_us=crash_time_us,
                      top_of_stack=top, stack=bytes(stack), header_context=x64_context(OTHER.base + 0x1111, top),
                      drivers=[NT, OTHER])
    return build_triage(spec)


def x86_case() -> bytes:
    """A 32-bit (PAGEDUMP) 0x1E triage dump: fault in a third-party driver called from the kernel."""
    nt = Driver("ntoskrnl.exe", 0x80400000, 0x200000)
    drv = Driver("qic117.sys", 0xFE430000, 0x10000)
    top = 0xFE40C000
    stack = bytearray(0x800)
    struct.pack_into("<I", stack, 0x104, drv.base + 0x85B4)
    struct.pack_into("<I", stack, 0x120, nt.base + 0x33184)
    spec = TriageSpec(bits=32, build=19045, bugcheck=0x1E, params=(0xC0000005, drv.base + 0xB1E4, 0, 0x362CFFF),
                      top_of_stack=top, stack=bytes(stack), header_context=x86_context(drv.base + 0xB1E4, top + 0x100),
                      drivers=[nt, drv])
    return build_triage(spec)


def lwfmgr_with_images(crash_time_us: int = 1_700_000_000_000_000,
                       lwfmgr_company: str = "Contoso Ltd.") -> tuple[bytes, bytes, bytes]:
    """The BRIEF.md case again, now with ndis.sys and lwfmgr.sys images so .pdata unwinding is exact.

    ndis!NdisFDeregisterFilterDriver (RVA 0x1000: push rbx; sub rsp,20h) faults at +0x47; it was called by
    lwfmgr's function at 0x5100 (sub rsp,28h; call [rip+x] at 0x5161), called by the function at 0xB400
    (push rbp; sub rsp,40h; lea rbp,[rsp+20h]), called from nt+0x6A04BD. Returns (dump, ndis, lwfmgr).
    """
    top = 0xFFFF850429890000
    stack = bytearray(0x2000)
    s_off = 0x1000
    S = top + s_off
    fault = NDIS.base + 0x1047
    exr_va, ctx_va = top + 0x200, top + 0x400
    stack[0x200:0x298] = exception_record64(0xC0000005, fault)
    ctx = bytearray(x64_context(fault, S))
    struct.pack_into("<Q", ctx, 0x90, 0)  # rbx = 0: the NULL filter handle
    struct.pack_into("<Q", ctx, 0xA0, S + 0x80)  # rbp: the frame pointer of lwfmgr's outer function
    stack[0x400:0x8D0] = ctx
    put = lambda off, value: struct.pack_into("<Q", stack, s_off + off, value)  # noqa: E731
    put(0x20, 0x1111)                      # ndis: saved rbx
    put(0x28, LWFMGR.base + 0x5167)        # ndis returns into lwfmgr
    put(0x58, LWFMGR.base + 0xB49A)        # lwfmgr 0x5100 returns into lwfmgr 0xB400
    put(0x30, NT.base + 0x123456)          # a stale value inside A's locals: unwinding skips it
    put(0xA0, 0x2222)                      # lwfmgr 0xB400: saved rbp
    put(0xA8, NT.base + 0x6A04BD)          # returns into nt (IopLoadDriver)
    put(0xB8, NT.base + 0x6A0134)          # beyond: only a scan can find it (no nt image)
    spec = TriageSpec(bugcheck=0x7E, params=(0xFFFFFFFFC0000005, fault, exr_va, ctx_va),
                      crash_time_us=crash_time_us, top_of_stack=top, stack=bytes(stack),
                      header_context=x64_context(NT.base + 0x3F5A80, top + 0x8), drivers=[NT, NDIS, LWFMGR])
    ndis, lwf = _brief_images(lwfmgr_company)
    return build_triage(spec), ndis, lwf


def lwfmgr_unwind_spec() -> TriageSpec:
    """The TriageSpec behind :func:`lwfmgr_with_images` (for writing the same crash as a full dump)."""

    data = lwfmgr_with_images()[0]
    top = struct.unpack_from("<Q", data, 0x2048)[0]
    off, size = struct.unpack_from("<II", data, 0x2028)
    params = struct.unpack_from("<4Q", data, 0x40)
    return TriageSpec(bugcheck=0x7E, params=params, top_of_stack=top, stack=data[off:off + size],
                      header_context=data[0x348:0x348 + 0x4D0], drivers=[NT, NDIS, LWFMGR])


def _brief_images(lwfmgr_company: str) -> tuple[bytes, bytes]:
    from tests.unit import pegen

    ndis = pegen.build_pe(pegen.PeSpec(
        timestamp=NDIS.timestamp, size_of_image=NDIS.size, company="Microsoft Corporation", dll_name="ndis.sys",
        code={0x1000: b"\x53\x48\x83\xec\x20" + b"\x90" * 0x42 + b"\x48\x8b\x8b\x58\x01\x00\x00"},
        functions=[pegen.Function(0x1000, 0x1080, [(5, 2, 3, b""), (1, 0, 3, b"")], prolog=5),
                   pegen.Function(0x1100, 0x1180, [(4, 2, 4, b"")], prolog=4)],
        exports={"NdisFDeregisterFilterDriver": 0x1000, "NdisFRegisterFilterDriver": 0x1100}))
    lwf = pegen.build_pe(pegen.PeSpec(
        timestamp=LWFMGR.timestamp, size_of_image=LWFMGR.size, company=lwfmgr_company, dll_name="lwfmgr.sys",
        code={0x5100: b"\x48\x83\xec\x28", 0x5161: b"\xff\x15\x00\x10\x00\x00",
              0xB400: b"\x55\x48\x83\xec\x40\x48\x8d\x6c\x24\x20", 0xB494: b"\xe8\x67\x9c\xff\xff"},
        functions=[pegen.Function(0x5100, 0x5200, [(4, 2, 4, b"")], prolog=4),
                   pegen.Function(0xB400, 0xB500, [(10, 3, 0, b""), (5, 2, 7, b""), (1, 0, 5, b"")], prolog=10,
                                  frame_reg=5, frame_off16=2)]))
    return ndis, lwf


# ------------------------------------------------------------------------------------------- full / bitmap


class _PhysBuilder:
    """Physical pages plus x64 page tables mapping chosen virtual pages (for full and bitmap dumps)."""

    def __init__(self) -> None:
        self.pages: dict[int, bytearray] = {}
        self.next_pfn = 1
        self.cr3 = self._new() * 0x1000

    def _new(self) -> int:
        pfn = self.next_pfn
        self.next_pfn += 1
        self.pages[pfn] = bytearray(0x1000)
        return pfn

    def _table(self, table_pa: int, index: int) -> int:
        page = self.pages[table_pa >> 12]
        entry = struct.unpack_from("<Q", page, index * 8)[0]
        if not entry & 1:
            entry = (self._new() << 12) | 0x63
            struct.pack_into("<Q", page, index * 8, entry)
        return entry & 0x000FFFFFFFFFF000

    def map(self, va: int) -> bytearray:
        """The physical page backing virtual page ``va`` (created and mapped on first use)."""
        t = self.cr3
        for shift in (39, 30, 21):
            t = self._table(t, (va >> shift) & 0x1FF)
        page = self.pages[t >> 12]
        index = (va >> 12) & 0x1FF
        entry = struct.unpack_from("<Q", page, index * 8)[0]
        if not entry & 1:
            entry = (self._new() << 12) | 0x63
            struct.pack_into("<Q", page, index * 8, entry)
        return self.pages[entry >> 12]

    def write(self, va: int, data: bytes) -> None:
        while data:
            page = self.map(va & ~0xFFF)
            off = va & 0xFFF
            take = min(len(data), 0x1000 - off)
            page[off:off + take] = data[:take]
            va += take
            data = data[take:]


def build_physical_dump(bitmap: bool = False, with_images: bool = False) -> bytes:
    """A full (DumpType 1) or bitmap (5, ``SDMP``) dump of the lwfmgr crash: page tables, module list, stack.

    ``with_images`` maps the ndis and lwfmgr images (with .pdata and exports) into memory, as a real full
    dump has them, and uses the stack layout those images unwind.
    """
    if with_images:
        spec = lwfmgr_unwind_spec()
        ndis, lwf = _brief_images("Contoso Ltd.")
        images = {NDIS.base: ndis, LWFMGR.base: lwf}
    else:
        top = 0xFFFF850429890000
        stack = bytearray(0x2000)
        fault = NDIS.base + 0x1A047
        stack[0x200:0x298] = exception_record64(0xC0000005, fault)
        stack[0x400:0x8D0] = x64_context(fault, top + 0x1000)
        for i, value in enumerate((LWFMGR.base + 0x5167, LWFMGR.base + 0xB49A, NT.base + 0x6A04BD)):
            struct.pack_into("<Q", stack, 0x1028 + 0x30 * i, value)
        spec = TriageSpec(bugcheck=0x7E, params=(0xFFFFFFFFC0000005, fault, top + 0x200, top + 0x400),
                          top_of_stack=top, stack=bytes(stack), header_context=x64_context(NT.base + 0x3F5A80, top + 8),
                          drivers=[NT, NDIS, LWFMGR])
        images = {}
    return _physical(spec, images, bitmap)


def _physical(spec: TriageSpec, images: dict[int, bytes], bitmap: bool) -> bytes:
    phys = _PhysBuilder()
    head = NT.base + 0x100000  # PsLoadedModuleList inside nt's data
    drivers = spec.drivers
    entries = [head + 0x100 * (i + 1) for i in range(len(drivers))]
    for i, drv in enumerate(drivers):
        name = f"\\SystemRoot\\System32\\drivers\\{drv.name}".encode("utf-16-le")
        name_va = head + 0x800 + 0x100 * i
        phys.write(name_va, name)
        ldr = bytearray(0x68)
        flink = entries[i + 1] if i + 1 < len(drivers) else head
        struct.pack_into("<QQ", ldr, 0, flink, entries[i - 1] if i else head)
        struct.pack_into("<Q", ldr, 0x30, drv.base)
        struct.pack_into("<I", ldr, 0x40, drv.size)
        struct.pack_into("<HHIQ", ldr, 0x48, len(name), len(name) + 2, 0, name_va)
        phys.write(entries[i], bytes(ldr))
        if drv.base in images:
            phys.write(drv.base, images[drv.base])
        else:
            pe = bytearray(0x200)
            pe[0:2] = b"MZ"
            struct.pack_into("<I", pe, 0x3C, 0x80)
            pe[0x80:0x84] = b"PE\0\0"
            struct.pack_into("<HHI", pe, 0x84, 0x8664, 0, drv.timestamp)
            phys.write(drv.base, bytes(pe))
    phys.write(head, struct.pack("<QQ", entries[0], entries[-1]))
    phys.write(spec.top_of_stack, spec.stack)
    if not images:
        phys.write(LWFMGR.base + 0x5161, b"\xff\x15\x10\x20\x00\x00")  # the CALL before the return address
    npages = phys.next_pfn
    header = bytearray(b"PAGE" * 0x800)
    header[0:8] = b"PAGEDU64"
    struct.pack_into("<II", header, 8, 0xF, spec.build)
    struct.pack_into("<QQQQ", header, 0x10, phys.cr3, 0, head, 0)
    struct.pack_into("<II", header, 0x30, 0x8664, 1)
    struct.pack_into("<I", header, 0x38, spec.bugcheck)
    struct.pack_into("<4Q", header, 0x40, *spec.params)
    header[0x348:0x348 + 0x4D0] = spec.header_context or bytes(0x4D0)
    header[0xF00:0xF98] = bytes(0x98)
    struct.pack_into("<I", header, 0xF98, 5 if bitmap else 1)
    struct.pack_into("<Q", header, 0xFA8, (spec.crash_time_us + FILETIME_EPOCH_US) * 10)
    if not bitmap:
        struct.pack_into("<IIQ", header, 0x88, 1, 0, npages)
        struct.pack_into("<QQ", header, 0x98, 0, npages)
        body = b"".join(bytes(phys.pages.get(pfn, bytearray(0x1000))) for pfn in range(npages))
        return bytes(header) + body
    present = sorted(phys.pages)  # pfn 0 is absent: the bitmap must skip it
    bits = bytearray((npages + 7) // 8)
    for pfn in present:
        bits[pfn >> 3] |= 1 << (pfn & 7)
    first_page = 0x3000
    bmp = bytearray(b"SDMP" + b"DUMP" + bytes(0x18))
    bmp += struct.pack("<QQQ", first_page, len(present), npages) + bits
    bmp += bytes(first_page - 0x2000 - len(bmp))
    body = b"".join(bytes(phys.pages[pfn]) for pfn in present)
    return bytes(header) + bytes(bmp) + body
