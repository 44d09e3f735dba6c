"""A problem row's sentence in the reader's language.

The store keeps problems in English (scripts and the report's tests match on them), each a sentence the
core wrote with values in it ("row 12: 9 fields where the header has 11; skipped"). Here the common ones are
matched by their template and said in Chinese with the same values; any other keeps its English words after
a Chinese lead that says what kind of problem it is, so a Chinese reader is never left with an English
sentence alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: (template, Chinese), tried in order; ``{n}`` in the Chinese is the template's group ``n``.
TEMPLATES: tuple[tuple[str, str], ...] = (
    (r"listed in the archive but its data could not be read", "压缩包列出了此文件，但其数据无法读取"),
    (r"the file is empty \(0 bytes\): no events to read", "文件为空（0 字节）：没有可读取的事件"),
    (r"the file is empty", "文件为空"),
    (r"empty file \(0 bytes\)", "空文件（0 字节）"),
    (r"empty file: no CSV header", "空文件：没有 CSV 表头"),
    (r"(.+) could not read it: (.+)", "{1} 无法读取此文件：{2}"),
    (r"the event log cannot be read: (.+)", "无法读取此事件日志：{1}"),
    (r"the event log could not be opened: (.+)", "无法打开此事件日志：{1}"),
    (r"not a Windows event log: .*", "不是 Windows 事件日志：文件开头没有 EVTX 签名 'ElfFile'，也没有事件块；未读取任何内容"),
    (r"the file header is damaged \(no 'ElfFile' signature\) but its chunks are intact: .*",
     "文件头已损坏（没有 'ElfFile' 签名），但事件块完好：记录从修复后的副本读取"),
    (r"(\d+) more damaged regions skipped \(not listed\)", "另有 {1} 处损坏区域已跳过（未逐一列出）"),
    (r"the rest of the file could not be read \(too many errors in a row\)", "文件其余部分无法读取（连续错误过多）"),
    (r"record (\d+) could not be decoded; skipped", "记录 {1} 无法解码，已跳过"),
    (r"the file ends in unreadable binary bytes from offset (\d+) (.*)", "文件从偏移 {1} 起是无法读取的二进制字节 {2}"),
    (r"unreadable binary bytes at offset (\d+); skipped", "偏移 {1} 处有无法读取的二进制字节，已跳过"),
    (r"no timestamped Setup lines: read as free text.*", "没有带时间戳的 Setup 行：按普通文本读取"),
    (r"row (\d+): (\d+) fields where the header has (\d+); skipped", "第 {1} 行：有 {2} 个字段，表头有 {3} 个；已跳过"),
    (r"row (\d+): unreadable time (.+)", "第 {1} 行：时间无法读取 {2}"),
    (r"(\d+) rows in all could not be read fully", "共有 {1} 行未能完整读取"),
    (r"not a Procmon CSV export: .*", "不是 Procmon 导出的 CSV：表头缺少 Procmon 的列（Time of Day、Process Name、PID、Operation 等）"),
    (r"the export has no Date & Time column, .*",
     "导出文件没有 Date & Time 列，事件只有时刻没有日期，被放在 1970-01-01（在 Procmon 中加上 Date & Time 列即可）"),
    (r"the XML is damaged or cut short \((.+)\); the processes and events before that point were kept",
     "XML 已损坏或被截断（{1}）；该处之前的进程和事件已保留"),
    (r"recovered ([\d,]+) events of the ([\d,]+) the header announces", "恢复了文件头声明的 {2} 个事件中的 {1} 个"),
    (r"the zip directory is unreadable \((.+)\); recovered members by scanning local headers, later members may "
     r"be missing", "zip 目录无法读取（{1}）；已通过扫描本地文件头恢复成员，后面的成员可能缺失"),
    (r"the 7z data is damaged or truncated \((.+)\); later members may be missing", "7z 数据损坏或被截断（{1}）；后面的成员可能缺失"),
    (r"archive nested deeper than (\d+) levels; not opened", "压缩包嵌套超过 {1} 层；未打开"),
    (r"unsafe name (.+): the same name as (.+) in another Unicode normalization \(.*\)",
     "文件名 {1} 与 {2} 相同，只是 Unicode 规范化形式（NFC/NFD）不同：在 macOS 上是同一个文件，在 Windows 上是两个；两者都已保留"),
    (r"unsafe name (.+): differs only by letter case from (.+) \(both kept\)",
     "文件名 {1} 与 {2} 只有大小写不同：Windows 无法同时保存这两个文件；两者都已保留"),
    (r"unsafe name ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"): (.+)", "不安全的文件名 {1}：{2:sub}"),
    (r"the name escapes the archive \(path traversal\); not extracted", "文件名指向压缩包之外（路径穿越）；未解压"),
    (r"(.+): not a readable 7z archive \((.+)\)\.", "{1}：不是可读取的 7z 压缩包（{2}）。"),
    (r"no bugcheck, stack listing or module list found in this debugger text",
     "此调试器文本中没有找到蓝屏代码、调用栈或模块列表"),
    (r"the minidump could not be read: (.+)", "无法读取此小型转储：{1}"),
    (r"the triage dump is cut short: (.+)", "分类转储文件被截断：{1}"),
    (r"only the first (\d+) lines were kept for the search and the viewer", "只保留了前 {1} 行用于搜索和查看"),
    (r"only the first (\d+) lines were read", "只读取了前 {1} 行"),
    (r"no <MsInfo> element: not an msinfo32 \.NFO file", "没有 <MsInfo> 元素：不是 msinfo32 的 .NFO 文件"),
    (r"no System Summary items \(OS name, version, time zone\) found", "没有找到系统摘要项（操作系统名称、版本、时区）"),
    (r"no SetupAPI sections or boot sessions found: not a SetupAPI text log\?",
     "没有找到 SetupAPI 节或启动会话：不是 SetupAPI 文本日志？"),
    (r"(\d+) problem\(s\) while reading", "读取时遇到 {1} 个问题"),
    (r"truncated after (\d+) bytes", "在第 {1} 字节处被截断"),
    (r"only zero bytes \(([\d,]+) bytes\): the file was allocated but never written.*",
     "只有零字节（{1} 字节）：文件已分配空间却从未写入，崩溃或断电后会留下这样的文件；没有可读取的内容"),
    (r"line (\d+) is ([\d,]+) bytes long; only its first (\d+) KiB are kept",
     "第 {1} 行长 {2} 字节；只保留了它的前 {3} KiB"),
    (r"([\d,]+) lines in all were longer than (\d+) KiB and were cut", "共有 {1} 行超过 {2} KiB，已截断"),
    (r"not well-formed XML at line (\d+), column (\d+): (.+); read up to there",
     "XML 格式不正确（第 {1} 行第 {2} 列：{3}）；已读取到该处为止"),
    (r"the XML ends before its closing tags \(cut short, or still being written when collected\) at line (\d+); "
     r"everything before was read", "XML 在第 {1} 行结束，缺少结束标签（文件被截断，或收集时仍在写入）；之前的内容都已读取"),
    (r"the description text is longer than a description; only its start was read", "描述文本过长；只读取了开头部分"),
    # the catalogue's reasons (files.reason), which the Files pane says with the same words
    (r"plain text, kept for viewing", "纯文本，保留供查看"),
    (r"image, kept for viewing", "图片，保留供查看"),
    (r"not a file kind the workbench reads", "不是本工具能读取的文件类型"),
    (r"no reader for this kind of file yet", "暂时没有读取这类文件的程序"),
    (r"symbolic link: listed, not followed", "符号链接：只列出，不跟随"),
    (r"archive: (\d+) files inside", "压缩包：内含 {1} 个文件"),
    (r"cancelled after (\d+) rows; a resume reads the file again", "读取 {1} 行后已取消；继续时会重新读取此文件"),
    (r"cancelled while it was extracted; a resume extracts it again", "解压时已取消；继续时会重新解压"),
    (r"not read: the ingest was cancelled before this file", "未读取：导入在读到此文件之前已取消"),
    (r"not read: the ingest stopped before this file", "未读取：导入在读到此文件之前已停止"),
    (r"an export of the same Procmon capture as (.+): its (\d+) events are shown once, from that file",
     "与 {1} 是同一次 Procmon 抓取的导出：其 {2} 个事件只显示一次，取自该文件"),
)

#: The notes of an unsafe name (core/archive/names.py), one a problem.
NOTE_TEMPLATES: tuple[tuple[str, str], ...] = (
    (r"control characters in the name replaced", "名称中的控制字符已替换"),
    (r"UNC path made relative", "UNC 路径已改为相对路径"),
    (r"drive letter (.+) stripped", "已去掉盘符 {1}"),
    (r"absolute path made relative", "绝对路径已改为相对路径"),
    (r"path traversal \('\.\.'\) removed", "已去掉路径穿越（'..'）"),
    (r"(.+) is a Windows device name \(never written as a file\)", "{1} 是 Windows 设备名（从不按此名写成文件）"),
    (r"(.+) names an NTFS alternate data stream \((.+) of (.+)\); a Windows copy would hide it in another file",
     "{1} 指向 NTFS 备用数据流（{3} 的 {2}）；复制到 Windows 上它会藏进另一个文件"),
)

#: The lead for a sentence no template knows, by a word in it.
_KINDS = (("cut short", "文件被截断"), ("truncated", "文件被截断"), ("damaged", "数据损坏"), ("encrypted", "已加密"),
          ("password", "需要密码"), ("could not", "无法读取"), ("cannot", "无法读取"), ("unreadable", "无法读取"),
          ("limit", "超出安全限制"), ("skipped", "已跳过部分内容"), ("not a ", "格式不符"))


def problem_text(sentence: str, language: str = "en") -> str:
    """``sentence`` in ``language`` (``en`` or ``zh``)."""
    if language != "zh" or not sentence:
        return sentence
    out = _fill(_COMPILED, sentence.strip())
    if out is not None:
        return out
    lead = next((zh for word, zh in _KINDS if word in sentence.lower()), "读取时出现问题")
    return f"{lead}（原文）：{sentence}"


Templates = tuple[tuple[re.Pattern[str], str], ...]


def compile_templates(pairs: tuple[tuple[str, str], ...]) -> Templates:
    """(English pattern, Chinese) pairs as :func:`fill_template` takes them (each pattern matches a whole text)."""
    return tuple((re.compile(rf"^{pattern}$", re.S), zh) for pattern, zh in pairs)


def fill_template(templates: Templates, text: str, nested: Templates | None = None,
                  words: Mapping[str, Mapping[str, str]] | None = None) -> str | None:
    """The Chinese of the first template ``text`` matches, its groups put in: ``{n}`` as it is, ``{n:sub}``
    said through ``nested``, ``{n:KEY}`` looked up in ``words[KEY]`` (each kept as it is when unknown); None
    when no template matches."""
    for pattern, zh in templates:
        m = pattern.match(text)
        if m:
            out = zh
            for n, value in enumerate(m.groups(), 1):
                value = value or ""
                if f"{{{n}:sub}}" in out:
                    out = out.replace(f"{{{n}:sub}}", (fill_template(nested, value) if nested else None) or value)
                for key, table in (words or {}).items():
                    out = out.replace(f"{{{n}:{key}}}", table.get(value, value))
                out = out.replace(f"{{{n}}}", value)
            return out
    return None


def _fill(templates: Templates, text: str) -> str | None:
    return fill_template(templates, text, _NOTES)


_COMPILED = compile_templates(TEMPLATES)
_NOTES = compile_templates(NOTE_TEMPLATES)
