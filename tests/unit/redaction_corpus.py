"""A corpus of personal values planted in realistic log lines and notes, English and Chinese (issue 18, 6).

Each :class:`Planted` is one value of one kind inside the line it was found in: setup logs, event text as
Windows renders it (English and Chinese), ``ipconfig /all``, ``netsh wlan``, ``systeminfo``, SetupAPI and an
engineer's notes. ``KEEP`` lists what the engineer needs and redaction must never touch: error codes, builds,
versions, driver names, times, registry paths and device IDs. The lines are made up for this project; no
customer data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Planted:
    value: str
    kind: str  # user, domain, computer, ipv4, ipv6, mac, email, phone, serial, id_card, person, wifi
    lang: str  # en or zh: the language of the line it sits in
    line: str


KINDS = frozenset({"user", "domain", "computer", "ipv4", "ipv6", "mac", "email", "phone", "serial", "id_card",
                   "person", "wifi"})


def _p(lang: str, line: str, **values: str) -> list[Planted]:
    """The values planted in ``line``, keyed by kind (one more letter allows two of a kind: ``phone2``)."""
    for value in values.values():
        assert value in line, (value, line)
    return [Planted(v, k if k in KINDS else k[:-1], lang, line) for k, v in values.items()]


SA = "2021-05-18 03:11:02, Info                  "  # a setupact.log stamp and level column

CORPUS: list[Planted] = [
    # ------------------------------------------------------------------------------ English: setup logs
    *_p("en", SA + r"MIG    Gathering user profile C:\Users\jsmith01\AppData\Local\Temp", user="jsmith01"),
    *_p("en", SA + r"CONX   Host name: FIN-PC-0231, user BANKCORP\zhang.wei", computer="FIN-PC-0231",
        domain="BANKCORP", user="zhang.wei"),
    *_p("en", SA + "CONX   DNS server 10.1.2.3 did not answer the compatibility query", ipv4="10.1.2.3"),
    *_p("en", SA + "SP     Retrying through the proxy server 10.20.30.40:8080", ipv4="10.20.30.40"),
    *_p("en", SA + r"SP     Copying \\FILESRV01\deploy\Win11_23H2\setup.exe to C:\$WINDOWS.~BT\Sources",
        computer="FILESRV01"),
    *_p("en", SA + r"SP     Media path: \\NAS-BJ-02\images\install.wim", computer="NAS-BJ-02"),
    *_p("en", SA + "CONX   hostname WKS-ACC-0042 reported by the client", computer="WKS-ACC-0042"),
    *_p("en", SA + "SP     Machine: LAPTOP-7Q2KD9 is not domain joined", computer="LAPTOP-7Q2KD9"),
    *_p("en", SA + "SP     Callback_ComputerName_Validate:Computer name is WIN-1JOFITDQ334",
        computer="WIN-1JOFITDQ334"),
    *_p("en", SA + "SP     Set the computer name to BRANCH-SH-17", computer="BRANCH-SH-17"),
    *_p("en", SA + "MIG    Migrating account CORPNET\\li.na (S-1-5-21-1004336348-1177238915-682003330-1001)",
        domain="CORPNET", user="li.na"),
    *_p("en", SA + r"MIG    Skipping profile C:\Users\maria.garcia: not loaded", user="maria.garcia"),
    *_p("en", SA + "SP     Logon server \\\\DC01 answered in 12 ms", computer="DC01"),
    *_p("en", SA + "CONX   Network: IPv4 172.16.5.23 IPv6 2001:db8:85a3::8a2e:370:7334 MAC 3C-52-82-1A-2B-3C",
        ipv4="172.16.5.23", ipv6="2001:db8:85a3::8a2e:370:7334", mac="3C-52-82-1A-2B-3C"),
    *_p("en", SA + "CONX   WLAN SSID : BankGuest-5G", wifi="BankGuest-5G"),
    *_p("en", SA + "SP     Upload failed, mail to it.support@bank-example.com sent", email="it.support@bank-example.com"),
    *_p("en", SA + "SP     Notify helpdesk@corpmail when the upgrade ends", email="helpdesk@corpmail"),
    # ------------------------------------------------------------------------------ English: event text
    *_p("en", "An account was successfully logged on. Subject: Account Name:\t\tsvc_backup01  "
        "Account Domain:\t\tHQDOMAIN", user="svc_backup01", domain="HQDOMAIN"),
    *_p("en", "New Logon: Account Name:\t\tpeter.wong  Workstation Name:\tACC-PC-09  "
        "Source Network Address:\t192.168.77.14", user="peter.wong", computer="ACC-PC-09", ipv4="192.168.77.14"),
    *_p("en", "EventID=4625 TargetUserName=wang.fang TargetDomainName=BJBRANCH IpAddress=10.44.0.9",
        user="wang.fang", domain="BJBRANCH", ipv4="10.44.0.9"),
    *_p("en", '<Data Name="TargetUserName">chen.jie</Data><Data Name="WorkstationName">SZ-LT-0815</Data>',
        user="chen.jie", computer="SZ-LT-0815"),
    *_p("en", "<System><EventID>6005</EventID><Computer>OPS-SRV-3</Computer></System>", computer="OPS-SRV-3"),
    *_p("en", "The description for Event ID 1014: Name resolution for the name corp-wpad timed out after "
        "none of the configured DNS servers 10.9.8.7 responded. User: kevin.lee", ipv4="10.9.8.7", user="kevin.lee"),
    *_p("en", "Computer Name: SH-BRANCH-PC17  Logged: 2021-05-18 03:11:02", computer="SH-BRANCH-PC17"),
    # ------------------------------------------------------------------------------ English: ipconfig, netsh, systeminfo
    *_p("en", "   Physical Address. . . . . . . . . : 00-1A-2B-3C-4D-5E", mac="00-1A-2B-3C-4D-5E"),
    *_p("en", "   Link-local IPv6 Address . . . . . : fe80::1c2d:3e4f:5a6b:7c8d%12", ipv6="fe80::1c2d:3e4f:5a6b:7c8d"),
    *_p("en", "   IPv4 Address. . . . . . . . . . . : 192.168.10.57(Preferred)", ipv4="192.168.10.57"),
    *_p("en", "   Default Gateway . . . . . . . . . : 192.168.10.1", ipv4="192.168.10.1"),
    *_p("en", "   Primary WINS Server . . . . . . . : 10.77.1.2", ipv4="10.77.1.2"),
    *_p("en", "netsh: Wireless adapter aa:bb:cc:dd:ee:f1 connected", mac="aa:bb:cc:dd:ee:f1"),
    *_p("en", "    All User Profile     : Office-WiFi 5G", wifi="Office-WiFi 5G"),
    *_p("en", "Registered Owner:          Michael Brown", person="Michael Brown"),
    *_p("en", "Host Name:                 DESKTOP-K3L9PQ2", computer="DESKTOP-K3L9PQ2"),
    *_p("en", "Domain:                    contoso-bank.local", domain="contoso-bank.local"),
    *_p("en", "BIOS Serial Number: PF2XK9LM", serial="PF2XK9LM"),
    *_p("en", 'wmic bios get serialnumber -> SerialNumber="5CG1234XYZ"', serial="5CG1234XYZ"),
    *_p("en", " Volume Serial Number is 9C3A-7F21", serial="9C3A-7F21"),
    # ------------------------------------------------------------------------------ English: notes and e-mail text
    *_p("en", "Contact: John Smith (tel: +44 20 7946 0958), desk phone (555) 123-4567",
        person="John Smith", phone="+44 20 7946 0958", phone2="(555) 123-4567"),
    *_p("en", "Reported by: Jane Doe <jane.doe@example.org>, mobile +1 415 555 0132",
        person="Jane Doe", email="jane.doe@example.org", phone="+1 415 555 0132"),
    *_p("en", "Customer: Robert Miller asked to keep the agent; user ID card 11010519491231002X on file",
        person="Robert Miller", id_card="11010519491231002X"),
    *_p("en", "Remote session from 203.0.113.77 to the user's PC; second NIC 0a:1b:2c:3d:4e:5f",
        ipv4="203.0.113.77", mac="0a:1b:2c:3d:4e:5f"),
    *_p("en", "Escalated by owner: Sarah Connor, +86 139 1234 5678 (WeChat)",
        person="Sarah Connor", phone="+86 139 1234 5678"),
    *_p("en", "The VPN concentrator 2001:db8:1::25 drops the session", ipv6="2001:db8:1::25"),
    # ------------------------------------------------------------------------------ Chinese: event text as Windows shows it
    *_p("zh", "已成功登录帐户。主题: 帐户名称:\t\tzhao.lei  帐户域:\t\tSHBANK  工作站名:\tWKS-0099  "
        "源网络地址:\t10.8.8.8", user="zhao.lei", domain="SHBANK", computer="WKS-0099", ipv4="10.8.8.8"),
    *_p("zh", "计算机名: 财务部-PC01，用户名: sun.li", computer="财务部-PC01", user="sun.li"),
    *_p("zh", "计算机: HR-PC-031 登录失败，用户 GZBANK\\he.yun", computer="HR-PC-031", domain="GZBANK", user="he.yun"),
    *_p("zh", "主机名 WKS-CS-1188 无法访问更新服务器", computer="WKS-CS-1188"),
    *_p("zh", "机器名：SZ-PC-77，序列号：R90ABCD1", computer="SZ-PC-77", serial="R90ABCD1"),
    *_p("zh", r"共享路径 \\文件服务器01\升级包 无法访问", computer="文件服务器01"),
    *_p("zh", r"正在收集用户配置文件 C:\Users\张三\Desktop\升级日志", user="张三"),
    *_p("zh", "DNS 服务器 10.1.2.33 未响应；默认网关 192.168.1.1", ipv4="10.1.2.33", ipv4b="192.168.1.1"),
    *_p("zh", "IP 地址：192.168.1.20，物理地址：00-1F-2E-3D-4C-5B", ipv4="192.168.1.20", mac="00-1F-2E-3D-4C-5B"),
    *_p("zh", "IPv6 地址：fd12:3456:789a:1::20", ipv6="fd12:3456:789a:1::20"),
    *_p("zh", "    所有用户配置文件 : 办公室WiFi-5G", wifi="办公室WiFi-5G"),
    *_p("zh", "域名: BANKCN，账户名：qian.feng", domain="BANKCN", user="qian.feng"),
    *_p("zh", "系统序列号: SN8A7B6C5D，BIOS 序列号：MXL12345AB", serial="SN8A7B6C5D", serial2="MXL12345AB"),
    # ------------------------------------------------------------------------------ Chinese: the engineer's notes
    *_p("zh", "联系人：张伟，电话 13812345678，邮箱 zhangwei@bank-example.cn", person="张伟", phone="13812345678",
        email="zhangwei@bank-example.cn"),
    *_p("zh", "姓名: 李娜，身份证号：440306199003072817", person="李娜", id_card="440306199003072817"),
    *_p("zh", "用户 王芳 反馈升级到第四阶段蓝屏", person="王芳"),
    *_p("zh", "用户王小明反馈：安装到 30% 回滚", person="王小明"),
    *_p("zh", "客户：刘洋，手机13700001111。", person="刘洋", phone="13700001111"),
    *_p("zh", "负责人欧阳娜娜已确认卸载代理", person="欧阳娜娜"),
    *_p("zh", "联系人陈静说客户端无法上网", person="陈静"),
    *_p("zh", "工程师 周杰 远程连接 10.66.3.21 查看", person="周杰", ipv4="10.66.3.21"),
    *_p("zh", "座机 010-62345678，分机转 (021) 6234-5678", phone="010-62345678", phone2="(021) 6234-5678"),
    *_p("zh", "邮件发至 yunwei@corpmail 并抄送 sec-team@bank-example.com.cn", email="yunwei@corpmail",
        email2="sec-team@bank-example.com.cn"),
    *_p("zh", "客户现场 VPN 网关 2001:db8:abcd::1，MAC 地址: 001122AABBCC", ipv6="2001:db8:abcd::1",
        mac="001122AABBCC"),
    *_p("zh", "用户身份证 330106198802151238 已核实（勿外传）", id_card="330106198802151238"),
    *_p("zh", "国际长途 +852 2123 4567（香港办公室）", phone="+852 2123 4567"),
]

#: Lines the engineer needs as they are: nothing in them is personal, and nothing may change.
KEEP_LINES = [
    SA + "SP     Reporting error event: 0xC1900101 - 0x40017",
    SA + "SP     Operation failed: Add [1] Boot driver lwfmgr.sys. Error: 0x80070002[gle=0x00000002]",
    SA + "SP     CSetupPlatform::Rollback: Crash 0x0000007E detected",
    SA + "MIG    MigHost: CMigPluginSurrogate::WaitForHostTermination: Parent process unexpectedly exited.",
    SA + r"SP     Host OS Version 10.0.19041.1, build 19045.3803, target build 22631.2861",
    SA + r"SP     Loading C:\$WINDOWS.~BT\Sources\Panther\setupact.log and C:\Windows\System32\drivers\ndis.sys",
    "OS version 10.0.19045.3803, driver 6.1.7601.17514, loopback 127.0.0.1, any 0.0.0.0, ::1",
    "Microsoft.Windows.Assembly, Version=4.1.3.1, culture neutral; v2.1.0.5; assembly 5.0.0.0; build 1.2.3.4",
    "     utl:           Driver Version - 01/02/2023,1.2.3.4",
    "DriverVer = 06/21/2006,10.0.19041.1 ; DriverVer=01/02/2023,1.2.3.4",
    ">>>  [Device Install (Hardware initiated) - USB\\VID_1234&PID_5678\\0001]",
    ">>>  [Device Install (Hardware initiated) - PCI\\VEN_10EC&DEV_8168&SUBSYS_85051043\\01]",
    r"HKLM\SYSTEM\CurrentControlSet\Services\lwfmgr Start=0; HKLM\SOFTWARE\Contoso",
    r"Service TrustedInstaller runs as NT AUTHORITY\SYSTEM; NT SERVICE\TrustedInstaller owns the file",
    "nt!KeBugCheckEx  nt!PspUnhandledExceptionInSystemThread+0x27  ndis!NdisFDeregisterFilterDriver+0x47",
    "lwfmgr+0x5167  ffffe50f`5d3a5df8 fffff804`1a4bd7c7  Bugcheck code 0000007E",
    "[05/12/2025 07:44.06.575] WudfCoInstaller: ReadWdfSection: Checking WdfSection [WpdMtp.NT.Wdf]",
    "2021-05-18 03:11:02.123  03:11:02  2021/05/18 03:11  18.05.2021",
    "Class GUID {4d36e972-e325-11ce-bfc1-08002be10318}, KB5005565, SetupHost.exe, TiWorker.exe, dismhost.exe",
    "Hostname resolution failed for the update server; the computer is restarting.",
    "Microsoft Windows 10 Pro, Microsoft Corporation, Contact: Microsoft Support",
    "Machine: AMD64; Processor x64; \\\\?\\C:\\Windows; \\\\.\\PhysicalDrive0",
    "SerialNumber: Default string; System Serial Number: To be filled by O.E.M.",
    "用户配置文件服务登录失败；客户端计算机无法连接；用户名: %USERNAME%",
    "安装程序版本 10.0.22621.1，错误 0x800F0922，阶段 第四阶段（OOBE），驱动 lwfmgr.sys",
    "C:\\Windows\\Panther\\UnattendGC\\setupact.log; Sources\\Panther\\setupact.log; $Windows.~BT\\Sources",
    "Windows Server 2019; .NET Framework 4.8.04084; Edge 120.0.2210.91",
    # numbers and names real setup logs are full of, each once taken for a phone, an address or an account
    SA + "       ImageXmlInfo::LogImages:     Total bytes = 15234567890",
    SA + "SP     MEMORYTRACK: Available for op  : 13325500000",
    SA + "IBSLIB [Setup Disk Usage] \tFree bytes available to user: 231234.0 MB (248000000000 bytes)",
    "2024-01-25 16:35:37, Error                 SYSPRP Failed to remove apps for the current user: 0x80073cf2.",
    SA + "IBS    DumpDeviceIDs:      Compat ID [DETECTED\\ACPI_HAL]; USBFN\\GENERICUSBFN; PRINTENUM\\LocalPrintQueue",
    ">>>  [Device Install - PCMCIA\\socket-modem_card_rev_2.1-a1b2]",
    SA + "SP     Path \\\\?\\C:\\Windows\\Tasks\\Microsoft\\Windows\\Customer Experience Improvement Program moved",
    SA + "SP     Path \\\\?\\C:\\ProgramData\\Microsoft\\User Account Pictures\\user.dat moved",
    SA + "SP     Path C:\\Windows\\Performance\\WinSAT\\DataStore\\2021-02-03 11.22.33.456 Disk.Assessment.xml",
    SA + "SP     Path C:\\ProgramData\\BreadcrumbStore\\netcore,Newtonsoft.Json,12.0.3.1 moved",
    "VIRTUAL_MACHINE:  HyperV",
    "time zone chosen by the user: China Standard Time (UTC+08:00); the user: clicked Retry",
]

#: Values inside KEEP_LINES that must survive by name (what an engineer searches for in a summary).
KEEP = ["0xC1900101", "0x40017", "0x80070002", "0x0000007E", "10.0.19041", "10.0.19045.3803", "22631.2861",
        "Version=4.1.3.1", "v2.1.0.5", "1.2.3.4", "lwfmgr.sys", "ndis.sys", "NdisFDeregisterFilterDriver",
        "CSetupPlatform::Rollback", "2021-05-18 03:11:02", "07:44.06.575", "USB\\VID_1234&PID_5678",
        "TrustedInstaller", "NT AUTHORITY\\SYSTEM", "KB5005565", "AMD64", "0x800F0922", "lwfmgr+0x5167"]
