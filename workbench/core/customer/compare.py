"""Machines side by side: the comparison object of a customer case (``schema: workbench.compare/1``).

One column per member (``machines[]``, each with its verdict and system), machines told apart by computer
name, OS build and collection time, two uploads of one machine recognized as such (the same computer name and
no fact of the installation that differs) and the later marked newer. Then the third-party software aligned by
product (:mod:`.products`), ranked: what every failing machine has and no succeeding machine has comes first
(``common_suspects[]``), with why, in English and Chinese. The same finding on several machines is one row
with a mark per machine (``findings[]``); what differs between the machines is listed in ``differences[]``.

A machine fails or succeeds by its verdict's state, unless the engineer gave its member a role (``failing``,
``reference``). Members that could not be read stay as columns with their error and count as neither.
"""

from __future__ import annotations

import string
from typing import Any

from workbench.core.customer.case_file import CustomerCase
from workbench.core.customer.members import MachineInput
from workbench.core.customer.products import Product, align_products
from workbench.core.customer.texts import DIFFERENCE_KINDS, FIELDS, OUTCOMES, STATES, UPLOADS, both, join

COMPARE_SCHEMA = "workbench.compare/1"
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
#: Items of one product shown per machine cell (a machine can list dozens of one vendor's files).
MAX_CELL_ITEMS = 12


def column_keys(n: int) -> list[str]:
    """``A``, ``B``, … ``Z``, ``AA``, ``AB``: how engineers name machines in a write-up."""
    letters = string.ascii_uppercase
    out = []
    for i in range(n):
        key = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            key = letters[r] + key
        out.append(key)
    return out


def outcome(m: MachineInput) -> str:
    """``failing``, ``succeeding`` or ``unknown``: the member's role when the engineer set one, else its verdict."""
    if m.member.role == "failing":
        return "failing"
    if m.member.role == "reference":
        return "succeeding"
    if m.analysis is None:
        return "unknown"
    state = m.analysis["verdict"]["state"]
    return {"failed": "failing", "succeeded": "succeeding"}.get(state, "unknown")


def _norm(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def same_machine(a: MachineInput, b: MachineInput) -> bool:
    """The same computer name, and no fact of the installation (install date, maker, model, BIOS, domain) that
    differs where both uploads state it. An install date that changed along with a newer build is an upgrade
    that went through, not another machine."""
    ca, cb = _norm(a.identity.get("computer")), _norm(b.identity.get("computer"))
    if not ca or ca != cb:
        return False
    builds = [_build(x) for x in (a, b)]
    for name, va in a.identity.items():
        vb = b.identity.get(name)
        if name == "computer" or not va or not vb or _norm(va) == _norm(vb):
            continue
        if name == "install_date" and builds[0] and builds[1] and builds[0] != builds[1]:
            continue
        return False
    return True


def _build(m: MachineInput) -> str | None:
    return None if m.analysis is None else m.analysis["system"].get("os_build")


def _uploads(machines: list[MachineInput], keys: list[str]) -> dict[str, dict[str, Any]]:
    """Machine identity per column: which columns are uploads of one machine, their order, the newest."""
    group_of = list(range(len(machines)))
    for i in range(len(machines)):
        for j in range(i):
            if group_of[j] == j and same_machine(machines[i], machines[j]):
                group_of[i] = j
                break
    out: dict[str, dict[str, Any]] = {}
    machine_no = 0
    for root in sorted(set(group_of)):
        members = [i for i, g in enumerate(group_of) if g == root]
        machine_no += 1
        order = sorted(members, key=lambda i: (machines[i].last_log_ts or 0, machines[i].collected or "", i))
        for n, i in enumerate(order, 1):
            out[keys[i]] = {
                "machine_id": f"M{machine_no}", "upload": n, "uploads": len(order), "newest": n == len(order),
                "newer_than": [keys[j] for j in order[: n - 1]],
                "same_machine_as": [keys[j] for j in order if j != i],
            }
    return out


def _verdict_of(m: MachineInput) -> dict[str, Any]:
    if m.analysis is not None:
        return m.analysis["verdict"]
    summary, summary_zh = both("member_error", error=m.error or "?")
    step, step_zh = both("member_error_next")
    return {"state": "incomplete", "summary": summary, "summary_zh": summary_zh, "phase": None, "phase_text": None,
            "phase_text_zh": None, "code": None, "culprit": None, "confidence": "low", "reasoning": [],
            "next_steps": [step], "next_steps_zh": [step_zh], "collect": [], "reported": None, "causes": []}


def _system_of(m: MachineInput) -> dict[str, Any]:
    system = (m.analysis or {}).get("system") or {}
    out = {k: system.get(k) for k in ("os_name", "os_version", "os_build", "computer", "time_zone",
                                      "utc_offset_minutes", "time_zone_basis", "locale")}
    out.update({k: v for k, v in m.identity.items() if k != "computer"})
    out["clock"], out["clock_zh"] = m.clock_label
    out["installed_software"] = len(system.get("installed_software") or [])
    return out


def _machine(m: MachineInput, key: str, ident: dict[str, Any]) -> dict[str, Any]:
    a = m.analysis or {}
    upgrade = a.get("upgrade") or {}
    verdict = _verdict_of(m)
    culprit = verdict.get("culprit")
    computer = (a.get("system") or {}).get("computer") or m.identity.get("computer")
    label = f"{key} · {computer}" if computer else f"{key} · {m.source.name}"
    return {
        "key": key,
        "label": label,
        "source": m.source.name,
        "path": str(m.source),
        "sha256": m.member.sha256,
        "database": str(m.database) if m.database else None,
        "role": m.member.role,
        "outcome": outcome(m),
        "error": m.error,
        "error_kind": m.error_kind,
        "computer": computer,
        "os_build": (a.get("system") or {}).get("os_build"),
        "build_from": upgrade.get("source_build") or (a.get("system") or {}).get("os_build"),
        "build_to": upgrade.get("target_build"),
        "result_code": upgrade.get("result_code"),
        "extend_code": upgrade.get("extend_code"),
        "code": verdict.get("code"),
        "phase": verdict.get("phase"),
        "culprit": None if not culprit else {k: culprit.get(k) for k in ("module", "kind", "product", "vendor",
                                                                          "vendor_zh", "path")},
        "failure_time": m.wall(m.failure_ts, m.failure_basis),
        "failure_time_utc": m.utc(m.failure_ts, m.failure_basis),
        "collected": m.collected,
        "last_log": m.wall(m.last_log_ts, m.last_log_basis),
        "last_log_utc": m.utc(m.last_log_ts, m.last_log_basis),
        **ident,
        "findings": len(a.get("findings") or []),
        "problems": len(((a.get("case") or {}).get("problems")) or []),
        "verdict": verdict,
        "system": _system_of(m),
    }


# ------------------------------------------------------------------------------------------- software


def _cell(product: Product, key: str) -> dict[str, Any]:
    items = product.items.get(key) or []
    return {"present": bool(items), "versions": product.versions(key),
            "culprit": product.culprit_on.get(key) or [],
            "items": [{k: i.get(k) for k in ("name", "kind", "version", "source", "file", "line")}
                      for i in items[:MAX_CELL_ITEMS]],
            "items_total": len(items)}


def _score(product: Product, failing: list[str], succeeding: list[str]) -> dict[str, Any]:
    on = set(product.machines)
    fail_with = [k for k in failing if k in on]
    ok_with = [k for k in succeeding if k in on]
    common = bool(failing) and len(fail_with) == len(failing) and not ok_with and (len(failing) >= 2 or bool(succeeding))
    culprit = [k for k in failing if product.culprit_on.get(k)]
    drivers = sorted({i["name"] for i in product.all_items() if i.get("kind") == "driver"}, key=str.lower)
    score = 0.0
    if common:
        score = 100 + 40 * bool(culprit) + 20 * (product.known is not None) + 10 * bool(drivers) + len(fail_with)
    else:
        score = 10 * len(fail_with) - 10 * len(ok_with) + 20 * bool(culprit) + 5 * (product.known is not None)
    return {"common": common, "fail_with": fail_with, "ok_with": ok_with, "culprit": culprit, "drivers": drivers,
            "score": score}


def _reasons(product: Product, s: dict[str, Any], succeeding: list[str], keys_label: dict[str, str]
             ) -> tuple[list[str], list[str]]:
    en: list[str] = []
    zh: list[str] = []

    def add(pair: tuple[str, str]) -> None:
        en.append(pair[0])
        zh.append(pair[1])

    if s["common"]:
        if succeeding:
            add(both("reason_common", failing=join(s["fail_with"]), succeeding=join(succeeding)))
        else:
            add(both("reason_common_no_reference", failing=join(s["fail_with"])))
    if s["culprit"]:
        modules = sorted({m for k in s["culprit"] for m in product.culprit_on[k]}, key=str.lower)
        add(both("reason_culprit", machines=join(s["culprit"]), modules=join(modules)))
    if product.known is not None:
        category = product.category_name or (product.category or "", product.category or "")
        k = product.known
        if k.breaks:
            add(both("reason_known", category=category, breaks=(k.breaks, k.breaks_zh or k.breaks)))
        else:
            add(both("reason_known_short", category=category))
    if s["drivers"]:
        add(both("reason_driver", modules=join(s["drivers"][:4])))
    versions = [f"{k} {'/'.join(product.versions(k))}" for k in product.machines if product.versions(k)]
    if versions:
        add(both("reason_versions", versions=join(versions)))
    return en, zh


def _recommendation(product: Product, s: dict[str, Any]) -> tuple[str, str]:
    names = (product.label("en"), product.label("zh"))
    first, rest = s["fail_with"][0], s["fail_with"][1:]
    if rest:
        return both("recommend_suspect", first=first, rest=join(rest), product=names)
    return both("recommend_suspect_one", first=first, product=names)


def _product_json(product: Product, keys: list[str], s: dict[str, Any], succeeding: list[str],
                  labels: dict[str, str]) -> dict[str, Any]:
    reasons, reasons_zh = _reasons(product, s, succeeding, labels)
    out = {
        "id": product.id,
        "product": product.name,
        "product_zh": product.name_zh,
        "vendor": product.vendor,
        "vendor_zh": product.vendor_zh,
        "label": product.label("en"),
        "label_zh": product.label("zh"),
        "category": product.category,
        "category_name": product.category_name[0] if product.category_name else None,
        "category_name_zh": product.category_name[1] if product.category_name else None,
        "known": product.known is not None,
        "known_source": product.known.source if product.known is not None else None,
        "modules": product.modules(),
        "kinds": product.kinds(),
        "machines": {k: _cell(product, k) for k in keys},
        "failing": s["fail_with"],
        "succeeding": s["ok_with"],
        "culprit_on": s["culprit"],
        "common_to_failures": s["common"],
        "score": s["score"],
        "reasons": reasons,
        "reasons_zh": reasons_zh,
    }
    if s["common"]:
        out["recommendation"], out["recommendation_zh"] = _recommendation(product, s)
    return out


# ------------------------------------------------------------------------------------------- findings


def _findings(machines: list[MachineInput], keys: list[str]) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for m, key in zip(machines, keys, strict=True):
        for f in (m.analysis or {}).get("findings") or []:
            row = rows.setdefault((f["id"], f["title"]), {
                "id": f["id"], "title": f["title"], "title_zh": f.get("title_zh"), "severity": f["severity"],
                "machines": []})
            if key not in row["machines"]:
                row["machines"].append(key)
    order = {k: i for i, k in enumerate(rows)}
    return sorted(rows.values(), key=lambda r: (-len(r["machines"]), SEVERITY_ORDER.get(r["severity"], 9),
                                                order[(r["id"], r["title"])]))


# ------------------------------------------------------------------------------------------- differences


def _field_values(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    """The table's values of one machine as ``lang`` shows them (states and phases are words)."""
    culprit = entry.get("culprit") or {}
    zh = lang == "zh"
    return {
        "computer": entry.get("computer"),
        "os": entry["system"].get("os_name"),
        "build": f"{entry.get('build_from') or '?'} → {entry.get('build_to') or '?'}"
        if entry.get("build_from") or entry.get("build_to") else None,
        "state": entry["state_text_zh" if zh else "state_text"],
        "phase": entry["verdict"].get("phase_text_zh" if zh else "phase_text"),
        "code": entry.get("code"),
        "culprit": culprit.get("module"),
    }


def _differences(entries: list[dict[str, Any]], products: list[dict[str, Any]], findings: list[dict[str, Any]],
                 keys: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    values = {e["key"]: _field_values(e, "en") for e in entries}
    values_zh = {e["key"]: _field_values(e, "zh") for e in entries}
    for name in ("computer", "os", "build", "state", "phase", "code", "culprit"):
        row = {k: values[k][name] for k in keys}
        if len({_norm(v) for v in row.values()}) > 1:
            label, label_zh = FIELDS[name]
            out.append({"kind": "machine", "field": name, "label": label, "label_zh": label_zh, "values": row,
                        "values_zh": {k: values_zh[k][name] for k in keys}})
    for p in products:
        if p["common_to_failures"]:
            continue  # listed in common_suspects
        cells = p["machines"]
        present = [k for k in keys if cells[k]["present"]]
        if 0 < len(present) < len(keys):
            out.append({"kind": "software", "field": p["id"], "label": p["label"], "label_zh": p["label_zh"],
                        "values": {k: ("/".join(cells[k]["versions"]) or "✓") if cells[k]["present"] else None
                                   for k in keys},
                        "culprit_on": p["culprit_on"]})
        elif len(present) == len(keys) and len({tuple(cells[k]["versions"]) for k in keys if cells[k]["versions"]}) > 1:
            out.append({"kind": "version", "field": p["id"], "label": p["label"], "label_zh": p["label_zh"],
                        "values": {k: "/".join(cells[k]["versions"]) or None for k in keys},
                        "culprit_on": p["culprit_on"]})
    for f in findings:
        if len(f["machines"]) < len(keys):
            out.append({"kind": "finding", "field": f["id"], "label": f["title"],
                        "label_zh": f.get("title_zh") or f["title"],
                        "values": {k: "✓" if k in f["machines"] else None for k in keys}})
    for row in out:
        row["kind_text"], row["kind_text_zh"] = DIFFERENCE_KINDS[row["kind"]]
        row.setdefault("values_zh", row["values"])
    return out


# ------------------------------------------------------------------------------------------- the whole


def _overview(entries: list[dict[str, Any]], suspects: list[dict[str, Any]]) -> tuple[str, str]:
    failing = [e["key"] for e in entries if e["outcome"] == "failing"]
    succeeding = [e["key"] for e in entries if e["outcome"] == "succeeding"]
    unknown = [e["key"] for e in entries if e["outcome"] == "unknown"]
    parts = [both("overview_succeeded", succeeding=join(succeeding)) if succeeding else ("", ""),
             both("overview_unknown", unknown=join(unknown)) if unknown else ("", "")]
    head = both("overview", failing_n=len(failing), total=len(entries), failing=join(failing),
                succeeded_part=parts[0], unknown_part=parts[1])
    sentences = [head]
    if suspects:
        top = suspects[0]
        key = "overview_suspect" if succeeding else "overview_suspect_no_reference"
        sentences.append(both(key, product=(top["label"], top["label_zh"])))
    elif len(failing) == 1 and not succeeding:
        sentences.append(both("overview_one_failing"))
    elif failing:
        sentences.append(both("overview_no_suspect"))
    for e in entries:
        if e["uploads"] > 1 and e["newest"]:
            for older in e["newer_than"]:
                sentences.append(both("overview_uploads", older=older, newer=e["key"], computer=e["computer"] or "?"))
    return " ".join(s[0] for s in sentences), "".join(s[1] for s in sentences)


def _upload_text(entry: dict[str, Any]) -> tuple[str, str]:
    if entry["uploads"] < 2:
        return UPLOADS["only"]
    values = {"n": entry["upload"], "of": entry["uploads"], "computer": entry["computer"] or "?"}
    if entry["newest"]:
        return tuple(t.format(**values) for t in UPLOADS["newer"])  # type: ignore[return-value]
    newer = [k for k in entry["same_machine_as"] if k not in entry["newer_than"]]
    return tuple(t.format(newer=", ".join(newer), **values) for t in UPLOADS["older"])  # type: ignore[return-value]


def build_comparison(machines: list[MachineInput], customer: CustomerCase | None = None,
                     knowledge: Any = None) -> dict[str, Any]:
    """The ``workbench.compare/1`` object of ``machines`` (one per member, in the customer case's order).

    ``knowledge`` is the table of known modules (default: :func:`load_knowledge`), which names products and
    says which are known in upgrade failures.
    """
    if knowledge is None:
        from workbench.core.knowledge import load_knowledge

        knowledge = load_knowledge()
    keys = column_keys(len(machines))
    idents = _uploads(machines, keys)
    entries = [_machine(m, k, idents[k]) for m, k in zip(machines, keys, strict=True)]
    for e in entries:
        e["state_text"], e["state_text_zh"] = STATES.get(e["verdict"]["state"], (e["verdict"]["state"],) * 2)
        e["outcome_text"], e["outcome_text_zh"] = OUTCOMES[e["outcome"]]
        e["upload_text"], e["upload_text_zh"] = _upload_text(e)
    failing = [e["key"] for e in entries if e["outcome"] == "failing"]
    succeeding = [e["key"] for e in entries if e["outcome"] == "succeeding"]
    software = {k: list(((m.analysis or {}).get("system") or {}).get("installed_software") or [])
                for m, k in zip(machines, keys, strict=True)}
    culprits = {k: list(((m.analysis or {}).get("verdict") or {}).get("causes") or []) for m, k in zip(machines, keys, strict=True)}
    aligned = align_products(software, culprits, knowledge)
    labels = {e["key"]: e["label"] for e in entries}
    scored = [(p, _score(p, failing, succeeding)) for p in aligned]
    scored.sort(key=lambda ps: (-ps[1]["score"], ps[0].label().lower()))
    products = [_product_json(p, keys, s, succeeding, labels) for p, s in scored]
    suspects = [p for p in products if p["common_to_failures"]]
    findings = _findings(machines, keys)
    summary, summary_zh = _overview(entries, suspects)
    return {
        "schema": COMPARE_SCHEMA,
        "customer_case": None if customer is None else {
            "name": customer.name, "file": str(customer.file), "id": customer.id, "members": len(customer.members)},
        "summary": summary,
        "summary_zh": summary_zh,
        "fields": [{"field": k, "label": v[0], "label_zh": v[1]} for k, v in FIELDS.items()],
        "machines": entries,
        "failing": failing,
        "succeeding": succeeding,
        "common_suspects": suspects,
        "software": products,
        "findings": findings,
        "differences": _differences(entries, products, findings, keys),
    }
