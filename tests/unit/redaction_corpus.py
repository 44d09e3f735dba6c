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
    kind: str  # user, domain, computer, ipv4, ipv6, mac, email, phone, serial, id_card, person, wifi, address,
    #            im (QQ, WeChat), key (BitLocker recovery key, product key)
    lang: str  # en or zh: the language of the line it sits in
    line: str


KINDS = frozenset({"user", "domain", "computer", "ipv4", "ipv6", "mac", "email", "phone", "serial", "id_card",
                   "person", "wifi", "address", "im", "key"})


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
    # ------------------------------------------------------------------------------ a reviewer's field shapes
    # (issue 18 review): landlines with spaces or parentheses, labels without a colon, Wi-Fi and serial labels,
    # ID cards with a wrong check character, and kinds a summary sent outside must not carry either: QQ and
    # WeChat accounts, BitLocker recovery and product keys, street addresses, a surname and a title.
    *_p("zh", "电话 (021) 6888 1235", phone="(021) 6888 1235"),
    *_p("zh", "传真 (0571) 8765 4321)", phone="(0571) 8765 4321"),
    *_p("zh", "电话 021 6888 1236", phone="021 6888 1236"),
    *_p("zh", "座机：0755-8888 6666，分机 8001", phone="0755-8888 6666"),
    *_p("zh", "办公电话 010 6234 5679", phone="010 6234 5679"),
    *_p("zh", "联系电话：02887654321（工作日）", phone="02887654321"),
    *_p("zh", "手机 138 1234 5678；备用 138-1234-5679", phone="138 1234 5678", phone2="138-1234-5679"),
    *_p("zh", "电话 +86-21-6888-1237", phone="+86-21-6888-1237"),
    *_p("en", "Office phone: 021 6888 1238, fax (021) 6888 1239", phone="021 6888 1238", phone2="(021) 6888 1239"),
    *_p("en", "Call the branch on (010) 8888-6666 after 6 pm", phone="(010) 8888-6666"),
    *_p("en", "Tel +86 (21) 6888 1240 (reception)", phone="+86 (21) 6888 1240"),
    *_p("zh", "无线网络：CMCC-8F2A", wifi="CMCC-8F2A"),
    *_p("zh", "WLAN：Office-5G，信号弱", wifi="Office-5G"),
    *_p("zh", "已连接 Wi-Fi：ChinaNet-Xy7q", wifi="ChinaNet-Xy7q"),
    *_p("zh", "无线局域网: TP-LINK_5G_3A2B", wifi="TP-LINK_5G_3A2B"),
    *_p("zh", "热点名称：营业厅WiFi2", wifi="营业厅WiFi2"),
    *_p("en", "Wi-Fi: Office-5G2", wifi="Office-5G2"),
    *_p("en", "WiFi network: GuestNet-2F (captive portal)", wifi="GuestNet-2F"),
    *_p("en", "WLAN name = BRANCH_WLAN_07", wifi="BRANCH_WLAN_07"),
    *_p("zh", "设备序列号 SN: C02XK1ABJG5H", serial="C02XK1ABJG5H"),
    *_p("zh", "主板 SN：PF3ABC7D，资产标签：IT-000123", serial="PF3ABC7D", serial2="IT-000123"),
    *_p("zh", "服务标签：8YHJ3K2", serial="8YHJ3K2"),
    *_p("en", "Service Tag: 7XK2Q12, S/N: 7CG2345ABC", serial="7XK2Q12", serial2="7CG2345ABC"),
    *_p("zh", "用户名 liu.yang2", user="liu.yang2"),
    *_p("zh", "登录用户 wang.lei03 无法登录", user="wang.lei03"),
    *_p("zh", "账号 zhangwei88 已锁定", user="zhangwei88"),
    *_p("zh", "工号：A10023", user="A10023"),
    *_p("en", "User name jsmith02 could not be loaded", user="jsmith02"),
    *_p("en", "The account name is w.chen; logon name li_na01", user="w.chen", user2="li_na01"),
    *_p("en", "Employee ID: E20931 opened the ticket", user="E20931"),
    *_p("zh", "联系人 刘洋2", person="刘洋2"),
    *_p("zh", "联系人 孙丽 已确认", person="孙丽"),
    *_p("zh", "负责人 欧阳锋 同意卸载", person="欧阳锋"),
    *_p("zh", "张三反馈无法升级到 23H2", person="张三"),
    *_p("zh", "重启两次，李四表示问题依旧", person="李四"),
    *_p("zh", "身份证号码：44030419900101123X", id_card="44030419900101123X"),
    *_p("zh", "身份证 110105194912310021（客户提供）", id_card="110105194912310021"),
    *_p("zh", "身份证号：110105491231002", id_card="110105491231002"),
    *_p("en", "ID card no. 320102198001011234 was on the form", id_card="320102198001011234"),
    *_p("en", "Identity card number: 510104199212125678", id_card="510104199212125678"),
    *_p("zh", "BitLocker 恢复密钥：123456-234567-345678-456789-567890-678901-789012-890123",
        key="123456-234567-345678-456789-567890-678901-789012-890123"),
    *_p("zh", "恢复密钥 ID 为 4E8F2A1B，密钥 654321-543210-432109-321098-210987-109876-098765-987654",
        key="654321-543210-432109-321098-210987-109876-098765-987654"),
    *_p("en", "Recovery key: 111111-222222-333333-444444-555555-666666-777777-888888",
        key="111111-222222-333333-444444-555555-666666-777777-888888"),
    *_p("en", "Product key: 7Q2KD-9X3LM-P4RT8-W6YZN-H5JB2 was entered", key="7Q2KD-9X3LM-P4RT8-W6YZN-H5JB2"),
    *_p("zh", "QQ：123456789", im="123456789"),
    *_p("zh", "QQ号 2876543210，微信：wxid_abc123", im="2876543210", im2="wxid_abc123"),
    *_p("zh", "微信号: liming_88", im="liming_88"),
    *_p("en", "WeChat ID: zhang_wei2024, QQ 10086123", im="zhang_wei2024", im2="10086123"),
    *_p("en", "Screenshot sent from wxid_9k2m4n6p8q in the group chat", im="wxid_9k2m4n6p8q"),
    *_p("zh", "地址：上海市浦东新区世纪大道100号", address="上海市浦东新区世纪大道100号"),
    *_p("zh", "现场位于北京市海淀区中关村大街27号3层", address="北京市海淀区中关村大街27号3层"),
    *_p("zh", "客户地址：江苏省南京市鼓楼区中山北路200号1201室", address="江苏省南京市鼓楼区中山北路200号1201室"),
    *_p("zh", "硬盘寄到杭州市西湖区文三路90号", address="杭州市西湖区文三路90号"),
    *_p("zh", "分行在广东省深圳市南山区科技园路1号", address="广东省深圳市南山区科技园路1号"),
    *_p("en", "Site: 1600 Amphitheatre Parkway, Mountain View", address="1600 Amphitheatre Parkway"),
    *_p("en", "Ship the disk to 221B Baker Street, London", address="221B Baker Street"),
    *_p("en", "Branch office at 350 Fifth Ave., Suite 300", address="350 Fifth Ave., Suite 300"),
    *_p("en", "Mailing address: 10 Downing Street, London", address="10 Downing Street"),
    *_p("zh", "由 赵工 现场处理", person="赵工"),
    *_p("zh", "王经理您好，日志已收到", person="王经理"),
    *_p("zh", "请李老师协助收集日志", person="李老师"),
    *_p("zh", "对接人：陈总", person="陈总"),
    *_p("zh", "已和刘工确认驱动版本", person="刘工"),
    *_p("zh", "孙师傅说重启后好了", person="孙师傅"),
    *_p("en", "Escalated to 周经理 (onsite) after the second rollback", person="周经理"),
    *_p("zh", "抄送 张经理、李工，致 刘总：", person="张经理", person2="李工", person3="刘总"),
    *_p("en", "Hi Mr. Harris, Ms Jane Porter called about the rollback", person="Harris", person2="Jane Porter"),
    *_p("zh", "分机：010-88886666-8001", phone="010-88886666-8001"),
    *_p("zh", "SSID：CMCC-9B3C；WLAN 名称：TP-LINK_ABCD", wifi="CMCC-9B3C", wifi2="TP-LINK_ABCD"),
    *_p("zh", "序列号 5CG9876XYZ，SN 8CC1234WQ7", serial="5CG9876XYZ", serial2="8CC1234WQ7"),
    *_p("zh", "用户名为 zhou.min，账号是qianli", user="zhou.min", user2="qianli"),
    *_p("zh", "住址 深圳市福田区福华一路6号", address="深圳市福田区福华一路6号"),
    *_p("en", "He works at 42 Wallaby Way, Sydney", address="42 Wallaby Way"),
    *_p("zh", "QQ号码：87654321，qq: 76543210", im="87654321", im2="76543210"),
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
    # what the reviewer's shapes must not catch: statuses after a Wi-Fi label, drives, prose after 用户/客户,
    # 施工, SIDs, QQ's products, channels and circuits numbered like houses, GUIDs, masked keys, module versions
    "Wi-Fi: connected; WLAN: disabled; 无线网络：已连接；WLAN 状态：已启用",
    "Found 2 Fixed Drive letters; Disk 0 Partition 1 Boot Drive; 1 Removable Drive",
    "用户反馈：升级到 30% 回滚；客户反馈同样问题；施工现场停电；高层表示支持",
    "Account S-1-5-21-1004336348-1177238915-682003330-1001 was migrated; user name is invalid",
    "QQ浏览器 QQBrowser.exe 11.2.5 loaded; QQProtect service stopped; QQPCMgr 16.4",
    "音频通道3号无输出；主电路 2 号板；PCI 插槽 4 号",
    "Product key: *****-*****-*****-*****-3V66T; {4d36e972-e325-11ce-bfc1-08002be10318}; KB5034441",
    "Windows Error Reporting: faulting module dsHook64.dll 3.6.1.208, exception 0xC0000005, offset 0x11a2c",
    "Setup step 3 of 10 at 45%; 4 drivers in 12 folders; 100 files; 1024 MB; 0000 4321 8765 (a hex dump)",
    "SN: n/a; Service Tag: Default string; 用户名 %USERNAME%",
    "Dr. Watson wrote drwtsn32.log; Serial number: n/a; SN changed; 序列号 未知; took 12 ms Total",
]

#: Values inside KEEP_LINES that must survive by name (what an engineer searches for in a summary).
KEEP = ["0xC1900101", "0x40017", "0x80070002", "0x0000007E", "10.0.19041", "10.0.19045.3803", "22631.2861",
        "Version=4.1.3.1", "v2.1.0.5", "1.2.3.4", "lwfmgr.sys", "ndis.sys", "NdisFDeregisterFilterDriver",
        "CSetupPlatform::Rollback", "2021-05-18 03:11:02", "07:44.06.575", "USB\\VID_1234&PID_5678",
        "TrustedInstaller", "NT AUTHORITY\\SYSTEM", "KB5005565", "AMD64", "0x800F0922", "lwfmgr+0x5167"]
