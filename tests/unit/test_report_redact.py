"""Redaction: a redacted export holds none of the planted personal values, pseudonyms are consistent, the
patterns leave log noise alone, and the user's list (kept in the case database) is honoured."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.unit.test_report_summary import NOW, PLANTED, build_case
from workbench.core.report import Redactor, build_summary, export_summary, render_summary
from workbench.core.report.redact import (
    add_redaction_term,
    keep_term,
    redaction_terms,
    remove_term,
    valid_id_card,
)
from workbench.core.store import CaseStore


def _variants(value: str) -> set[str]:
    """The spellings a leak could take: as planted, lower/upper case, MAC with ':' or '-', phone digits."""
    out = {value, value.lower(), value.upper(), value.replace("-", ":"), value.replace("-", ":").lower()}
    if value.startswith("+"):
        out.add("".join(c for c in value if c.isdigit()))
    return out


def _eml_text(data: bytes) -> str:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    parts = [str(msg["Subject"])]
    for part in msg.walk():
        if not part.is_multipart():
            parts.append(part.get_content())
    return "\n".join(parts)


def redacted_exports(store: CaseStore, lang: str) -> tuple[str, dict[str, str]]:
    """The unredacted Markdown summary, and the redacted md, html, txt and eml (every part) as text."""
    plain = export_summary(store, "md", lang=lang, now=NOW).decode("utf-8")
    outputs = {fmt: export_summary(store, fmt, lang=lang, redact=True, now=NOW).decode("utf-8")
               for fmt in ("md", "html", "txt")}
    outputs["eml"] = _eml_text(export_summary(store, "eml", lang=lang, redact=True, now=NOW,
                                              attach_markdown=True, attach_evidence=True))
    return plain, outputs


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_redacted_exports_contain_no_planted_value(tmp_path: Path, lang: str) -> None:
    case = build_case(tmp_path)
    try:
        plain, outputs = redacted_exports(case.store, lang)
    finally:
        case.close()
    # the unredacted summary really carries every planted value, so their absence below means something
    for name, value in PLANTED.items():
        assert value in plain, f"{name} was not planted in the summary"
    for fmt, text in outputs.items():
        for name, value in PLANTED.items():
            for variant in _variants(value):
                assert variant not in text, f"{name} ({variant}) leaked into the redacted {fmt}"
        assert "USER-1" in text and "PC-1" in text and "WIFI-1" in text
        # the case's substance survives redaction
        assert "0xC1900101" in text and "lwfmgr" in text


def test_pseudonyms_are_consistent_across_sections_and_formats(tmp_path: Path) -> None:
    case = build_case(tmp_path)
    try:
        redactor = Redactor.for_case(case.store)
        summary = redactor.apply(build_summary(case.store, lang="en", now=NOW))
        preview = {r.value: r for r in redactor.preview(build_summary(case.store, lang="en", now=NOW))}
    finally:
        case.close()
    assert summary["system"]["computer"] == "PC-1"
    evidence = "\n".join(e["text"] for f in summary["findings"] for e in f["evidence"])
    notes = summary["notes"][0]["body"]
    assert r"C:\Users\USER-1\AppData" in evidence
    assert "Host name: PC-1, user DOMAIN-1\\USER-1" in evidence
    assert "PC-1（DOMAIN-1\\USER-1），IP-1 / IPV6-1，MAC MAC-1，Wi-Fi WIFI-1" in notes  # lower-case MAC too
    assert "EMAIL-1" in notes and "PHONE-1" in notes and "PHONE-2" in notes and "ID-1" in notes
    for fmt in ("md", "html", "txt"):
        assert "DOMAIN-1\\USER-1" in render_summary(summary, fmt).replace("\\\\", "\\")
    assert preview["FIN-PC-0231"].pseudonym == "PC-1"
    assert preview["FIN-PC-0231"].origin == "fact system.computer"
    assert preview["zhang.wei"].category == "user" and preview["zhang.wei"].count >= 3
    assert preview["BankGuest-5G"].category == "wifi"
    assert preview["440306199003072817"].category == "id_card"
    assert preview["00-1A-2B-3C-4D-5E"].count == 2  # both spellings counted under one pseudonym


def test_patterns_find_personal_values() -> None:
    r = Redactor()
    text = ("mail li.lei@example.com.cn tel 138-1234-5678 / +86 13912345678 / +44 20 7946 0958 / (555) 123-4567 "
            "/ 010-62345678, id 11010519491231002X, ip 192.168.1.20 and 2001:db8::8a2e:370:7334, "
            "mac aa:bb:cc:dd:ee:ff, 手机13700001111。")
    out = r.redact_text(text)
    for value in ("li.lei@example.com.cn", "138-1234-5678", "13912345678", "+44 20 7946 0958", "(555) 123-4567",
                  "010-62345678", "11010519491231002X", "192.168.1.20", "2001:db8::8a2e:370:7334",
                  "aa:bb:cc:dd:ee:ff", "13700001111"):
        assert value not in out, value
    assert "PHONE-" in out and "ID-1" in out and "IP-1" in out and "IPV6-1" in out and "MAC-1" in out
    assert out.count("PHONE-2") == 1 and "+PHONE" not in out


def test_patterns_leave_log_noise_alone() -> None:
    r = Redactor()
    noise = [
        "2026-11-20 10:20:03, Info SP CSetupPlatform::Rollback: Crash 0x0000007E detected",
        "OS version 10.0.19045.3803, driver 6.1.7601.17514, loopback 127.0.0.1, any 0.0.0.0, ::1",
        "FILETIME 132654321098765432, sha256 a13812345678b00c, offset +0x27, zone +0800",
        "id with a bad checksum 440306199003072818; build 22631.2861",
        "Microsoft.Windows.Assembly, Version=4.1.3.1, culture neutral; v2.1.0.5; assembly 5.0.0.0",
    ]
    for line in noise:
        assert r.redact_text(line) == line


def test_id_card_checksum_and_date() -> None:
    assert valid_id_card("11010519491231002X")
    assert valid_id_card("440306199003072817")
    assert not valid_id_card("440306199003072818")  # wrong check digit
    assert not valid_id_card("440306199013072814")  # month 13


def test_learned_names_respect_boundaries() -> None:
    r = Redactor()
    r.learn("user", "li", "test")  # two letters are kept: a real (pinyin) name can be that short
    r.learn("user", "alice", "test")
    r.learn("user", "x", "test")  # one letter would garble everything: ignored
    r.learn("computer", "Public", "test")  # generic: ignored
    out = r.redact_text(r"malice alice-pc Alice C:\Users\alice\x ALICE_logs Public li client")
    assert out == r"malice USER-1-pc USER-1 C:\Users\USER-1\x USER-1_logs Public USER-2 client"


def test_user_list_is_kept_in_the_case_and_applied(tmp_path: Path) -> None:
    case = build_case(tmp_path)
    store_path = case.store.path
    try:
        add_redaction_term(case.store, "lwfmgr", "other")
        add_redaction_term(case.store, "Customer", "user")
        keep_term(case.store, "10.20.30.41")
        with pytest.raises(ValueError):
            add_redaction_term(case.store, "x", "no-such-category")
    finally:
        case.close()
    with CaseStore.open(store_path) as store:  # a new session reads the same list
        assert [(t.value, t.category, t.action) for t in redaction_terms(store)] == [
            ("lwfmgr", "other", "redact"), ("Customer", "user", "redact"), ("10.20.30.41", "", "keep")]
        text = export_summary(store, "txt", lang="en", redact=True, now=NOW).decode("utf-8")
        assert "lwfmgr" not in text and "REDACTED-1" in text
        assert "10.20.30.41" in text  # the user said keep
        assert "Customer uninstalled" not in text and "USER-" in text
        remove_term(store, "10.20.30.41")
        assert "10.20.30.41" not in export_summary(store, "txt", lang="en", redact=True, now=NOW).decode("utf-8")


def test_context_learning_covers_chinese_names_and_netsh_output() -> None:
    r = Redactor()
    r.learn_from_text(r"Gathering C:\Users\张三\Desktop\升级日志", "test")
    r.learn_from_text("    All User Profile     : 办公室WiFi 5G", "test")
    r.learn_from_text("    所有用户配置文件 : Guest-Net", "test")
    r.learn_from_text("Callback_ComputerName_Validate:Computer name is WIN-1JOFITDQ334", "test")
    r.learn_from_text("credentials = { domain is not specified, username is not specified }", "test")
    assert {v: c for c, v, _ in r.learned.values()} == {
        "张三": "user", "办公室WiFi 5G": "wifi", "Guest-Net": "wifi", "WIN-1JOFITDQ334": "computer"}
    out = r.redact_text("联系人张三说：连接 办公室WiFi 5G 和 guest-net 后，WIN-1JOFITDQ334 蓝屏。")
    assert out == "联系人USER-1说：连接 WIFI-1 和 WIFI-2 后，PC-1 蓝屏。"
