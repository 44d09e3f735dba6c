"""The machine readers on files the tests write: NFO in any language (by position), msinfo32 /report text,
systeminfo in GBK / UTF-16 / UTF-8, WER reports of every layout, and damaged or foreign files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.clockcase import nfo as chinese_nfo
from workbench.core import clock
from workbench.core.case import Case
from workbench.core.identify import identify_kind
from workbench.core.parsers.wer import code_text, exception_text
from workbench.core.system_items import locale_tag, os_version, wall_time, zone_offset


def _ingest(path: Path) -> Case:
    case = Case.open(path)
    case.ensure_ingested()
    return case


def _facts(case: Case) -> dict[str, str]:
    return {r["name"]: r["value"] for r in case.store.query(
        "SELECT name, value FROM facts WHERE file_id IS NOT NULL ORDER BY weight, id")}


def _utf16(text: str) -> bytes:
    return "\ufeff".encode("utf-16-le") + text.replace("\n", "\r\n").encode("utf-16-le")


GERMAN_NFO = """<?xml version="1.0"?>
<MsInfo>
<Metadata><Version>8.0</Version></Metadata>
<Category name="Systemübersicht">
<Data><Element><![CDATA[Betriebsystemname]]></Element><Wert><![CDATA[Microsoft Windows 10 Pro]]></Wert></Data>
<Data><Element><![CDATA[Version]]></Element><Wert><![CDATA[10.0.19045 Build 19045]]></Wert></Data>
<Data><Element><![CDATA[Andere Betriebsystembeschreibung]]></Element><Wert><![CDATA[Nicht verfügbar]]></Wert></Data>
<Category name="Softwareumgebung">
<Category name="Pilotes système">
<Data><N><![CDATA[acmeflt]]></N><B><![CDATA[Acme Filter]]></B><D><![CDATA[c:\\windows\\system32\\drivers\\acmeflt.sys]]></D>
<T><![CDATA[Dateisystemtreiber]]></T><G><![CDATA[Ja]]></G><S><![CDATA[Start]]></S><Z><![CDATA[Wird ausgeführt]]></Z></Data>
</Category>
<Category name="Dienste">
<Data><A><![CDATA[Acme Agent]]></A><N><![CDATA[AcmeAgent]]></N><Z><![CDATA[Wird ausgeführt]]></Z><S><![CDATA[Auto]]></S>
<T><![CDATA[Eigener Prozess]]></T><P><![CDATA["c:\\program files\\acme\\agent.exe" -svc]]></P></Data>
<Data><A><![CDATA[Windows-Update]]></A><N><![CDATA[wuauserv]]></N><Z><![CDATA[Beendet]]></Z><S><![CDATA[Manuell]]></S>
<T><![CDATA[Gemeinsamer Prozess]]></T><P><![CDATA[c:\\windows\\system32\\svchost.exe -k netsvcs -p]]></P></Data>
</Category>
</Category>
</Category>
</MsInfo>
"""


def test_nfo_in_a_language_we_do_not_map_is_read_by_position(tmp_path: Path) -> None:
    path = tmp_path / "SYSSUM.NFO"
    path.write_bytes(_utf16(GERMAN_NFO))
    case = _ingest(path)
    f = _facts(case)
    assert f["system.os_name"] == "Microsoft Windows 10 Pro"  # first item, and it says Windows
    assert (f["system.os_version"], f["system.os_build"]) == ("10.0.19045", "19045")  # second, a 10.0.x
    assert "system.computer" not in f  # nothing is guessed from a label we cannot read
    rows = {(r["kind"], r["name"]): r for r in case.store.query("SELECT * FROM installed_software")}
    driver = rows[("driver", "acmeflt.sys")]  # an unknown category name: known by its rows' form
    assert (driver["third_party"], driver["start_mode"], driver["source"]) == (1, "Start", "nfo")
    assert rows[("service", "AcmeAgent")]["third_party"] == 1
    assert rows[("service", "wuauserv")]["third_party"] == 0  # svchost.exe ships in the box
    assert case.store.scalar("SELECT count(*) FROM problems") == 0


def test_chinese_nfo_is_not_rejected_and_its_driver_is_third_party(tmp_path: Path) -> None:
    path = tmp_path / "系统信息" / "SYSSUM.NFO"
    path.parent.mkdir()
    path.write_bytes(chinese_nfo())
    case = _ingest(path.parent)
    f = _facts(case)
    assert f["system.time_zone"] == "中国标准时间" and f["system.utc_offset_minutes"] == "480"
    assert f["system.locale"] == "zh-CN" and f["system.computer"] == "SH-FIN-PC0133"
    third = case.store.query("SELECT name FROM installed_software WHERE third_party = 1")
    assert [r["name"] for r in third] == ["xsecflt.sys"]


def test_cut_short_and_garbage_nfo_say_so_and_keep_what_was_read(tmp_path: Path) -> None:
    whole = _utf16(GERMAN_NFO)
    cut = tmp_path / "cut" / "SYSSUM.NFO"
    cut.parent.mkdir()
    cut.write_bytes(whole[: len(whole) // 2])
    case = _ingest(cut.parent)
    assert _facts(case)["system.os_name"] == "Microsoft Windows 10 Pro"
    assert case.store.scalar("SELECT count(*) FROM problems WHERE file LIKE '%SYSSUM.NFO'") >= 1
    junk = tmp_path / "junk" / "SYSSUM.NFO"
    junk.parent.mkdir()
    junk.write_bytes(b"\x00\x01garbage" * 50)
    case = _ingest(junk.parent)
    assert case.store.scalar("SELECT status FROM files") in ("partial", "failed", "skipped")
    assert case.store.fact("system.os_name") is None


REPORT = """System Information report written at: 03/14/23 10:20:11
System Name: LAB-W11-07
[System Summary]

Item\tValue\t
OS Name\tMicrosoft Windows 11 Pro\t
Version\t10.0.22621 Build 22621\t
System Name\tLAB-W11-07\t
Time Zone\tPacific Standard Time\t

[Software Environment]

[Services]

Display Name\tName\tState\tStart Mode\tService Type\tPath\tError Control\tStart Name\tTag ID\t
Acme Agent\tAcmeAgent\tRunning\tAuto\tOwn Process\t"c:\\program files\\acme\\agent.exe"\tNormal\tLocalSystem\t0\t

[Running Tasks]

Name\tPath\tProcess ID\tPriority\tMin Working Set\tMax Working Set\tStart Time\tVersion\tSize\tFile Date\t
agent.exe\tc:\\program files\\acme\\agent.exe\t2288\t8\t204800\t1413120\tNot Available\t3.1.0.7\t1.20 MB\t\t
"""


def test_msinfo_report_text_gives_the_machine_and_its_software(tmp_path: Path) -> None:
    path = tmp_path / "msinfo.txt"
    path.write_bytes(_utf16(REPORT))
    case = _ingest(path)
    assert case.store.scalar("SELECT kind FROM files") == "msinfo_text"
    f = _facts(case)
    assert f["system.os_name"] == "Microsoft Windows 11 Pro" and f["system.utc_offset_minutes"] == "-480"
    rows = {(r["kind"], r["name"]): r for r in case.store.query("SELECT * FROM installed_software")}
    assert rows[("service", "AcmeAgent")]["state"] == "Running"
    assert rows[("task", "agent.exe")]["version"] == "3.1.0.7"
    assert all(r["source"] == "msinfo_text" and r["line"] for r in rows.values())


SYSTEMINFO_ZH = """
主机名:           PC-01
OS 名称:          Microsoft Windows 10 专业版
OS 版本:          10.0.19045 暂缺 Build 19045
初始安装日期:     2022/3/5, 9:01:02
系统区域设置:     zh-cn;中文(中国)
时区:             (UTC+08:00) 北京，重庆，香港特别行政区，乌鲁木齐
修补程序:         安装了 1 个修补程序。
                  [01]: KB5007401
"""

SYSTEMINFO_DE = """
Hostname:                                  PC-DE
Betriebssystemname:                        Microsoft Windows 10 Pro
Betriebssystemversion:                     10.0.19045 Nicht zutreffend Build 19045
Betriebssystemhersteller:                  Microsoft Corporation
Betriebssystemkonfiguration:               Eigenständige Arbeitsstation
Typ des Betriebssystembuilds:              Multiprocessor Free
Registrierter Benutzer:                    admin
Registrierte Organisation:                 Contoso
Systemgebietsschema:                       de;Deutsch (Deutschland)
Eingabegebietsschema:                      de;Deutsch (Deutschland)
Zeitzone:                                  (UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien
"""


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig"])
def test_systeminfo_in_every_encoding_the_console_writes(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "systeminfo.txt"
    path.write_bytes(SYSTEMINFO_ZH.replace("\n", "\r\n").encode(encoding))
    case = _ingest(path)
    assert case.store.scalar("SELECT kind FROM files") == "systeminfo"
    f = _facts(case)
    assert f["system.computer"] == "PC-01" and f["system.os_build"] == "19045"
    assert f["system.utc_offset_minutes"] == "480" and f["system.locale"] == "zh-CN"
    assert f["system.install_date"] == "2022-03-05T09:01:02"
    assert case.store.get_meta("time_zone_iana") == "Asia/Shanghai"  # the place list names the zone


def test_systeminfo_in_another_language_reads_what_its_form_says(tmp_path: Path) -> None:
    path = tmp_path / "info.txt"
    path.write_bytes(SYSTEMINFO_DE.encode("cp1252"))
    case = _ingest(path)
    assert case.store.scalar("SELECT kind FROM files") == "systeminfo"
    f = _facts(case)
    assert f["system.computer"] == "PC-DE" and f["system.os_version"] == "10.0.19045"
    assert f["system.utc_offset_minutes"] == "60"  # the offset is in the text whatever the language
    assert case.store.get_meta("utc_offset_minutes") == "60"


BEX64 = """Version=1
EventType=BEX64
EventTime=133224000000000000
ReportIdentifier=aaaa
Sig[0].Name=Anwendungsname
Sig[0].Value=SetupHost.exe
Sig[1].Name=Anwendungsversion
Sig[1].Value=10.0.19041.1
Sig[2].Name=x
Sig[2].Value=5f1c
Sig[3].Name=Fehlermodulname
Sig[3].Value=acmehook.dll
Sig[4].Name=Fehlermodulversion
Sig[4].Value=2.0.0.1
Sig[5].Name=y
Sig[5].Value=5f1d
Sig[6].Name=Ausnahmeoffset
Sig[6].Value=0000000000001234
Sig[7].Name=Ausnahmecode
Sig[7].Value=c0000409
Sig[8].Name=Ausnahmedaten
Sig[8].Value=000000000000000a
LoadedModule[0]=C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe
LoadedModule[1]=C:\\Program Files\\Acme\\acmehook.dll
AppPath=C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe
"""


def test_bex64_reads_offset_and_code_in_their_own_places(tmp_path: Path) -> None:
    path = tmp_path / "WER" / "ReportQueue" / "BEX64_SetupHost" / "Report.wer"
    path.parent.mkdir(parents=True)
    path.write_bytes(_utf16(BEX64))
    case = _ingest(tmp_path / "WER")
    r = case.store.query("SELECT * FROM wer_reports")[0]
    assert (r["exception_code"], r["fault_offset"], r["fault_module"]) == ("0xC0000409", "0x1234", "acmehook.dll")
    assert json.loads(r["third_party_modules"]) == ["C:\\Program Files\\Acme\\acmehook.dll"]
    finding = case.store.query("SELECT title, severity FROM findings WHERE rule_id = 'wer.setup_process_crash'")
    assert finding[0]["severity"] == "high" and "acmehook.dll" in finding[0]["title"]
    assert case.store.fact("crash.bugcheck_code") is None


def test_a_renamed_report_is_known_by_its_keys_and_a_broken_one_says_why(tmp_path: Path) -> None:
    renamed = tmp_path / "a" / "crash_report_1.txt"
    renamed.parent.mkdir()
    renamed.write_bytes(_utf16(BEX64))
    assert _ingest(renamed.parent).store.scalar("SELECT kind FROM files") == "wer_report"
    broken = tmp_path / "b" / "Report.wer"
    broken.parent.mkdir()
    broken.write_bytes(_utf16("Version=1\nSig[0].Name=x\n"))
    case = _ingest(broken.parent)
    assert "no EventType" in case.store.scalar("SELECT error FROM problems")
    assert case.store.scalar("SELECT count(*) FROM wer_reports") == 0


def test_a_crash_of_a_process_that_is_not_setup_is_no_finding(tmp_path: Path) -> None:
    path = tmp_path / "Report.wer"
    path.write_bytes(_utf16(BEX64.replace("SetupHost.exe", "notepad.exe")))
    case = _ingest(path)
    assert case.store.scalar("SELECT count(*) FROM wer_reports") == 1
    assert case.store.scalar("SELECT count(*) FROM findings WHERE rule_id = 'wer.setup_process_crash'") == 0


def test_value_forms() -> None:
    assert os_version("10.0.19042 暂缺 Build 19042") == ("10.0.19042", "19042")
    assert os_version("10.0.19042 版本 19042") == ("10.0.19042", "19042")
    assert locale_tag("zh-cn;中文(中国)") == "zh-CN" and locale_tag("2052") == "zh-CN"
    assert locale_tag("中华人民共和国") == "zh-CN" and locale_tag("United States") == "en-US"
    assert locale_tag("nowhere") is None
    assert zone_offset("中国标准时间") == 480 and zone_offset("(UTC-03:30) Newfoundland") == -210
    assert zone_offset("Pacific Standard Time") == -480  # the standard offset, whatever the season
    assert wall_time("3/14/2023, 10:12:44 PM").isoformat() == "2023-03-14T22:12:44"  # type: ignore[union-attr]
    assert (code_text("000000000002f3b8"), exception_text("c0000005")) == ("0x2F3B8", "0xC0000005")


@pytest.mark.parametrize(("text", "minutes", "key"), [
    ("+08:00", 480, "UTC+08:00"), ("UTC+05:45", 345, "UTC+05:45"), ("-03:30", -210, "UTC-03:30"),
    ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", 330, "Asia/Calcutta"),
    ("China Standard Time", 480, "Asia/Shanghai"), ("中国标准时间", 480, "Asia/Shanghai"),
    ("Asia/Kathmandu", 345, "Asia/Kathmandu"), ("UTC", 0, "Etc/UTC")])
def test_zone_names_and_offsets(text: str, minutes: int, key: str) -> None:
    zone = clock.resolve_zone(text)
    assert zone is not None and clock.zone_key(zone) == key
    assert clock.standard_offset_minutes(zone) == minutes
    assert clock.resolve_zone(clock.zone_key(zone)) is not None  # what the case keeps reads back


@pytest.mark.parametrize("text", ["Mars/Olympus_Mons", "+15:00", "+05:10", "garbage", ""])
def test_what_is_not_a_zone(text: str) -> None:
    assert clock.resolve_zone(text) is None


def test_kinds_by_content() -> None:
    assert identify_kind("x/Report.wer", _utf16(BEX64)) == "wer_report"
    assert identify_kind("x/anything.txt", _utf16(REPORT)) == "msinfo_text"
    assert identify_kind("x/sys.txt", SYSTEMINFO_ZH.encode("gbk")) == "systeminfo"
    assert identify_kind("x/notes.txt", b"just some notes\r\nnothing more\r\n") == "text"
