"""Upgrade error codes as data: the SP phase/operation tables, the MOUPG phases, and result-code meanings.

Windows Setup reports ``RESULT - EXTEND`` (``0xC1900101 - 0x30018``). When SetupPlatform (SP) raised the
code, the extend code is ``phase << 16 | operation`` from Microsoft's SP_EXECUTION tables
(reference/setupdiag.md §2.2–2.3). Codes raised by the down-level SetupHost layer (MOUPG) carry a MOUPG
phase/subphase instead (§2.6): decoding ``0x50013`` with the SP table would say "UNINSTALL /
REGISTER_ASYNC_PROCESS", which is wrong. So :func:`decode` takes the layer as an argument and never guesses
it; the analyzer decides the layer from where in the logs the code was found.

Everything here is a table so a translator or a support engineer can extend it without touching logic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: SP_EXECUTION phase digit → (our name, English, Chinese as engineers say it).
SP_PHASES: dict[int, tuple[str, str, str]] = {
    0: ("UNKNOWN", "unknown phase", "未知阶段"),
    1: ("DOWNLEVEL", "down-level (running in the old OS)", "第一阶段（下层阶段，在旧系统中运行）"),
    2: ("SAFE_OS", "SafeOS / WinPE, after the first reboot", "第二阶段（SafeOS / WinPE，第一次重启后）"),
    3: ("FIRST_BOOT", "first boot of the new OS", "第三阶段（新系统第一次启动）"),
    4: ("OOBE_BOOT", "second boot / OOBE boot of the new OS", "第四阶段（新系统第二次启动 / OOBE 启动）"),
    5: ("UNINSTALL", "uninstall, after an unsuccessful upgrade", "卸载阶段（升级失败后回退）"),
}

#: SP_EXECUTION_OP_* (the prefix dropped) → (English, Chinese).  Microsoft's own spelling kept (INSTALL_DRVIERS).
SP_OPERATIONS: dict[int, tuple[str, str, str]] = {
    0x00: ("UNKNOWN", "unknown operation", "未知操作"),
    0x01: ("COPY_PAYLOAD", "copying the installation files", "复制安装文件"),
    0x02: ("DOWNLOAD_UPDATES", "downloading updates", "下载更新"),
    0x03: ("INSTALL_UPDATES", "installing updates", "安装更新"),
    0x04: ("INSTALL_RECOVERY_ENVIRONMENT", "installing the recovery environment", "安装恢复环境"),
    0x05: ("INSTALL_RECOVERY_IMAGE", "installing the recovery image", "安装恢复映像"),
    0x06: ("REPLICATE_OC", "replicating optional components", "复制可选组件"),
    0x07: ("INSTALL_DRVIERS", "installing drivers", "安装驱动程序"),
    0x08: ("PREPARE_SAFE_OS", "preparing the SafeOS", "准备 SafeOS"),
    0x09: ("PREPARE_ROLLBACK", "preparing rollback", "准备回滚"),
    0x0A: ("PREPARE_FIRST_BOOT", "preparing the first boot", "准备第一次启动"),
    0x0B: ("PREPARE_OOBE_BOOT", "preparing the OOBE boot", "准备 OOBE 启动"),
    0x0C: ("APPLY_IMAGE", "applying the image", "应用映像"),
    0x0D: ("MIGRATE_DATA", "migrating data (apps, settings, drivers)", "迁移数据（应用、设置、驱动）"),
    0x0E: ("SET_PRODUCT_KEY", "setting the product key", "设置产品密钥"),
    0x0F: ("ADD_UNATTEND", "adding the unattend file", "添加无人值守文件"),
    0x10: ("ADD_DRIVER", "adding a driver", "添加驱动程序"),
    0x11: ("ENABLE_FEATURE", "enabling a feature", "启用功能"),
    0x12: ("DISABLE_FEATURE", "disabling a feature", "禁用功能"),
    0x13: ("REGISTER_ASYNC_PROCESS", "registering an asynchronous process", "注册异步进程"),
    0x14: ("REGISTER_SYNC_PROCESS", "registering a synchronous process", "注册同步进程"),
    0x15: ("CREATE_FILE", "creating a file", "创建文件"),
    0x16: ("CREATE_REGISTRY", "creating registry data", "创建注册表项"),
    0x17: ("BOOT", "booting the new OS (usually a driver: antivirus, filter or encryption)",
           "启动新系统（通常是驱动：杀毒、过滤或加密驱动）"),
    0x18: ("SYSPREP", "sysprep / device specialisation (a device driver stopped responding)",
           "Sysprep / 设备专用化（某个设备驱动停止响应）"),
    0x19: ("OOBE", "OOBE", "OOBE（开箱体验）"),
    0x1A: ("BEGIN_FIRST_BOOT", "beginning the first boot", "开始第一次启动"),
    0x1B: ("END_FIRST_BOOT", "ending the first boot", "结束第一次启动"),
    0x1C: ("BEGIN_OOBE_BOOT", "beginning the OOBE boot", "开始 OOBE 启动"),
    0x1D: ("END_OOBE_BOOT", "ending the OOBE boot", "结束 OOBE 启动"),
    0x1E: ("PRE_OOBE", "before OOBE", "OOBE 之前"),
    0x1F: ("POST_OOBE", "after OOBE", "OOBE 之后"),
    0x20: ("ADD_PROVISIONING_PACKAGE", "adding a provisioning package", "添加预配包"),
}

#: MOUPG (SetupHost) phases as logged in ``Setup phase change: [SetupPhaseX]`` and ``Setup Phase: [n]``.
MOUPG_PHASES: dict[int, tuple[str, str]] = {
    0: ("Unknown", "未知"),
    1: ("Error", "错误"),
    2: ("Download (Media Creation Tool / web setup)", "下载（媒体创建工具 / Web 安装）"),
    3: ("Unpack", "解包"),
    4: ("Prepare", "准备"),
    5: ("Install", "安装"),
    6: ("Finalize", "完成"),
}

#: Result codes → (symbolic name, English, Chinese).  §2.4/§2.5 of the reference, plus common Win32 codes.
RESULT_CODES: dict[int, tuple[str, str, str]] = {
    0xC1900100: ("MOSETUP_E_VERSION_MISMATCH", "unexpected Setup Platform binary version", "安装平台版本不匹配"),
    0xC1900101: ("MOSETUP_E_SETUP_PLATFORM", "generic rollback: Setup Platform failed, usually because of a driver",
                 "通用回滚错误：安装平台失败，通常由驱动程序引起"),
    0xC1900102: ("MOSETUP_E_SHUTDOWN_BLOCK", "cannot create or destroy the shutdown block", "无法创建/销毁关机阻止"),
    0xC1900103: ("MOSETUP_E_COMPAT_TIMEOUT", "compatibility issues were not resolved in time", "兼容性问题未及时解决"),
    0xC1900104: ("MOSETUP_E_PROCESS_TIMEOUT", "the installation did not complete in time", "安装未在规定时间内完成"),
    0xC1900106: ("MOSETUP_E_TERMINATE_PROCESS", "the installation process was terminated", "安装进程被终止"),
    0xC1900107: ("MOSETUP_E_CLEANUP_PENDING", "cleanup of a previous attempt is pending: reboot first",
                 "上一次尝试的清理尚未完成：请先重启"),
    0xC1900108: ("MOSETUP_E_REPORTING", "error remapped for telemetry (look for the original code in the log)",
                 "为遥测重新映射的错误（请在日志中查找原始错误码）"),
    0xC1900109: ("MOSETUP_E_COMPAT_TERMINATE", "terminated during the actionable compatibility phase",
                 "在兼容性检查阶段被终止"),
    0xC190010A: ("MOSETUP_E_UNKNOWN_CMD_LINE", "unknown command-line argument", "未知的命令行参数"),
    0xC190010B: ("MOSETUP_E_INSTALL_IMAGE_NOT_FOUND", "install image not found", "找不到安装映像"),
    0xC190010D: ("MOSETUP_E_INVALID_CMD_LINE", "invalid command-line argument", "无效的命令行参数"),
    0xC190011F: ("MOSETUP_E_PROCESS_CRASHED", "the installation process crashed", "安装进程崩溃（闪退）"),
    0xC19001DF: ("MOSETUP_E_DISK_FULL", "out of disk space", "磁盘空间不足"),
    0xC19001E0: ("MOSETUP_E_GATHER_OS_STATE_FAILED", "GatherOsState failed", "GatherOsState 失败"),
    0xC19001E1: ("MOSETUP_E_PROCESS_SUSPENDED", "the installation process was suspended", "安装进程被挂起"),
    0xC1900200: ("MOSETUP_E_COMPAT_SYSREQ_BLOCK", "the PC does not meet the minimum requirements", "不满足最低系统要求"),
    0xC1900201: ("MOSETUP_E_COMPAT_SYSREQ_CANCEL", "cancelled: minimum requirements not met", "已取消：不满足最低要求"),
    0xC1900204: ("MOSETUP_E_COMPAT_MIGCHOICE_BLOCK", "the chosen migration is not available (edition/language)",
                 "所选迁移选项不可用（版本或语言）"),
    0xC1900206: ("MOSETUP_E_COMPAT_DEVICEREQ_BLOCK", "blocked by the device compatibility scan", "设备兼容性扫描阻止"),
    0xC1900208: ("MOSETUP_E_COMPAT_INSTALLREQ_BLOCK", "blocked by an incompatible app or driver (compat scan)",
                 "被不兼容的应用或驱动阻止（兼容性扫描）"),
    0xC1900209: ("MOSETUP_E_COMPAT_INSTALLREQ_CANCEL", "cancelled: compatibility scan found an app that cannot migrate",
                 "已取消：兼容性扫描发现无法迁移的应用"),
    0xC190020E: ("MOSETUP_E_INSTALLDISKSPACE_BLOCK", "not enough free space to install", "安装空间不足"),
    0xC1900210: ("MOSETUP_E_COMPAT_SCANONLY", "scan-only run, no compatibility issue", "仅扫描，未发现兼容性问题"),
    0xC1900216: ("MOSETUP_E_ROLLBACK_PENDING", "an OS rollback is pending", "系统回滚尚未完成"),
    0xC1800104: ("WINDLP_E_OPERATION_COMPLETED", "download operation completed", "下载操作已完成"),
    0x800704D3: ("ERROR_REQUEST_ABORTED", "the request was aborted (user cancel)", "请求被中止（用户取消）"),
    0x800704C7: ("ERROR_CANCELLED", "the operation was cancelled by the user", "操作被用户取消"),
    0x80070070: ("ERROR_DISK_FULL", "not enough disk space", "磁盘空间不足"),
    0x80070032: ("ERROR_NOT_SUPPORTED", "the request is not supported (in Setup: a component such as disk "
                 "provisioning or DISM is not available)", "不支持该请求（在安装中：磁盘预配或 DISM 等组件不可用）"),
    0x80040154: ("REGDB_E_CLASSNOTREG", "class not registered (a COM server such as DISM's host could not start)",
                 "类没有注册（DISM 主机等 COM 服务器无法启动）"),
    0x800700B7: ("ERROR_ALREADY_EXISTS", "cannot create a file that already exists", "文件已存在，无法创建"),
    0x8007001F: ("ERROR_GEN_FAILURE", "a device attached to the system is not functioning", "连接到系统的设备没有发挥作用"),
    0x80070002: ("ERROR_FILE_NOT_FOUND", "file not found", "找不到文件"),
    0x80070003: ("ERROR_PATH_NOT_FOUND", "path not found", "找不到路径"),
    0x80070005: ("E_ACCESSDENIED", "access denied", "拒绝访问"),
    0x80070020: ("ERROR_SHARING_VIOLATION", "a file is in use by another process", "文件被其他进程占用"),
    0x8007042B: ("ERROR_PROCESS_ABORTED", "a process terminated unexpectedly", "进程意外终止"),
    0x80070490: ("ERROR_NOT_FOUND", "element not found", "找不到元素"),
    0x800F0818: ("CBS_E_IDENTITY_MISMATCH", "package identity mismatch (old SetupConfig.ini / language packs)",
                 "程序包标识不匹配（旧的 SetupConfig.ini / 语言包）"),
    0x80004005: ("E_FAIL", "unspecified error", "未指定的错误"),
}

#: Documented result/extend pairs → (English, Chinese) advice (reference §2.4).
KNOWN_PAIRS: dict[tuple[int, int], tuple[str, str]] = {
    (0xC1900101, 0x20004): ("SafeOS, installing the recovery environment: out-of-date drivers; uninstall antivirus, "
                            "remove unused devices, update drivers and BIOS.",
                            "SafeOS 阶段安装恢复环境失败：驱动过旧；卸载杀毒软件、移除不用的设备、更新驱动和 BIOS。"),
    (0xC1900101, 0x2000C): ("SafeOS, applying the image: outdated drivers or disk corruption; disconnect peripherals, "
                            "run chkdsk.", "SafeOS 阶段应用映像失败：驱动过旧或磁盘损坏；断开外设，运行 chkdsk。"),
    (0xC1900101, 0x20017): ("SafeOS boot failure: a driver (storage, network, disk encryption, security agent) "
                            "failed; update or remove it.", "SafeOS 启动失败：某个驱动（存储、网络、磁盘加密、安全软件）出错；更新或卸载。"),
    (0xC1900101, 0x30018): ("A device driver stopped responding during first-boot sysprep: look for the device "
                            "install that never finished in Rollback\\setupapi\\setupapi.dev.log.",
                            "第三阶段 Sysprep 时设备驱动停止响应：在 Rollback\\setupapi\\setupapi.dev.log 中找未完成的设备安装。"),
    (0xC1900101, 0x3000D): ("First boot, data migration: usually the display driver.",
                            "第三阶段数据迁移失败：通常是显卡驱动。"),
    (0xC1900101, 0x4000D): ("Second boot, data migration: driver configuration; read the rollback log for the stop "
                            "code and setupmem.dmp.", "第四阶段数据迁移失败：驱动配置问题；查看回滚日志中的蓝屏代码和 setupmem.dmp。"),
    (0xC1900101, 0x40017): ("The new OS failed to boot the second time (blue screen): usually an antivirus, filter "
                            "or encryption driver; analyse setupmem.dmp.",
                            "第四阶段新系统第二次启动失败（蓝屏）：通常是杀毒、过滤或加密驱动；分析 setupmem.dmp。"),
    (0xC1900101, 0x4001E): ("Second boot, before OOBE: generic failure; read the logs.",
                            "第四阶段 OOBE 之前失败：通用错误；需分析日志。"),
    (0x8007001F, 0x3000D): ("First boot, data migration: bad user profiles (ProfileList, \\Users).",
                            "第三阶段数据迁移：用户配置文件有问题（ProfileList、\\Users）。"),
    (0x800F0818, 0x20003): ("Old SetupConfig.ini with language packs in the Default profile: delete it.",
                            "默认用户配置中的旧 SetupConfig.ini（含语言包）：删除它。"),
}

LAYER_SP = "SP"
LAYER_MOUPG = "MOUPG"


@dataclass(frozen=True)
class Decoded:
    """What a result/extend pair means. ``layer`` says which table the extend code was read with."""

    result: int | None
    extend: int | None
    layer: str
    result_name: str | None = None
    result_en: str | None = None
    result_zh: str | None = None
    phase: str | None = None  # DOWNLEVEL|SAFE_OS|FIRST_BOOT|OOBE_BOOT|UNINSTALL|UNKNOWN
    phase_en: str | None = None
    phase_zh: str | None = None
    operation: str | None = None  # SP op name without SP_EXECUTION_OP_
    operation_en: str | None = None
    operation_zh: str | None = None
    advice_en: str | None = None
    advice_zh: str | None = None
    notes: list[str] = field(default_factory=list)


def hex32(value: int) -> str:
    """The way Setup writes codes: ``0xC1900101``, upper-case digits, no padding of small extend codes."""
    return f"0x{value:X}"


def parse_code(text: str) -> int | None:
    """``0xC1900101``, ``C1900101``, ``0x30018`` or a decimal → int; None when it is not a number."""
    text = text.strip().rstrip(".,;]").lstrip("[")
    try:
        if text.lower().startswith("0x"):
            return int(text, 16)
        if any(c in "abcdefABCDEF" for c in text) or len(text) == 8:
            return int(text, 16)
        return int(text)
    except ValueError:
        return None


def parse_pair(text: str) -> tuple[int | None, int | None]:
    """``0xC1900101-0x40017`` / ``0xC1900101 - 0x40017`` / ``0xC1900101 0x40017`` / a lone code → (result,
    extend); (None, None) when it is not a code."""
    parts = [p for p in re.split(r"[\s_\-,/]+", text.strip()) if p]
    if not parts or len(parts) > 2:
        return None, None
    first = parse_code(parts[0])
    second = parse_code(parts[1]) if len(parts) > 1 else None
    if first is None or (len(parts) > 1 and second is None):
        return None, None  # half a code is no code: say so rather than explain a guess
    if first is not None and len(parts) == 1 and looks_like_extend(first):
        return None, first  # a lone extend code
    return first, second


def plausible_result(value: int | None) -> bool:
    """A value Setup could report as its result: a failure HRESULT or NTSTATUS, i.e. the severity bit set
    (``0xC1900101``, ``0x80070032``). A build number (17763), a mode or a count read from the wrong place is
    not one, and a result code is never made up from it (issue: a WER bucketing parameter read as ``0x4563``)."""
    return value is not None and 0x80000000 <= value <= 0xFFFFFFFF


def looks_like_extend(value: int) -> bool:
    """An extend code is ``0xNXXXX`` with N a phase 0-5; "Reporting error event" sometimes carries a result."""
    return value <= 0x5FFFF


def decode(result: int | None, extend: int | None, layer: str = LAYER_SP) -> Decoded:
    """Explain a result/extend pair. ``layer`` is :data:`LAYER_SP` or :data:`LAYER_MOUPG` (see module doc)."""
    name = en = zh = None
    if result is not None and result in RESULT_CODES:
        name, en, zh = RESULT_CODES[result]
    elif result is not None and (result & 0xFFFF0000) == 0x80070000:
        en = f"Win32 error {result & 0xFFFF} wrapped as an HRESULT"
        zh = f"Win32 错误 {result & 0xFFFF}（HRESULT 形式）"
    notes: list[str] = []
    phase = phase_en = phase_zh = op = op_en = op_zh = None
    if extend is not None:
        digit, low = extend >> 16, extend & 0xFFFF
        if layer == LAYER_SP:
            if digit in SP_PHASES:
                phase, phase_en, phase_zh = SP_PHASES[digit]
            if low in SP_OPERATIONS:
                op, op_en, op_zh = SP_OPERATIONS[low]
            if digit not in SP_PHASES or low not in SP_OPERATIONS:
                notes.append("the extend code is outside Microsoft's SP phase/operation tables")
        else:
            phase, phase_en, phase_zh = SP_PHASES[1]
            mp = MOUPG_PHASES.get(digit, (f"{digit}", f"{digit}"))
            phase_en = f"down-level SetupHost (MOUPG) phase {digit} ({mp[0]}), subphase {hex32(low)}"
            phase_zh = f"第一阶段：SetupHost（MOUPG）阶段 {digit}（{mp[1]}），子阶段 {hex32(low)}"
            notes.append("MOUPG code: the SP operation table does not apply; the failing operation is read from "
                         "the log (reference §2.6)")
    advice = KNOWN_PAIRS.get((result, extend)) if result is not None and extend is not None else None
    return Decoded(result, extend, layer, name, en, zh, phase, phase_en, phase_zh, op, op_en, op_zh,
                   advice[0] if advice else None, advice[1] if advice else None, notes)
