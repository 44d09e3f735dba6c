"""Third-party software of several machines aligned by product, whoever saw it on each machine.

One product shows up under many names: msinfo32 lists ``lwfmgr.sys`` as a driver and ``LwfMgrSvc`` as a
service, Procmon records ``vUserHCI.exe`` and ``Hook64.dll`` with the company ``DataGuard Co.``, a dump lists
the driver with its version resource's company, the verdict names the culprit. Items are joined into one
product when they share a file name, a company (normalized: ``DataGuard Co.`` = ``DataGuard``), the first
word of a company or of their folder under ``Program Files``, or a product of the knowledge table. Joining by
company is coarser than by product (two products of one vendor become one row); for a comparison of machines
that is the safer error: a vendor's software present on every failing machine is what the engineer asks about.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: Words dropped from a company name before comparing (legal forms, generic words), English and Chinese.
COMPANY_WORDS = frozenset({
    "inc", "incorporated", "ltd", "limited", "co", "corp", "corporation", "company", "llc", "gmbh", "ag", "sa", "bv",
    "plc", "srl", "kk", "pty", "technologies", "technology", "software", "systems", "group", "holdings",
    "international", "the", "r", "tm", "and",
})
COMPANY_SUFFIXES_ZH = ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团")
#: First words that do not identify a company (places, generic words): never a join key on their own.
NOT_A_BRAND = frozenset({
    "beijing", "shanghai", "shenzhen", "hangzhou", "guangzhou", "nanjing", "wuhan", "chengdu", "tianjin", "xiamen",
    "china", "chinese", "global", "digital", "network", "networks", "data", "security", "cyber", "smart", "info",
    "information", "microsoft", "windows", "system", "new", "open", "advanced", "united", "first", "general",
})
#: File stems too generic to join two products (every vendor ships an ``agent.exe`` or ``setup.exe``).
GENERIC_STEMS = frozenset({
    "setup", "install", "installer", "uninstall", "unins000", "update", "updater", "helper", "service", "svc",
    "agent", "launcher", "client", "server", "main", "app", "tray", "monitor", "host", "driver", "filter",
})
_PROGRAM_FOLDERS = re.compile(r"\\(?:program files(?: \(x86\))?|programdata)\\(?:common files\\)?([^\\]+)", re.I)


def stem(name: str | None) -> str:
    """A module's name without folder and extension, lower case: ``C:\\x\\Hook64.dll`` → ``hook64``."""
    base = (name or "").replace("/", "\\").rsplit("\\", 1)[-1].strip().strip('"').lower()
    for ext in (".sys", ".dll", ".exe"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


def company_key(company: str | None) -> str:
    """A company as compared: ``DataGuard Co.`` → ``dataguard``, ``Fabrikam Endpoint Ltd.`` → ``fabrikam endpoint``."""
    text = (company or "").strip()
    for suffix in COMPANY_SUFFIXES_ZH:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    text = re.sub(r"[®™]", " ", text.lower())
    words = [w for w in re.split(r"[^\w]+", text) if w and w not in COMPANY_WORDS]
    return " ".join(words)


def brand(key: str) -> str | None:
    """The first word of a normalized company or folder, when it can identify one."""
    first = key.split(" ", 1)[0] if key else ""
    return first if len(first) >= 3 and first not in NOT_A_BRAND else None


def program_folder(path: str | None) -> str | None:
    """The vendor folder of a path under Program Files or ProgramData (``DataGuard``), as written."""
    m = _PROGRAM_FOLDERS.search("\\" + (path or "").replace("/", "\\"))
    return m.group(1) if m else None


def is_microsoft(company: str | None) -> bool:
    return "microsoft" in (company or "").lower()


def eligible(item: dict[str, Any]) -> bool:
    """Third-party software: marked so, or unmarked with a company that is not Microsoft's."""
    if item.get("third_party") is True:
        return not is_microsoft(item.get("vendor"))
    if item.get("third_party") is None:
        return bool(item.get("vendor")) and not is_microsoft(item.get("vendor"))
    return False


@dataclass
class Product:
    """One product across machines: its items per machine key, and the names it is shown under."""

    id: str
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    name: str = ""
    name_zh: str | None = None
    vendor: str | None = None
    vendor_zh: str | None = None
    category: str | None = None
    category_name: tuple[str, str] | None = None
    known: Any = None  # KnownModule of the knowledge table, when one of its modules is known
    culprit_on: dict[str, list[str]] = field(default_factory=dict)  # machine key → culprit modules

    @property
    def machines(self) -> list[str]:
        return [k for k, items in self.items.items() if items]

    def all_items(self) -> list[dict[str, Any]]:
        return [i for items in self.items.values() for i in items]

    def modules(self) -> list[str]:
        seen: dict[str, str] = {}
        for i in self.all_items():
            seen.setdefault(str(i["name"]).lower(), str(i["name"]))
        return sorted(seen.values(), key=str.lower)

    def kinds(self) -> list[str]:
        return sorted({str(i.get("kind") or "") for i in self.all_items()} - {""})

    def versions(self, key: str) -> list[str]:
        return sorted({str(i["version"]) for i in self.items.get(key, []) if i.get("version")})

    def label(self, lang: str = "en") -> str:
        """``Product (Vendor)``, or the one of them known, in ``lang``."""
        name = (self.name_zh or self.name) if lang == "zh" else self.name
        vendor = (self.vendor_zh or self.vendor) if lang == "zh" else self.vendor
        if vendor and name and company_key(vendor) != company_key(name):
            return f"{name}（{vendor}）" if lang == "zh" else f"{name} ({vendor})"
        return name or vendor or self.id


class _Joined:
    """Union-find over item indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _keys(item: dict[str, Any], knowledge: Any) -> Iterable[str]:
    for name in (item.get("name"), item.get("path")):
        s = stem(name)
        if s and s not in GENERIC_STEMS and len(s) >= 3:
            yield f"n:{s}"
    company = company_key(item.get("vendor"))
    if company:
        yield f"c:{company}"
        b = brand(company)
        if b:
            yield f"b:{b}"
    folder = program_folder(item.get("path"))
    if folder:
        key = company_key(folder)
        yield f"f:{key}"
        b = brand(key)
        if b:
            yield f"b:{b}"
    known = _known(item, knowledge)
    if known is not None:
        yield f"k:{known.product.lower()}|{company_key(known.vendor)}"


def _known(item: dict[str, Any], knowledge: Any) -> Any:
    if knowledge is None:
        return None
    for name in (item.get("name"), item.get("path")):
        if name:
            hit = knowledge.module(str(name))
            if hit is not None:
                return hit
    return None


def align_products(software: dict[str, list[dict[str, Any]]], culprits: dict[str, list[dict[str, Any]]],
                   knowledge: Any = None) -> list[Product]:
    """Products across machines. ``software`` maps a machine key to its ``installed_software`` entries,
    ``culprits`` to its verdict's causes (module, kind, product, vendor, path); only third-party items count.
    Products come in the order their first item was seen."""
    items: list[tuple[str, dict[str, Any]]] = []
    for key, rows in software.items():
        items.extend((key, r) for r in rows if eligible(r))
    for key, causes in culprits.items():
        for c in causes:
            if c.get("module") and c.get("third_party") is not False and not is_microsoft(c.get("vendor")):
                items.append((key, {"name": c["module"], "kind": c.get("kind"), "vendor": c.get("vendor"),
                                    "product": c.get("product"), "path": c.get("path"), "version": None,
                                    "source": "verdict", "culprit": True, "vendor_zh": c.get("vendor_zh")}))
    joined = _Joined(len(items))
    first: dict[str, int] = {}
    for i, (_key, item) in enumerate(items):
        for k in _keys(item, knowledge):
            if k in first:
                joined.join(first[k], i)
            else:
                first[k] = i
    # a file named after its company or folder joins it (xsecflt.sys beside C:\Program Files\XSec\...)
    brands = [k[2:] for k in first if k.startswith("b:") and len(k) >= 6]
    for i, (_key, item) in enumerate(items):
        for name in (item.get("name"), item.get("path")):
            s = stem(name)
            for b in brands:
                if s != b and s.startswith(b):
                    joined.join(first[f"b:{b}"], i)
    groups: dict[int, Product] = {}
    for i, (key, item) in enumerate(items):
        root = joined.find(i)
        product = groups.get(root)
        if product is None:
            product = groups[root] = Product(id=f"P{len(groups) + 1}", items={k: [] for k in software})
        product.items.setdefault(key, []).append(item)
        if item.get("culprit"):
            product.culprit_on.setdefault(key, [])
            if item["name"] not in product.culprit_on[key]:
                product.culprit_on[key].append(item["name"])
    for product in groups.values():
        _name(product, knowledge)
    return list(groups.values())


def _most(values: Iterable[Any]) -> str | None:
    counted = Counter(str(v).strip() for v in values if v and str(v).strip())
    return counted.most_common(1)[0][0] if counted else None


def _name(product: Product, knowledge: Any) -> None:
    """The product's name, vendor and category: the knowledge table's, else what the case's sources say
    (a product name, a service's or a driver's display name, the company), else its folder or its first
    module."""
    items = product.all_items()
    known = next((k for k in (_known(i, knowledge) for i in items) if k is not None), None)
    vendor = _most(i.get("vendor") for i in items)
    folder = _most(program_folder(i.get("path")) for i in items)
    if known is not None:
        product.known = known
        product.name, product.name_zh = known.product, known.product_zh
        product.vendor, product.vendor_zh = known.vendor, known.vendor_zh
        product.category = known.category
        category = knowledge.category(known.category) if knowledge is not None else None
        if category is not None:
            product.category_name = (category.name, category.name_zh)
        return
    services = [i for i in items if i.get("kind") == "service"]
    drivers = [i for i in items if i.get("kind") == "driver"]
    product.name = (_most(i.get("product") for i in items) or _most(i.get("display_name") for i in services)
                    or _most(i.get("display_name") for i in drivers) or vendor or folder or product.modules()[0])
    product.vendor = vendor or folder
    product.vendor_zh = _most(i.get("vendor_zh") for i in items)
