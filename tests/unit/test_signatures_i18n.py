"""Signature texts in two languages: the built-in packs speak Chinese, English-only packs still load and fall
back to English, a translation keeps the details' fields, and the findings carry both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.unit.test_signatures_engine import GOOD, make_store, write_sig
from workbench.cli import main
from workbench.core.analysis import build_analysis
from workbench.core.finding_text import finding_texts
from workbench.core.signatures.engine import scan, write_findings
from workbench.core.signatures.loader import load_signature
from workbench.core.signatures.packs import builtin_pack_roots, load_packs, untranslated_builtins

BUILTIN = load_packs(builtin_pack_roots())
CJK = re.compile(r"[\u4e00-\u9fff]")

#: GOOD with its title and details in English and Chinese (the shape of the built-in packs)
BILINGUAL = GOOD.replace("title: Test signature\n", "title:\n  en: Test signature\n  zh: 测试签名\n").replace(
    'details: "{failed.op} failed with {failed.code}; result {facts_code.value}"\n',
    'details:\n  en: "{failed.op} failed with {failed.code}; result {facts_code.value}"\n'
    '  zh: "{failed.op} 失败，错误 {failed.code}；结果 {facts_code.value}"\n')


def _fields(template: str) -> set[str]:
    return set(re.findall(r"\{([^{}]*)\}", template))


@pytest.mark.parametrize("sig", BUILTIN.ordered(), ids=[s.id for s in BUILTIN.ordered()])
def test_every_builtin_signature_has_chinese_title_details_and_remediation(sig) -> None:  # type: ignore[no-untyped-def]
    for key in ("title", "remediation"):
        texts = getattr(sig, key)
        assert texts.get("en") and CJK.search(texts.get("zh", "")), f"{sig.id}: {key} has no Chinese text"
    # a details line may be all values ('{report.event}：{report.result_code} ...'): only its words change
    assert sig.details.get("zh") and sig.details["zh"] != sig.details["en"], sig.id
    assert _fields(sig.details["zh"]) == _fields(sig.details["en"]), sig.id
    assert "\n" not in sig.title["zh"] and len(sig.title["zh"]) <= 80, sig.id
    assert sig.untranslated == {}


def test_builtin_packs_give_no_translation_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert untranslated_builtins(BUILTIN) == []
    assert main(["signatures", "validate"]) == 0
    out = capsys.readouterr().out
    assert "warning:" not in out and re.search(r"\d+ signatures valid, 0 errors\n", out)


def test_a_plain_string_title_still_loads_and_reads_as_english(tmp_path: Path) -> None:
    """A third party's English-only pack: loads, fires, and shows English wherever Chinese is asked for."""
    pack = tmp_path / "pack"
    write_sig(pack, GOOD)
    sig = load_packs([pack]).signatures["test.good"]
    assert sig.title == {"en": "Test signature"}
    assert sig.details == {"en": "{failed.op} failed with {failed.code}; result {facts_code.value}"}
    assert sig.untranslated == {"title": 1, "details": 18}  # remediation has zh
    store = make_store(tmp_path)
    write_findings(store, scan(store, [sig]))
    row = store.query("SELECT * FROM findings")[0]
    assert row["title"] == "Test signature"
    zh = finding_texts(row, "zh")
    assert zh["title"] == "Test signature"
    assert zh["summary"] == row["summary"] == "Add [1] package C:\\x.cab failed with 0x800F0922; result 0xC1900101"
    assert zh["remediation"] == "做这件事"
    finding = build_analysis(store)["findings"][0]
    assert finding["title"] == "Test signature" and finding["title_zh"] is None and finding["summary_zh"] is None
    # not a built-in pack: no warning; the same pack taken as built-in gets one per untranslated text
    assert untranslated_builtins(load_packs([pack])) == []
    warnings = untranslated_builtins(load_packs([pack]), roots=[pack])
    assert [(w.line, w.message.split()[0]) for w in warnings] == [(1, "'title'"), (18, "'details'")]
    store.close()


def test_a_bilingual_signature_stores_both_languages_with_each_finding(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write_sig(pack, BILINGUAL)
    sig = load_packs([pack]).signatures["test.good"]
    assert sig.title == {"en": "Test signature", "zh": "测试签名"} and sig.untranslated == {}
    store = make_store(tmp_path)
    hits = scan(store, [sig])
    assert hits[0].details == "Add [1] package C:\\x.cab failed with 0x800F0922; result 0xC1900101"
    assert hits[0].details_by_lang["zh"] == "Add [1] package C:\\x.cab 失败，错误 0x800F0922；结果 0xC1900101"
    write_findings(store, hits)
    row = store.query("SELECT * FROM findings")[0]
    # the columns stay English for scripts; data carries every language
    assert (row["title"], row["remediation"]) == ("Test signature", "do the thing")
    data = json.loads(row["data"])
    assert data["title"] == {"en": "Test signature", "zh": "测试签名"}
    assert data["summary"]["zh"] == hits[0].details_by_lang["zh"]
    assert finding_texts(row, "zh") == {"title": "测试签名", "summary": hits[0].details_by_lang["zh"],
                                        "remediation": "做这件事"}
    assert finding_texts(row, "en") == {"title": "Test signature", "summary": hits[0].details,
                                        "remediation": "do the thing"}
    finding = build_analysis(store)["findings"][0]
    assert (finding["title"], finding["title_zh"]) == ("Test signature", "测试签名")
    assert finding["summary_zh"] == hits[0].details_by_lang["zh"]
    store.close()


@pytest.mark.parametrize(("edit", "line", "words"), [
    (("  zh: \"{failed.op} 失败，错误 {failed.code}；", "  zh: \"{failed.op} 失败；"), 22,
     "details 'zh' must use the same {...} fields as 'en' (differs in {failed.code})"),
    (("  zh: \"{failed.op} 失败", "  zh: \"{failure.op} 失败"), 22, "no selection 'failure'"),
    (("title:\n  en: Test signature\n", "title:\n"), 1, "'title' must have 'en'"),
    (("  zh: 测试签名\n", "  zh: [测试签名]\n"), 3, "title 'zh' must be text"),
])
def test_translation_mistakes_are_errors_with_their_line(tmp_path: Path, edit: tuple[str, str], line: int,
                                                         words: str) -> None:
    assert edit[0] in BILINGUAL
    path = write_sig(tmp_path, BILINGUAL.replace(edit[0], edit[1], 1))
    sig, errors = load_signature(path)
    assert sig is None
    assert any(e.line == line and words in e.message for e in errors), [str(e) for e in errors]


def test_remediation_may_also_be_one_english_text(tmp_path: Path) -> None:
    """One rule for every reader-facing text: a plain string is English, for remediation too."""
    path = write_sig(tmp_path, GOOD.replace("remediation:\n  en: do the thing\n  zh: 做这件事\n",
                                            "remediation: do the thing\n"))
    sig, errors = load_signature(path)
    assert errors == [] and sig is not None
    assert sig.remediation == {"en": "do the thing"} and "remediation" in sig.untranslated


def test_folded_chinese_text_has_no_spaces_between_characters(tmp_path: Path) -> None:
    """YAML's folded style joins wrapped lines with a space; Chinese never has one between characters."""
    path = write_sig(tmp_path, BILINGUAL.replace(
        "  zh: 测试签名\n", "  zh: >\n    测试\n    签名。\n    运行 sfc /scannow\n    然后重试。\n"))
    sig, errors = load_signature(path)
    assert sig is not None, errors
    assert sig.title["zh"] == "测试签名。运行 sfc /scannow 然后重试。"
    gap = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]\s+[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    for s in BUILTIN.ordered():
        for key in ("title", "details", "remediation"):
            assert not gap.search(getattr(s, key).get("zh", "")), f"{s.id}: {key}"
