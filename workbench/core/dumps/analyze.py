"""After ingest: which crash belongs to the upgrade, and the finding that says so.

By path first (``Rollback\\setupmem.dmp``, ``NewOS\\Rollback``: the parser already weighted those), then by
time: a kernel dump written while the setup logs were running (from the first setup-log row to a day after
the last, which covers the reboots of a second-boot failure) is raised above unrelated dumps. An older
``Minidump\\*.dmp`` outside that window keeps its low weight and gets a low-severity finding that says it is
not the upgrade's crash, so nobody blames it by mistake.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from workbench.core.clock import format_us
from workbench.core.dumps.images import ImageLibrary
from workbench.core.dumps.pipeline import analyse_kernel_dump, analyse_user_dump
from workbench.core.dumps.record import WEIGHT_IN_SETUP_WINDOW, WEIGHT_TEXT_OF_UPGRADE_DUMP, record
from workbench.core.finding_text import bilingual
from workbench.core.parsers.base import CaseFile, Mediator
from workbench.core.plugins import hookimpl
from workbench.core.store import CaseStore

log = logging.getLogger(__name__)

DAY_US = 86_400 * 1_000_000
HOUR_US = 3_600 * 1_000_000
CRASH_FACTS = ("crash.bugcheck_code", "crash.bugcheck_name", "crash.parameters", "crash.culprit_module",
               "crash.culprit_third_party", "crash.fault_module", "crash.frames", "crash.os_build",
               "crash.exception_code", "crash.bad_access")


def setup_window(store: CaseStore) -> tuple[int, int] | None:
    """UTC µs span of the setup logs (setupact/setuperr rows), widened by an hour before and a day after."""
    row = store.conn.execute(
        # the setup log files first: asked by source alone, SQLite scans every row of the case
        "SELECT min(ts), max(ts) FROM timeline WHERE file_id IN (SELECT id FROM files WHERE kind IN "
        "('setupact', 'setuperr')) AND source IN ('setupact', 'setuperr') AND ts IS NOT NULL"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return row[0] - HOUR_US, row[1] + DAY_US


def _has_table(store: CaseStore, name: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)))


@hookimpl
def workbench_analyze(store: CaseStore) -> None:
    """Rank the case's crash sources, raise the one inside the setup window, and record findings."""
    if not _has_table(store, "dump_summary"):
        return
    reanalyse_with_images(store)
    window = setup_window(store)
    rows = store.query(
        "SELECT d.*, files.path AS path FROM dump_summary d JOIN files ON files.id = d.file_id "
        "WHERE d.bugcheck_code IS NOT NULL OR d.culprit IS NOT NULL ORDER BY d.file_id")
    if not rows:
        return
    ranked: list[tuple[int, int, Any, str]] = []
    for r in rows:
        weight, why = r["weight"], ("its path is where Setup writes the upgrade's crash dump"
                                    if r["upgrade_path"] else "")
        in_window = (window is not None and r["crash_ts"] is not None
                     and window[0] <= r["crash_ts"] <= window[1])
        if in_window and r["source_kind"] == "kernel_dump" and weight < WEIGHT_IN_SETUP_WINDOW:
            weight = WEIGHT_IN_SETUP_WINDOW
            why = "it crashed while the upgrade was running (inside the setup logs' time span)"
            _promote(store, r["file_id"], weight)
        elif not why and r["source_kind"] == "windbg_text":
            why = ("an engineer's WinDbg analysis of setupmem.dmp, the upgrade's own crash dump"
                   if weight >= WEIGHT_TEXT_OF_UPGRADE_DUMP else "an engineer's saved debugger analysis")
        ranked.append((weight, r["crash_ts"] or 0, r, why))
    ranked.sort(key=lambda t: (t[0], t[1]), reverse=True)
    top_weight = ranked[0][0]
    kept: list[tuple[int, Any, list[Any]]] = []  # (finding id, the crash kept, the same crash from other sources)
    for weight, _, r, why in ranked:
        related = weight >= WEIGHT_IN_SETUP_WINDOW or (weight == top_weight and window is None)
        if not related and r["crash_ts"] is None and r["culprit"]:
            # a debugger text carries no time: it is the upgrade's crash when it blames what that crash blames
            related = any((k[1]["culprit"] or "").lower() == r["culprit"].lower() and _same_crash(store, k[1], r)
                          for k in kept)
            why = why or "it is the same crash as the upgrade's dump (same culprit on the stack)"
        _relation(store, r, related, why, window)
        if related:
            same = next((k for k in kept if _same_crash(store, k[1], r)), None)
            if same is not None:
                # the same crash seen twice (the dump and an engineer's WinDbg text of it): one finding, every
                # source's evidence, and the two culprits reconciled when they differ
                same[2].append(r)
                _merge(store, same[0], same[1], r)
                continue
        finding_id = _finding(store, r, why, related, weight == top_weight and r is ranked[0][2], window)
        if related:
            kept.append((finding_id, r, []))


def is_bugcheck(store: CaseStore, r: Any) -> bool:
    """A kernel crash: a bug check code, a kernel dump, or a debugger text whose stack runs through
    ``KeBugCheck*`` (an engineer's ``kv`` often leaves out the ``BugCheck`` line)."""
    if r["bugcheck_code"] or r["source_kind"] == "kernel_dump":
        return True
    return bool(store.scalar("SELECT count(*) FROM dump_frames WHERE file_id = ? AND symbol LIKE 'KeBugCheck%'",
                             (r["file_id"],)))


def _same_crash(store: CaseStore, a: Any, b: Any) -> bool:
    """Two sources of one crash: both bug checks (or both process crashes) with no contradicting code, and
    no contradicting time (within two minutes when both carry one)."""
    if is_bugcheck(store, a) != is_bugcheck(store, b):
        return False
    if a["bugcheck_code"] and b["bugcheck_code"] and a["bugcheck_code"] != b["bugcheck_code"]:
        return False
    if a["crash_ts"] is not None and b["crash_ts"] is not None and abs(a["crash_ts"] - b["crash_ts"]) > 120_000_000:
        return False
    return True


def module_is_microsoft(store: CaseStore, file_id: int, module: str) -> bool:
    """Whether ``module`` of the crash source ``file_id`` is Microsoft's: what that source's driver list says
    where it lists the module (from the image's version resource), else :func:`culprit.classify` by name (the
    inbox list, and the ``dump_*.sys`` copies of boot storage drivers). The one answer the dump analysis and
    the verdict share, so a culprit is never third-party in one and Microsoft's in the other."""
    row = store.query("SELECT microsoft FROM dump_drivers WHERE file_id = ? AND lower(name) = lower(?) LIMIT 1",
                      (file_id, module))
    if row and row[0]["microsoft"] is not None:
        return bool(row[0]["microsoft"])
    from workbench.core.dumps.culprit import classify
    from workbench.core.dumps.model import Module

    return classify(Module(name=module))[0]


def _is_third_party(store: CaseStore, file_id: int, module: str | None) -> bool:
    return bool(module) and not module_is_microsoft(store, file_id, str(module))


def _merge(store: CaseStore, finding_id: int, kept: Any, other: Any) -> None:
    """Add ``other`` to the finding of ``kept`` as evidence; when the culprits differ, say which is kept and
    why (a third-party module over a Microsoft one, else the stronger source), in both languages."""
    store.conn.execute(
        "INSERT INTO evidence (finding_id, file_id, line, ts, text) VALUES (?, ?, 1, ?, ?)",
        (finding_id, other["file_id"], other["crash_ts"],
         _crash_line(store, other, other["bugcheck_code"] or "bug check")))
    a, b = (kept["culprit"] or ""), (other["culprit"] or "")
    row = store.query("SELECT data FROM findings WHERE id = ?", (finding_id,))
    data = json.loads(row[0]["data"] or "{}") if row else {}
    sources = data.setdefault("sources", [{"file_id": kept["file_id"], "path": kept["path"],
                                           "kind": kept["source_kind"], "culprit": kept["culprit"]}])
    sources.append({"file_id": other["file_id"], "path": other["path"], "kind": other["source_kind"],
                    "culprit": other["culprit"]})
    if not kept["bugcheck_code"] and other["bugcheck_code"]:
        # the text had the stack, the dump has the code: the one finding says both
        data.update(bugcheck_code=other["bugcheck_code"], bugcheck_name=other["bugcheck_name"],
                    parameters=json.loads(other["parameters"]) if other["parameters"] else None)
        what = f"{other['bugcheck_code']} {other['bugcheck_name'] or ''}".strip()
        culprit = data.get("culprit") or kept["culprit"]
        title = f"Blue screen {what}" + (f" caused by {culprit}" if culprit else "")
        title_zh = f"蓝屏 {what}" + (f"，由 {culprit} 引起" if culprit else "")
        data["title"] = {"en": title, "zh": title_zh}
        store.conn.execute("UPDATE findings SET title = ? WHERE id = ?", (title, finding_id))
    if a.lower() != b.lower() and b:
        third_a, third_b = _is_third_party(store, kept["file_id"], a), _is_third_party(store, other["file_id"], b)
        choice, dropped, src = (b, a, other) if (third_b and not third_a) or not a else (a, b, kept)
        why_en = ("it is the first third-party module on its stack, the other is Microsoft's"
                  if third_a != third_b else "it comes from the stronger source of the two")
        why_zh = "它是其调用栈上第一个第三方模块，另一个是微软的模块" if third_a != third_b else "它来自两者中更可靠的来源"
        data["culprit"] = choice
        data["reconciled"] = {
            "en": f"{kept['path']} names {a or 'no culprit'}, {other['path']} names {b}; {choice} is kept because "
                  f"{why_en} ({dropped or 'none'} set aside).",
            "zh": f"{kept['path']} 指向 {a or '（无）'}，{other['path']} 指向 {b}；采用 {choice}，因为{why_zh}"
                  f"（{dropped or '无'} 不予采用）。"}
        if src is other:
            store.insert_facts([("crash.culprit_module", choice, other["file_id"], 1, other["crash_ts"], "utc",
                                 f"{choice}: {other['culprit_reason'] or ''}", WEIGHT_IN_SETUP_WINDOW + 10)])
    store.conn.execute("UPDATE findings SET data = ? WHERE id = ?", (json.dumps(data, ensure_ascii=False), finding_id))


#: Why a crash source is or is not the upgrade's crash (the ``crash.related`` fact's text), in Chinese too: the
#: verdict and the summary say it in the reader's language.
RELATION_WHY: dict[str, str] = {
    "its path is where Setup writes the upgrade's crash dump": "它的路径正是安装程序写入升级崩溃转储的位置",
    "it crashed while the upgrade was running (inside the setup logs' time span)":
        "它在升级运行期间崩溃（在安装日志覆盖的时间内）",
    "an engineer's WinDbg analysis of setupmem.dmp, the upgrade's own crash dump":
        "工程师对 setupmem.dmp（升级自己的崩溃转储）的 WinDbg 分析",
    "an engineer's saved debugger analysis": "工程师保存的调试器分析",
    "it is the same crash as the upgrade's dump (same culprit on the stack)":
        "它与升级的转储是同一次崩溃（调用栈上的肇事模块相同）",
    "the strongest crash source in a case without setup logs": "没有安装日志的案例中最可靠的崩溃来源",
    "it is not on the upgrade's rollback path and happened outside the time the setup logs cover":
        "它不在升级的回滚路径中，且发生在安装日志覆盖的时间之外",
    "a stronger crash source in the case is the upgrade's": "案例中另一个更可靠的崩溃来源才是这次升级的",
}


def relation_why_zh(text: str | None) -> str | None:
    """The Chinese of a ``crash.related`` reason (None for a text this module did not write)."""
    return RELATION_WHY.get(text or "")


def _relation(store: CaseStore, r: Any, related: bool, why: str, window: tuple[int, int] | None) -> None:
    """``crash.related`` per crash source: whether it is the upgrade's crash and why, so the analysis JSON
    reports only the upgrade's crash as ``crash`` and lists the others under ``other_crashes``."""
    if related:
        reason = why or "the strongest crash source in a case without setup logs"
    elif window is not None:
        reason = "it is not on the upgrade's rollback path and happened outside the time the setup logs cover"
    else:
        reason = "a stronger crash source in the case is the upgrade's"
    store.insert_facts([("crash.related", "true" if related else "false", r["file_id"], 1, r["crash_ts"], "utc",
                         reason, 0)])


def reanalyse_with_images(store: CaseStore) -> int:
    """Run the stack recovery again for dumps whose modules have images in the case; returns how many.

    The dump's own rows (summary, drivers, frames, crash.* facts) are replaced; its timeline row stays.
    """
    if not _has_table(store, "pe_images"):
        return 0
    images = store.query("SELECT p.name, f.blob FROM pe_images p JOIN files f ON f.id = p.file_id "
                         "WHERE f.blob IS NOT NULL")
    names = {r["name"].lower() for r in images}
    if not names:
        return 0
    done = 0
    dumps = store.query(
        "SELECT d.file_id, d.source_kind, f.path, f.kind, f.role, f.blob FROM dump_summary d "
        "JOIN files f ON f.id = d.file_id WHERE d.source_kind IN ('kernel_dump', 'user_dump') AND f.blob IS NOT NULL")
    for d in dumps:
        drivers = {r[0].lower() for r in store.conn.execute("SELECT name FROM dump_drivers WHERE file_id = ?",
                                                            (d["file_id"],))}
        if not drivers & names:
            continue
        library = ImageLibrary()
        for r in images:
            if r["name"].lower() in drivers:
                library.add(Path(r["blob"]), r["name"])
        analyse = analyse_kernel_dump if d["source_kind"] == "kernel_dump" else analyse_user_dump
        try:
            report, _problems = analyse(Path(d["blob"]), library)
        except Exception as exc:  # noqa: BLE001 - keep the first analysis rather than lose the dump
            log.warning("re-analysis of %s with images failed: %s", d["path"], exc)
            continue
        with store.conn:
            for table in ("dump_summary", "dump_drivers", "dump_frames"):
                store.conn.execute(f"DELETE FROM {table} WHERE file_id = ?", (d["file_id"],))
            store.conn.execute("DELETE FROM facts WHERE file_id = ? AND name LIKE 'crash.%'", (d["file_id"],))
        file = CaseFile(d["file_id"], d["path"], d["kind"], d["role"], Path(d["blob"]))
        mediator = Mediator(store, file, d["source_kind"])
        record(report, file, mediator, event=False)
        mediator.flush()
        done += 1
    return done


def _promote(store: CaseStore, file_id: int, weight: int) -> None:
    """Copy a dump's crash.* facts at the setup-window weight (the parser's rows stay as they were)."""
    marks = ",".join("?" * len(CRASH_FACTS))
    rows = store.conn.execute(
        f"SELECT name, value, file_id, line, ts, basis, text FROM facts WHERE file_id = ? AND name IN ({marks})",
        (file_id, *CRASH_FACTS)).fetchall()
    store.insert_facts([(*row, weight) for row in rows])


def _crash_line(store: CaseStore, r: Any, what: str) -> str:
    """A crash source's own line, as its evidence: the timeline row the parser wrote for it ("Bugcheck
    0x0000007E … at ndis.sys!NdisFDeregisterFilterDriver+0x47 - culprit lwfmgr.sys (WinDbg text)"); the
    reasoning behind the culprit is the finding's and the verdict's to tell, in the reader's language."""
    row = store.scalar("SELECT message FROM timeline WHERE file_id = ? ORDER BY line, id LIMIT 1", (r["file_id"],))
    return str(row) if row else f"{what}; culprit {r['culprit'] or 'unknown'}"


def _finding(store: CaseStore, r: Any, why: str, related: bool, top: bool,
             window: tuple[int, int] | None) -> int:
    code, name, culprit = r["bugcheck_code"], r["bugcheck_name"], r["culprit"]
    kernel = is_bugcheck(store, r)
    what = f"{code} {name or ''}".strip() if code else ("bug check (code not in the source)" if kernel
                                                        else "process crash")
    when = format_us(r["crash_ts"]) if r["crash_ts"] else "time unknown"
    data = {"file_id": r["file_id"], "bugcheck_code": code, "bugcheck_name": name, "culprit": culprit,
            "culprit_reason": r["culprit_reason"], "upgrade_related": related, "why": why,
            "parameters": json.loads(r["parameters"]) if r["parameters"] else None,
            "parameter_meanings": json.loads(r["parameter_meanings"]) if r["parameter_meanings"] else None}
    evidence = [{"file_id": r["file_id"], "line": 1, "ts": r["crash_ts"], "text": _crash_line(store, r, what)}]
    ts, basis = r["crash_ts"], "utc"
    if kernel and related:
        # Setup's own line about this crash ("Crash 0x0000007E detected" in the rollback log) is evidence of it,
        # and gives a debugger text, which carries no time, the moment the upgrade saw it
        seen = store.query("SELECT f.value, f.file_id, f.line, f.ts, f.basis, f.text FROM facts f JOIN files ON files.id = "
                           "f.file_id WHERE f.name = 'crash.bugcheck_code' AND files.kind IN ('setupact', 'setuperr') "
                           "ORDER BY f.weight DESC, f.id LIMIT 1")
        if seen and (code is None or seen[0]["value"] == code):
            line = {"file_id": seen[0]["file_id"], "line": seen[0]["line"], "ts": seen[0]["ts"], "text": seen[0]["text"]}
            # a source without a time links to Setup's line first, so a click lands on that moment
            evidence = evidence + [line] if ts is not None else [line] + evidence
            if ts is None:
                ts, basis = seen[0]["ts"], seen[0]["basis"]
    if related or (top and window is None):
        title = (f"Blue screen {code or ''} {name or ''}".rstrip() if kernel else "Process crash") \
            + (f" caused by {culprit}" if culprit else "")
        title_zh = (f"蓝屏 {code or ''} {name or ''}".rstrip() if kernel else "进程崩溃") \
            + (f"，由 {culprit} 引起" if culprit else "")
        title, title_zh = " ".join(title.split()), " ".join(title_zh.split())
        reason = (r["culprit_reason"] or "").rstrip(".")
        when = format_us(ts, utc=basis != "local") if ts is not None else "time unknown"
        why_en = why or "the strongest crash source in the case"
        summary = (f"{r['path']} ({when}): {what}. Culprit: {culprit or 'not found'}"
                   + (f" ({reason})" if reason else "") + f". Why this crash counts: {why_en}.")
        # the same in both languages with the time as data: the reader shows it on the case clock
        at = "{time:crash}" if ts is not None else "time unknown"
        summary_en = (f"{r['path']} ({at}): {what}. Culprit: {culprit or 'not found'}"
                      + (f" ({reason})" if reason else "") + f". Why this crash counts: {why_en}.")
        kind_zh = f"蓝屏 {what}" if kernel and code else ("蓝屏（来源中没有蓝屏代码）" if kernel else "进程崩溃")
        summary_zh = (f"{r['path']}（{'{time:crash}' if ts is not None else '时间未知'}）：{kind_zh}。"
                      f"肇事模块：{culprit or '未找到'}。为何认定是这次升级的崩溃："
                      f"{relation_why_zh(why_en) or relation_why_zh(why) or why_en}。")
        remediation = ("Update or uninstall the product that owns the culprit driver, then retry the upgrade; "
                       "check the driver's install in setupapi.dev.log of the rollback.") if culprit else None
        data["times"] = {"crash": [ts, basis]} if ts is not None else {}
        data.update(bilingual(title=(title, title_zh), summary=(summary_en, summary_zh), remediation=(
            remediation, "更新或卸载该肇事驱动程序所属的产品，然后重新升级；并在回滚的 setupapi.dev.log 中检查该驱动程序的安装。")
            if remediation else None))
        return store.add_finding(rule_id="crash.upgrade_bugcheck" if kernel else "crash.process_crash", title=title,
                          severity="critical" if kernel else "high", summary=summary, remediation=remediation,
                          score=90.0 if related else 60.0, ts=ts, data=json.dumps(data),
                          evidence=evidence)
    else:
        outside = (" outside the time the setup logs cover" if window is not None else "")
        at = "{time:crash}" if r["crash_ts"] else "time unknown"
        data["times"] = {"crash": [r["crash_ts"], "utc"]} if r["crash_ts"] else {}
        data.update(bilingual(title=(f"Other crash dump, not the upgrade's: {what}",
                                     f"其他崩溃转储，与本次升级无关：{what}"), summary=(
            f"{r['path']} ({at}){outside}; it is not on the upgrade's rollback path, so it is not blamed for the "
            f"failed upgrade. Its culprit: {culprit or 'unknown'}.",
            f"{r['path']}（{'{time:crash}' if r['crash_ts'] else '时间未知'}）"
            f"{'，发生在安装日志覆盖的时间之外' if window is not None else ''}；它不在升级的回滚路径中，因此不认为它导致了"
            f"这次升级失败。它的肇事模块：{culprit or '未知'}。")))
        return store.add_finding(rule_id="crash.unrelated_dump", title=f"Other crash dump, not the upgrade's: {what}",
                          severity="low",
                          summary=f"{r['path']} ({when}){outside}; it is not on the upgrade's rollback path, "
                                  f"so it is not blamed for the failed upgrade. Its culprit: {culprit or 'unknown'}.",
                          score=10.0, ts=r["crash_ts"], data=json.dumps(data), evidence=evidence)
