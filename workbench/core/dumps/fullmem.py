"""Full and bitmap kernel dumps (``MEMORY.DMP``, DumpType 1 and 5): physical pages, x64 paging, module list.

Layout from reference/dumps.md §2.3 (kdmp-parser and volatility3 agree): a full dump stores physical pages
from 0x2000 run by run as the header's PhysicalMemoryBlock lists them; a bitmap dump has an ``SDMP``/``FDMP``
header at 0x2000 whose bitmap has one bit per present page frame, the pages following in bit order from
``FirstPage``. Virtual addresses are translated with the 4-level x64 page tables from DirectoryTableBase
(large 1 GiB and 2 MiB pages included; transition and paged-out pages count as absent). The loaded-module
list is walked from PsLoadedModuleList (KLDR_DATA_TABLE_ENTRY: DllBase +0x30, SizeOfImage +0x40,
FullDllName +0x48); the timestamp comes from the PE header in memory, since KLDR layouts vary by build.
x64 only; 32-bit (PAE) paging and ARM64 are not translated [reference/dumps.md §8].
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from workbench.core.dumps.model import Module

PAGE = 0x1000
PHYS_MASK = 0x000FFFFFFFFFF000
MAX_MODULES = 4096
BLOCK_BITS = 4096  # bitmap bits per prefix-count block


class PhysicalMemory:
    """Page frame number -> file offset, for full (run list) and bitmap dumps; reads stay on disk."""

    def __init__(self, fh: BinaryIO, kind: str) -> None:
        self.fh = fh
        self.kind = kind  # "full" or "bitmap"
        self._runs: list[tuple[int, int, int]] = []  # (first pfn, count, file offset)
        self._bitmap = b""
        self._first_page = 0
        self._prefix: list[int] = []
        self.expected_size = 0

    @classmethod
    def full(cls, fh: BinaryIO, header: bytes, file_size: int) -> PhysicalMemory:
        mem = cls(fh, "full")
        runs = struct.unpack_from("<I", header, 0x88)[0]
        offset = 0x2000
        for i in range(min(runs, (0x348 - 0x98) // 16)):  # the runs must fit before ContextRecord
            base, count = struct.unpack_from("<QQ", header, 0x98 + 16 * i)
            if count == 0 or count > 1 << 36:
                break
            mem._runs.append((base, count, offset))
            offset += count * PAGE
        mem.expected_size = offset  # a shorter file was cut: pages past its end read as absent
        return mem

    @classmethod
    def bitmap(cls, fh: BinaryIO, file_size: int) -> PhysicalMemory:
        mem = cls(fh, "bitmap")
        fh.seek(0x2000)
        head = fh.read(0x38)
        if len(head) < 0x38 or head[:4] not in (b"SDMP", b"FDMP"):
            raise ValueError("no SDMP/FDMP bitmap header at 0x2000")
        mem._first_page, _present, bits = struct.unpack_from("<QQQ", head, 0x20)
        size = min((bits + 7) // 8, max(file_size - 0x2038, 0), 1 << 30)
        mem._bitmap = fh.read(size)
        prefix, total = [], 0
        step = BLOCK_BITS // 8
        for i in range(0, len(mem._bitmap), step):
            prefix.append(total)
            total += int.from_bytes(mem._bitmap[i:i + step], "little").bit_count()
        mem._prefix = prefix
        mem.expected_size = mem._first_page + total * PAGE
        return mem

    def page_offset(self, pfn: int) -> int | None:
        """File offset of a physical page, or None when the dump does not hold it."""
        if self.kind == "full":
            for base, count, offset in self._runs:
                if base <= pfn < base + count:
                    return offset + (pfn - base) * PAGE
            return None
        byte = pfn >> 3
        if byte >= len(self._bitmap) or not self._bitmap[byte] >> (pfn & 7) & 1:
            return None
        block = pfn // BLOCK_BITS
        start = block * (BLOCK_BITS // 8)
        before = int.from_bytes(self._bitmap[start:byte], "little").bit_count()
        before += (self._bitmap[byte] & ((1 << (pfn & 7)) - 1)).bit_count()
        return self._first_page + (self._prefix[block] + before) * PAGE

    def read(self, physical: int, size: int) -> bytes | None:
        out = bytearray()
        while size > 0:
            offset = self.page_offset(physical >> 12)
            if offset is None:
                return None
            within = physical & 0xFFF
            take = min(size, PAGE - within)
            self.fh.seek(offset + within)
            data = self.fh.read(take)
            if len(data) < take:
                return None
            out += data
            physical += take
            size -= take
        return bytes(out)


class TranslatedMemory:
    """Virtual reads through the x64 page tables of DirectoryTableBase (the ``read(va, size)`` interface)."""

    def __init__(self, physical: PhysicalMemory, cr3: int) -> None:
        self.physical = physical
        self.cr3 = cr3 & PHYS_MASK

    def _entry(self, table: int, index: int) -> int | None:
        raw = self.physical.read(table + index * 8, 8)
        if raw is None:
            return None
        value = struct.unpack("<Q", raw)[0]
        return value if value & 1 else None

    def translate(self, va: int) -> int | None:
        pml4e = self._entry(self.cr3, (va >> 39) & 0x1FF)
        if pml4e is None:
            return None
        pdpte = self._entry(pml4e & PHYS_MASK, (va >> 30) & 0x1FF)
        if pdpte is None:
            return None
        if pdpte & 0x80:  # 1 GiB page
            return (pdpte & 0x000FFFFFC0000000) | (va & 0x3FFFFFFF)
        pde = self._entry(pdpte & PHYS_MASK, (va >> 21) & 0x1FF)
        if pde is None:
            return None
        if pde & 0x80:  # 2 MiB page
            return (pde & 0x000FFFFFFFE00000) | (va & 0x1FFFFF)
        pte = self._entry(pde & PHYS_MASK, (va >> 12) & 0x1FF)
        if pte is None:
            return None
        return (pte & PHYS_MASK) | (va & 0xFFF)

    def read(self, va: int, size: int) -> bytes | None:
        out = bytearray()
        while size > 0:
            physical = self.translate(va)
            if physical is None:
                return None
            take = min(size, PAGE - (va & 0xFFF))
            data = self.physical.read(physical, take)
            if data is None:
                return None
            out += data
            va += take
            size -= take
        return bytes(out)


def walk_module_list(memory: TranslatedMemory, head: int) -> list[Module]:
    """The loaded modules from PsLoadedModuleList (a circular LIST_ENTRY of KLDR_DATA_TABLE_ENTRY)."""
    modules: list[Module] = []
    raw = memory.read(head, 8)
    if raw is None:
        return modules
    entry = struct.unpack("<Q", raw)[0]
    seen = {head}
    while entry not in seen and len(modules) < MAX_MODULES:
        seen.add(entry)
        ldr = memory.read(entry, 0x68)
        if ldr is None:
            break
        flink = struct.unpack_from("<Q", ldr, 0)[0]
        base, = struct.unpack_from("<Q", ldr, 0x30)
        size, = struct.unpack_from("<I", ldr, 0x40)
        length, = struct.unpack_from("<H", ldr, 0x48)
        buffer, = struct.unpack_from("<Q", ldr, 0x50)
        path = None
        if 0 < length <= 1024:
            text = memory.read(buffer, length)
            path = text.decode("utf-16-le", "replace") if text else None
        name = (path or f"module@{base:x}").replace("\\", "/").rsplit("/", 1)[-1]
        module = Module(name=name, base=base, size=size, path=path)
        module.timestamp = _pe_timestamp(memory, base)
        modules.append(module)
        entry = flink
    return modules


def _pe_timestamp(memory: TranslatedMemory, base: int) -> int | None:
    dos = memory.read(base, 0x40)
    if dos is None or dos[:2] != b"MZ":
        return None
    lfanew = struct.unpack_from("<I", dos, 0x3C)[0]
    nt = memory.read(base + lfanew, 12) if lfanew < PAGE else None
    if nt is None or nt[:4] != b"PE\0\0":
        return None
    return int(struct.unpack_from("<I", nt, 8)[0])
