"""Messages and facts of the event-log records that matter, on records written here as plain dicts.

These need no fixture: the field layouts are the ones evtx-rs gives for real records (reference/evtx.md
§1.3/§1.5, checked on ../shared/fixtures/evtx), typed in by hand.
"""

from __future__ import annotations

from typing import Any

from workbench.core import evtx_messages as em


def rec(provider: str | None, event_id: int | None, data: Any, channel: str = "System") -> dict[str, Any]:
    return {"provider": provider, "event_id": event_id, "channel": channel, "computer": "PC01", "level": 2,
            "data": em.flatten_data(data)}


def facts(record: dict[str, Any]) -> dict[str, tuple[str | None, int]]:
    return {name: (value, weight) for name, value, _text, weight in em.record_facts(record)}


def wer_1001(event_name: str, params: list[str]) -> dict[str, Any]:
    """WER 1001's unnamed Data: bucket, type, event name, response, cab id, P1..P10, files, ..., report id."""
    values = ["1234567890", "5", event_name, "Not available", "0"] + params + [""] * (10 - len(params))
    values += ["C:\\$WINDOWS.~BT\\Sources\\Panther\\diagerr.xml", "", "", "0", "a86962e8-3bff-11e3", "4"]
    return rec("Windows Error Reporting", 1001, {"Data": {"#text": values}, "Binary": None}, "Application")


def test_win_setup_diag_is_decoded_into_upgrade_facts() -> None:
    # the parameters of setupdiag.md §2.5 (fixture baslr Rollback): 1, 5, 9, 1, 0xC1900101, 0x30018, ...
    r = wer_1001("WinSetupDiag02", ["1", "5", "9", "1", "0xC1900101", "0x30018", "18363", "19h1_release",
                                    "19041", "vb_release"])
    text = em.message(r)
    assert text.startswith("Windows Setup result (WinSetupDiag02): Failure 0xC1900101 - 0x30018")
    assert "phase FIRST_BOOT, operation SYSPREP" in text
    assert "scenario Media, mode Rollback, arch AMD64" in text
    assert "build 18363 19h1_release -> 19041 vb_release" in text
    f = facts(r)
    assert f["upgrade.result_code"] == ("0xC1900101", em.WEIGHT_WER_SETUP)
    assert f["upgrade.extend_code"] == ("0x30018", em.WEIGHT_WER_SETUP)
    assert f["upgrade.phase"][0] == "FIRST_BOOT" and f["upgrade.operation"][0] == "SYSPREP"
    assert f["upgrade.source_build"][0] == "18363" and f["upgrade.target_build"][0] == "19041"
    assert f["upgrade.rollback"][0] == "true"
    assert f["evtx.setup_result"][0] == "Failure"


def test_win_setup_diag_codes_written_without_0x() -> None:
    r = wer_1001("WinSetupDiag02", ["5", "1", "0", "1", "c1900101", "40017", "19045", "", "22631", ""])
    f = facts(r)
    assert f["upgrade.result_code"][0] == "0xC1900101"
    # WER writes Setup's codes in hex without 0x: "40017" is the extend code 0x40017 (OOBE_BOOT, BOOT)
    assert f["upgrade.extend_code"][0] == "0x40017"
    assert f["upgrade.phase"][0] == "OOBE_BOOT" and "upgrade.rollback" not in f
    assert "scenario WindowsUpdate, mode Downlevel, arch x86" in em.message(r)
    assert "0xC1900101 - 0x40017" in em.message(r)


def test_other_wer_reports_list_their_parameters() -> None:
    r = wer_1001("WindowsUpdateFailure", ["7.3.7600.16385", "8024001f", "0000", "Scan", "101", "Unmanaged"])
    text = em.message(r)
    assert text.startswith("Windows Error Reporting: WindowsUpdateFailure (P1=7.3.7600.16385, P2=8024001f")
    assert "bucket 1234567890" in text
    assert facts(r) == {}


def test_hex_codes() -> None:
    assert em.hex_code("c1900101") == "0xC1900101"
    assert em.hex_code("-1047527167") == "0xC1900101"  # a negative int32, as some fields print it
    assert em.hex_code(-1047527167) == "0xC1900101"
    assert em.hex_code("0x40017") == "0x40017"
    assert em.hex_code("262167") == "0x40017"
    assert em.hex_code("8024001f") == "0x8024001F"
    assert em.hex_code("00000000") == "0x0"
    assert em.hex_code("") is None and em.hex_code(None) is None and em.hex_code("n/a") is None
    assert em.hex8("0x7e") == "0x0000007E" and em.hex8(3221226341) == "0xC0000365"
    assert em.split_extend_code("0x40017") == ("OOBE_BOOT", "BOOT")
    assert em.split_extend_code("0x2000C") == ("SAFE_OS", "APPLY_IMAGE")
    assert em.split_extend_code("0x800704C7") == (None, None)  # a MOUPG-layer value, not phase/operation


def test_6013_gives_time_zone_and_os() -> None:
    strings = ["1.1", "0", "Windows 10 Pro", "10.0.19045 Build 19045  ", "Multiprocessor Free",
               "19045.vb_release.191206-1406", "abc", "Not Available", "Not Available", "9", "1", "2052", ""]
    binary = "\x00".join(strings).encode("utf-16-le").hex().upper()
    r = rec("EventLog", 6013, {"Data": {"#text": ["", "", "", "", "86400", "60", "-480 China Standard Time"]},
                               "Binary": binary})
    text = em.message(r)
    assert text == ("System uptime 86400 s; time zone China Standard Time (UTC+08:00); Windows 10 Pro "
                    "10.0.19045 Build 19045 (19045.vb_release.191206-1406)")
    f = facts(r)
    assert f["system.time_zone"] == ("China Standard Time", em.WEIGHT_TIME_ZONE)
    assert f["system.utc_offset_minutes"] == ("480", em.WEIGHT_TIME_ZONE)  # the bias is minutes west of UTC
    assert em.WEIGHT_TIME_ZONE < 10  # msinfo32's NFO (weight 10) knows the zone better
    assert f["system.os_build"][0] == "19045" and f["evtx.os_build"][0] == "19045"
    assert f["system.os_name"][0] == "Windows 10 Pro" and f["system.os_version"][0] == "10.0.19045"
    # a 6013 without the zone value (damaged) says only what it has
    bare = rec("EventLog", 6013, {"Data": {"#text": ["", "", "", "", "13"]}, "Binary": None})
    assert em.message(bare) == "System uptime 13 s" and facts(bare) == {}


def test_boot_events() -> None:
    boot = rec("EventLog", 6009, {"Data": {"#text": ["10.00.", "17134", "", "Multiprocessor Free", "0"]}})
    assert em.message(boot) == "Boot: Microsoft Windows 10.00 build 17134 (Multiprocessor Free)"
    assert facts(boot)["evtx.boot_build"][0] == "17134"
    assert "started" in em.message(rec("EventLog", 6005, {"Data": {"#text": ""}, "Binary": "E207"}))
    assert "clean shutdown" in em.message(rec("EventLog", 6006, {"Data": {"#text": ""}}))
    dirty = rec("EventLog", 6008, {"Data": {"#text": ["1:34:44 PM", "\u200e8/\u200e25/\u200e2015", "", "", "934"]}})
    assert em.message(dirty) == "The previous system shutdown at 8/25/2015 1:34:44 PM was unexpected"
    general = rec("Microsoft-Windows-Kernel-General", 12, {"MajorVersion": 10, "MinorVersion": 0,
                                                           "BuildVersion": 19041, "QfeVersion": 1415})
    assert em.message(general) == "The operating system started: version 10.0 build 19041.1415"
    assert facts(general)["evtx.boot_build"][0] == "19041"


def test_crashes() -> None:
    bugcheck = rec("Microsoft-Windows-WER-SystemErrorReporting", 1001, {
        "param1": "0x0000007e (0xffffffffc0000005, 0xfffff80512345678, 0xffffd000a1b2c3d4, 0xffffd000a1b2c3e0)",
        "param2": "C:\\Windows\\MEMORY.DMP", "param3": "112526-12345-01"})
    text = em.message(bugcheck)
    assert text.startswith("Blue screen: bugcheck 0x0000007E (0xffffffffc0000005")
    assert text.endswith("dump saved to C:\\Windows\\MEMORY.DMP; report id 112526-12345-01")
    assert facts(bugcheck)["evtx.bugcheck_code"][0] == "0x0000007E"
    power = rec("Microsoft-Windows-Kernel-Power", 41, {
        "BugcheckCode": 126, "BugcheckParameter1": "0xffffffffc0000005", "BugcheckParameter2": "0x0",
        "BugcheckParameter3": "0x0", "BugcheckParameter4": "0x0", "SleepInProgress": False,
        "PowerButtonTimestamp": 0})
    assert em.message(power) == ("The system rebooted without cleanly shutting down first (power loss, hang or "
                                 "crash); bugcheck 0x0000007E (0xffffffffc0000005, 0x0, 0x0, 0x0)")
    held = rec("Microsoft-Windows-Kernel-Power", 41, {"BugcheckCode": 0, "PowerButtonTimestamp": 131234567890})
    assert em.message(held).endswith("; the power button was pressed")


def test_application_crash_of_a_setup_process() -> None:
    values = ["SetupHost.exe", "10.0.19041.1", "5f3c1a2b", "vUserHCI.dll", "3.2.1.0", "5e00aa11", "c0000005",
              "000000000001a2b3", "1f2c", "01d6f0a1b2c3d4e5", "C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe",
              "C:\\Program Files\\Vendor\\vUserHCI.dll", "0b1c2d3e-aaaa-bbbb-cccc-111122223333"]
    r = rec("Application Error", 1000, {"Data": {"#text": values}, "Binary": None}, "Application")
    assert em.message(r) == ("Setup process crashed: SetupHost.exe 10.0.19041.1, faulting module vUserHCI.dll "
                             "3.2.1.0, exception 0xC0000005, offset 0x000000000001a2b3; "
                             "C:\\$WINDOWS.~BT\\Sources\\SetupHost.exe")
    assert facts(r)["evtx.setup_process_crash"][0] == "SetupHost.exe"
    other = rec("Application Error", 1000, {"Data": {"#text": ["notepad.exe"] + values[1:]}}, "Application")
    assert em.message(other).startswith("Application crashed: notepad.exe") and facts(other) == {}
    hang = rec("Application Hang", 1002, {"Data": {"#text": ["setupprep.exe", "10.0.1", "1a2c", "01d6", "5000",
                                                             "C:\\$WINDOWS.~BT\\Sources\\SetupPrep.exe", "id"]}})
    assert em.message(hang).startswith("Setup process stopped responding: setupprep.exe 10.0.1")


def test_service_control_manager() -> None:
    assert em.message(rec("Service Control Manager", 7000, {"param1": "lwfmgr", "param2": "%%1275"})) == (
        "The lwfmgr service failed to start: error 1275 (This driver has been blocked from loading)")
    assert em.message(rec("Service Control Manager", 7001, {"param1": "A", "param2": "B", "param3": "%%1058"})) \
        .endswith("which failed to start: error 1058 (The service cannot be started, either because it is "
                  "disabled or because it has no enabled devices)")
    assert em.message(rec("Service Control Manager", 7009, {"param1": "30000", "param2": "Sync Host"})) == (
        "A timeout was reached (30000 ms) while waiting for the Sync Host service to connect")
    assert "7011" not in em.message(rec("Service Control Manager", 7011, {"param1": "30000", "param2": "X"}))
    assert em.message(rec("Service Control Manager", 7023, {"param1": "iphlpsvc", "param2": "%%21"})) == (
        "The iphlpsvc service terminated with the following error: error 21 (The device is not ready)")
    assert em.message(rec("Service Control Manager", 7026, {"param1": "\r\nCSC\r\ndam"})) == (
        "Boot-start or system-start driver(s) did not load: CSC, dam")
    assert em.message(rec("Service Control Manager", 7031, {
        "param1": "Sync Host", "param2": "1", "param3": "10000", "param4": "1", "param5": "Restart the service",
        "Binary": "4F00"})) == ("The Sync Host service terminated unexpectedly; it has done this 1 time(s). "
                                "Corrective action in 10000 ms: Restart the service")
    assert em.message(rec("Service Control Manager", 7034, {"param1": "Agent", "param2": "3"})) == (
        "The Agent service terminated unexpectedly; it has done this 3 time(s)")
    # Windows 7 writes some SCM events with unnamed values
    assert em.message(rec("Service Control Manager", 7034, {"Data": {"#text": ["Agent", "2"]}})) == (
        "The Agent service terminated unexpectedly; it has done this 2 time(s)")


def test_update_pnp_profiles_and_unknown_events() -> None:
    wu = rec("Microsoft-Windows-WindowsUpdateClient", 20, {
        "errorCode": "0xc1900101", "updateTitle": "Feature update to Windows 10, version 22H2",
        "updateGuid": "x", "updateRevisionNumber": 1})
    assert em.message(wu) == ("Windows Update: Installation failure: Feature update to Windows 10, version 22H2 "
                              "(error 0xc1900101)")
    assert facts(wu)["evtx.feature_update_failure"][0].startswith("Feature update")
    pnp = rec(em.PNP, 219, {"DriverNameLength": 45, "DriverName": "HID\\VID_0E0F&PID_000A&Col01\\7&1e4bfc40",
                            "Status": 3221226341, "FailureNameLength": 14, "FailureName": "\\Driver\\WudfRd"})
    assert em.message(pnp) == ("Driver \\Driver\\WudfRd failed to load for device "
                               "HID\\VID_0E0F&PID_000A&Col01\\7&1e4bfc40 (status 0xC0000365)")
    profile = rec("Microsoft-Windows-User Profiles Service", 1511, {}, "Application")
    assert em.message(profile) == ("User profile: Windows cannot find the local profile and is logging you on "
                                   "with a temporary profile")
    userdata = {"EventXML": {"#attributes": {"xmlns": "LoadPerf"}, "param1": "WmiApRpl", "binaryDataSize": 16}}
    assert em.message(rec("Microsoft-Windows-LoadPerf", 1000, userdata, "Application")) == (
        "param1=WmiApRpl; binaryDataSize=16")
    unknown = rec("Vendor-Agent", 4242, {"Path": "C:\\x\\y.sys", "Note": "line1\r\n  line2", "Binary": "00FF"})
    assert em.message(unknown) == "Path=C:\\x\\y.sys; Note=line1 line2"


def test_damaged_and_odd_records_never_raise() -> None:
    assert em.message({"provider": None, "event_id": None, "data": None}) == ""
    # fields of an unexpected shape (repeated names become lists; a damaged value is not a number)
    odd = rec("Service Control Manager", 7026, {"param1": ["CSC", "dam"], "Binary": None})
    assert em.message(odd) == "Boot-start or system-start driver(s) did not load: CSC, dam"
    power = rec("Microsoft-Windows-Kernel-Power", 41, {"BugcheckCode": "garbage", "PowerButtonTimestamp": 0})
    assert em.message(power).endswith("; bugcheck garbage (, , , )")
    assert em.message(rec("Windows Error Reporting", 1001, {"Data": {"#text": "just one"}})).startswith(
        "Windows Error Reporting:")
    assert em.flatten_data("text") == {"Data": "text"}
    assert em.flatten_data({"Data": {"#text": ["a", None]}, "Binary": None}) == {"Data": ["a", None],
                                                                                 "Binary": None}
    long = em.compact_fields({f"f{i}": "x" * 100 for i in range(20)})
    assert len(long) <= 300 and long.endswith("...")


def test_setup_channel_servicing_events() -> None:
    ok = rec("Microsoft-Windows-Servicing", 2, {"PackageIdentifier": "KB5005565", "IntendedPackageState": 5112,
                                                "IntendedPackageStateTextized": "Installed", "ErrorCode": "0x0",
                                                "Client": "UpdateAgentLCU"}, "Setup")
    assert em.message(ok) == "Servicing: Package changed state KB5005565 -> Installed; client UpdateAgentLCU"
    failed = rec("Microsoft-Windows-Servicing", 3, {"PackageIdentifier": "KB5005565", "ErrorCode": "0x800f0922"},
                 "Setup")
    assert em.message(failed) == "Servicing: Servicing failed for package KB5005565 (error 0x800f0922)"
    other = rec("Microsoft-Windows-Servicing", 1, {"Something": "else"}, "Setup")
    assert em.message(other) == "Servicing: Initiating changes for package (Something=else)"
