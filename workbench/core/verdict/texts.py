"""Every sentence the verdict builds, in English and Chinese, as data.

The verdict is read by an engineer who reads Chinese first (BRIEF.md): a Chinese summary must hold no English
sentence, so no sentence is built in one language only. Each entry is ``(en, zh)`` with ``{name}``
placeholders filled by :func:`say`; values put into them are names, codes and paths, which stay as written.
Chinese follows how engineers write it (第四阶段, 回滚, 蓝屏, 闪退).
"""

from __future__ import annotations

from typing import Any

from workbench.core.upgrade.codes import SP_PHASES

#: Phase name → (English, Chinese), from the extend-code table engineers number phases by.
PHASES: dict[str, tuple[str, str]] = {name: (f"phase {n}, {en}" if n else en, zh)
                                      for n, (name, en, zh) in SP_PHASES.items()}

#: Common exception codes (NTSTATUS) a crash reports → (English, Chinese).
EXCEPTIONS: dict[int, tuple[str, str]] = {
    0xC0000005: ("an access violation (a bad pointer)", "访问冲突（无效指针）"),
    0xC0000006: ("an in-page error (the page could not be read from disk)", "页面读取错误（无法从磁盘读入页面）"),
    0xC000001D: ("an illegal instruction", "非法指令"),
    0xC0000094: ("an integer division by zero", "整数除以零"),
    0xC0000096: ("a privileged instruction", "特权指令"),
    0xC00000FD: ("a stack overflow", "栈溢出"),
    0xC0000409: ("a stack buffer overrun (fail fast)", "栈缓冲区溢出（快速失败）"),
    0xC0000374: ("heap corruption", "堆损坏"),
    0x80000003: ("a breakpoint", "断点"),
}

#: How an access violation touched memory (ExceptionInformation[0]) → (English verb, Chinese verb).
ACCESS_VERBS: dict[str, tuple[str, str]] = {
    "read": ("read", "读取"), "write": ("wrote to", "写入"), "execute": ("executed", "执行"), "": ("accessed", "访问"),
}

T: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- what failed
    "failed_code": ("The upgrade failed with {code} in {phase}.", "升级失败，错误代码 {code}，发生在{phase}。"),
    "failed_code_nophase": ("The upgrade failed with {code}.", "升级失败，错误代码 {code}。"),
    "failed_bugcheck": ("The new OS blue-screened ({bugcheck}) and Setup rolled back.",
                        "新系统蓝屏（{bugcheck}），安装程序随后回滚（回退）。"),
    "bugcheck_only": ("A blue screen ({bugcheck}) is in the case.", "案例中有一次蓝屏（{bugcheck}）。"),
    "host_crashed": ("{process} crashed ({exception}) in {phase}; no result code was logged: the process died "
                     "before Setup could write one.",
                     "{process} 在{phase}崩溃（闪退，{exception}）；日志中没有结果代码：进程在安装程序写入结果之前就已退出。"),
    "host_crashed_noexc": ("{process} died in {phase}; no result code was logged: the process died before Setup "
                           "could write one.",
                           "{process} 在{phase}意外退出（闪退）；日志中没有结果代码：进程在安装程序写入结果之前就已退出。"),
    "host_crashed_nophase": ("{process} crashed ({exception}); no result code was logged: the process died before "
                             "Setup could write one.",
                             "{process} 崩溃（闪退，{exception}）；日志中没有结果代码：进程在安装程序写入结果之前就已退出。"),
    "host_crashed_noexc_nophase": ("{process} died; no result code was logged: the process died before Setup could "
                                   "write one.",
                                   "{process} 意外退出（闪退）；日志中没有结果代码：进程在安装程序写入结果之前就已退出。"),
    "setup_logs_missing": ("The upgrade's own setup logs are not in the case: collect them (see the next steps).",
                           "案例中没有这次升级自己的安装日志：请按下一步收集。"),
    "culprit": ("Culprit: {module}{owner}.", "肇事模块：{module}{owner}。"),
    "culprit_inbox": ("No third-party module is on the stack: the fault is in {module}, a module Windows ships in the "
                      "box.", "调用栈上没有第三方模块：故障位于 Windows 自带的模块 {module} 中。"),
    "owner_both": (" ({product}, {vendor})", "（{vendor} 的 {product}）"),
    "owner_vendor": (" ({vendor})", "（{vendor}）"),
    "no_culprit": ("No culprit module could be named from what the case holds.", "根据案例中的数据无法确定肇事模块。"),
    "succeeded": ("The upgrade completed: SetupHost ran its post-OOBE step and no rollback was logged.",
                  "升级已成功完成：SetupHost 已执行 OOBE 之后的步骤，日志中没有回滚记录。"),
    "cancelled": ("Setup was cancelled ({code}), not failed: these logs do not show a failure to diagnose.",
                  "安装被取消（{code}），并非失败：这些日志中没有需要诊断的故障。"),
    "incomplete": ("The logs do not show how the upgrade ended.", "现有日志无法说明这次升级的结果。"),
    "incomplete_crash": ("A blue screen ({bugcheck}) is in the case, but no setup log says how the upgrade ended.",
                         "案例中有一次蓝屏（{bugcheck}），但没有安装日志能说明这次升级的结果。"),
    "not_upgrade": ("These are not the failed upgrade's logs: {reasons}.", "这些不是失败升级的日志：{reasons}。"),
    "mismatch": ("The logs hold another failure than the one reported: they show {logs} ({logs_phase}); the "
                 "customer reported {reported} ({reported_phase}).",
                 "日志反映的故障与客户报告的不同：日志显示 {logs}（{logs_phase}），客户报告的是 {reported}（{reported_phase}）。"),
    "logs_process_crash": ("a crash of {process} ({exception}) with no result code logged",
                           "{process} 崩溃（闪退，{exception}），日志中没有结果代码"),
    "logs_process_died": ("{process} dying with no result code logged", "{process} 意外退出，日志中没有结果代码"),
    "logs_bugcheck": ("a blue screen ({bugcheck}) with no result code logged", "蓝屏（{bugcheck}），日志中没有结果代码"),
    "logs_no_code": ("no result code", "没有结果代码"),
    "reported_matches": ("The logs show the failure that was reported ({reported}).", "日志显示的正是客户报告的故障（{reported}）。"),
    "phase_unknown": ("an unknown phase", "未知阶段"),
    "code_not_in_case": ("its code is not in the case", "停止代码不在案例中"),
    # ---------------------------------------------------------------- not an upgrade: why
    "why_old_os": ("the machine runs {os} (version {version}), and feature upgrades to Windows 10/11 start from "
                   "Windows 10", "该机器运行的是 {os}（版本 {version}），而 Windows 10/11 功能更新只能从 Windows 10 开始"),
    "why_old_setup": ("the setup logs were written by Windows {version} setup ({build}), not by a Windows 10/11 "
                      "feature upgrade", "这些安装日志由 Windows {version} 的安装程序（{build}）写入，不是 Windows 10/11 功能更新"),
    "why_no_upgrade_logs": ("the setup logs are from an image deployment or a clean install (no $WINDOWS.~BT "
                            "folder, no SetupHost, no upgrade result)",
                            "这些安装日志来自映像部署或全新安装（没有 $WINDOWS.~BT 文件夹、没有 SetupHost、没有升级结果）"),
    "why_other_computer": ("the description names computer {reported}, the logs come from {computer}",
                           "问题描述中的计算机是 {reported}，而日志来自 {computer}"),
    "why_old_logs": ("the setup logs end on {logs_date}, {days} days before the reported failure ({reported_date})",
                     "安装日志结束于 {logs_date}，比报告的故障时间（{reported_date}）早 {days} 天"),
    # ---------------------------------------------------------------- reasoning steps
    "step_code": ("Setup wrote {code}: {phase}{operation}.", "安装程序写入了 {code}：{phase}{operation}。"),
    "step_operation": ("; operation {operation}", "；操作 {operation}"),
    "step_phase_content": ("No result code gives the phase; the logs place the failure in {phase}: {why}.",
                           "没有结果代码说明阶段；根据日志内容，故障发生在{phase}：{why}。"),
    "why_exec_phase": ("the last execution phase SetupPlatform started", "SetupPlatform 最后开始的执行阶段"),
    "why_downlevel_only": ("only down-level setup logs (the old OS's Panther folder), none from after a reboot",
                           "只有下层阶段（旧系统 Panther 文件夹）的安装日志，没有重启之后的日志"),
    "why_header": ("the rollback log's header (Current phase / Current op)", "回滚日志的头部（Current phase / Current op）"),
    "step_logs_missing": ("Windows Error Reporting kept the crash of the upgrade's Setup (run from $WINDOWS.~BT), but "
                          "none of its setup logs ($WINDOWS.~BT\\Sources\\Panther, Rollback) is in the case.",
                          "Windows 错误报告保留了这次升级的安装程序（从 $WINDOWS.~BT 运行）的崩溃记录，但案例中没有它的任何"
                          "安装日志（$WINDOWS.~BT\\Sources\\Panther、Rollback）。"),
    "step_logs_missing_other": ("Windows Error Reporting kept the crash of the upgrade's Setup (run from $WINDOWS.~BT), "
                                "but none of its setup logs ($WINDOWS.~BT\\Sources\\Panther, Rollback) is in the case: "
                                "the setup logs the case holds are another installation's (an image deployment or a "
                                "clean install).",
                                "Windows 错误报告保留了这次升级的安装程序（从 $WINDOWS.~BT 运行）的崩溃记录，但案例中没有它的"
                                "任何安装日志（$WINDOWS.~BT\\Sources\\Panther、Rollback）：案例中的安装日志属于另一次安装"
                                "（映像部署或全新安装）。"),
    "step_host_gone": ("The down-level log ends with {process} gone: MigHost logged that its parent process "
                       "exited unexpectedly.", "下层阶段日志以 {process} 的退出结束：MigHost 记录其父进程意外退出。"),
    "step_exit": ("Procmon saw {process} exit with {status}{what}.", "Procmon 记录到 {process} 以 {status} 退出{what_zh}。"),
    "step_wer": ("Windows Error Reporting recorded {process} crashing with {exception} in {module}.",
                 "Windows 错误报告记录到 {process} 崩溃（{exception}），故障模块为 {module}。"),
    "step_injected": ("{injector}{injector_company} put {dll}{dll_company} into {process} {seconds} s before it "
                      "exited with {status}.",
                      "{injector}{injector_company_zh} 将 {dll}{dll_company_zh} 注入 {process}，{seconds} 秒后该进程以 {status} 退出。"),
    "step_loaded": ("{dll}{dll_company} was loaded into {process} {seconds} s before it exited with {status}.",
                    "{dll}{dll_company_zh} 被加载到 {process} 中，{seconds} 秒后该进程以 {status} 退出。"),
    "step_activity": ("What the crashing thread was doing: {activity} ({functions} on the stack).",
                      "崩溃线程当时在做什么：{activity_zh}（调用栈上有 {functions}）。"),
    "step_fault": ("What went wrong: {what} at {frame}.", "出了什么问题：在 {frame} 处发生{what_zh}。"),
    "step_fault_null_register": (
        "What went wrong: {what} at {frame}, a NULL pointer: the instruction {verb} [{operand}] with {register} = "
        "{value}{instruction_en}: a NULL handle or object{passed}.",
        "出了什么问题：在 {frame} 处发生{what_zh}，是空指针（NULL）：该指令{verb_zh} [{operand}] 时 {register} = "
        "{value}{instruction_zh}：空句柄或空对象{passed_zh}。"),
    "step_fault_null_address": (
        "What went wrong: {what} at {frame}, a NULL pointer: it {verb} address {address}{instruction_en}, in the first "
        "64 KiB that "
        "Windows never maps: a NULL handle or object plus a field offset{passed}.",
        "出了什么问题：在 {frame} 处发生{what_zh}，是空指针（NULL）：它{verb_zh}了地址 {address}{instruction_zh}，位于 Windows 从不映射的"
        "前 64 KB 内：空句柄或空对象加上字段偏移{passed_zh}。"),
    "step_fault_bad_address": (
        "What went wrong: {what} at {frame}: it {verb} address {address}{instruction_en}, which is not valid memory: a "
        "bad, freed or "
        "corrupted pointer, not NULL{passed}.",
        "出了什么问题：在 {frame} 处发生{what_zh}：它{verb_zh}了地址 {address}{instruction_zh}，该地址不可访问：指针无效、已释放或已损坏，"
        "不是空指针{passed_zh}。"),
    "step_fault_instruction": ("What went wrong: {what} at {frame}, in the instruction {instruction}.",
                               "出了什么问题：在 {frame} 处发生{what_zh}，出错的指令是 {instruction}。"),
    "null_passed_by": (", passed in by {module}", "，由 {module} 传入"),
    "step_who": ("Who: {module} is the first module on the stack that is not Microsoft's ({frame}); the "
                 "Microsoft frames above it only carried out its call.",
                 "谁：{module} 是调用栈上第一个非微软模块（{frame}）；其上方的微软帧只是执行了它的调用。"),
    "step_who_ms": ("Who: every module on the stack is Microsoft's; the fault is in {module} ({frame}), which often "
                    "means bad input from a driver or hardware.",
                    "谁：调用栈上都是微软模块；故障位于 {module}（{frame}），这通常意味着驱动传入了错误数据或硬件有问题。"),
    "step_reconciled": ("The engineer's WinDbg text and the dump are the same crash: {how}",
                        "工程师的 WinDbg 输出与转储文件是同一次崩溃：{how_zh}"),
    "step_hang": ("The device install of {device} started and never finished: the machine hung or restarted "
                  "while installing it.", "设备 {device} 的安装开始后始终未完成：机器在安装它时卡住或重启。"),
    "step_hang_driver": ("The install of {device} started and never finished: the machine hung, crashed or "
                         "restarted while installing it.", "{device} 的安装开始后始终未完成：机器在安装它时卡住、崩溃或重启。"),
    "step_driver_failed": ("{module} failed at the failing boot: {what}.", "{module} 在失败的那次启动中出错：{what}。"),
    "step_install_failed_rollback": ("The same driver failed to install in the rollback: setupapi.dev.log ends the "
                                     "install of {inf} with {status}.",
                                     "同一驱动程序在回滚中安装失败：setupapi.dev.log 中 {inf} 的安装以 {status} 结束。"),
    "step_install_failed": ("setupapi.dev.log ends the install of {inf} with {status}.",
                            "setupapi.dev.log 中 {inf} 的安装以 {status} 结束。"),
    "step_uptime": ("The system had been up {uptime} when it crashed: it failed while starting (the debugger's Debug "
                    "session time and System Uptime).",
                    "崩溃时系统仅运行了 {uptime}：它在启动过程中失败（调试器的 Debug session time 和 System Uptime）。"),
    "step_owner": ("{module} belongs to {owner}, according to {source}.", "{module} 属于 {owner}（依据：{source_zh}）。"),
    "step_known": ("Known in upgrade failures: {breaks} (source: {source}).", "已知的升级问题：{breaks_zh}（来源：{source}）。"),
    "step_reported": ("The customer reported: {reported}.", "客户报告：{reported}。"),
    "step_build_mismatch": ("The system information says build {info_build}, but the setup logs ran on build "
                            "{source_build} (upgrading to {target_build}): it was collected at another time (after a "
                            "later upgrade) or on another computer; check that both come from the PC that failed.",
                            "系统信息显示版本 {info_build}，而安装日志是在版本 {source_build} 上运行的（升级到 "
                            "{target_build}）：系统信息是在其他时间（之后又升级过）或在另一台计算机上收集的；请确认两者都来自"
                            "升级失败的那台电脑。"),
    "step_other_crash": ("{count} other crash(es) in the case are not the upgrade's and are set aside: {why}.",
                         "案例中另有 {count} 次崩溃与本次升级无关，不予考虑：{why}。"),
    # ---------------------------------------------------------------- owner sources
    "src_image": ("the version resource of the image in the case", "案例中该映像文件的版本信息"),
    "src_debugger": ("the engineer's WinDbg module listing (lmvm: CompanyName, ProductName)",
                     "工程师的 WinDbg 模块列表（lmvm：CompanyName、ProductName）"),
    "src_procmon_module": ("the company Procmon recorded for the module", "Procmon 记录的该模块的公司"),
    "src_procmon_process": ("Procmon, where the same vendor's {process} runs", "Procmon 中同一厂商的进程 {process}"),
    "src_installed": ("the installed drivers and services of the machine", "该机器已安装的驱动和服务列表"),
    "src_pci": ("the PCI vendor id in the device's hardware id", "设备硬件 ID 中的 PCI 厂商 ID"),
    "src_knowledge": ("the table of modules known in upgrade failures", "升级故障已知模块表"),
    "src_description": ("the device description in setupapi.dev.log", "setupapi.dev.log 中的设备描述"),
    # ---------------------------------------------------------------- next steps
    "fix_known": ("{module} ({owner}): {fix}", "{module}（{owner}）：{fix_zh}"),
    "fix_driver": ("Update {owner} to a version supported on the target Windows release, or uninstall it (or set "
                   "its driver {module} not to start) before retrying the upgrade; send the vendor the stack.",
                   "将 {owner} 更新到支持目标 Windows 版本的版本，或在重新升级前卸载它（或禁止其驱动 {module} 启动）；"
                   "并将调用栈发给厂商。"),
    "fix_dll": ("Update or uninstall {owner}, whose {module} was in the Setup process when it died, or exclude the "
                "Setup folders and processes from it during the upgrade.",
                "更新或卸载 {owner}（Setup 进程退出时其中有它的 {module}），或在升级期间将安装程序的文件夹和进程加入它的排除列表。"),
    "fix_dll_unknown": ("Find {owner}, then update or uninstall it (its {module} was in the Setup process when it "
                        "died), or exclude the Setup folders and processes from it during the upgrade.",
                        "找出{owner}，更新或卸载它（Setup 进程退出时其中有它的 {module}），或在升级期间将安装程序的文件夹和"
                        "进程加入它的排除列表。"),
    "fix_device": ("Update the driver of {device}{owner} from the PC maker, or remove the device or its driver "
                   "package ({module}) before retrying the upgrade.",
                   "从电脑厂商获取并更新 {device}{owner_zh} 的驱动，或在重新升级前移除该设备或其驱动程序包（{module}）。"),
    "fix_generic": ("Update or uninstall {owner} ({module}) before retrying the upgrade.",
                    "在重新升级前更新或卸载 {owner}（{module}）。"),
    "fix_inbox": ("{module} is a driver Windows ships in the box and no third-party module is on the stack: do not "
                  "uninstall it. A Microsoft driver faulting on its own usually comes from the firmware or the hardware "
                  "it drives: update the BIOS/UEFI firmware and the chipset drivers from the PC maker, run the maker's "
                  "hardware diagnostics (memory, CPU), and if it still fails send the dump to Microsoft support.",
                  "{module} 是 Windows 自带的驱动程序，调用栈上没有第三方模块：不要卸载它。微软驱动程序自身出错通常源于"
                  "固件或它所驱动的硬件：从电脑厂商获取并更新 BIOS/UEFI 固件和芯片组驱动程序，运行厂商的硬件诊断（内存、"
                  "CPU）；如果仍然失败，请将转储文件发给微软支持。"),
    "the_product_of": ("the product that installed {module}", "安装 {module} 的产品"),
    "collect_reported": ("Collect the logs of the reported failure ({reported}) from the same machine, right after it "
                         "happens again:", "请在同一台机器上再次出现所报告的故障（{reported}）后，立即收集该次故障的日志："),
    "collect_intro": ("Collect from the machine that ran the upgrade, right after it fails:",
                      "请在执行升级的那台机器上，升级失败后立即收集："),
    "look_after_upgrade": ("The upgrade itself succeeded: look for the reported symptom after the upgrade (drivers, "
                           "apps, settings) instead.", "升级本身已成功：请从升级之后的问题方向（驱动、应用、设置）排查所报告的症状。"),
    "retry_after": ("Retry the upgrade after the change above and, if it fails again, collect the same folders.",
                    "完成上述处理后重新升级；如果仍然失败，请再次收集相同的文件夹。"),
}

#: The collection checklist, item → (en, zh); :func:`checklist` picks the items a case needs.
COLLECT: dict[str, tuple[str, str]] = {
    "bt": ("C:\\$WINDOWS.~BT\\Sources\\Panther and C:\\$WINDOWS.~BT\\Sources\\Rollback (whole folders, hidden)",
           "C:\\$WINDOWS.~BT\\Sources\\Panther 和 C:\\$WINDOWS.~BT\\Sources\\Rollback（整个文件夹，隐藏文件夹）"),
    "panther": ("C:\\Windows\\Panther (with NewOS and UnattendGC) and C:\\Windows\\Logs\\SetupDiag",
                "C:\\Windows\\Panther（含 NewOS 和 UnattendGC）以及 C:\\Windows\\Logs\\SetupDiag"),
    "dumps": ("the crash dumps: C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp, C:\\Windows\\MEMORY.DMP and "
              "C:\\Windows\\Minidump", "崩溃转储：C:\\$WINDOWS.~BT\\Sources\\Rollback\\setupmem.dmp、"
              "C:\\Windows\\MEMORY.DMP 和 C:\\Windows\\Minidump"),
    "evtx": ("the event logs: C:\\Windows\\System32\\winevt\\Logs (System, Application, Setup)",
             "事件日志：C:\\Windows\\System32\\winevt\\Logs（System、Application、Setup）"),
    "setupapi": ("C:\\Windows\\INF\\setupapi.dev.log", "C:\\Windows\\INF\\setupapi.dev.log"),
    "nfo": ("msinfo32 /nfo (the system summary with drivers and services)", "msinfo32 /nfo（含驱动和服务的系统信息）"),
    "procmon_boot": ("a Procmon capture with boot logging (Options › Enable Boot Logging) for a failure at boot",
                     "启动时故障：用 Procmon 的启动日志（Options › Enable Boot Logging）抓取"),
    "procmon": ("a Procmon capture while the down-level phase runs, until Setup closes", "在第一阶段运行期间用 Procmon 抓取，直到安装程序关闭"),
    "wer": ("C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive (Windows Error Reporting)",
            "C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportArchive（Windows 错误报告）"),
    "time": ("the date and time of the failure, and the code on the screen (a photo is fine)",
             "故障发生的日期和时间，以及屏幕上显示的错误代码（拍照即可）"),
}


def say(key: str, lang: str, **values: Any) -> str:
    """Sentence ``key`` in ``lang`` (``en`` or ``zh``) with its placeholders filled."""
    en, zh = T[key]
    return (zh if lang == "zh" else en).format(**values)


def both(key: str, **values: Any) -> tuple[str, str]:
    """Sentence ``key`` in English and Chinese."""
    return say(key, "en", **values), say(key, "zh", **values)


def phase_text(phase: str | None) -> tuple[str, str]:
    """How a phase is said: ``phase 4, second boot / OOBE boot of the new OS`` / ``第四阶段（…）``."""
    if phase and phase in PHASES:
        return PHASES[phase]
    return T["phase_unknown"]


def exception_text(code: int | None) -> tuple[str, str] | None:
    """``0xC0000005`` → ("an access violation (a bad pointer)", "访问冲突（无效指针）")."""
    if code is None:
        return None
    return EXCEPTIONS.get(code & 0xFFFFFFFF)


def checklist(items: list[str]) -> tuple[list[str], list[str]]:
    """The collection items in both languages, in the order given."""
    return [COLLECT[i][0] for i in items], [COLLECT[i][1] for i in items]
