"""Module images (``.sys``/``.dll``/``.exe``) found in the case, matched to a dump's modules for exact frames.

A triage dump holds almost no code; the crashed machine's disk does. An image is matched to a dump module by
file name plus TimeDateStamp plus SizeOfImage, the key the symbol server uses (reference/dumps.md §4.3), so a
newer or older copy of a driver is never used by mistake. From a matched image come: executable sections (to
drop scan hits in data), the bytes before a return address (call-site check), ``.pdata`` function bounds and
unwind data (x64 unwinding, :mod:`.unwind`), export names (``ndis!NdisFDeregisterFilterDriver+0x47``) and the
version resource's CompanyName (whether the module is Microsoft's). Images are only read, never run.
"""

from __future__ import annotations

import bisect
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.dumps.model import Module

log = logging.getLogger(__name__)

IMAGE_SCN_MEM_EXECUTE = 0x20000000
MAX_IMAGE_BYTES = 256 * 1024 * 1024


class ImageBase:
    """What the stack recovery needs from a module image; subclasses say where the bytes come from."""

    name: str
    machine: int
    timestamp: int | None
    size_of_image: int
    directories: list[tuple[int, int]]  # (RVA, size) of the data directories
    sections: list[tuple[int, int, bool]]  # (start RVA, end RVA, executable)

    def __init__(self) -> None:
        self._functions: tuple[list[int], list[tuple[int, int, int]]] | None = None
        self._exports: tuple[list[int], list[str]] | None = None

    def read_rva(self, rva: int, size: int) -> bytes | None:
        raise NotImplementedError

    def _export_pairs(self) -> list[tuple[int, str]]:
        raise NotImplementedError

    @property
    def company(self) -> str | None:
        return None

    def executable(self, rva: int) -> bool:
        for start, end, exe in self.sections:
            if start <= rva < end:
                return exe
        return False

    # ------------------------------------------------------------------------------------------ .pdata

    def functions(self) -> tuple[list[int], list[tuple[int, int, int]]]:
        """RUNTIME_FUNCTION entries (begin, end, unwind RVA), sorted, read straight from the directory."""
        if self._functions is None:
            begins: list[int] = []
            entries: list[tuple[int, int, int]] = []
            if len(self.directories) > 3 and self.directories[3][1] and self.machine == 0x8664:
                rva, size = self.directories[3]
                raw = self.read_rva(rva, min(size - size % 12, 12 * 200_000))
                if raw:
                    for b, e, u in struct.iter_unpack("<III", raw):
                        if b and e > b:
                            entries.append((b, e, u))
                    entries.sort()
                    begins = [e[0] for e in entries]
            self._functions = (begins, entries)
        return self._functions

    def function_at(self, rva: int) -> tuple[int, int, int] | None:
        begins, entries = self.functions()
        i = bisect.bisect_right(begins, rva) - 1
        if i >= 0 and entries[i][0] <= rva < entries[i][1]:
            return entries[i]
        return None

    def primary_function(self, rva: int) -> int | None:
        """Start RVA of the function holding ``rva``, following chained unwind info to the primary entry."""
        entry = self.function_at(rva)
        for _ in range(32):
            if entry is None:
                return None
            head = self.read_rva(entry[2], 4)
            if head is None:
                return entry[0]
            flags, count = head[0] >> 3, head[2]
            if not flags & 0x4:  # UNW_FLAG_CHAININFO
                return entry[0]
            chained = self.read_rva(entry[2] + 4 + ((count + 1) & ~1) * 2, 12)
            if chained is None:
                return entry[0]
            entry = struct.unpack("<III", chained)
        return None

    # ------------------------------------------------------------------------------------------ names

    def exports(self) -> tuple[list[int], list[str]]:
        if self._exports is None:
            try:
                pairs = sorted(self._export_pairs())
            except Exception as exc:  # noqa: BLE001 - a damaged export table costs names, not the analysis
                log.info("exports of %s unreadable: %s", self.name, exc)
                pairs = []
            self._exports = ([p[0] for p in pairs], [p[1] for p in pairs])
        return self._exports

    def symbolize(self, rva: int) -> tuple[str | None, int, str | None]:
        """(export name or None, offset, note): a name only when the export starts the function holding rva.

        The nearest export below an address is often a different function; with ``.pdata`` we can tell, and
        we say ``module+offset`` rather than a wrong name (reference/dumps.md §4.3 step 4).
        """
        rvas, names = self.exports()
        start = self.primary_function(rva)
        if start is not None:
            i = bisect.bisect_left(rvas, start)
            if i < len(rvas) and rvas[i] == start:
                return names[i], rva - start, "named from the image's export table"
            return None, rva, f"inside a function at RVA 0x{start:x} that is not exported"
        i = bisect.bisect_right(rvas, rva) - 1
        if i >= 0 and not self.functions()[0] and rva - rvas[i] < 0x1000:
            return names[i], rva - rvas[i], "nearest export (the image has no .pdata to confirm it)"
        return None, rva, None

class PeImage(ImageBase):
    """One PE file from the case, parsed lazily with pefile (read, never run)."""

    def __init__(self, path: Path, name: str | None = None) -> None:
        import pefile  # lazy: only cases with images pay for the import

        super().__init__()
        self.path = Path(path)
        self.name = name or self.path.name
        self.pe = pefile.PE(str(self.path), fast_load=True)
        fh, opt = self.pe.FILE_HEADER, self.pe.OPTIONAL_HEADER
        self.machine = int(fh.Machine)
        self.timestamp = int(fh.TimeDateStamp)
        self.size_of_image = int(opt.SizeOfImage)
        self.checksum = int(opt.CheckSum)
        self.directories = [(int(d.VirtualAddress), int(d.Size)) for d in opt.DATA_DIRECTORY]
        self.sections = sorted(
            (int(s.VirtualAddress), int(s.VirtualAddress) + max(int(s.Misc_VirtualSize), int(s.SizeOfRawData), 1),
             bool(s.Characteristics & IMAGE_SCN_MEM_EXECUTE)) for s in self.pe.sections)
        self._version: dict[str, str] | None = None

    def read_rva(self, rva: int, size: int) -> bytes | None:
        """``size`` bytes of the mapped image at ``rva``, or None outside it."""
        if rva < 0 or rva + size > self.size_of_image:
            return None
        try:
            data = self.pe.get_data(rva, size)
        except Exception:  # noqa: BLE001 - pefile raises its own error types for bad ranges
            return None
        return data if len(data) == size else None

    def _export_pairs(self) -> list[tuple[int, str]]:
        self.pe.parse_data_directories(directories=[0])  # IMAGE_DIRECTORY_ENTRY_EXPORT
        symbols = getattr(self.pe, "DIRECTORY_ENTRY_EXPORT", None)
        return [(int(sym.address), sym.name.decode("ascii", "replace"))
                for sym in (symbols.symbols if symbols else []) if sym.name and sym.address]

    # ------------------------------------------------------------------------------------------ version

    def version(self) -> dict[str, str]:
        """StringFileInfo values (CompanyName, FileVersion, ProductName, ...) from the version resource."""
        if self._version is None:
            values: dict[str, str] = {}
            try:
                self.pe.parse_data_directories(directories=[2])  # IMAGE_DIRECTORY_ENTRY_RESOURCE
                for info in getattr(self.pe, "FileInfo", None) or []:
                    for entry in info if isinstance(info, list) else [info]:
                        for table in getattr(entry, "StringTable", []) or []:
                            for k, v in table.entries.items():
                                values[k.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
            except Exception as exc:  # noqa: BLE001
                log.info("version resource of %s unreadable: %s", self.path, exc)
            self._version = values
        return self._version

    @property
    def company(self) -> str | None:
        return self.version().get("CompanyName") or None




class MemoryImage(ImageBase):
    """A module image as it sits in a full or bitmap dump's memory: headers, .pdata and exports are mapped.

    No version resource is read (it is often paged out); Microsoft-ness stays with the inbox list.
    """

    def __init__(self, read: Callable[[int, int], bytes | None], base: int, name: str) -> None:
        super().__init__()
        self._read = read
        self.base = base
        self.name = name
        self.path = None
        dos = read(base, 0x40)
        if dos is None or dos[:2] != b"MZ":
            raise ValueError("no PE header in memory")
        lfanew = struct.unpack_from("<I", dos, 0x3C)[0]
        nt = read(base + lfanew, 24 + 0xF0) if lfanew < 0x1000 else None
        if nt is None or nt[:4] != b"PE\0\0":
            raise ValueError("no PE header in memory")
        self.machine, nsec = struct.unpack_from("<HH", nt, 4)
        self.timestamp = struct.unpack_from("<I", nt, 8)[0]
        opt_size = struct.unpack_from("<H", nt, 20)[0]
        if struct.unpack_from("<H", nt, 24)[0] != 0x20B or opt_size < 0xF0:
            raise ValueError("not a PE32+ image")
        self.size_of_image = struct.unpack_from("<I", nt, 24 + 56)[0]
        count = min(struct.unpack_from("<I", nt, 24 + 108)[0], 16)
        self.directories = [struct.unpack_from("<II", nt, 24 + 112 + 8 * i) for i in range(count)]
        table = read(base + lfanew + 24 + opt_size, nsec * 40) or b""
        self.sections = sorted(
            (va, va + max(vsize, 1), bool(chars & IMAGE_SCN_MEM_EXECUTE))
            for vsize, va, chars in (struct.unpack_from("<II", table, i * 40 + 8)
                                     + struct.unpack_from("<I", table, i * 40 + 36)
                                     for i in range(len(table) // 40)))

    def read_rva(self, rva: int, size: int) -> bytes | None:
        if rva < 0 or rva + size > self.size_of_image:
            return None
        return self._read(self.base + rva, size)

    def _export_pairs(self) -> list[tuple[int, str]]:
        if not self.directories or not self.directories[0][1]:
            return []
        head = self.read_rva(self.directories[0][0], 40)
        if head is None:
            return []
        n_funcs, n_names, funcs, names, ords = struct.unpack_from("<IIIII", head, 20)
        n_names = min(n_names, 65536)
        name_ptrs = self.read_rva(names, 4 * n_names) or b""
        ordinals = self.read_rva(ords, 2 * n_names) or b""
        addresses = self.read_rva(funcs, 4 * min(n_funcs, 65536)) or b""
        pairs = []
        for i in range(min(len(name_ptrs) // 4, len(ordinals) // 2)):
            ordinal = struct.unpack_from("<H", ordinals, 2 * i)[0]
            if 4 * ordinal + 4 > len(addresses):
                continue
            rva = struct.unpack_from("<I", addresses, 4 * ordinal)[0]
            raw = self.read_rva(struct.unpack_from("<I", name_ptrs, 4 * i)[0], 128)
            if raw and rva:
                pairs.append((rva, raw.split(b"\0", 1)[0].decode("ascii", "replace")))
        return pairs


def images_in_memory(read: Callable[[int, int], bytes | None], modules: list[Module]) -> dict[str, ImageBase]:
    """Every module whose PE header is readable in a full/bitmap dump, as an image (by lower-case name)."""
    out: dict[str, ImageBase] = {}
    for module in modules:
        if module.base is None:
            continue
        try:
            out[module.name.lower()] = MemoryImage(read, module.base, module.name)
        except (ValueError, struct.error):
            continue
    return out


@dataclass
class ImageLibrary:
    """The images a case holds, by lower-case file name; :meth:`match` applies the symbol-server key."""

    by_name: dict[str, list[Path]] = field(default_factory=dict)
    _open: dict[Path, PeImage | None] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)

    def add(self, path: Path, name: str) -> None:
        self.by_name.setdefault(name.lower(), []).append(Path(path))

    def __bool__(self) -> bool:
        return bool(self.by_name)

    def _load(self, path: Path, name: str) -> PeImage | None:
        if path not in self._open:
            try:
                if path.stat().st_size > MAX_IMAGE_BYTES:
                    raise ValueError("too large")
                self._open[path] = PeImage(path, name)
            except Exception as exc:  # noqa: BLE001 - not a PE after all, or damaged: skip it
                log.info("image %s unreadable: %s", path, exc)
                self._open[path] = None
        return self._open[path]

    def match(self, module: Module) -> PeImage | None:
        """The image with the module's name, TimeDateStamp and SizeOfImage; None when none fits."""
        candidates = self.by_name.get(module.name.lower(), [])
        for path in candidates:
            image = self._load(path, module.name)
            if image is None:
                continue
            if (module.timestamp in (None, image.timestamp)) and (module.size in (None, image.size_of_image)):
                return image
            self.mismatches.append(
                f"{path.name}: timestamp {image.timestamp:#x} / size {image.size_of_image:#x} do not match the "
                f"dump's {module.timestamp or 0:#x} / {module.size or 0:#x}; a different build, not used")
        return None


def apply_images(modules: list[Module], library: ImageLibrary) -> dict[str, PeImage]:
    """Match every module to an image; fill ``company``. Returns the matched images by lower-case name."""
    matched: dict[str, PeImage] = {}
    for module in modules:
        image = library.match(module)
        if image is not None:
            matched[module.name.lower()] = image
            if image.company:
                module.company, module.company_source = image.company, "image"
                values = image.version()
                module.product = values.get("ProductName") or module.product
                module.description = values.get("FileDescription") or module.description
                module.file_version = values.get("FileVersion") or module.file_version
            module.image_path = str(image.path)
    return matched
