"""``workbench decode 0xC1900101-0x40017``: explain an upgrade result/extend code in English and Chinese.

The extend code is read with Microsoft's SetupPlatform phase/operation tables by default; codes that came
from the down-level SetupHost layer (MOUPG, e.g. ``0x80070032-0x50013`` from a "Reporting error event"
line) need ``--layer moupg``, because the SP table gives nonsense for them (reference/setupdiag.md §2.6).
"""

from __future__ import annotations

import argparse
import sys

from workbench.core.upgrade.codes import LAYER_MOUPG, LAYER_SP, decode, hex32, parse_pair

NAME = "decode"
HELP = "explain an upgrade error code (result - extend) in English and Chinese"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", nargs="+", help="e.g. 0xC1900101-0x40017, '0xC1900101 - 0x30018', or 0x40017 alone")
    p.add_argument("--layer", choices=("sp", "moupg"), default="sp",
                   help="which Setup layer wrote the code: sp (after a reboot / rollback, the default) or moupg "
                        "(down-level SetupHost)")


def run(args: argparse.Namespace) -> int:
    result, extend = parse_pair(" ".join(args.code))
    if result is None and extend is None:
        sys.stderr.write(f"not an upgrade error code: {' '.join(args.code)!r} (expected e.g. 0xC1900101-0x40017)\n")
        return 2
    sys.stdout.write(explain(result, extend, LAYER_MOUPG if args.layer == "moupg" else LAYER_SP))
    return 0


def explain(result: int | None, extend: int | None, layer: str = LAYER_SP) -> str:
    """One screen of text: the code, the result's meaning, phase and operation, known advice; EN then ZH."""
    d = decode(result, extend, layer)
    code = " - ".join(hex32(v) for v in (result, extend) if v is not None)
    lines = [f"{code}   ({'SetupPlatform' if layer == LAYER_SP else 'SetupHost / MOUPG'} layer)", ""]
    if result is not None:
        lines.append(f"Result   {hex32(result)}  {d.result_name or ''}".rstrip())
        lines.append(f"         {d.result_en or 'no description known for this code'}")
        lines.append(f"结果码   {d.result_zh or '暂无该错误码的说明'}")
        lines.append("")
    if extend is not None:
        lines.append(f"Extend   {hex32(extend)}  phase {extend >> 16}, operation {hex32(extend & 0xFFFF)}")
        lines.append(f"Phase    {d.phase or '?'}: {d.phase_en or 'not in the phase table'}")
        lines.append(f"阶段     {d.phase_zh or '不在阶段表中'}")
        if layer == LAYER_SP:
            lines.append(f"Op       {d.operation or '?'}: {d.operation_en or 'not in the operation table'}")
            lines.append(f"操作     {d.operation_zh or '不在操作表中'}")
        lines.append("")
    if d.advice_en:
        lines.append(f"Known    {d.advice_en}")
        lines.append(f"已知     {d.advice_zh}")
        lines.append("")
    for note in d.notes:
        lines.append(f"Note     {note}")
    return "\n".join(lines).rstrip() + "\n"
