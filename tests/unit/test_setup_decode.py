"""The upgrade error-code tables and the ``workbench decode`` command."""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.core.upgrade.codes import (
    LAYER_MOUPG,
    LAYER_SP,
    SP_OPERATIONS,
    SP_PHASES,
    decode,
    parse_code,
    parse_pair,
)


def test_tables_are_complete() -> None:
    assert sorted(SP_PHASES) == list(range(6))
    assert sorted(SP_OPERATIONS) == list(range(0x21))  # 0x00..0x20, Microsoft's whole table
    for name, en, zh in list(SP_PHASES.values()) + list(SP_OPERATIONS.values()):
        assert name and en and zh and not name.startswith("SP_EXECUTION")


@pytest.mark.parametrize("text, expected", [
    ("0xC1900101-0x40017", (0xC1900101, 0x40017)),
    ("0xC1900101 - 0x30018", (0xC1900101, 0x30018)),
    ("C1900101-4000D", (0xC1900101, 0x4000D)),
    ("0xC1900101 0x4000D", (0xC1900101, 0x4000D)),
    ("0xC1900101-0x4000D-0x1", (None, None)),
    ("0x40017", (None, 0x40017)),
    ("0x80070070", (0x80070070, None)),
    ("nonsense", (None, None)),
])
def test_parse_pair(text: str, expected: tuple) -> None:
    assert parse_pair(text) == expected


def test_decode_sp_and_moupg_layers() -> None:
    d = decode(0xC1900101, 0x40017, LAYER_SP)
    assert (d.phase, d.operation, d.result_name) == ("OOBE_BOOT", "BOOT", "MOSETUP_E_SETUP_PLATFORM")
    assert "第四阶段" in (d.phase_zh or "") and d.advice_en
    assert decode(0xC1900101, 0x30018).operation == "SYSPREP"
    assert decode(0xC1900101, 0x2000C).phase == "SAFE_OS"
    m = decode(0x80070032, 0x50013, LAYER_MOUPG)
    assert m.phase == "DOWNLEVEL" and m.operation is None
    assert "(MOUPG) phase 5 (Install)" in (m.phase_en or "") and "0x13" in (m.phase_en or "")
    assert decode(0x80070070, None).result_name == "ERROR_DISK_FULL"
    assert decode(None, 0x90099).notes  # outside the tables: said so, not guessed
    assert parse_code("[0x30018]") == 0x30018


def test_decode_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", "0xC1900101-0x40017"]) == 0
    out = capsys.readouterr().out
    for text in ("MOSETUP_E_SETUP_PLATFORM", "OOBE_BOOT", "BOOT", "第四阶段", "蓝屏", "Known"):
        assert text in out
    assert main(["decode", "0xC1900101", "-", "0x30018"]) == 0
    out = capsys.readouterr().out
    assert "FIRST_BOOT" in out and "SYSPREP" in out and "第三阶段" in out
    assert main(["decode", "0x80070032-0x50013", "--layer", "moupg"]) == 0
    out = capsys.readouterr().out
    assert "MOUPG" in out and "REGISTER_ASYNC_PROCESS" not in out and "第一阶段" in out
    assert main(["decode", "not-a-code"]) == 2
    assert "not an upgrade error code" in capsys.readouterr().err
