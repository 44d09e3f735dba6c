"""A small failed down-level upgrade as a Procmon capture, for the Procmon tests (written with
:mod:`workbench.writers.procmon`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from workbench.writers.procmon import Ev, Proc, ft

T0 = datetime(2024, 6, 10, 6, 13, 20, tzinfo=timezone.utc)


def at(seconds: float) -> int:
    return ft(T0 + timedelta(seconds=seconds))


def upgrade_scenario() -> tuple[list[Proc], list[Ev]]:
    """A small failed down-level upgrade: setup → SetupPrep → SetupHost → dismhost (→ conhost), mighost; an
    agent (Contoso) touching $WINDOWS.~BT and injecting a DLL into SetupHost; dismhost crashing 0xC0000005;
    PID 7000 reused by a second dismhost after the first exits."""
    ms = "Microsoft Corporation"
    bt = "C:\\$WINDOWS.~BT\\Sources\\"
    procs = [
        Proc(1, 4, 0, "System", "System", company="", start=at(-600)),
        Proc(2, 3344, 3288, "explorer.exe", "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", start=at(-600)),
        Proc(3, 2400, 700, "ctagent.exe", "C:\\Program Files\\Contoso\\ctagent.exe", "ctagent.exe -svc",
             company="Contoso Ltd.", start=at(-600)),
        Proc(4, 5120, 3344, "setup.exe", "D:\\setup.exe", '"D:\\setup.exe" /auto upgrade', parent_index=2,
             start=at(0), end=at(40)),
        Proc(5, 6200, 5120, "SetupPrep.exe", bt + "SetupPrep.exe", bt + "SetupPrep.exe /auto", parent_index=4,
             start=at(1), end=at(39)),
        Proc(6, 6412, 6200, "SetupHost.exe", bt + "SetupHost.exe", bt + "SetupHost.exe /Install", parent_index=5,
             start=at(2), end=at(38),
             modules=[(0x7FF700000000, 0x90000, bt + "SetupHost.exe", ms),
                      (0x7FFB10000000, 0x20000, "C:\\Program Files\\Contoso\\cthook64.dll", "Contoso Ltd.")]),
        Proc(7, 7000, 6412, "dismhost.exe", "C:\\Temp\\D1\\dismhost.exe", "dismhost.exe {D1}", parent_index=6,
             start=at(5), end=at(20)),
        Proc(8, 7010, 7000, "conhost.exe", "C:\\Windows\\System32\\conhost.exe", "conhost.exe 0xffffffff",
             parent_index=7, start=at(5.5), end=at(20.5)),
        Proc(9, 7000, 6412, "dismhost.exe", "C:\\Temp\\D2\\dismhost.exe", "dismhost.exe {D2}", parent_index=6,
             start=at(25), end=at(30)),
        Proc(10, 7100, 6412, "mighost.exe", bt + "mighost.exe", bt + "mighost.exe {M}", parent_index=6,
             start=at(8), end=at(12)),
    ]
    E = Ev
    events = [
        E(2, at(0), 1, 1, path="D:\\setup.exe", pid=5120, cmd='"D:\\setup.exe" /auto upgrade', tid=3400),
        E(4, at(0) + 1, 1, 7, ppid=3344, cmd='"D:\\setup.exe" /auto upgrade', tid=5124),
        E(4, at(0) + 2, 1, 5, path="D:\\setup.exe", tid=5124),
        E(4, at(1), 1, 1, path=bt + "SetupPrep.exe", pid=6200, cmd=bt + "SetupPrep.exe /auto", tid=5124),
        E(5, at(1) + 1, 1, 7, ppid=5120, cmd=bt + "SetupPrep.exe /auto", tid=6204),
        E(5, at(2), 1, 1, path=bt + "SetupHost.exe", pid=6412, cmd=bt + "SetupHost.exe /Install", tid=6204),
        E(6, at(2) + 1, 1, 7, ppid=6200, cmd=bt + "SetupHost.exe /Install", tid=6416),
        E(6, at(2) + 2, 1, 5, path="C:\\Program Files\\Contoso\\cthook64.dll", tid=6416),
        E(6, at(3), 2, 0, path="HKLM\\SYSTEM\\Setup\\MoSetup\\Volatile", tid=6416),
        E(6, at(4), 3, 0x14, path=bt + "Panther\\setupact.log", tid=6416),  # CreateFile
        E(6, at(5), 1, 1, path="C:\\Temp\\D1\\dismhost.exe", pid=7000, cmd="dismhost.exe {D1}", tid=6416),
        E(7, at(5) + 1, 1, 7, ppid=6412, cmd="dismhost.exe {D1}", tid=7004),
        E(7, at(5.5), 1, 1, path="C:\\Windows\\System32\\conhost.exe", pid=7010, cmd="conhost.exe 0xffffffff",
          tid=7004),
        E(8, at(5.5) + 1, 1, 7, ppid=7000, cmd="conhost.exe 0xffffffff", tid=7014),
        E(3, at(6), 3, 0x14, path=bt + "SafeOS\\winre.wim", tid=2404),
        E(7, at(7), 3, 0x14, path=bt + "SafeOS\\winre.wim", result=0xC0000043, tid=7004),  # SHARING VIOLATION
        E(6, at(8), 1, 1, path=bt + "mighost.exe", pid=7100, cmd=bt + "mighost.exe {M}", tid=6416),
        E(10, at(8) + 1, 1, 7, ppid=6412, cmd=bt + "mighost.exe {M}", tid=7104),
        E(10, at(9), 2, 0, path="HKLM\\SOFTWARE\\Contoso\\Tamper", result=0xC0000022, tid=7104),  # ACCESS DENIED
        E(10, at(12), 1, 2, status=0, tid=7104),
        E(3, at(18), 3, 0x14, path=bt + "install.wim", result=0, tid=2404),
        E(7, at(19), 3, 0x14, path="C:\\Windows\\System32\\drivers\\ctflt.sys", result=0xC0000022, tid=7004),
        E(7, at(20), 1, 2, status=0xC0000005, tid=7004),
        E(8, at(20.5), 1, 2, status=0, tid=7014),
        E(6, at(25), 1, 1, path="C:\\Temp\\D2\\dismhost.exe", pid=7000, cmd="dismhost.exe {D2}", tid=6416),
        E(9, at(25) + 1, 1, 7, ppid=6412, cmd="dismhost.exe {D2}", tid=7024),
        E(9, at(26), 5, 5, tid=7024),  # TCP Connect
        E(9, at(30), 1, 2, status=0, tid=7024),
        E(6, at(38), 1, 2, status=0x8007001F, tid=6416),
        E(5, at(39), 1, 2, status=0x8007001F, tid=6204),
        E(4, at(40), 1, 2, status=0x8007001F, tid=5124),
    ]
    return procs, events


