"""Crash dumps without symbols: kernel triage dumps, user minidumps and WinDbg text, to bugcheck and culprit.

Modules: :mod:`.bugchecks` (names and parameter meanings), :mod:`.kdump` (PAGEDU64/PAGEDUMP reader, triage),
:mod:`.fullmem` (full/bitmap dumps: page tables, module list), :mod:`.udump` (MDMP reader), :mod:`.windbg`
(debugger text), :mod:`.images` (module images: .pdata, exports, company), :mod:`.unwind` (x64 unwinder),
:mod:`.stack` (stack recovery with a confidence per frame), :mod:`.culprit` (the first third-party module),
:mod:`.pipeline` (one call per source), :mod:`.record` (rows and facts), :mod:`.analyze` (which crash
belongs to the upgrade; re-analysis with the case's images). No Qt here.
"""
