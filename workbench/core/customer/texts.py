"""Every sentence the comparison of machines builds, in English and Chinese, as data.

As for the verdict (:mod:`workbench.core.verdict.texts`), no sentence exists in one language only: the
Chinese summary of a customer case must hold no English sentence. Values put into the placeholders are names,
codes, machine letters and versions, which stay as written.
"""

from __future__ import annotations

from typing import Any

T: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- the comparison in one sentence
    "overview": ("{failing_n} of {total} machines failed ({failing}){succeeded_part}{unknown_part}.",
                 "{total} 台机器中有 {failing_n} 台升级失败（{failing}）{succeeded_part}{unknown_part}。"),
    "overview_succeeded": ("; {succeeding} upgraded", "；{succeeding} 升级成功"),
    "overview_unknown": ("; the logs of {unknown} do not tell", "；{unknown} 的日志无法判断结果"),
    "overview_suspect": ("Every failing machine runs {product}, which no machine that upgraded has: the suspect "
                         "common to the failures.",
                         "每台失败的机器上都有 {product}，而升级成功的机器上都没有：这是各次失败的共同嫌疑。"),
    "overview_suspect_no_reference": ("Every failing machine runs {product}; no machine that upgraded is in the "
                                      "case to set it against.",
                                      "每台失败的机器上都有 {product}；案例中没有升级成功的机器可以对照。"),
    "overview_no_suspect": ("No third-party product is on every failing machine and absent from the ones that "
                            "upgraded.",
                            "没有哪个第三方产品同时出现在每台失败的机器上、又不在升级成功的机器上。"),
    "overview_one_failing": ("Only one failing machine and none that upgraded: there is nothing to set its software "
                             "against.",
                             "只有一台失败的机器，也没有升级成功的机器：无法对比其软件。"),
    "overview_uploads": ("{older} and {newer} are two uploads of one machine ({computer}); {newer} is the newer.",
                         "{older} 与 {newer} 是同一台机器（{computer}）的两次上传；{newer} 较新。"),
    # ---------------------------------------------------------------- why a product is a suspect
    "reason_common": ("On every failing machine ({failing}) and on none that upgraded ({succeeding}).",
                      "每台失败的机器（{failing}）上都有，升级成功的机器（{succeeding}）上都没有。"),
    "reason_common_no_reference": ("On every failing machine ({failing}); no machine that upgraded is in the case.",
                                   "每台失败的机器（{failing}）上都有；案例中没有升级成功的机器。"),
    "reason_culprit": ("Named the culprit on {machines} ({modules}).", "在 {machines} 上被认定为肇事模块（{modules}）。"),
    "reason_known": ("Known in upgrade failures ({category}): {breaks}", "已知会导致升级失败（{category}）：{breaks}"),
    "reason_known_short": ("Known in upgrade failures ({category}).", "已知会导致升级失败（{category}）。"),
    "reason_driver": ("It runs a kernel driver ({modules}), which loads at every boot, the upgrade's boots too.",
                      "它带有内核驱动（{modules}），每次启动都会加载，包括升级过程中的启动。"),
    "reason_versions": ("Versions: {versions}.", "版本：{versions}。"),
    # ---------------------------------------------------------------- what to do
    "recommend_suspect": ("On one failing machine ({first}), update {product} to a version supported on the target "
                          "Windows release or uninstall it, then retry the upgrade there; when it passes, do the same "
                          "on the others ({rest}).",
                          "先在一台失败的机器（{first}）上将 {product} 更新到支持目标 Windows 版本的版本或将其卸载，"
                          "然后在该机器上重新升级；成功后再对其他机器（{rest}）做同样处理。"),
    "recommend_suspect_one": ("On {first}, update {product} to a version supported on the target Windows release or "
                              "uninstall it, then retry the upgrade.",
                              "在 {first} 上将 {product} 更新到支持目标 Windows 版本的版本或将其卸载，然后重新升级。"),
    "recommend_vendor": ("Send the vendor ({vendor}) what the machines share: the stacks and logs of {failing}.",
                         "将这些机器的共同点告知厂商（{vendor}）：附上 {failing} 的调用栈和日志。"),
    "recommend_machine": ("{machine}: {step}", "{machine}：{step}"),
    "recommend_collect": ("For a machine whose logs cannot tell ({machines}), collect the full set again "
                          "($WINDOWS.~BT\\Sources\\Panther and Rollback, C:\\Windows\\Panther, the setupapi logs and "
                          "the dumps).",
                          "对于日志无法判断结果的机器（{machines}），请重新完整收集日志（$WINDOWS.~BT\\Sources\\Panther "
                          "和 Rollback、C:\\Windows\\Panther、setupapi 日志和转储文件）。"),
    # ---------------------------------------------------------------- a member that could not be read
    "member_error": ("This archive could not be read: {error}", "无法读取此存档：{error}"),
    "member_error_next": ("Open the archive again (check the path and the password) and compare once more.",
                          "请重新打开该存档（检查路径和密码），然后再次比较。"),
    # ---------------------------------------------------------------- words
    "none": ("none", "无"),
    "and": (", ", "、"),
}

#: The comparison table's rows (machine attributes), in the issue's order: key → (English, Chinese).
FIELDS: dict[str, tuple[str, str]] = {
    "computer": ("Computer", "计算机名"),
    "os": ("OS", "操作系统"),
    "build": ("Build from → to", "版本（从 → 到）"),
    "state": ("Verdict", "结论"),
    "phase": ("Phase", "阶段"),
    "code": ("Codes", "错误代码"),
    "culprit": ("Culprit", "肇事模块"),
    "owner": ("Product, vendor", "产品、厂商"),
    "failure_time": ("Time of failure", "失败时间"),
    "collected": ("Collected", "收集时间"),
    "upload": ("Upload", "上传"),
}

#: Verdict states as the table says them.
STATES: dict[str, tuple[str, str]] = {
    "failed": ("failed", "升级失败"), "succeeded": ("upgraded", "升级成功"),
    "not_an_upgrade": ("not the upgrade's logs", "不是升级日志"), "incomplete": ("cannot tell", "无法判断"),
}

#: How a member counts in the comparison: key → (English, Chinese).
OUTCOMES: dict[str, tuple[str, str]] = {
    "failing": ("failing", "失败"), "succeeding": ("upgraded", "成功"), "unknown": ("cannot tell", "无法判断"),
}

#: Upload marks: key → (English, Chinese).
UPLOADS: dict[str, tuple[str, str]] = {
    "newer": ("upload {n} of {of} of {computer}, the newer", "{computer} 的第 {n}/{of} 次上传（较新）"),
    "older": ("upload {n} of {of} of {computer}, older than {newer}", "{computer} 的第 {n}/{of} 次上传（早于 {newer}）"),
    "only": ("the only upload of this machine", "该机器仅此一次上传"),
}

#: The kinds of difference rows: key → (English, Chinese).
DIFFERENCE_KINDS: dict[str, tuple[str, str]] = {
    "machine": ("machine", "机器"), "software": ("software", "软件"), "version": ("version", "版本"),
    "finding": ("finding", "发现"),
}


def say(key: str, lang: str, **values: Any) -> str:
    """Sentence ``key`` in ``lang`` (``en`` or ``zh``) with its placeholders filled."""
    en, zh = T[key]
    return (zh if lang == "zh" else en).format(**values)


def both(key: str, **values: Any) -> tuple[str, str]:
    """Sentence ``key`` in English and Chinese; a value may be an ``(en, zh)`` pair, used per language."""
    def pick(lang: str) -> dict[str, Any]:
        return {k: (v[1] if lang == "zh" else v[0]) if isinstance(v, tuple) else v for k, v in values.items()}

    return say(key, "en", **pick("en")), say(key, "zh", **pick("zh"))


def join(items: list[str]) -> tuple[str, str]:
    """A list of names as each language writes it: ``A, B`` / ``A、B``; ``none`` / ``无`` when empty."""
    if not items:
        return T["none"]
    return T["and"][0].join(items), T["and"][1].join(items)
