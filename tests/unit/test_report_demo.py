"""The bundled demo case through the whole program: ingest with every built-in plugin, then the summary.

The golden files pin what the e-mail says for the demo case; when an analyzer of another issue changes its
wording on purpose, rewrite them with ``UPDATE_GOLDEN=1`` and review the diff like any other change.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_report_summary import NOW, check_golden
from workbench.core.case import Case
from workbench.core.report import export_summary


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    from workbench.demo import write_demo_case

    # module-scoped: ingest once; WORKBENCH_HOME is set per test, so give the case its own home explicitly
    root = tmp_path_factory.mktemp("demo")
    case = Case.open(write_demo_case(root / "demo-case.zip"), home=root / "home")
    case.ensure_ingested()
    yield case
    case.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_golden_markdown(demo_case: Case, lang: str) -> None:
    check_golden(f"demo.{lang}.md", export_summary(demo_case.store, "md", lang=lang, now=NOW).decode("utf-8"))


def test_demo_redacted_names_nobody(demo_case: Case) -> None:
    from workbench.demo import COMPUTER, USER

    plain = export_summary(demo_case.store, "txt", lang="zh", now=NOW).decode("utf-8")
    assert COMPUTER in plain
    for fmt in ("md", "html", "txt"):
        text = export_summary(demo_case.store, fmt, lang="zh", redact=True, now=NOW).decode("utf-8")
        assert COMPUTER.lower() not in text.lower() and USER.lower() not in text.lower()
        assert "PC-1" in text and "0xC1900101" in text and "lwfmgr" in text


def test_demo_zh_summary_names_signature_findings_in_chinese(demo_case: Case) -> None:
    """Every finding reads in Chinese in the zh summary (all formats) and in English in the en one: signature
    findings from their YAML, the analyzers' from the texts they store (the crash summary stays English)."""
    import re

    from workbench.core.report.summary import build_summary

    def every(lang: str) -> dict[str, Any]:  # the findings shown and those folded into them (one per cause)
        shown = build_summary(demo_case.store, lang=lang, now=NOW)["findings"]
        return {f["rule_id"]: f for f in shown + [g for f in shown for g in f["folded"]]}

    zh, en = every("zh"), every("en")
    signatures = [rule for rule in zh if rule.startswith(("setupdiag.", "beyond."))]
    assert "setupdiag.find_rollback_failure" in signatures and len(signatures) >= 3
    assert {"upgrade.failure", "crash.upgrade_bugcheck", "procmon.third_party_touches_setup"} <= set(zh)
    for rule in zh:
        assert re.search(r"[\u4e00-\u9fff]", zh[rule]["title"]) and zh[rule]["title"] != en[rule]["title"], rule
        assert not re.search(r"[\u4e00-\u9fff]", en[rule]["title"]), rule
    assert zh["setupdiag.find_rollback_failure"]["title"] == "升级已回滚"
    assert zh["setupdiag.find_rollback_failure"]["summary"] == "从 OOBEBoot 回滚：0xC1900101 - 0x40017"
    assert en["setupdiag.find_rollback_failure"]["title"] == "The upgrade rolled back"
    assert zh["upgrade.failure"]["title"] == "升级失败：0xC1900101 - 0x40017"
    assert zh["crash.upgrade_bugcheck"]["title"].startswith("蓝屏 0x0000007E")
    assert zh["upgrade.failure"]["summary"].startswith("安装程序报告 0xC1900101 - 0x40017，发生在第四阶段")
    # an untranslated summary is left out of a Chinese summary (no English sentence there), kept in English
    assert zh["crash.upgrade_bugcheck"]["summary"] is None and en["crash.upgrade_bugcheck"]["summary"]
    for fmt in ("md", "html", "txt"):
        assert "升级已回滚" in export_summary(demo_case.store, fmt, lang="zh", now=NOW).decode("utf-8"), fmt
