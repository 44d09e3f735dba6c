"""Redaction on a corpus of more than 100 planted values (issue 18, 6): none survives in any format or
language, through ``export_summary`` (what ``workbench report --redact`` and the GUI export both call) and the
CLI itself; what the engineer needs (codes, builds, versions, drivers, times) stays; the summary says what
kinds were redacted."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.unit.redaction_corpus import CORPUS, KEEP, KEEP_LINES, KINDS, SA, Planted
from tests.unit.test_report_redact import redacted_exports
from tests.unit.test_report_summary import NOW, build_case
from workbench.cli import main
from workbench.core.report import Redactor, export_summary
from workbench.core.report.redact import LABELS, redaction_note
from workbench.core.store import NotesStore

_HEX_RUN = re.compile(r"[0-9a-fA-F]{32,}")  # hashes: a short value may occur in one by chance


def variants(p: Planted) -> set[str]:
    """The spellings a leak of ``p`` could take: as planted, other case, other separators, bare digits."""
    v = p.value
    out = {v, v.lower(), v.upper()}
    if p.kind == "mac":
        bare = re.sub(r"[^0-9A-Fa-f]", "", v)
        out |= {sep.join(bare[i:i + 2] for i in range(0, 12, 2)) for sep in (":", "-")} | {bare}
        out |= {x.lower() for x in out} | {x.upper() for x in out}
    if p.kind == "phone":
        digits = re.sub(r"\D", "", v)
        out |= {digits, digits[-8:], v[-9:]}  # "6888 1235": the number without its area code
    if p.kind == "key":
        out |= {v[:13], v[-13:]}  # two groups of a key are a leak already
    if p.kind == "address":  # the street and number alone: "世纪大道100号", "1600 Amphitheatre"
        street = re.search(r"[\u4e00-\u9fff]{2,6}(?:大道|大街|路|街)\d+号|\d+[A-Z]? [A-Z][a-z]+", v)
        out |= {street.group(0)} if street else set()
    if p.kind == "ipv6":
        address = ipaddress.IPv6Address(v)
        out |= {address.compressed, address.exploded}
    if p.kind in ("person", "user"):  # half a name is a leak too: "USER-1.garcia"
        out |= {part for part in re.split(r"[.\s_-]", v) if len(part) >= 4}
    return out


def leaks(text: str, planted: list[Planted] = CORPUS) -> list[str]:
    text = _HEX_RUN.sub("", text)
    return [f"{p.kind} {p.value!r} ({p.lang})" for p in planted for v in variants(p) if v in text]


def test_the_corpus_is_large_and_covers_every_kind() -> None:
    assert len(CORPUS) >= 150
    assert {p.kind for p in CORPUS} == KINDS
    by_lang = Counter(p.lang for p in CORPUS)
    assert by_lang["en"] >= 70 and by_lang["zh"] >= 70
    assert {p.kind for p in CORPUS if p.lang == "zh"} >= KINDS - {"wifi"} | {"wifi"}
    assert set(LABELS) >= KINDS


def test_each_line_alone_loses_every_planted_value() -> None:
    """No knowledge of the case: the line's own context and the patterns must be enough."""
    out = []
    for p in CORPUS:
        redacted = Redactor().apply({"line": p.line})["line"]
        out += leaks(redacted, [p])
    assert out == []


def test_a_value_learned_in_one_line_is_replaced_everywhere() -> None:
    lines = [p.line for p in CORPUS]
    mentions = ["Later the log names FILESRV01, WKS-ACC-0042, PF2XK9LM and 张伟 again, and jsmith01 once more."]
    redacted = Redactor().apply({"lines": lines + mentions})["lines"]
    assert leaks("\n".join(redacted)) == []
    assert "PC-" in redacted[-1] and "SERIAL-" in redacted[-1] and "PERSON-" in redacted[-1]


def test_what_the_engineer_needs_is_never_redacted() -> None:
    fresh = Redactor()
    assert [fresh.apply({"l": line})["l"] for line in KEEP_LINES] == KEEP_LINES
    # nor by a redactor that has learned every name of the corpus
    learned = Redactor()
    redacted = learned.apply({"corpus": [p.line for p in CORPUS], "keep": KEEP_LINES})
    assert redacted["keep"] == KEEP_LINES
    for value in KEEP:
        assert any(value in line for line in redacted["keep"]), value


def test_phone_numbers_keep_the_closing_parenthesis() -> None:
    r = Redactor()
    assert r.redact_text("Contact (tel: +44 20 7946 0958), desk (555) 123-4567.") == \
        "Contact (tel: PHONE-1), desk PHONE-2."
    assert r.redact_text("（手机 +86 138 0013 8000）") == "（手机 PHONE-3）"


def _corpus_case(root: Path, *, all_plugins: bool = False):  # type: ignore[no-untyped-def]
    """The report test case (a failed 0xC1900101 - 0x40017 upgrade) with the corpus in its notes, the way an
    engineer pastes log lines, event text and the customer's contact into them, and the lines to keep."""
    case = build_case(root, all_plugins=all_plugins)
    en = list(dict.fromkeys(p.line for p in CORPUS if p.lang == "en"))  # a line planted with three values once
    zh = list(dict.fromkeys(p.line for p in CORPUS if p.lang == "zh"))
    note = "\n".join(["## 现场记录 / Field notes", "", "```", *en, "```", "", *[f"- {line}" for line in zh], "",
                      "```", *KEEP_LINES, "```", ""])
    with NotesStore.open(case.folder) as notes:
        notes.save(note)
    return case


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_planted_value_survives_any_export(tmp_path: Path, lang: str) -> None:
    case = _corpus_case(tmp_path)
    try:
        plain, outputs = redacted_exports(case.store, lang)
    finally:
        case.close()
    # the unredacted summary carries every planted value, so their absence below means something
    missing = [p.value for p in CORPUS if p.value not in plain.replace("\\_", "_").replace("\\\\", "\\")]
    assert missing == []
    for fmt, text in outputs.items():
        assert leaks(text) == [], fmt
        for value in ("0xC1900101", "0x40017", "lwfmgr", "10.0.19041", "22631.2861", "NdisFDeregisterFilterDriver",
                      "2021-05-18 03:11:02", "0x800F0922"):
            assert value in text, (fmt, value)
        note = "发送前已脱敏" if lang == "zh" else "Redacted before sending"
        assert note in text, fmt
    sentence = outputs["txt"].strip().splitlines()[-1]
    for kind in KINDS:
        label = LABELS[kind][2] if lang == "zh" else LABELS[kind][1]
        assert label in sentence or LABELS[kind][0] in sentence, (kind, sentence)


def test_the_cli_uses_the_same_redaction(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    case = _corpus_case(tmp_path, all_plugins=True)  # as the CLI ingests: it finds the case current
    folder = case.source
    store_md = export_summary(case.store, "md", lang="zh", redact=True, now=NOW)
    case.close()
    assert main(["report", str(folder), "--format", "md", "--lang", "zh", "--redact", "--now",
                 "2026-11-25T08:30:00Z", "--quiet"]) == 0
    out = capsysbinary.readouterr().out
    assert leaks(out.decode("utf-8")) == []
    assert out == store_md


def test_the_redaction_note_counts_values_per_kind() -> None:
    r = Redactor()
    r.apply({"a": "PC FIN-PC-01 at 10.1.1.5 and 10.1.1.6, Computer Name: FIN-PC-01"})
    assert r.kinds() == {"computer": (1, 2), "ipv4": (2, 2)}
    assert redaction_note(r.kinds(), "en")["text"] == ("Redacted before sending (personal data replaced by "
                                                      "pseudonyms such as USER-1, PC-1): 1 computer name, "
                                                      "2 IPv4 addresses.")
    assert redaction_note(r.kinds(), "zh")["text"] == ("发送前已脱敏（个人信息已替换为 USER-1、PC-1 之类的代号）："
                                                      "计算机名 1 个、IPv4 地址 2 个。")
    assert "nothing" not in redaction_note({}, "en")["text"] and redaction_note({}, "zh")["kinds"] == []


def test_setupact_lines_in_the_timeline_are_redacted_too(tmp_path: Path) -> None:
    """Planted values in the log itself reach the summary as evidence and key timeline rows."""
    from workbench.core.case import Case

    panther = tmp_path / "case" / "$WINDOWS.~BT" / "Sources" / "Panther"
    panther.mkdir(parents=True)
    lines = [p.line.replace(SA, "2021-05-18 03:11:02, Error                 ") for p in CORPUS
             if p.line.startswith(SA)]
    lines.append("2021-05-18 03:11:03, Fatal Error           SP     Reporting error event: 0xC1900101 - 0x40017")
    (panther / "setupact.log").write_text("\r\n".join(lines) + "\r\n", "utf-8")
    case = Case.open(tmp_path / "case")
    try:
        case.ensure_ingested()
        planted = [p for p in CORPUS if p.line.startswith(SA)]
        for lang in ("en", "zh"):
            for fmt in ("md", "html", "txt"):
                plain = export_summary(case.store, fmt, lang=lang, now=NOW).decode("utf-8")
                text = export_summary(case.store, fmt, lang=lang, redact=True, now=NOW).decode("utf-8")
                assert leaks(plain, planted), "the summary quotes none of the planted lines"
                assert leaks(text, planted) == [], (lang, fmt)
    finally:
        case.close()


#: kinds no public sample holds: finding one there is a false alarm (the samples do hold user, computer and
#: domain names, addresses and, in one setup log, a product key Setup printed)
FALSE_ALARMS = {"phone", "person", "id_card", "serial", "wifi", "address", "im"}


@pytest.mark.fixtures
def test_real_logs_hold_no_false_people_phones_cards_or_addresses(shared_fixtures: Path) -> None:
    """Public sample logs (../shared/fixtures: setup logs and their XML, systeminfo and msinfo32, WER reports,
    debugger text): byte counts, device IDs, versions, times, drive counts and module versions in them must not
    be taken for phone numbers, people, cards, serials, Wi-Fi names, addresses or chat accounts. A key is only
    ever one Setup printed as a product key."""
    from workbench.core.textio import read_lines

    paths = sorted(p for pattern in ("setup/*", "sysinfo/*", "wer/*/*", "dumps/text/*")
                   for p in shared_fixtures.glob(pattern) if p.is_file() and p.suffix not in (".md", ".json"))
    assert len(paths) >= 40
    for path in paths:
        lines = [ln.text for ln in read_lines(path)]
        r = Redactor()
        replaced = r.preview({"lines": lines})
        found = set(r.kinds()) & (FALSE_ALARMS | {"email", "mac"} if path.parent.name == "setup" else FALSE_ALARMS)
        assert not found, (path.name, [(x.category, x.value) for x in replaced if x.category in found])
        for key in (x.value for x in replaced if x.category == "key"):
            assert all("ProductKey" in line for line in lines if key in line), (path.name, key)


@pytest.mark.fixtures
@pytest.mark.slow  # ingests the sample event logs and Procmon captures (about 45 000 rows, ten seconds)
def test_real_event_logs_and_captures_hold_no_false_alarms(shared_fixtures: Path) -> None:
    """The same over what the parsers make of the public EVTX and Procmon samples: event messages rendered as
    the timeline holds them."""
    from workbench.core.case import Case

    for folder in ("evtx", "procmon"):
        case = Case.open(shared_fixtures / folder)
        try:
            case.ensure_ingested()
            messages = [row["message"] or "" for row in case.store.query("SELECT message FROM timeline")]
        finally:
            case.close()
        assert len(messages) > 1000, folder
        r = Redactor()
        replaced = r.preview({"lines": messages})
        found = set(r.kinds()) & (FALSE_ALARMS | {"key"})
        assert not found, (folder, [(x.category, x.value) for x in replaced if x.category in found])


def test_the_customers_description_file_is_redacted_in_every_format(tmp_path: Path) -> None:
    """The reviewer's shape: the values sit in the customer's own description (a GBK ``问题描述.txt`` beside the
    logs), which reaches the summary as the reported text and as evidence; the same lines as Setup errors at
    the moment of the failure reach the key timeline."""
    from workbench.core.case import Case

    folder = tmp_path / "张伟电脑日志"
    panther = folder / "$WINDOWS.~BT" / "Sources" / "Panther"
    panther.mkdir(parents=True)
    zh = list(dict.fromkeys(p.line for p in CORPUS if p.lang == "zh"))
    (folder / "问题描述.txt").write_bytes(("问题：升级失败 0xC1900101 - 0x40017\r\n" + "\r\n".join(zh) + "\r\n")
                                      .encode("gbk"))
    errors = [f"2021-05-18 03:11:02, Error                 MIG    Gather failed for {line}" for line in zh[:25]]
    errors.append("2021-05-18 03:11:03, Fatal Error           SP     Reporting error event: 0xC1900101 - 0x40017")
    (panther / "setuperr.log").write_text("\ufeff" + "\r\n".join(errors) + "\r\n", "utf-8")
    case = Case.open(folder)
    try:
        case.ensure_ingested()
        planted = [p for p in CORPUS if p.lang == "zh"]
        for lang in ("en", "zh"):
            plain = export_summary(case.store, "txt", lang=lang, now=NOW).decode("utf-8")
            shown = [p for p in planted if p.value in plain]
            assert len(shown) >= 40, "the summary quotes too little of the description to prove anything"
            _, outputs = redacted_exports(case.store, lang)
            for fmt, text in outputs.items():
                assert leaks(text, planted) == [], (lang, fmt)
                assert "0xC1900101" in text, (lang, fmt)
    finally:
        case.close()


def test_a_pseudonym_never_runs_into_a_following_number() -> None:
    """A name learned as 刘洋 followed by a number elsewhere must not read as another pseudonym."""
    r = Redactor()
    out = r.apply({"a": "联系人：刘洋", "b": "刘洋2024年6月反馈", "c": "联系人 刘洋2"})
    assert out == {"a": "联系人：PERSON-1", "b": "PERSON-1 2024年6月反馈", "c": "联系人 PERSON-2"}
