"""File kinds by content and path, and the phase a folder stands for."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.archives import make_zip
from workbench.core.case import Case
from workbench.core.identify import KINDS, identify_kind, role_of

STAMP = b"2021-05-18 03:11:02, Info                  SP     text\r\n"


@pytest.mark.parametrize("name,head,kind", [
    ("x/System.evtx", b"ElfFile\x00" + b"\x00" * 120, "evtx"),
    ("renamed.bin", b"ElfFile\x00" + b"\x00" * 120, "evtx"),
    ("Logfile.PML", b"PML_\x09\x00\x00\x00" + b"\x00" * 100, "pml"),
    ("Rollback/setupmem.dmp", b"PAGEDU64" + b"\x00" * 100, "kernel_dump"),
    ("MEMORY.DMP", b"PAGEDUMP" + b"\x00" * 100, "kernel_dump"),
    ("app.dmp", b"MDMP\x93\xa7" + b"\x00" * 100, "user_dump"),
    ("Panther/setupact.log", b"\xef\xbb\xbf" + STAMP, "setupact"),
    ("PC01_setuperr.log", STAMP, "setuperr"),
    ("renamed_log.txt", STAMP * 3, "setupact"),
    ("inf/setupapi.dev.log", b"[Device Install Log]\r\n     OS Version = 10.0.19045\r\n", "setupapi"),
    ("msinfo/SYSSUM.NFO", '<?xml version="1.0"?><MsInfo>'.encode("utf-16"), "msinfo_nfo"),
    ("SetupDiag/SetupDiagResults.xml", '<?xml version="1.0" encoding="utf-16"?><SetupDiag>'.encode("utf-16"),
     "setupdiag_results"),
    ("Panther/diagerr.xml", b"<xml xmlns:s='uuid:BDC6E3F0-6DA3-11d1-A2A3-00AA00C14882'>", "diag_xml"),
    ("Panther/CompatData_2026_11_02.xml", b"<?xml version='1.0'?><CompatReport>", "compatdata_xml"),
    ("Rollback/rollbackinfo.ini", b"[RollbackInfo]\r\n", "rollbackinfo_ini"),
    ("SetupPlatform.ini", b"[SetupPlatform]\r\n", "setupplatform_ini"),
    ("Logfile.CSV", b'\xef\xbb\xbf"Time of Day","Process Name","PID","Operation","Path","Result","Detail"\r\n',
     "procmon_csv"),
    ("Logfile.XML", b'<?xml version="1.0"?>\r\n<procmon>\r\n<processlist>', "procmon_xml"),
    ("analyze.txt", b"0: kd> !analyze -v\r\nBugcheck Analysis\r\n", "windbg_text"),
    ("stack.txt", b" # Child-SP          RetAddr           Call Site\r\n", "windbg_text"),
    ("shot.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image"),
    ("photo.jpg", b"\xff\xd8\xff\xe0", "image"),
    ("inner.zip", b"PK\x03\x04", "archive"),
    ("inner.7z", b"7z\xbc\xaf\x27\x1c", "archive"),
    ("Panther/setup.etl", b"\x00\x01\x02", "etl"),
    ("notes.txt", "客户说明".encode("gbk"), "text"),
    ("random.bin", bytes(range(256)), "unknown"),
])
def test_kinds(name: str, head: bytes, kind: str) -> None:
    assert kind in KINDS
    assert identify_kind(name, head) == kind


@pytest.mark.parametrize("path,role", [
    ("$WINDOWS.~BT/Sources/Panther/setupact.log", "downlevel"),
    ("logs/C/$Windows.~BT/Sources/Rollback/setupact.log", "rollback"),
    ("$WINDOWS.~BT/Sources/Rollback/setupapi/setupapi.dev.log", "rollback"),
    ("$WINDOWS.~BT/Sources/Panther/UnattendGC/setupact.log", "oobe"),
    ("$Windows.~WS/Sources/Panther/setupact.log", "downlevel"),
    ("Windows/Panther/NewOS/Panther/setupact.log", "newos"),
    ("Windows/Panther/setupact.log", "postupgrade"),
    ("Windows/Panther/UnattendGC/setupact.log", "oobe"),
    ("Windows/System32/Sysprep/Panther/setupact.log", "sysprep"),
    ("Windows/setupact.log", "preinit"),
    ("outer.zip::Windows/Logs/SetupDiag/SetupDiagResults.xml", "setupdiag"),
    ("random/setupact.log", None),
])
def test_roles(path: str, role: str | None) -> None:
    assert role_of(path) == role


def test_real_setup_fixtures_in_a_collected_layout(shared_fixtures: Path, tmp_path: Path) -> None:
    """The real logs, zipped the way a collector lays them out (with a GBK folder name), then nested."""
    setup = shared_fixtures / "setup"
    layout = {
        "升级失败/$WINDOWS.~BT/Sources/Rollback/setupact.log": "baslr_w10-logs__Rollback__setupact.log",
        "升级失败/$WINDOWS.~BT/Sources/Rollback/setuperr.log": "baslr_w10-logs__Rollback__setuperr.log",
        "升级失败/$WINDOWS.~BT/Sources/Rollback/setupapi/setupapi.dev.log":
            "baslr_w10-logs__Rollback__setupapi__setupapi.dev.log",
        "升级失败/$WINDOWS.~BT/Sources/Panther/setupact.log": "rickaK77_Setup-Log__setupact.log",
        "升级失败/Windows/setupact.log": "T007-tim_PROJECT-BASED-TIM__setupact.log",
    }
    inner = make_zip(tmp_path / "inner.zip", {k: (setup / v).read_bytes() for k, v in layout.items()},
                     legacy_codec="gbk")
    outer = make_zip(tmp_path / "upload.zip", {"第二次上传/logs.zip": inner.read_bytes()}, legacy_codec="gbk")
    case = Case.open(outer)
    case.ensure_ingested()
    rows = {r["path"]: r for r in case.store.query("SELECT * FROM files")}
    for path in layout:
        row = rows[f"第二次上传/logs.zip::{path}"]
        assert row["status"] in ("parsed", "partial"), (path, row["reason"])
    rb = rows["第二次上传/logs.zip::升级失败/$WINDOWS.~BT/Sources/Rollback/setupact.log"]
    assert rb["role"] == "rollback" and rb["kind"] == "setupact" and rb["records"] > 5000
    free = rows["第二次上传/logs.zip::升级失败/Windows/setupact.log"]
    assert free["role"] == "preinit"
