"""Who makes a module: the product and vendor behind a driver, DLL or device, from what the case holds.

An engineer names the product in the e-mail ("the endpoint agent's NDIS filter"), not only the file. The
case usually says it somewhere: the image's version resource when the file is in the case, the company
Procmon recorded for a module or for the process that ships it, the machine's list of installed drivers and
services (msinfo32), the PCI vendor id of a device; and the table of modules known in upgrade failures
(``plugins/``, :mod:`workbench.core.knowledge`) adds what the module is known to break and the fix, with its
public source. Sources are tried strongest first; each answer says where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from workbench.core.knowledge import Knowledge, KnownModule, load_knowledge
from workbench.core.store import CaseStore

#: PCI-SIG vendor ids seen on PCs (the ``VEN_xxxx`` of a hardware id): a fact of the format, not a problem.
PCI_VENDORS: dict[str, str] = {
    "8086": "Intel", "8087": "Intel", "1022": "AMD", "1002": "AMD (ATI)", "10DE": "NVIDIA", "10EC": "Realtek",
    "14E4": "Broadcom", "168C": "Qualcomm Atheros", "17CB": "Qualcomm", "1B21": "ASMedia", "1217": "O2 Micro",
    "1106": "VIA", "15AD": "VMware", "1AF4": "Red Hat (virtio)", "1414": "Microsoft (Hyper-V)", "144D": "Samsung",
    "1987": "Phison", "1C5C": "SK hynix", "15B7": "SanDisk / Western Digital", "1179": "Toshiba / KIOXIA",
    "104C": "Texas Instruments", "1180": "Ricoh", "10B7": "3Com", "1969": "Qualcomm Atheros (Killer)",
    "14C3": "MediaTek", "1912": "Renesas", "1033": "NEC / Renesas", "8384": "SigmaTel", "1102": "Creative",
    "13F6": "C-Media", "1814": "Ralink / MediaTek", "11AB": "Marvell", "1B4B": "Marvell", "9005": "Adaptec",
    "1000": "Broadcom (LSI)", "103C": "HP", "1028": "Dell", "17AA": "Lenovo", "106B": "Apple", "19E5": "Huawei",
    "1D6A": "Aquantia", "10EE": "Xilinx", "1344": "Micron", "126F": "Silicon Motion", "1CC1": "ADATA",
}
_VEN = re.compile(r"\b(?:PCI|HDAUDIO\\FUNC_\d+)\\?&?VEN_([0-9A-Fa-f]{4})", re.I)


@dataclass
class Owner:
    """The product and vendor of a module, with where each came from (a :data:`texts.T` source key)."""

    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    source: str | None = None  # src_image | src_debugger | src_procmon_module | src_procmon_process | ...
    source_values: dict[str, str] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    known: KnownModule | None = None  # when the table of known modules has it

    def label(self, lang: str = "en") -> str | None:
        """``LWF Manager (Contoso Networks Inc.)`` (``Contoso Networks Inc. 的 LWF Manager`` in Chinese) for
        "update X", or None when nothing is known."""
        vendor = (self.known.vendor_zh if lang == "zh" and self.known is not None and self.known.vendor_zh
                  else None) or self.vendor
        if self.product and vendor and self.vendor and self.vendor.lower() not in self.product.lower():
            return f"{vendor} 的 {self.product}" if lang == "zh" else f"{self.product} ({vendor})"
        return self.product or vendor


def stem(name: str | None) -> str:
    """``lwfmgr.sys`` / ``LWFMGR`` / ``C:\\...\\lwfmgr.inf`` → ``lwfmgr``: one key for a module's files."""
    base = (name or "").replace("/", "\\").rsplit("\\", 1)[-1].lower()
    for ext in (".sys", ".dll", ".exe", ".inf", ".cat"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


def knowledge() -> Knowledge:
    """The table of known third-party modules and of Windows functions (:mod:`workbench.core.knowledge`;
    cached there per set of folders, so a module an engineer adds is seen on the next read)."""
    return load_knowledge()


def _has(store: CaseStore, table: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))


def _microsoft(company: str | None) -> bool:
    return "microsoft" in (company or "").lower()


def find_owner(store: CaseStore, module: str, *, device: str | None = None, description: str | None = None) -> Owner:
    """The owner of ``module`` (a file name such as ``lwfmgr.sys``, or an INF for a device install)."""
    key = stem(module)
    owner = Owner()
    owner.known = knowledge().module(module)
    if _has(store, "pe_images"):
        for r in store.query("SELECT p.name, p.company, p.product, p.file_version, f.path FROM pe_images p "
                             "JOIN files f ON f.id = p.file_id"):
            if stem(r["name"]) == key and r["company"]:
                owner.vendor, owner.product, owner.version = r["company"], r["product"], r["file_version"]
                owner.source = "src_image"
                # the version resource's own fields, as the image holds them
                owner.evidence.append({"file": r["path"], "line": None, "time": None, "text": "\n".join(
                    f"{k}: {v}" for k, v in (("CompanyName", r["company"]), ("ProductName", r["product"]),
                                             ("FileVersion", r["file_version"])) if v)})
                break
    if owner.vendor is None and _has(store, "dump_drivers"):
        # the version resource a crash source read of the module: the engineer's lmv listing (CompanyName,
        # ProductName, FileDescription, File version) or the image matched to a dump's module list
        rows = store.query("SELECT d.name, d.path, d.company, d.product, d.description, d.file_version, "
                           "d.company_source, f.path AS file FROM dump_drivers d JOIN files f ON f.id = d.file_id "
                           "WHERE d.company IS NOT NULL AND d.company <> '' ORDER BY d.company_source = 'debugger' "
                           "DESC, d.file_id")
        for r in rows:
            if stem(r["name"]) != key or _microsoft(r["company"]):
                continue
            owner.vendor, owner.version = r["company"], r["file_version"] or None
            owner.product = r["product"] or r["description"] or None
            owner.source = "src_debugger" if r["company_source"] == "debugger" else "src_image"
            fields = [("Image path", r["path"]), ("File version", r["file_version"]), ("CompanyName", r["company"]),
                      ("ProductName", r["product"]), ("FileDescription", r["description"])]
            owner.evidence.append({"file": r["file"], "line": None, "time": None, "text": "\n".join(
                f"{label}: {value}" for label, value in fields if value)})
            break
    if owner.vendor is None and _has(store, "procmon_modules"):
        for r in store.query("SELECT DISTINCT m.path, m.company, m.description, m.version, f.path AS file "
                             "FROM procmon_modules m JOIN files f ON f.id = m.file_id WHERE m.company IS NOT NULL "
                             "AND m.company <> '' AND lower(m.path) LIKE ?", (f"%\\{key}.%",)):
            if stem(r["path"]) == key and not _microsoft(r["company"]):
                owner.vendor, owner.version = r["company"], r["version"] or None
                owner.product = owner.product or (r["description"] or None)
                owner.source = "src_procmon_module"
                owner.evidence.append({"file": r["file"], "line": None, "time": None,  # Procmon's Path, Company
                                       "text": f"{r['path']}  {r['company']}"})
                break
    if owner.vendor is None and _has(store, "installed_software"):
        for r in store.query("SELECT s.*, f.path AS file FROM installed_software s LEFT JOIN files f "
                             "ON f.id = s.file_id WHERE s.vendor IS NOT NULL AND s.vendor <> ''"):
            names = {stem(r["name"]), stem(r["path"])}
            if key in names and not _microsoft(r["vendor"]):
                owner.vendor = r["vendor"]
                owner.product = owner.product or r["product"] or r["display_name"] or None
                owner.version = owner.version or r["version"] or None
                owner.source = "src_installed"
                # the line that names the vendor as the source wrote it (setupapi's "inf: Provider:"), else
                # the listing's own values
                quoted = store.scalar(
                    "SELECT message FROM timeline WHERE file_id = ? AND line > ? AND line < ? + 40 AND message "
                    "LIKE ? ORDER BY line LIMIT 1", (r["file_id"], r["line"], r["line"], f"%{r['vendor']}%")) \
                    if r["file_id"] is not None and r["line"] is not None else None
                owner.evidence.append({"file": r["file"], "line": r["line"], "time": None, "text": quoted or "  ".join(
                    str(v) for v in (r["name"], r["display_name"], r["path"], r["vendor"]) if v)})
                break
    if owner.vendor is None and _has(store, "procmon_processes") and len(key) >= 4:
        for r in store.query("SELECT DISTINCT p.name, p.image, p.company, p.description, f.path AS file "
                             "FROM procmon_processes p JOIN files f ON f.id = p.file_id "
                             "WHERE p.company IS NOT NULL AND p.company <> ''"):
            if _microsoft(r["company"]) or not (r["name"] or "").lower().startswith(key):
                continue
            # the vendor's own service ships the driver under the same name (LwfMgrSvc.exe → lwfmgr.sys)
            owner.vendor = r["company"]
            owner.product = owner.product or (r["description"] or None)
            owner.source = "src_procmon_process"
            owner.source_values = {"process": r["name"]}
            owner.evidence.append({"file": r["file"], "line": None, "time": None,  # Procmon's own columns
                                   "text": f"{r['name']}  {r['image']}  {r['company']}"})
            break
    known = owner.known
    if known is not None:
        if owner.vendor is None:
            owner.vendor, owner.source = known.vendor, "src_knowledge"
        if owner.product is None:
            owner.product = known.product
    if owner.vendor is None and device:
        m = _VEN.search(device)
        if m and m.group(1).upper() in PCI_VENDORS:
            owner.vendor, owner.source = PCI_VENDORS[m.group(1).upper()], "src_pci"
    if owner.product is None and description:
        owner.product = description
    return owner
