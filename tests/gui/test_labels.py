"""The store's English words shown in the interface language: severities, levels, file statuses."""

from __future__ import annotations

import pytest

from workbench.gui import i18n
from workbench.gui.models.labels import level_label, severity_label, status_label
from workbench.gui.models.rows import FilesModel


def test_words_stay_english_without_a_translation(qapp) -> None:  # type: ignore[no-untyped-def]
    assert (severity_label("critical"), level_label("error"), status_label("parsed")) == ("critical", "error", "parsed")
    assert level_label(None) == "" and status_label("something new") == "something new"


@pytest.mark.parametrize(("label", "word", "zh"), [
    (severity_label, "critical", "严重"), (severity_label, "high", "高"), (level_label, "error", "错误"),
    (level_label, "warning", "警告"), (status_label, "parsed", "已解析"), (status_label, "partial", "部分读取"),
])
def test_the_chinese_interface_says_them_in_chinese(qapp, label, word: str, zh: str) -> None:  # type: ignore[no-untyped-def]
    translator = i18n.install_translator(qapp, "zh")
    assert translator is not None
    try:
        assert label(word) == zh
        assert FilesModel().display(("a.log", "setupact", None, 10, word, 1, None, 1), 4) == status_label(word)
    finally:
        qapp.removeTranslator(translator)
