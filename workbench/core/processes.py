"""The process tree of Procmon captures, and who interfered with Setup.

The tree is read from ``procmon_processes`` (filled by the PML, CSV and XML readers), one tree per capture.
Nodes are keyed by ``(file_id, process)``: Procmon's process index, or (PID, start) for CSV; never by PID
alone, because Windows reuses PIDs within minutes. A process whose parent is not in the capture (it exited
before Procmon started) hangs under an "unknown parent" node of its capture.

Marks: the Setup family (the processes of a down-level upgrade, see BRIEF.md: setup → SetupPrep →
SetupHost → dismhost/mighost (→ conhost), TrustedInstaller/TiWorker, SetupPlatform) and third-party
processes (a company that is not Microsoft, or no company and an image outside the Windows folders).

:func:`workbench_analyze` turns the capture into findings an engineer would otherwise dig out of Procmon by
hand: third-party modules loaded into Setup processes, third-party processes touching Setup's folders
(``$WINDOWS.~BT``, ``$Windows.~WS``, Panther) or Setup's executables, ACCESS DENIED / SHARING VIOLATION on
Setup paths or in Setup processes, and what happened in the seconds before a Setup process exited with an
error status. Each finding carries the events as evidence rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from workbench.core import ahead
from workbench.core.clock_text import CaseTimes, stamped
from workbench.core.finding_text import bilingual
from workbench.core.parsers.procmon_common import DENIALS
from workbench.core.parsers.procmon_common import DENIED_SQL as _DENIED_SQL
from workbench.core.parsers.procmon_common import INDEXES as PROCMON_INDEXES
from workbench.core.plugins import hookimpl
from workbench.core.store import CaseStore, schema

SETUP_FAMILY = frozenset({
    "setup.exe", "setupprep.exe", "setuphost.exe", "dismhost.exe", "mighost.exe", "conhost.exe",
    "trustedinstaller.exe", "tiworker.exe", "setupplatform.exe"})
#: Names that other software uses too: marked only in a Setup context (see :func:`mark`).
_AMBIGUOUS = frozenset({"setup.exe", "conhost.exe"})
SETUP_PATH_MARKERS = ("$windows.~bt", "$windows.~ws", "\\panther")
WINDOWS_FOLDERS = ("\\windows\\", "\\$windows.~bt\\", "\\$windows.~ws\\", "\\systemroot\\", "\\windowsapps\\")
KERNEL_NAMES = frozenset({"system", "idle", "registry", "secure system", "memcompression", "memory compression",
                          "interrupts"})
BEFORE_EXIT_US = 5_000_000  # "the seconds before a Setup process exited abnormally"
#: File-access noise counts only when it hits the failing moment (issue 19): denials this close before a Setup
#: process crashed. Hundreds of a scanner's refusals spread over the run explain nothing.
FAILING_MOMENT_US = 30_000_000
MAX_EVIDENCE = 25


def is_microsoft(company: str | None) -> bool:
    c = (company or "").lower()
    return "microsoft" in c or "sysinternals" in c


@lru_cache(maxsize=65536)
def in_windows_folders(image: str | None) -> bool:
    low = (image or "").lower().replace("/", "\\")
    if low.startswith("\\??\\"):
        low = low[4:]
    return any(marker in low for marker in WINDOWS_FOLDERS) or low.startswith("\\systemroot")


def is_setup_path(path: str | None) -> bool:
    low = (path or "").lower()
    return any(m in low for m in SETUP_PATH_MARKERS)


def hex32(value: int | None) -> str | None:
    """An exit status as Procmon's u32, in the 0xC0000005 form engineers search for."""
    return None if value is None else f"0x{value & 0xFFFFFFFF:08X}"


@dataclass
class ProcessNode:
    """One process of one capture (``key`` = (file_id, process)), with its children."""

    file_id: int
    process: int
    pid: int | None
    parent_pid: int | None
    name: str
    image: str = ""
    command_line: str = ""
    user: str = ""
    integrity: str = ""
    company: str = ""
    description: str = ""
    version: str = ""
    basis: str = "utc"
    start: int | None = None
    end: int | None = None
    exit_status: int | None = None
    exit_line: int | None = None
    first_line: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    parent: tuple[int, int] | None = None
    setup: bool = False
    third_party: bool = False
    suspect: bool = False  # a third-party process the findings blame (see mark_suspects)
    children: list[ProcessNode] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        return (self.file_id, self.process)

    @property
    def lifetime_s(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start) / 1e6

    @property
    def abnormal_exit(self) -> bool:
        """An NTSTATUS error/warning or a failure HRESULT (0xC0000005, 0x8007001F): the top bit is set."""
        return self.exit_status is not None and self.exit_status >= 0x80000000

    @property
    def marks(self) -> list[str]:
        out = []
        if self.setup:
            out.append("setup")
        if self.third_party:
            out.append("third-party")
        if self.suspect:
            out.append("suspect")
        if self.abnormal_exit:
            out.append("abnormal-exit")
        return out

    def time_text(self, times: CaseTimes, us: int | None) -> str | None:
        """One of this process's times (kept on its capture's own clock) as the analysis JSON writes times."""
        return times.iso(times.stored(us, self.basis), self.basis)

    def as_dict(self, children: bool = True, times: CaseTimes | None = None) -> dict[str, Any]:
        """The process as JSON; times as ``times`` writes them (without: as the capture wrote them)."""
        times = times if times is not None else CaseTimes()
        d: dict[str, Any] = {
            "file_id": self.file_id, "process": self.process, "pid": self.pid, "parent_pid": self.parent_pid,
            "parent": list(self.parent) if self.parent else None, "name": self.name, "image": self.image,
            "command_line": self.command_line, "user": self.user, "integrity": self.integrity,
            "company": self.company, "description": self.description, "version": self.version,
            "clock": times.basis(self.basis), "start": self.time_text(times, self.start),
            "end": self.time_text(times, self.end),
            "lifetime_s": self.lifetime_s, "exit_status": hex32(self.exit_status), "marks": self.marks,
            "events": self.counts,
        }
        if children:
            d["children"] = [c.as_dict(times=times) for c in self.children]
        return d


def _has_table(store: CaseStore, name: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


def load_processes(store: CaseStore, file_id: int | None = None) -> list[ProcessNode]:
    """Every process of every capture (or of ``file_id``), parents resolved and marks set; no tree yet."""
    if not _has_table(store, "procmon_processes"):
        return []
    where, params = ("WHERE file_id = ?", (file_id,)) if file_id is not None else ("", ())
    nodes: dict[tuple[int, int], ProcessNode] = {}
    parents: dict[tuple[int, int], int | None] = {}
    for r in store.query(f"SELECT * FROM procmon_processes {where} ORDER BY file_id, process", params):
        n = ProcessNode(
            file_id=r["file_id"], process=r["process"], pid=r["pid"], parent_pid=r["parent_pid"],
            name=r["name"] or "", image=r["image"] or "", command_line=r["command_line"] or "",
            user=r["user"] or "", integrity=r["integrity"] or "", company=r["company"] or "",
            description=r["description"] or "", version=r["version"] or "", basis=r["basis"] or "utc",
            start=r["start"], end=r["end"], exit_status=r["exit_status"], exit_line=r["exit_line"],
            first_line=r["first_line"],
            counts={"process": r["n_process"], "registry": r["n_registry"], "file": r["n_file"],
                    "network": r["n_network"], "profiling": r["n_profiling"], "other": r["n_other"]})
        nodes[n.key] = n
        parents[n.key] = r["parent_process"]
    for key, n in nodes.items():
        pidx = parents[key]
        cand = nodes.get((n.file_id, pidx)) if pidx is not None else None
        # a parent index is trusted when its process has the parent PID (it resolves PID reuse)
        if cand is not None and cand is not n and (n.parent_pid is None or cand.pid == n.parent_pid):
            n.parent = cand.key
    mark(nodes)
    return list(nodes.values())


def mark(nodes: dict[tuple[int, int], ProcessNode]) -> None:
    """Set the Setup-family and third-party marks. ``setup.exe`` counts when it is Microsoft's (installers
    of other products share the name); ``conhost.exe`` when its parent is a Setup process."""
    for n in nodes.values():
        low = n.name.lower()
        if low in SETUP_FAMILY and low not in _AMBIGUOUS:
            n.setup = True
        elif low == "setup.exe":
            n.setup = not n.company or is_microsoft(n.company)
        name_ok = low not in KERNEL_NAMES and n.pid not in (0, 4)
        if n.company:
            n.third_party = name_ok and not is_microsoft(n.company)
        else:
            # no company (a CSV without that column): Setup's own names run from temp folders too
            # (dismhost.exe under %TEMP%), so only an unknown name outside the Windows folders counts
            n.third_party = name_ok and not n.setup and low not in _AMBIGUOUS and bool(n.image) \
                and not in_windows_folders(n.image)
    for n in nodes.values():
        if n.name.lower() == "conhost.exe" and n.parent is not None and nodes[n.parent].setup \
                and not n.third_party:
            n.setup = True


UNKNOWN_PARENT = "unknown parent"


def build_tree(nodes: Iterable[ProcessNode]) -> list[ProcessNode]:
    """Roots of the process forest, per capture: true roots (System, Idle), then an "unknown parent" node
    holding the processes whose parent is not in the capture. Children are ordered by start time."""
    by_key = {n.key: n for n in nodes}
    for n in by_key.values():
        n.children = []
    roots: list[ProcessNode] = []
    orphans: dict[int, list[ProcessNode]] = {}
    for n in by_key.values():
        if n.parent is not None and n.parent in by_key:
            by_key[n.parent].children.append(n)
        elif not n.parent_pid or n.parent_pid == n.pid:
            roots.append(n)
        else:
            orphans.setdefault(n.file_id, []).append(n)

    def order(n: ProcessNode) -> tuple[int, int, int]:
        return (n.file_id, n.start if n.start is not None else -(1 << 62), n.process)

    for n in by_key.values():
        n.children.sort(key=order)
    for fid, kids in sorted(orphans.items()):
        holder = ProcessNode(file_id=fid, process=-1, pid=None, parent_pid=None, name=UNKNOWN_PARENT)
        holder.children = sorted(kids, key=order)
        roots.append(holder)
    roots.sort(key=lambda n: (n.file_id, n.process == -1, order(n)))
    return roots


def process_tree(store: CaseStore, file_id: int | None = None) -> list[ProcessNode]:
    """The tree (roots with children) for the views and ``workbench processes``, suspects marked."""
    nodes = load_processes(store, file_id)
    mark_suspects(store, nodes)
    return build_tree(nodes)


def walk(roots: Iterable[ProcessNode], depth: int = 0) -> Iterable[tuple[int, ProcessNode]]:
    for n in roots:
        yield depth, n
        yield from walk(n.children, depth + 1)


# ------------------------------------------------------------------------------------------- analysis


def _evidence(store: CaseStore, where: str, params: tuple[Any, ...], limit: int = MAX_EVIDENCE,
              order: str = "t.ts") -> list[dict[str, Any]]:
    """Procmon events (joined to the clocked timeline) as evidence rows."""
    rows = store.query(
        "SELECT e.file_id, e.line, t.ts, t.component, e.operation, e.path, e.result, e.detail "
        "FROM procmon_events e JOIN timeline t ON t.file_id = e.file_id AND t.line = e.line "
        f"WHERE {where} ORDER BY {order} LIMIT {int(limit)}", params)
    out = []
    for r in rows:
        text = f"{r['component'] or '?'}: {r['operation']} {r['path'] or ''}".rstrip()
        if r["result"] and r["result"] != "SUCCESS":
            text += f" → {r['result']}"
        if r["detail"]:
            text += f" ({r['detail'][:200]})"
        out.append({"file_id": r["file_id"], "line": r["line"], "ts": r["ts"], "text": text})
    return out


def _label(n: ProcessNode) -> str:
    return f"{n.name} (PID {n.pid})"


def _keys_by_file(nodes: Iterable[ProcessNode]) -> dict[int, list[tuple[int, int]]]:
    """The nodes' keys per capture, for :func:`_keys_sql` with a ``file_id`` (asked once per process)."""
    out: dict[int, list[tuple[int, int]]] = {}
    for n in nodes:
        out.setdefault(n.file_id, []).append(n.key)
    return out


def _keys_sql(keys: Iterable[tuple[int, int]], file_id: int | None = None) -> str:
    """``(file, process)`` pairs as SQL on ``procmon_events e``; with ``file_id``, only that capture's, for a
    query that already asks ``e.file_id = file_id`` (the others cannot match, and an OR of every capture's
    pairs was read row by row: a tenth of a second a query on a case of 100 rolled-over captures)."""
    pairs = sorted({k for k in keys if file_id is None or k[0] == file_id})
    if not pairs:
        return "0"
    if len({f for f, _ in pairs}) == 1:
        # one capture's: its processes IN a list, which SQLite reads process by process through an index on
        # (file_id, process) (an OR of the pairs beside ``e.file_id = ?`` was read as every event of the
        # capture: 15 ms a third-party process on a capture of 50 k events); the same truth values
        return f"(e.file_id = {pairs[0][0]} AND e.process IN ({', '.join(str(p) for _, p in pairs)}))"
    # every capture's: a row value IN a list SQLite looks each row up in (an OR of 700 pairs, one per Setup
    # process of 100 captures, was tested term by term on every denied event: 4 s of 5 M events); the same
    # truth values, NULL included (a NULL process in a listed capture is NULL either way)
    return "((e.file_id, e.process) IN (VALUES " + ", ".join(f"({f}, {p})" for f, p in pairs) + "))"


_SETUP_PATH_SQL = ("(e.path LIKE '%$WINDOWS.~BT%' OR e.path LIKE '%$Windows.~WS%' OR e.path LIKE '%\\Panther%' "
                   + "".join(f" OR e.path LIKE '%\\{name}'" for name in sorted(SETUP_FAMILY - _AMBIGUOUS)) + ")")


def analyze(store: CaseStore, alongside: CaseStore | None = None) -> list[dict[str, Any]]:
    """The interference findings for every capture in the case, as dicts for :meth:`CaseStore.add_finding`.

    ``alongside``: a second connection to the same committed rows (both read-only, see :func:`_ahead`); the
    rules then run in two groups of about equal work, one on a thread reading through it (SQLite releases the
    GIL while it steps: 7.8 s of a large case's five rules took 5 s). The rules only read, the process nodes
    included, and their findings are put together in the rules' order either way."""
    nodes = {n.key: n for n in load_processes(store)}
    if not nodes:
        return []
    setup = [n for n in nodes.values() if n.setup]
    third = [n for n in nodes.values() if n.third_party and not n.setup]

    def first(on: CaseStore) -> list[list[dict[str, Any]]]:  # 1.4 + 2.5 s of the large case, and 0.05 s
        return [_modules_in_setup(on, setup), _third_party_touching(on, third, setup),
                _abnormal_exits(on, setup, third)]

    def second(on: CaseStore) -> list[list[dict[str, Any]]]:  # 2.5 + 1.5 s
        return [_denials(on, nodes, setup), _injections(on, setup, third)]

    if alongside is None:
        modules, touching, exits = first(store)
        denials, injections = second(store)
    else:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="procmon rules") as pool:
            later = pool.submit(second, alongside)
            modules, touching, exits = first(store)
            denials, injections = later.result()
    return _one_per_crash(modules + touching + denials + exits + injections)


def _one_per_crash(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One capture exported twice (the PML and its CSV) gives the same finding twice: keep one, with the
    evidence of both. Same rule and title (or ``twin`` key: an export may lack the company a title names), and
    times within two seconds (or both unknown). The first (the PML, read first) keeps its words."""
    out: list[dict[str, Any]] = []
    # the kept findings by rule and title (or twin key), then by two-second slot of their time (None: unknown),
    # each with its place in ``out``: a twin is looked for only in the finding's slot and the two beside it,
    # the first kept first (a case of 100 captures gives thousands of findings: comparing each with every one
    # kept took a second)
    kept: dict[tuple[str, Any], dict[int | None, list[tuple[int, dict[str, Any]]]]] = {}
    for f in findings:
        slots = kept.setdefault((f["rule_id"], f.get("twin", f["title"])), {})
        ts = f.get("ts")
        slot = None if ts is None else ts // TWIN_US
        near = slots.get(None, []) if slot is None else sorted(
            (c for s in (slot - 1, slot, slot + 1) for c in slots.get(s, ())), key=lambda c: c[0])
        files = {e.get("file_id") for e in f["evidence"]}
        twin = next((o for _, o in near if (o.get("ts") is None or abs(o["ts"] - ts) <= TWIN_US)
                     and {e.get("file_id") for e in o["evidence"]} != files), None)
        if twin is None:
            slots.setdefault(slot, []).append((len(out), f))
            out.append(f)
        else:
            twin["evidence"] = twin["evidence"] + f["evidence"]
    return out


#: How close in time the same finding from a capture's two exports is (:func:`_one_per_crash`).
TWIN_US = 2_000_000


def _loads(store: CaseStore, n: ProcessNode) -> list[tuple[int, str | None]]:
    """(line, path) of the Load Image events of ``n``, in the events' order, through the partial index
    ``procmon_events_loads``. Read again where two rules need them: keeping a crashed Setup process's loads
    from one rule to the other held 55 MiB on a case of 100 captures, and the second read costs little."""
    return [(r[0], r[1]) for r in store.conn.execute(
        "SELECT e.line, e.path FROM procmon_events e WHERE e.file_id = ? AND e.process = ? "
        "AND e.operation = 'Load Image'", (n.file_id, n.process))]


def _modules_in_setup(store: CaseStore, setup: list[ProcessNode]) -> list[dict[str, Any]]:
    out = []
    for n in setup:
        suspects: dict[str, str] = {}
        if _has_table(store, "procmon_modules"):
            for m in store.query("SELECT path, company FROM procmon_modules WHERE file_id = ? AND process = ?",
                                 (n.file_id, n.process)):
                if (m["company"] and not is_microsoft(m["company"])) or \
                        (not m["company"] and m["path"] and not in_windows_folders(m["path"])
                         and m["path"].lower() != n.image.lower()):
                    suspects[m["path"]] = m["company"] or ""
        for _line, path in _loads(store, n):
            p = path or ""
            if p and not in_windows_folders(p) and p.lower() != n.image.lower() and p not in suspects:
                suspects[p] = ""
        if not suspects:
            continue
        names = ", ".join(f"{p.rsplit(chr(92), 1)[-1]}" + (f" ({c})" if c else "") for p, c in suspects.items())
        names_zh = "、".join(f"{p.rsplit(chr(92), 1)[-1]}" + (f"（{c}）" if c else "") for p, c in suspects.items())
        evidence = _evidence(store, "e.file_id = ? AND e.process = ? AND e.operation = 'Load Image' AND ("
                             + " OR ".join("e.path = ?" for _ in suspects) + ")",
                             (n.file_id, n.process, *suspects))
        if not evidence:
            evidence = [{"file_id": n.file_id, "line": n.first_line, "ts": None,
                         "text": f"{_label(n)} module list: {p}" + (f" ({c})" if c else "")}
                        for p, c in list(suspects.items())[:MAX_EVIDENCE]]
        out.append(dict(
            rule_id="procmon.third_party_module_in_setup", severity="high", score=70,
            title=f"Third-party module loaded into {n.name}",
            summary=f"{_label(n)} has non-Microsoft code in it: {names}. Security and data-protection agents "
                    "that inject into Setup processes are a known cause of down-level failures.",
            remediation="Update or uninstall the product these modules belong to, then retry the upgrade.",
            data={"process": list(n.key), "modules": [{"path": p, "company": c} for p, c in suspects.items()],
                  **bilingual(title=(f"Third-party module loaded into {n.name}", f"第三方模块被加载到 {n.name} 中"),
                              summary=(f"{_label(n)} has non-Microsoft code in it: {names}. Security and "
                                       "data-protection agents that inject into Setup processes are a known cause "
                                       "of down-level failures.",
                                       f"{n.name}（PID {n.pid}）中加载了非 Microsoft 的代码：{names_zh}。注入安装进程的安全和数据"
                                       "防护软件是下层阶段失败的已知原因。"),
                              remediation=("Update or uninstall the product these modules belong to, then retry "
                                           "the upgrade.", "更新或卸载这些模块所属的产品，然后重新升级。"))},
            evidence=evidence))
    return out


def _crash_exits(store: CaseStore, setup: list[ProcessNode]) -> list[tuple[int, int]]:
    """(file id, time) of every Setup process's crash exit (an NTSTATUS error): the failing moments."""
    out = []
    for n in setup:
        if n.exit_status is not None and n.exit_status >= 0xC0000000 and n.exit_line is not None:
            ts = store.scalar("SELECT ts FROM timeline WHERE file_id = ? AND line = ?", (n.file_id, n.exit_line))
            if ts is not None:
                out.append((n.file_id, int(ts)))
    return out


def _denied_at_failure(store: CaseStore, file_id: int, where: str, params: tuple[Any, ...],
                       exits: list[tuple[int, int]]) -> int:
    """How many denied or refused accesses matching ``where`` (on ``procmon_events e``) fall in the seconds
    before a Setup process crashed in the same capture."""
    # the denials stay bound here (``IN (?, ?)``), not :data:`_DENIED_SQL`: written out, they lead SQLite to the
    # partial index of denied events instead of the window's rows (measured: 0.24 s became 8.2 s)
    total = 0
    for fid, ts in exits:
        if fid != file_id:
            continue
        lo = ts - FAILING_MOMENT_US
        if store.scalar("SELECT count(*) FROM (SELECT 1 FROM timeline WHERE ts BETWEEN ? AND ? LIMIT ?)",
                        (lo, ts, WINDOW_ROWS + 1)) <= WINDOW_ROWS:
            # a quiet window: read its rows (the timeline's ts index) and look each one's event up, rather than
            # every event of the processes (thousands each, joined to the timeline, for a few in the window)
            # (CROSS JOIN and the unary + keep SQLite on that order: ``where`` names the capture's processes)
            sql = ("SELECT count(*) FROM timeline t CROSS JOIN procmon_events e ON e.file_id = +t.file_id AND "
                   f"e.line = t.line WHERE t.ts BETWEEN ? AND ? AND +t.file_id = ? AND e.result IN (?, ?) AND {where}")
            args: tuple[Any, ...] = (lo, ts, file_id, *DENIALS, *params)
        else:
            sql = ("SELECT count(*) FROM procmon_events e JOIN timeline t ON t.file_id = e.file_id AND "
                   f"t.line = e.line WHERE e.file_id = ? AND e.result IN (?, ?) AND t.ts BETWEEN ? AND ? AND {where}")
            args = (file_id, *DENIALS, lo, ts, *params)
        total += store.scalar(sql, args) or 0
    return total


#: Up to how many timeline rows a failing moment's window is read row by row (:func:`_denied_at_failure`).
WINDOW_ROWS = 20_000


def _third_party_touching(store: CaseStore, third: list[ProcessNode],
                          setup: list[ProcessNode]) -> list[dict[str, Any]]:
    out = []
    exits = _crash_exits(store, setup)
    setup_by_file = _keys_by_file(setup)
    for n in third:
        setup_keys = _keys_sql(setup_by_file.get(n.file_id, ()), n.file_id)
        where = f"e.file_id = ? AND e.process = ? AND {_SETUP_PATH_SQL}"
        count = store.scalar(f"SELECT count(*) FROM procmon_events e WHERE {where}", (n.file_id, n.process))
        if not count:
            continue
        denials = store.scalar(f"SELECT count(*) FROM procmon_events e WHERE {where} AND {_DENIED_SQL}",
                               (n.file_id, n.process))
        # the same file that a Setup process was then refused: the strongest sign this product was in the way
        # in the order Setup first met them (a plan's order would change the finding's words with the plan)
        clashes = store.query(
            f"SELECT e.path, e.result, e.process FROM procmon_events e WHERE {setup_keys} "
            f"AND e.file_id = ? AND {_DENIED_SQL} AND e.path IN (SELECT path FROM procmon_events "
            "WHERE file_id = ? AND process = ?) GROUP BY e.path, e.result, e.process ORDER BY min(e.line) "
            "LIMIT 10", (n.file_id, n.file_id, n.process))
        evidence = _evidence(store, where, (n.file_id, n.process),
                             order="e.result = 'SUCCESS', t.ts")
        clash_text = "; ".join(f"{c['path']} ({c['result']} for Setup)" for c in clashes)
        if clashes:
            evidence = _evidence(store, f"e.file_id = ? AND {_DENIED_SQL} AND {setup_keys} AND e.path IN ("
                                 + ", ".join("?" for _ in clashes) + ")",
                                 (n.file_id, *[c["path"] for c in clashes]), limit=5) + evidence
        # a weak signal unless Setup was refused the same files and it happened when Setup failed
        at_failure = _denied_at_failure(store, n.file_id, f"{setup_keys} AND e.path IN ("
                                        + ", ".join("?" for _ in clashes) + ")",
                                        tuple(c["path"] for c in clashes), exits) if clashes else 0
        severity = "high" if at_failure else "medium" if clashes else "low"
        clash_zh = "；".join(f"{c['path']}（安装程序得到 {c['result']}）" for c in clashes)
        summary_zh = (f"第三方进程 {n.name}（PID {n.pid}，映像 {n.image or '?'}）对安装程序的文件夹或可执行文件"
                      f"（$WINDOWS.~BT、$Windows.~WS、Panther）进行了 {count} 次访问"
                      + (f"，其中 {denials} 次被拒绝或阻止" if denials else "")
                      + (f"；随后安装程序访问同样的文件被拒绝：{clash_zh}" if clashes else "") + "。")
        out.append(dict(
            rule_id="procmon.third_party_touches_setup", severity=severity,
            score=60 + min(count, 30) + (10 if clashes else 0),
            title=f"{n.name} ({n.company or 'unknown company'}) touched Setup's files",
            summary=f"Third-party process {_label(n)}, image {n.image or '?'}, made {count} accesses to Setup's "
                    f"folders or executables ($WINDOWS.~BT, $Windows.~WS, Panther)"
                    + (f", {denials} of them denied or blocked" if denials else "")
                    + (f"; Setup was then refused the same files: {clash_text}" if clashes else "") + ".",
            remediation="Exclude the Setup folders from this product (or pause it) during the upgrade, or update "
                        "it to a version supported on the target Windows release.",
            data={"process": list(n.key), "company": n.company, "image": n.image, "events": count,
                  "refused_to_setup": [c["path"] for c in clashes],
                  **bilingual(title=(f"{n.name} ({n.company or 'unknown company'}) touched Setup's files",
                                     f"{n.name}（{n.company or '未知公司'}）访问了安装程序的文件"),
                              summary=(None, summary_zh),
                              remediation=("Exclude the Setup folders from this product (or pause it) during the "
                                           "upgrade, or update it to a version supported on the target Windows "
                                           "release.", "升级期间在该产品中排除安装程序文件夹（或暂停该产品），"
                                           "或将其更新到支持目标 Windows 版本的版本。"))},
            evidence=evidence))
    return out


def _denials(store: CaseStore, nodes: dict[tuple[int, int], ProcessNode],
             setup: list[ProcessNode]) -> list[dict[str, Any]]:
    setup_keys = _keys_sql(n.key for n in setup)
    rows = store.query(
        "SELECT e.file_id, e.process, e.result, count(*) AS n FROM procmon_events e "
        f"WHERE {_DENIED_SQL} AND ({_SETUP_PATH_SQL} OR {setup_keys}) "
        "GROUP BY e.file_id, e.process, e.result ORDER BY n DESC")
    per: dict[tuple[int, int], dict[str, int]] = {}
    for r in rows:
        per.setdefault((r["file_id"], r["process"]), {})[r["result"]] = r["n"]
    out = []
    exits = _crash_exits(store, setup)
    setup_by_file = _keys_by_file(setup)
    for key, results in per.items():
        n = nodes.get(key)
        label = _label(n) if n else f"process #{key[1]}"
        where = (f"e.file_id = ? AND e.process = ? AND {_DENIED_SQL} AND ({_SETUP_PATH_SQL} OR "
                 f"{_keys_sql(setup_by_file.get(key[0], ()), key[0])})")
        evidence = _evidence(store, where, key)
        total = sum(results.values())
        what = ", ".join(f"{v} × {k}" for k, v in results.items())
        label_zh = f"{n.name}（PID {n.pid}）" if n else f"进程 #{key[1]}"
        summary_zh = (f"{'安装进程 ' if n and n.setup else ''}{label_zh}在安装程序的路径或其自身工作中遇到 {what}。"
                      "被其他产品占用或保护的文件会导致安装程序失败。")
        out.append(dict(
            # refusals explain a failure only at the failing moment (a Setup process refused just before it died)
            rule_id="procmon.setup_access_denied",
            severity="medium" if n is not None and n.setup and _denied_at_failure(
                store, key[0], "e.process = ?", (key[1],), exits) else "low",
            score=40 + min(total, 20),
            title=f"{what} for {n.name if n else label} on Setup's files",
            summary=f"{label}{' (a Setup process)' if n and n.setup else ''} got {what} on Setup paths or in "
                    "Setup's own work. A file held open or guarded by another product makes Setup fail.",
            remediation="Find the process holding or guarding the file (third-party findings, Process Explorer "
                        "handles) and stop or exclude it.",
            data={"process": list(key), "results": results,
                  **bilingual(title=(f"{what} for {n.name if n else label} on Setup's files",
                                     f"{n.name if n else label} 访问安装程序的文件时遇到 {what}"),
                              summary=(None, summary_zh),
                              remediation=("Find the process holding or guarding the file (third-party findings, "
                                           "Process Explorer handles) and stop or exclude it.",
                                           "找出占用或保护该文件的进程（第三方进程发现、Process Explorer 的句柄），"
                                           "将其停止或排除。"))},
            evidence=evidence))
    return out


def _abnormal_exits(store: CaseStore, setup: list[ProcessNode], third: list[ProcessNode]) -> list[dict[str, Any]]:
    out = []
    third_keys = {n.key for n in third}
    for n in setup:
        if not n.abnormal_exit or n.exit_line is None:
            continue
        exit_ts = store.scalar("SELECT ts FROM timeline WHERE file_id = ? AND line = ?", (n.file_id, n.exit_line))
        evidence = _evidence(store, "e.file_id = ? AND e.line = ?", (n.file_id, n.exit_line), limit=1)
        before: list[dict[str, Any]] = []
        if exit_ts is not None:
            # what else happened just before: denials, other exits, third-party activity, errors first
            third_sql = _keys_sql(third_keys)
            before = _evidence(
                # driven by the timeline's ts index (the unary + keeps SQLite off the file_id index)
                store, "+t.file_id = ? AND t.line <> ? AND t.ts BETWEEN ? AND ?",
                (n.file_id, n.exit_line, exit_ts - BEFORE_EXIT_US, exit_ts),
                limit=MAX_EVIDENCE - 1,
                order=f"(t.level IN ('error', 'warning') OR {third_sql}) DESC, t.level = 'verbose', t.ts DESC")
            before.sort(key=lambda e: (e["ts"] is None, e["ts"]))
        crash = n.exit_status is not None and n.exit_status >= 0xC0000000
        code = hex32(n.exit_status)
        summary_zh = (f"{n.name}（PID {n.pid}）以退出状态 {code} 结束" + ("（崩溃：NTSTATUS 错误）" if crash else "")
                      + f"。已附上退出前 {BEFORE_EXIT_US // 1_000_000} 秒内的 {len(before)} 个事件。")
        out.append(dict(
            rule_id="procmon.setup_abnormal_exit", severity="high" if crash else "medium",
            score=(80 if crash else 50) + (10 if n.name.lower() == "setuphost.exe" else 0),
            ts=exit_ts,
            title=f"{n.name} exited with {code}",
            summary=f"{_label(n)} ended with exit status {code}"
                    + (" (a crash: an NTSTATUS error)" if crash else "")
                    + f". {len(before)} event(s) from the {BEFORE_EXIT_US // 1_000_000} seconds before are "
                      "attached.",
            remediation="Read the events before the exit; for a crash, look for a user dump (WER) of this "
                        "process and the modules loaded into it.",
            data={"process": list(n.key), "exit_status": code, "image": n.image,
                  **bilingual(title=(f"{n.name} exited with {code}", f"{n.name} 以 {code} 退出"),
                              summary=(None, summary_zh),
                              remediation=("Read the events before the exit; for a crash, look for a user dump "
                                           "(WER) of this process and the modules loaded into it.",
                                           "查看退出前的事件；如果是崩溃，查找该进程的用户转储（WER）及加载到其中的模块。"))},
            evidence=evidence + before))
    return out


#: How long before a Setup process died a third-party module loaded into it still counts as a suspect.
INJECT_WINDOW_US = 600_000_000


def _ever_opened(store: CaseStore, p: ProcessNode, image: str, seen: dict[tuple[int, int, str], bool]) -> bool:
    """Whether ``p`` touched ``image`` at all in its capture, asked once per process and image (``seen``): most
    third-party processes never did, and the timed query of :func:`_injector` for each DLL load (thousands of
    events joined to the timeline) then has nothing to find."""
    key = (*p.key, image.lower())
    if key not in seen:
        seen[key] = store.scalar("SELECT count(*) FROM (SELECT 1 FROM procmon_events e WHERE e.file_id = ? AND "
                                 "e.process = ? AND lower(e.path) = lower(?) LIMIT 1)", (p.file_id, p.process, image)) > 0
    return seen[key]


def _injector(store: CaseStore, target: ProcessNode, module: str, company: str, third: list[ProcessNode],
              before: int | None, seen: dict[tuple[int, int, str], bool]) -> tuple[ProcessNode | None, list[dict[str, Any]]]:
    """The third-party process that put ``module`` into ``target``: one that opened the target's image (what
    Procmon shows of an injection), of the module's company, or shipping it from its own folder; the events
    that show it are returned as evidence."""
    folder = module.lower().rsplit("\\", 1)[0]
    best: tuple[int, ProcessNode | None, list[dict[str, Any]]] = (0, None, [])
    for p in third:
        if p.file_id != target.file_id:
            continue
        score = 0
        opened: list[dict[str, Any]] = []
        if target.image and _ever_opened(store, p, target.image, seen):
            opened = _evidence(store, "e.file_id = ? AND e.process = ? AND lower(e.path) = lower(?)"
                               + (" AND t.ts <= ?" if before is not None else ""),
                               (p.file_id, p.process, target.image, *([before] if before is not None else [])),
                               limit=3)
            score += 4 if opened else 0
        if company and p.company and p.company.lower() == company.lower():
            score += 2
        if p.image and p.image.lower().rsplit("\\", 1)[0] == folder:
            score += 2
        if score > best[0]:
            best = (score, p, opened)
    return best[1], best[2]


def _third_party_loads(store: CaseStore, n: ProcessNode, companies: dict[str, str]) -> list[dict[str, Any]]:
    """The Load Image events of ``n`` whose module is not Microsoft's (by ``companies``, else by folder) and not
    its own image, in time order (``line``, ``path``, ``company``, ``ts``). The modules are sorted out before the times are
    read: joining each of a Setup process's hundreds of loads to the timeline to sort them took most of the
    analysis of a case of 100 captures, for the few third-party ones it keeps. The sort is stable over the
    events' order, as SQLite's ORDER BY ts was over the rows it read."""
    image = n.image.lower()
    keep = []
    for line, path in _loads(store, n):
        path = path or ""
        company = companies.get(path.lower(), "")
        if not path or path.lower() == image or is_microsoft(company) or (not company and in_windows_folders(path)):
            continue
        keep.append((line, path, company))
    times: dict[int, int | None] = {}
    for at in range(0, len(keep), 500):
        lines = [line for line, _, _ in keep[at:at + 500]]
        times.update(store.conn.execute(
            f"SELECT line, ts FROM timeline WHERE file_id = ? AND line IN ({', '.join('?' for _ in lines)})",
            (n.file_id, *lines)).fetchall())
    out: list[dict[str, Any]] = [{"line": line, "path": path, "company": company, "ts": times[line]}
                                 for line, path, company in keep if line in times]
    out.sort(key=lambda r: (r["ts"] is not None, r["ts"] or 0))  # NULL first, as SQLite orders
    return out


def _injections(store: CaseStore, setup: list[ProcessNode], third: list[ProcessNode]) -> list[dict[str, Any]]:
    """Third-party code loaded into a Setup process shortly before it died: the injector process and its
    company, the DLL, and the seconds between the load and the crash (issue 19: the strongest Procmon sign,
    which must not rank below a scanner's access noise)."""
    out = []
    seen: dict[tuple[int, int, str], bool] = {}
    for n in setup:
        if not n.abnormal_exit or n.exit_line is None:
            continue
        exit_ts = store.scalar("SELECT ts FROM timeline WHERE file_id = ? AND line = ?", (n.file_id, n.exit_line))
        companies: dict[str, str] = {}
        if _has_table(store, "procmon_modules"):
            companies = {m["path"].lower(): m["company"] or "" for m in store.query(
                "SELECT path, company FROM procmon_modules WHERE file_id = ? AND process = ?", (n.file_id, n.process))
                if m["path"]}
        status = hex32(n.exit_status)
        for load in _third_party_loads(store, n, companies):
            path, company = load["path"], load["company"]
            if exit_ts is not None and load["ts"] is not None and not 0 <= exit_ts - load["ts"] <= INJECT_WINDOW_US:
                continue
            seconds = None if exit_ts is None or load["ts"] is None else round((exit_ts - load["ts"]) / 1e6, 1)
            dll = path.rsplit("\\", 1)[-1]
            who, opened = _injector(store, n, path, company, third, load["ts"], seen)
            company = company or (who.company if who is not None else "")
            by = f"{who.name} ({who.company or 'unknown company'})" if who is not None else None
            by_zh = f"{who.name}（{who.company or '未知公司'}）" if who is not None else None
            what = f"{dll}" + (f" ({company})" if company else "")
            what_zh = f"{dll}" + (f"（{company}）" if company else "")
            secs = f"{seconds:g} s" if seconds is not None else "shortly"
            title = f"{what} was put into {n.name} {secs} before it exited with {status}"
            title_zh = f"{what_zh} 被注入 {n.name}，{seconds:g} 秒后该进程以 {status} 退出" if seconds is not None \
                else f"{what_zh} 被注入 {n.name}，随后该进程以 {status} 退出"
            summary = (f"{by + ' opened ' + n.name + ' and ' if by else ''}{dll} was loaded into {_label(n)}"
                       + (f" {seconds:g} seconds" if seconds is not None else "") + f" before it exited with {status}"
                       + (" (a crash)" if (n.exit_status or 0) >= 0xC0000000 else "") + ".")
            summary_zh = (f"{by_zh + ' 打开了 ' + n.name + '，' if by_zh else ''}{dll} 被加载到 {n.name}（PID {n.pid}）中"
                          + (f"，{seconds:g} 秒后" if seconds is not None else "，随后") + f"该进程以 {status} 退出"
                          + ("（崩溃）" if (n.exit_status or 0) >= 0xC0000000 else "") + "。")
            fix = (f"Update or uninstall {company or 'the product that ships ' + dll}, or exclude the Setup folders "
                   "and processes from it during the upgrade.",
                   f"更新或卸载 {company or '提供 ' + dll + ' 的产品'}，或在升级期间将安装程序的文件夹和进程加入其排除列表。")
            evidence = opened + _evidence(store, "e.file_id = ? AND e.line IN (?, ?)",
                                          (n.file_id, load["line"], n.exit_line), limit=2)
            out.append(dict(
                rule_id="procmon.injected_before_exit", severity="critical", score=95.0, ts=exit_ts,
                twin=(n.name.lower(), dll.lower(), status),
                title=title, summary=summary, remediation=fix[0],
                data={"process": list(n.key), "target": n.name, "module": path, "company": company,
                      "seconds": seconds, "exit_status": status,
                      "injector": None if who is None else {"name": who.name, "pid": who.pid, "company": who.company,
                                                            "image": who.image, "process": list(who.key)},
                      **bilingual(title=(title, title_zh), summary=(summary, summary_zh), remediation=fix)},
                evidence=evidence))
    return out


def _suspect_findings(store: CaseStore, by_key: dict[tuple[int, int], ProcessNode]
                      ) -> dict[tuple[int, int], list[Any]]:
    """The third-party processes the Procmon findings blame, each with its findings (rows): the process a
    finding is about, and the injector a finding names (a process that opened a Setup process whose DLL was
    then loaded into it: the interferer, though the finding is about Setup). Injectors come first."""
    out: dict[tuple[int, int], list[Any]] = {}
    injectors: list[tuple[int, int]] = []
    for f in store.query("SELECT id, rule_id, title, data FROM findings WHERE rule_id LIKE 'procmon.%' "
                         "ORDER BY score DESC, id"):
        try:
            data = json.loads(f["data"] or "{}")
        except ValueError:
            continue
        who = data.get("injector") if isinstance(data.get("injector"), dict) else {}
        for raw, injector in ((list(data.get("process") or []), False), (list(who.get("process") or []), True)):
            n = by_key.get((int(raw[0]), int(raw[1]))) if len(raw) == 2 else None
            if n is None or not n.third_party or n.setup:
                continue
            out.setdefault(n.key, []).append(f)
            if injector and n.key not in injectors:
                injectors.append(n.key)
    return {k: out[k] for k in injectors + [k for k in out if k not in injectors]}


def mark_suspects(store: CaseStore, nodes: Iterable[ProcessNode]) -> None:
    """Mark the third-party processes the findings blame (:func:`_suspect_findings`) ``suspect``."""
    by_key = {n.key: n for n in nodes}
    for key in _suspect_findings(store, by_key):
        by_key[key].suspect = True


def processes_summary(store: CaseStore) -> dict[str, Any]:
    """The ``processes`` object of the analysis JSON: Setup processes with their exit status, and the
    third-party suspects (an injector first) with the findings that name them."""
    nodes = load_processes(store)
    times = CaseTimes(store)
    setup = [
        {"name": n.name, "pid": n.pid, "file_id": n.file_id, "process": n.process, "exit_status": hex32(n.exit_status),
         "abnormal_exit": n.abnormal_exit, "start": n.time_text(times, n.start), "end": n.time_text(times, n.end)}
        for n in sorted(nodes, key=lambda n: (n.file_id, n.start or 0, n.process)) if n.setup]
    suspects = []
    by_key = {n.key: n for n in nodes}
    for key, found in _suspect_findings(store, by_key).items():
        n = by_key[key]
        s: dict[str, Any] = {"name": n.name, "pid": n.pid, "company": n.company, "image": n.image,
                             "findings": [f["title"] for f in found], "evidence": []}
        for f in found:
            for e in store.query("SELECT file_id, line, ts, text FROM evidence WHERE finding_id = ? ORDER BY id "
                                 "LIMIT 10", (f["id"],)):
                s["evidence"].append({"line": e["line"], "time": stamped(times, e), "text": e["text"]})
        suspects.append(s)
    return {"setup_processes": setup, "third_party_suspects": suspects}


#: The key of the findings read ahead (:mod:`workbench.core.ahead`).
AHEAD_KEY = "procmon.findings"


def _ahead(store: CaseStore) -> list[dict[str, Any]]:
    """:func:`analyze` on a read-only store the ingest opened, with a second one for its other thread."""
    with ahead.another_reader(store) as alongside:
        return analyze(store, alongside)


@hookimpl
def workbench_analyze_ahead(store: CaseStore) -> dict[str, Any] | None:
    """The findings, read while the ingest copies the full-text index in and runs the analyzers before this one
    (they read only the Procmon tables and the clocked timeline, which no analyzer writes)."""
    if not _has_table(store, "procmon_events") or not _has_indexes(store):
        return None  # a store without the detail indexes gets them from the hook below first
    return {AHEAD_KEY: _ahead}


def _has_indexes(store: CaseStore) -> bool:
    names = [schema.index_name(ddl) for ddl in PROCMON_INDEXES]
    have = {r[0] for r in store.conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ({', '.join('?' * len(names))})", names)}
    return have == set(names)


@hookimpl
def workbench_analyze(store: CaseStore) -> None:
    """Findings from the Procmon captures of the case (nothing when there are none)."""
    if not _has_table(store, "procmon_events"):
        return
    for ddl in PROCMON_INDEXES:  # built by the ingest (Parser.indexes); here for a store that lacks them
        store.conn.execute(ddl)
    for f in ahead.result(store, AHEAD_KEY, analyze):
        store.add_finding(rule_id=f["rule_id"], title=f["title"], severity=f["severity"], summary=f["summary"],
                          remediation=f.get("remediation"), score=f.get("score", 0), ts=f.get("ts"),
                          data=json.dumps(f.get("data"), ensure_ascii=False), evidence=f["evidence"])
