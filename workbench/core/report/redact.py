"""Redaction of personal data before a summary leaves the laptop.

A summary goes to people outside the customer (BRIEF.md, Privacy), so an export can replace what names a
person or a machine with pseudonyms. Two sources of knowledge work together:

* values **learned** from the case by their context: ``system.computer`` and other name-like facts, profile
  folders (``C:\\Users\\NAME``), ``DOMAIN\\user`` pairs, UNC hosts (``\\\\FILESRV01\\share``), labelled
  fields (``Computer Name:``, ``hostname X``, ``Machine:``, ``计算机名:``, ``Account Name:``,
  ``TargetUserName=``, ``<Data Name="TargetUserName">``, ``Serial Number:``, ``序列号:``), people's names after
  ``Contact:``/``Reported by:`` and Chinese names after 联系人/姓名/用户 (a surname first), Wi-Fi names after
  ``SSID :``, ``All User Profile :``, ``无线网络：``, ``WLAN：`` or ``Wi-Fi:``, serials after ``SN:`` or ``Service
  Tag:``, a login after a label with no colon (``用户名 liu.yang``), a Chinese name opening a clause (张三反馈) or a
  surname with a title (赵工, 王经理) after a label or addressed, an ID-card number after its label (even with a
  wrong check character), QQ and WeChat accounts, an address after ``地址：``, and whatever the user added to the
  case's redaction list. A value learned in one line is replaced wherever it appears;
* **patterns** for values with a shape: e-mail (with or without a top-level domain), IPv4/IPv6, MAC, phone
  numbers (Chinese mobile, Chinese landline also with spaces or parentheses, ``+`` international,
  ``(555) 123-4567``), Chinese ID-card numbers (checksum and birth date verified, so an 18-digit FILETIME is
  not mistaken for one), BitLocker recovery keys (8 groups of 6 digits) and product keys, WeChat ids
  (``wxid_…``) and street addresses (…市…区…路…号, ``221B Baker Street``).

What the engineer needs stays readable: error codes (``0xC1900101``), builds and versions (``10.0.19041``,
``Version=4.1.3.1``, ``DriverVer = 01/02/2023,1.2.3.4``), driver and file names, registry paths, device IDs,
timestamps and C++ names (``CSetupPlatform::Rollback``) are never taken for addresses or names
(tests/unit/test_redaction_corpus.py holds the corpus that proves both sides).

Pseudonyms are consistent: the same user is ``USER-1`` in the description, the evidence and the notes, in
every format, because numbers are assigned in one deterministic pass over the whole summary before any
template runs. The user's list lives in the case database (table ``redaction_terms``): values to always
redact, and detected values to keep (a false positive such as a build number that looks like an address).
"""

from __future__ import annotations

import ipaddress
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workbench.core.store import CaseStore

#: category → pseudonym prefix
PREFIXES: dict[str, str] = {
    "user": "USER",
    "computer": "PC",
    "domain": "DOMAIN",
    "wifi": "WIFI",
    "email": "EMAIL",
    "ipv4": "IP",
    "ipv6": "IPV6",
    "mac": "MAC",
    "phone": "PHONE",
    "id_card": "ID",
    "serial": "SERIAL",
    "person": "PERSON",
    "address": "ADDRESS",
    "im": "CHAT",
    "key": "KEY",
    "other": "REDACTED",
}
#: category → (English singular, English plural, Chinese): the summary says what kinds were redacted
LABELS: dict[str, tuple[str, str, str]] = {
    "user": ("user name", "user names", "用户名"),
    "computer": ("computer name", "computer names", "计算机名"),
    "domain": ("domain", "domains", "域名"),
    "wifi": ("Wi-Fi name", "Wi-Fi names", "Wi-Fi 名称"),
    "email": ("e-mail address", "e-mail addresses", "电子邮件地址"),
    "ipv4": ("IPv4 address", "IPv4 addresses", "IPv4 地址"),
    "ipv6": ("IPv6 address", "IPv6 addresses", "IPv6 地址"),
    "mac": ("MAC address", "MAC addresses", "MAC 地址"),
    "phone": ("phone number", "phone numbers", "电话号码"),
    "id_card": ("ID-card number", "ID-card numbers", "身份证号"),
    "serial": ("serial number", "serial numbers", "序列号"),
    "person": ("person's name", "people's names", "人名"),
    "address": ("street address", "street addresses", "地址"),
    "im": ("chat account (QQ, WeChat)", "chat accounts (QQ, WeChat)", "QQ/微信账号"),
    "key": ("recovery or product key", "recovery or product keys", "恢复密钥或产品密钥"),
    "other": ("other value", "other values", "其他值"),
}
CATEGORIES = tuple(PREFIXES)
#: kinds learned from a label whose value may be a placeholder ("User: Administrator", "Serial: Default string")
_NAMED_KINDS = frozenset({"user", "computer", "domain", "wifi", "serial", "person", "other"})

TABLE = """CREATE TABLE IF NOT EXISTS redaction_terms (
    id INTEGER PRIMARY KEY,
    value TEXT NOT NULL,
    category TEXT NOT NULL,          -- one of CATEGORIES (for 'keep' rows: the category it was detected as, or '')
    action TEXT NOT NULL CHECK (action IN ('redact', 'keep')),
    UNIQUE (value, action)
)"""

#: Profile and account names that identify nobody; redacting them would only garble the logs.
GENERIC_NAMES = frozenset({
    "public", "default", "default user", "all users", "defaultuser0", "defaultuser100000", "defaultapppool",
    "administrator", "administrators", "admin", "user", "users", "guest", "system", "localservice",
    "networkservice", "local service", "network service", "systemprofile", "username", "%username%",
    "nt authority", "builtin", "nt service", "workgroup", "window manager", "font driver host", "localhost",
    "n/a", "none", "unknown", "null", "*",
    # words that follow "computer name is" / "user name:" in logs when no name is there
    "not", "is", "to", "the", "set", "valid", "invalid", "empty", "blank", "specified", "missing", "found",
    # well-known account domains and their parts ("NT AUTHORITY\\SYSTEM", "NT SERVICE\\TrustedInstaller")
    "nt", "authority", "service", "services", "trustedinstaller", "iis apppool", "apppool", "manager", "host",
    "localsystem", "local system", "everyone", "network",
    # "Machine: AMD64" is a processor, not a computer
    "amd64", "x64", "x86", "i386", "arm64", "ia64", "wow64",
    # serial-number placeholders of OEM firmware
    "default string", "to be filled by o.e.m.", "o.e.m.", "oem", "system serial number",
    "chassis serial number", "0123456789", "123456789", "not available", "not specified",
})
#: Registry roots and device-ID buses: ``HKLM\\SOFTWARE`` and ``USB\\VID_1234`` are not ``DOMAIN\\user``.
NOT_DOMAINS = frozenset({
    "hklm", "hkcu", "hku", "hkcr", "hkcc", "registry", "machine", "software", "system", "usb", "pci", "hid", "acpi",
    "root", "swd", "scsi", "storage", "hdaudio", "bth", "bthenum", "display", "monitor", "umb", "wpdbusenum",
    "pcmcia", "isapnp", "ide", "sbp2", "1394", "usbstor", "usbprint", "usbfn", "mf", "printenum", "detected",
    "wudf", "swenum", "tsbus", "rdpbus", "vmbus", "hvbus", "btleenum", "bthhfenum", "bthle", "intelaudio", "sd",
    "nvme", "raid", "uefi", "teedriver", "composite", "sw", "ms_ndiswanip",
    "global", "local", "session", "device", "windows", "sources", "panther", "drivers", "nt", "nt authority",
    "nt service", "builtin", "font driver host", "window manager", "iis apppool",
})
#: The most common Chinese surnames (single and compound): a name after 联系人/姓名/用户 starts with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常"
    "温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍"
    "涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景"
    "党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝封谈匡"
    "鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰"
) | {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "端木", "夏侯", "尉迟", "长孙", "宇文"}
#: Characters that follow a name in a sentence (说, 的, 反馈 …): "用户王芳反馈" names 王芳, not 王芳反.
_NAME_FOLLOWERS = frozenset("说称讲问答的在于已将把被给向和与及同等们电手邮反表确提报回来去到是也都又还就曾正现")
#: Everyday words that start with a surname's character and follow 用户/客户 in support text (用户方面反馈).
_NOT_NAMES = frozenset({
    "方面", "文件", "安装", "安全", "明确", "时间", "国家", "平台", "海外", "云端", "原因", "全部", "成功", "向导",
    "应用", "高级", "路径", "来源", "修复", "相关", "计算", "支持", "普通", "常规", "管理", "连接", "项目", "包括",
    "尚未", "符合", "程序", "任务", "范围", "戴尔", "联想", "华为", "华硕", "宏碁", "惠普", "微软", "高通", "苹果",
    "系统", "文档", "安卓", "明天", "金山", "于是", "单位", "单击", "关闭", "关于", "解决", "解除", "解压", "解析",
    "包含", "严重", "严格", "查看", "查询", "查找", "许可", "许多", "季度", "凌晨", "方式", "方法", "方案", "文字",
    "文本", "邮件", "电脑", "数据", "姓名", "名称", "全名", "华南", "华北", "华东", "江苏", "浙江", "广东", "北京",
    "上海", "深圳", "成都", "武汉", "南京", "重庆", "天津", "西安", "杭州", "苏州", "宁波", "厦门", "青岛", "大连",
    "端口", "段落", "万能", "钱包", "石家", "齐全", "易用", "乐观", "雷电", "游戏", "能否", "封装", "谈判", "都是",
    "高层", "曾经", "万一", "全体", "师傅", "平时", "车主", "房东", "常常", "时常", "向来", "尚且", "应该",
})
#: First words that make a capitalised pair a product or a team, not a person ("Contact: Microsoft Support").
_NOT_PERSON_WORDS = frozenset({
    "microsoft", "windows", "setup", "support", "service", "services", "system", "administrator", "admin", "user",
    "users", "team", "help", "desk", "helpdesk", "local", "network", "the", "intel", "dell", "lenovo", "hp", "it",
    "customer", "technical", "security", "update", "updates", "device", "unknown", "not", "no", "none", "default",
    "experience", "program", "product", "organization", "registered", "server", "client", "owner",
})

# ASCII-only boundaries: Python's \w also matches Chinese, and "手机13812345678" must still be found.
_B = r"(?<![0-9A-Za-z_])"
_E = r"(?![0-9A-Za-z_])"

_EMAIL = re.compile(r"(?<![0-9A-Za-z_.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}" + _E)
# an intranet address with no top-level domain ("helpdesk@corpmail"): the host starts with a letter
_EMAIL_NO_TLD = re.compile(r"(?<![0-9A-Za-z_.%+@-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z][A-Za-z0-9-]{1,62}"
                           r"(?![0-9A-Za-z_.@({-])")
_ID_CARD = re.compile(_B + r"\d{17}[\dXx]" + _E)
_CN_MOBILE = re.compile(r"(?<![0-9A-Za-z_+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}" + _E)
# eleven bare digits are as often a byte count ("Total bytes = 16168835795") as a mobile number: without a
# separator or +86 they count as one only after a word that announces a number
_PHONE_WORD = re.compile(r"(?i)(?:phone|tel|mobile|cell|contact|call|sms|wechat|whatsapp|手机|电话|联系|座机|微信|短信|号码)")
_CN_LANDLINE = re.compile(_B + r"(?:0\d{2,3}-\d{7,8}|\(0\d{2,3}\)\s?\d{3,4}-?\d{4})(?:-\d{1,5})?" + _E)  # -8001: extension
# a landline written with spaces, or with a hyphen inside the number: "021 6888 1235", "(021) 6888 1235",
# "0755-8888 6666", "010-6234-5678". The area code is 0 and a digit 1-9, the number starts with 2-9, so a run
# of zeros ("0000 1234 5678") or a time is not one.
_CN_LANDLINE_SPACED = re.compile(r"(?<![0-9A-Za-z_+.:/-])(?:\(0[1-9]\d{1,2}\)\s?|0[1-9]\d{1,2}[ -])[2-9]\d{2,3}[ -]?\d{4}"
                                 + _E)
# ... or as bare digits ("02168881235"), counted as one only after a word that announces a number
_CN_LANDLINE_BARE = re.compile(_B + r"0[1-9]\d{9,10}" + _E)
# groups of digits, an area code in a balanced pair of parentheses: "(tel +44 20 7946 0958)" keeps its ")"
_INTL_PHONE = re.compile(r"(?<![0-9A-Za-z_+])\+[1-9]\d{0,3}(?:[\s.-]?(?:\(\d{1,5}\)|\d{1,5})){1,5}" + _E)
_US_PHONE = re.compile(r"(?<![0-9A-Za-z_])\(\d{3}\)\s?\d{3}-\d{4}" + _E)
_MAC = re.compile(r"(?<![0-9A-Za-z_:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Za-z_:-])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?"
                   r"(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z_:])")
# a version shaped like an address: "Version=4.1.3.1", "v2.1.0.5", "build 1.2.3.4", "DriverVer = 01/02/2023,1.2.3.4"
# (a word of its own: "DNS server 10.1.2.3" ends in "ver" and is an address)
_VERSION_BEFORE = re.compile(r"(?i)(?<![A-Za-z])(?:driver ?ver|version|ver|v|build|release|版本号?)\s*[:=-]?\s*\"?"
                             r"(?:\d{1,2}/\d{1,2}/\d{4}\s*,\s*)?$")
# a time after a date ("2020-01-31 16.21.48.123"), a version glued to a name ("SQLite.Core,1.0.113.1",
# "agent_1.2.3.4") or after a module's name (WER: "faulting module dsHook64.dll 3.6.1.208"), not an address
_NOT_ADDRESS_BEFORE = re.compile(r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]|[A-Za-z0-9][,_-]|"
                                 r"(?i:\.(?:dll|exe|sys|drv|ocx|cpl|mui|efi|inf|msi))\s+)$")
_IPV4 = re.compile(r"(?<![0-9A-Za-z_.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z_]|\.\d)")

_USER_PATH = re.compile(r"(?i)(?:[A-Z]:[\\/]|(?<=[\\/:])|^)(?:Users|Documents and Settings)[\\/]")
_USER_SEGMENT = re.compile(r"[^\\/:*?\"<>|\r\n]{1,32}(?=[\\/])")
_USER_WORD = re.compile(r"[^\\/:*?\"<>|\s,;)\]']{1,32}")  # "maria.garcia: not loaded" (a final "." is cut)
# "User name: X", "TargetUserName=X", "Account Name:\t\tX" (Security events), "用户名：X", JSON '"User": "X"'
_USER_FIELD = re.compile(
    r"(?i)(?<![A-Za-z])(?:(?:target|subject)?user ?name|account ?name|sam ?account ?name|logon ?name|"
    # a bare "user" as a field: "User: X", "user=X", JSON's "user": "X"; not prose ("chosen by the user: ...")
    r"(?-i:User)|user(?=\s*=)|(?<=\")user(?=\")|employee ?(?:id|no\.?|number)|"
    r"用户名称?|[账帐]户名称?|[账帐]户|账号|工号|员工编?号)\"?\s*[:=：]\s*\"?([^\s\",;<>()（）]{2,64})")
_HOST = r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff_.-]{0,62}"
# "ComputerName: X", "Computer Name: X", "Machine: X", "计算机名：X", "Computer name [X] is valid" (Setup)
_COMPUTER_FIELD = re.compile(
    r"(?i)(?<![A-Za-z_])(?:computer ?name|machine ?name|host ?name|system name|workstation ?name|device ?name|"
    r"netbios ?name|computer|machine|计算机名称?|计算机|主机名称?|机器名|设备名称?|工作站名称?)"
    r"\"?(?:\s*[:=：]\s*|\s*\[)\"?(" + _HOST + ")")
# "Computer name is X", "Set the computer name to X", "hostname X", "主机名 X": the value must look like a host
_COMPUTER_SAID = re.compile(
    r"(?i)(?<![A-Za-z])(?:(?:computer|machine|host) ?name(?:\s+(?:is|to))?|主机名|计算机名)\s+\"?(" + _HOST + ")")
# "\\FILESRV01\share", "Logon server \\DC01": not "\\?\C:" nor an escaped "C:\\Windows\\Panther"
_UNC_HOST = re.compile(r"(?<![\w:\\])\\\\(" + _HOST + r")(?=[\\\s,;:'\")）\]]|$)")
# "BANKCORP\zhang.wei", "user corp\alice": not a path ("Sources\Panther\x.log"), a registry key or a device ID
_DOMAIN_USER = re.compile(r"(?<![\w\\/:.$%~-])([A-Za-z][A-Za-z0-9-]{1,14})\\([A-Za-z0-9][A-Za-z0-9._-]{0,63})"
                          r"(?=[\s,;:'\")）\]，。]|$)")
_ACCOUNT_WORD = re.compile(r"(?i)(?<![A-Za-z])(?:user(?: ?name)?|account(?: ?name)?|owner|logon|login|runas|"
                           r"credentials?|用户名?|账户|帐户|以)\s*[:：=]?\s*[\"(（]?$")
# a login as it is written after a domain (zhang.wei, liming, svc_backup), unlike a device ID (GENERICUSBFN)
_LOGIN = re.compile(r"[a-z][a-z0-9._-]*")
_FILE_NAME = re.compile(r"(?i)\.(?:log|exe|dll|sys|inf|pnf|xml|txt|ini|cab|etl|evtx|dmp|cat|mui|msi|bat|cmd|ps1|"
                        r"dat|hve|reg|tmp|bak|wim|esd|db|sdb|json|cfg|lnk|png|jpg|zip)$")
#: what a "user:" field holds when no user is there: a status code, a byte count
_NOT_A_LOGIN = re.compile(r"(?i)0x[0-9a-f]+\.?|[\d.,]+")
_DOMAIN_FIELD = re.compile(r"(?i)(?<![A-Za-z])(?:(?:target|subject)?domain ?name|account ?domain|logon ?domain|"
                           r"user ?domain|domain|域名?)\"?\s*[:=：]\s*\"?([A-Za-z0-9][A-Za-z0-9_.-]{0,253})")
# EVTX rendered as XML: <Data Name="TargetUserName">X</Data>, <Computer>X</Computer>
_XML_FIELD = re.compile(r"(?i)(?:<Data Name=\"((?:Target|Subject)(?:User|Domain)Name|WorkstationName)\"\s*>|"
                        r"<(Computer)>)\s*([^<\s]{1,64})\s*<")
_WIFI_FIELD = re.compile(
    r"(?im)(?:(?<![A-Za-z])SSID(?:\s+\d+)?|All User Profile|所有用户配置文件|Profile name|配置文件名称)\s*[:=：]\s*"
    r"\"?([^\"\r\n]{1,64}?)\"?\s*$")
_SERIAL_FIELD = re.compile(
    r"(?i)(?<![A-Za-z])(?:(?:bios|system|volume|disk|drive|chassis|baseboard|board|product)\s?)?"
    r"(?:serial ?(?:number|no\.?|num)?|s/n|序列号)\"?(?:\s*[:=：]\s*|\s+is\s+)\"?([A-Za-z0-9][A-Za-z0-9-]{3,39})")
_MAC_FIELD = re.compile(r"(?i)(?:mac\s*(?:address|地址)?|physical address|物理地址)[\s.]*[:=：]\s*([0-9A-F]{12})"
                        r"(?![0-9A-Za-z])")
# "Contact: John Smith", "Reported by: Jane Doe", "Registered Owner: Michael Brown" (systeminfo)
_PERSON_FIELD = re.compile(
    r"(?<![A-Za-z])(?:(?i:contact(?: person)?|(?:registered )?owner|customer|engineer|caller|name of user)\s*[:=]|"
    r"(?i:reported|requested|submitted|escalated|approved) by:?)\s*([A-Z][a-z]+(?:[ .][A-Z][a-z]+){1,2})"
    r"(?![A-Za-z])")
# a Chinese name after its label: 联系人张伟 / 姓名：李娜 / 用户 王芳 / 用户王芳反馈 (用户 and 客户 run into words
# too, 用户配置文件, so a name written right after them must end where a sentence goes on: 反馈, 说, a comma)
_CN_NAME_FIELD = re.compile(r"(?:(?:联系人|姓名|负责人|报告人|申请人|经办人|使用人)(?:姓名)?\s*[:：为是]?\s*|"
                            r"(?:用户|客户|工程师)(?:\s*[:：]\s*|\s+)|(用户|客户))([\u4e00-\u9fff]{2,4})")
_NAME_NUMBER = re.compile(r"\d{1,3}(?![0-9A-Za-z])")
_CN_SENTENCE_GOES_ON = re.compile(r"[\s，。、；：！？,.;:!?（）()]")
# a name that opens a clause and says something: "张三反馈…", "，王芳表示…" (checked by _chinese_name)
_CN_NAME_SAYS = re.compile(r"(?:^|(?<=[\s，。；：、！？,.;:!?（）()]))([\u4e00-\u9fff]{2,4}?)(?=反馈|表示|称|说|告知|回复)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SURNAME_RX = "|".join(sorted(SURNAMES, key=lambda x: -len(x)))
# a surname and a title: 赵工, 王经理, 李老师, 张总. Only after a label or a word that addresses a person (由,
# 请, 和, 联系人 …) or at the start of a clause, and not running on into a longer word (施工现场, 高工资).
_TITLED_NAME = re.compile(
    r"(?:(?:联系人|对接人|负责人|经办人|报告人|工程师|客户|现场|由|请|和|跟|与|同|向|给|找|问|联系|致|转|@)\s*[:：]?\s*|"
    r"^|(?<=[\s，。；：、！？,.;:!?（）()“”\"']))"
    rf"((?:{_SURNAME_RX})(?:工程师|经理|总监|老师|主任|师傅|先生|女士|小姐|科长|处长|部长|主管|组长|行长|局长|院长|博士|总|工))"
    r"(?=$|[^\u4e00-\u9fff]|您|你|说|反馈|表示|称|确认|处理|现场|协助|沟通|回复|已|在|的|好|们|及|和|与|等|去|来|到|帮|提供|"
    r"告知|电话|手机|邮箱|微信)")
#: a surname and 工 that are a word, not a person (施工 building work, 童工 child labour …)
_NOT_TITLED = frozenset({"施工", "童工", "包工", "金工", "车工", "管工", "万总", "高工", "Watson"})
# "用户名 liu.yang2", "登录用户 li.si", "User name jsmith01", "account name is w.chen": with no colon, the value
# must look like a login (a dot, underscore or hyphen inside, or a trailing number), not a word of prose
_USER_SAID = re.compile(
    r"(?<![A-Za-z])(?:用户名称?|登录名|登录用户|登录账号|[账帐]号|[账帐]户名?|域账户|(?i:user ?name|login ?name|logon ?name|"
    r"account ?name|sam ?account ?name))\s+(?:(?i:is)\s+)?"
    r"([A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+)+|[A-Za-z]+\d+)(?![A-Za-z0-9_\\-]|\.[A-Za-z0-9])")
_SID = re.compile(r"(?i)S-\d+-\d+")
# "用户名为 liu.yang", "账号是liuyang": the connector says a value follows, whatever its shape
_USER_IS = re.compile(r"(?:用户名称?|登录名|登录用户|[账帐]号|[账帐]户名?)\s*[为是]\s*([A-Za-z][A-Za-z0-9._-]{1,63})"
                      r"(?![A-Za-z0-9_\\-]|\.[A-Za-z0-9])")
# "Mr. Smith", "Ms Jane Doe", "Dr. Li": a title and a capitalised name (not Dr. Watson, Windows' old debugger)
_TITLED_EN = re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?![A-Za-z])")
# Wi-Fi names after their label: "无线网络：CMCC-8F2A", "WLAN：Office-5G", "Wi-Fi: Office-5G2", "热点名称: X"
_WIFI_LABELLED = re.compile(
    r"(?i)(?<![A-Za-z])(?:wi-?fi|wlan|无线网络|无线局域网|无线|热点|hotspot)\s*(?:名称|name|network|ssid|网络)?\s*[:：=]\s*"
    r"\"?([^\s\"，,;；。()（）]{2,32})")
#: what follows such a label when no network is named
_NOT_WIFI = frozenset({"connected", "disconnected", "enabled", "disabled", "on", "off", "none", "n/a", "unknown",
                       "available", "unavailable", "yes", "no", "true", "false", "已连接", "未连接", "已启用", "已禁用",
                       "已断开", "开", "关", "开启", "关闭", "可用", "不可用", "无", "未知"})
# "SN: C02XK1ABJG5H", "S/N#5CG1234", "Service Tag: 7XK2Q12" (Dell), 服务标签 / 资产标签
_SN_FIELD = re.compile(r"(?<![A-Za-z])(?:SN|S/N|(?i:service tag|asset tag|express service code)|服务标签|快速服务代码|"
                       r"资产标签|资产编号)\s*[:：#]\s*([A-Za-z0-9][A-Za-z0-9-]{3,39})")
# "序列号 5CG1234XYZ", "SN 5CG1234XYZ", "serial number PF2ABC12": no colon, so the value must mix letters and digits
_SERIAL_SAID = re.compile(r"(?<![A-Za-z])(?:序列号|SN|S/N|(?i:serial ?(?:number|no\.?)))\s+([A-Za-z0-9][A-Za-z0-9-]{5,39})"
                          + _E)
# an ID-card number after its label is one even when its check character is wrong (a typo is still the person)
_ID_CARD_FIELD = re.compile(r"(?i)(?:身份证(?:号码|号)?|证件号码?|公民身份号码|id[- ]?card(?: (?:no\.?|number))?|"
                            r"identity card(?: number)?)\s*[:：]?\s*(\d{17}[\dXx]|\d{15})" + _E)
# QQ and WeChat: "QQ：123456789", "QQ号 10001", "微信：wxid_abc123", "WeChat ID: li_ming88"; a WeChat internal id
# (wxid_…) wherever it is
_QQ_FIELD = re.compile(r"(?<![A-Za-z])(?i:QQ)(?:号码?)?\s*[:：=]?\s*(\d{5,11})" + _E)
_WECHAT_FIELD = re.compile(r"(?i)(?<![A-Za-z])(?:微信号?|wechat(?: ?id)?|weixin|钉钉号?|dingtalk(?: ?id)?)\s*[:：=]\s*"
                           r"([A-Za-z][A-Za-z0-9_-]{5,19}|\d{5,11})" + _E)
_WXID = re.compile(r"(?<![0-9A-Za-z_])wxid_[0-9A-Za-z]{4,}" + _E)
# a BitLocker recovery key: 48 digits in 8 groups of 6; a product key: 5 groups of 5 capitals and digits
_RECOVERY_KEY = re.compile(_B + r"\d{6}(?:-\d{6}){7}" + _E)
_PRODUCT_KEY = re.compile(r"(?<![0-9A-Za-z-])[0-9A-Z]{5}(?:-[0-9A-Z]{5}){4}(?![0-9A-Za-z-])")
# a Chinese street address: [省][市][区/县][镇/街道] street (路/街/大道/巷/弄/胡同/道) number 号 [building, room].
# Words that lead into an address (在, 于, 位于 …) are not taken into it.
_HAN_PART = r"(?:(?![在于到至的是和与及从向往去为址位处：:])[\u4e00-\u9fff])"
_CN_ADDRESS = re.compile(
    rf"(?:{_HAN_PART}{{2,7}}?(?:省|自治区))?(?:{_HAN_PART}{{1,7}}?市)?(?:{_HAN_PART}{{1,7}}?(?:区|县|旗))?"
    rf"(?:{_HAN_PART}{{1,8}}?(?:镇|乡|街道))?{_HAN_PART}{{2,10}}?(?:大道|大街|(?<![电线网回通思套出链环])路|街|巷|弄|胡同|(?<![通频管轨隧坡跑赛航])道)\s*"
    r"[0-9０-９]{1,5}(?:[-－][0-9]{1,5})?\s*号(?:院|楼)?"
    r"(?:\s*[0-9A-Za-z-]{1,6}\s*(?:号楼|栋|幢|座|单元|层|楼|室))*")
# an English street address: number, capitalised words, a street type ("1600 Amphitheatre Parkway",
# "221B Baker Street", "350 Fifth Ave., Suite 300"); drive words of Windows ("2 Fixed Drive") are not streets
_EN_ADDRESS = re.compile(
    r"(?<![0-9A-Za-z#.:-])\d{1,6}[A-Z]?(?:-\d{1,4})?\s+(?:[NSEW]\.?\s+)?"
    r"(?:(?!(?:Fixed|Removable|Network|Local|Boot|System|Hard|Flash|Optical|Mapped|Virtual|Physical|Logical|USB|"
    r"Data|Recovery|Cloud|Disk|Primary|Secondary)\b)[A-Z][A-Za-z'.-]*\s+){1,4}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Parkway|Pkwy|Highway|Hwy|"
    r"Square|Sq|Terrace|Crescent|Plaza)\b\.?(?:,?\s+(?:Suite|Ste|Apt|Unit|Floor|Fl|Room|Rm)\.?\s*#?[0-9A-Za-z-]+)?")
# an address after its label, whatever its shape: "地址：上海市浦东新区世纪大道100号", "Mailing address: ..."
# (not "IP 地址", "MAC 地址", 物理地址, 网关地址, 邮箱地址: those are other kinds, found by their shape)
_ADDRESS_FIELD = re.compile(
    r"(?<![A-Za-z0-9理络关箱件站器])(?:(?:家庭|办公|公司|联系|收货|通讯|邮寄|现场|客户|单位|详细)?(?:地址|住址)|"
    r"(?i:(?:street|mailing|postal|office|home|site|shipping) address))\s*[:：]\s*([^\r\n，,;；。]{4,60})")
_CN_ADDRESS_UNIT = re.compile(r"[\u4e00-\u9fff].*(?:省|市|区|县|镇|乡|村|路|街|道|巷|弄|号|楼|室)")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

#: fact name endings → category (facts recorded by parsers: ``system.computer``, ``wlan.ssid``, ...)
_FACT_CATEGORIES: tuple[tuple[str, str], ...] = (
    (".computer", "computer"), (".computer_name", "computer"), (".hostname", "computer"), (".host_name", "computer"),
    (".user", "user"), (".user_name", "user"), (".username", "user"), (".registered_owner", "user"),
    (".domain", "domain"), (".user_domain", "domain"), (".ssid", "wifi"), (".wifi", "wifi"),
    (".wifi_name", "wifi"), (".email", "email"),
)


def valid_id_card(text: str) -> bool:
    """A Chinese resident ID number: 17 digits, an ISO 7064 check character, and a real birth date."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != text[17].upper():
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _looks_like_host(value: str) -> bool:
    """A word after "hostname"/"computer name is" that is a machine's name, not prose ("hostname resolution
    failed"): it has a digit, a hyphen or a Chinese character, or is written in capitals."""
    if value.casefold() in GENERIC_NAMES or len(value) < 2:
        return False
    return (any(c.isdigit() or c == "-" or "\u4e00" <= c <= "\u9fff" for c in value)
            or (value.isupper() and len(value) >= 3))


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _chinese_name(candidate: str) -> str | None:
    """The name at the start of ``candidate`` (2 to 4 Han characters after a label), or None when it does not
    start with a common surname (用户配置文件 names nobody). A character that follows names in a sentence
    (说, 的, 反馈 …) ends the name: 王芳反馈 → 王芳."""
    surname = candidate[:2] if candidate[:2] in SURNAMES else candidate[:1] if candidate[:1] in SURNAMES else ""
    if not surname:
        return None
    longest = len(surname) + 2
    name = candidate[:longest]
    for end in range(len(surname) + 1, len(name)):
        if name[end] in _NAME_FOLLOWERS:
            name = name[:end]
            break
    if len(surname) == 1 and len(name) == 4:
        name = name[:3]  # a one-character surname and a two-character given name at most
    if name[:2] in _NOT_NAMES:
        return None
    return name if len(name) > len(surname) else None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _key(category: str, value: str) -> str:
    """What makes two spellings the same person or machine (``ALICE``/``alice``, ``+86 138…``/``138…``)."""
    if category == "ipv6":
        try:
            return ipaddress.IPv6Address(value.split("%")[0]).compressed
        except ValueError:
            return value.lower()
    if category == "mac":
        return value.upper().replace("-", ":")
    if category == "phone":
        digits = _digits(value)
        if len(digits) == 13 and digits.startswith("86") and digits[2] == "1":
            digits = digits[2:]
        return digits
    return value.casefold()


@dataclass(frozen=True)
class Term:
    """A row of the user's list: ``action`` is ``redact`` (always replace) or ``keep`` (never replace)."""

    value: str
    category: str
    action: str


@dataclass(frozen=True)
class Replacement:
    """One line of the preview: what is replaced, by what, how often, and why it was recognised."""

    category: str
    value: str
    pseudonym: str
    count: int
    origin: str


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    category: str
    value: str


# ---------------------------------------------------------------------------------------------- the user's list


def ensure_table(store: CaseStore) -> None:
    """Create the redaction list table; it is ours, so it is created here rather than in the shared schema."""
    with store.conn:
        store.conn.execute(TABLE)


def redaction_terms(store: CaseStore) -> list[Term]:
    """The user's list for this case, in the order it was written."""
    ensure_table(store)
    return [Term(r["value"], r["category"], r["action"])
            for r in store.query("SELECT value, category, action FROM redaction_terms ORDER BY id")]


def add_redaction_term(store: CaseStore, value: str, category: str = "other") -> None:
    """Always replace ``value`` (say, a customer's project name the patterns cannot know)."""
    if category not in PREFIXES:
        raise ValueError(f"category {category!r}: choose one of {', '.join(CATEGORIES)}")
    value = value.strip()
    if not value:
        raise ValueError("an empty value cannot be redacted")
    ensure_table(store)
    with store.conn:
        store.conn.execute("DELETE FROM redaction_terms WHERE value = ? AND action = 'keep'", (value,))
        store.conn.execute("INSERT OR REPLACE INTO redaction_terms (value, category, action) VALUES (?, ?, 'redact')",
                           (value, category))


def keep_term(store: CaseStore, value: str) -> None:
    """Never replace ``value``, though a pattern or the case facts say it is personal (a false positive)."""
    value = value.strip()
    ensure_table(store)
    with store.conn:
        store.conn.execute("DELETE FROM redaction_terms WHERE value = ? AND action = 'redact'", (value,))
        store.conn.execute("INSERT OR REPLACE INTO redaction_terms (value, category, action) VALUES (?, '', 'keep')",
                           (value,))


def remove_term(store: CaseStore, value: str) -> None:
    """Forget ``value`` in the user's list (either action)."""
    ensure_table(store)
    with store.conn:
        store.conn.execute("DELETE FROM redaction_terms WHERE value = ?", (value.strip(),))


# ---------------------------------------------------------------------------------------------- the redactor


@dataclass
class Redactor:
    """Finds personal values in text and replaces them with consistent pseudonyms.

    Build it with :meth:`for_case` (learns from the store) or directly (tests, plain text). Call
    :meth:`preview` to see what would change and :meth:`apply` to get a redacted copy of a summary.
    """

    learned: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key → (category, value, origin)
    keep: set[str] = field(default_factory=set)
    _names: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)
    _counts: dict[tuple[str, str], int] = field(default_factory=dict, init=False, repr=False)
    _first: dict[tuple[str, str], str] = field(default_factory=dict, init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    # -------------------------------------------------------------------------------------- learning

    @classmethod
    def for_case(cls, store: CaseStore, *, timeline_rows: int = 20000) -> Redactor:
        """A redactor that knows the case: facts, file paths, the user's list, and timeline rows that name
        profiles, hosts or networks (found through the full-text index, at most ``timeline_rows``)."""
        r = cls()
        for term in redaction_terms(store):
            if term.action == "keep":
                r.keep.add(term.value.casefold())
        for row in store.query("SELECT name, value, text FROM facts ORDER BY name, id"):
            name = (row["name"] or "").lower()
            value = (row["value"] or "").strip()
            for suffix, category in _FACT_CATEGORIES:
                if name.endswith(suffix) and value:
                    r.learn(category, value, f"fact {row['name']}")
                    break
            r.learn_from_text(value, "facts")
            r.learn_from_text(row["text"] or "", "facts")
        for row in store.query("SELECT path FROM files ORDER BY id"):
            r.learn_from_text(row["path"] or "", "file paths")
        try:
            rows = store.query(
                "SELECT message FROM timeline WHERE id IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?"
                " LIMIT ?) ORDER BY id",
                ('Users OR SSID OR Profile OR ComputerName OR "computer name" OR "host name" OR hostname OR '
                 'Machine OR UserName OR "user name" OR "account name" OR TargetUserName OR SubjectUserName OR '
                 'WorkstationName OR Domain OR Serial OR SerialNumber OR Contact OR Owner', timeline_rows),
            )
        except sqlite3.Error:  # an FTS index that is not built yet (an ingest that never finished)
            rows = []
        for row in rows:
            r.learn_from_text(row["message"] or "", "timeline")
        for term in redaction_terms(store):
            if term.action == "redact":
                r.learn(term.category or "other", term.value, "your list")
        return r

    def learn(self, category: str, value: str, origin: str) -> None:
        """Remember ``value`` as personal. Generic names and one-letter values are ignored."""
        value = value.strip().strip('"').strip()
        if category not in PREFIXES or len(value) < 2:
            return
        if category in _NAMED_KINDS and value.casefold() in GENERIC_NAMES:
            return
        if category == "user" and "\\" in value:  # DOMAIN\user
            domain, _, user = value.rpartition("\\")
            self.learn("domain", domain, origin)
            self.learn("user", user, origin)
            return
        key = value.casefold()
        if key not in self.learned or self.learned[key][2] != "your list" and origin == "your list":
            self.learned[key] = (category, value, origin)
            self._pattern = None

    def learn_from_text(self, text: str, origin: str) -> None:
        """Learn the values a line names by its context: profile paths, ``user name:``, ``DOMAIN\\user``,
        ``\\\\HOST``, ``hostname X``, ``Serial Number:``, ``Contact: Jane Doe``, 联系人张伟, ``SSID :``, ..."""
        if not text:
            return
        for m in _USER_PATH.finditer(text):
            rest = text[m.end(): m.end() + 64]
            seg = _USER_SEGMENT.match(rest)
            if seg is None or seg.group(0).count(" ") > 2:
                seg = _USER_WORD.match(rest)
            if seg is not None:
                self.learn("user", seg.group(0).strip().rstrip("."), f"profile path ({origin})")
        for m in _USER_FIELD.finditer(text):
            if not _NOT_A_LOGIN.fullmatch(m.group(1)):
                self.learn("user", m.group(1), f"user name ({origin})")
        for m in _COMPUTER_FIELD.finditer(text):
            self.learn("computer", m.group(1).rstrip("."), f"computer name ({origin})")
        for m in _COMPUTER_SAID.finditer(text):
            if _looks_like_host(m.group(1).rstrip(".")):
                self.learn("computer", m.group(1).rstrip("."), f"computer name ({origin})")
        if "\\\\" in text:
            for m in _UNC_HOST.finditer(text):
                host = m.group(1).rstrip(".")
                if not _is_ip(host):
                    self.learn("computer", host, f"network path ({origin})")
        if "\\" in text:
            for m in _DOMAIN_USER.finditer(text):
                domain, user = m.group(1), m.group(2)
                if domain.casefold() in NOT_DOMAINS or domain.casefold() in GENERIC_NAMES or _FILE_NAME.search(user):
                    continue
                if (domain.isupper() and _LOGIN.fullmatch(user)) or \
                        _ACCOUNT_WORD.search(text, max(0, m.start() - 16), m.start()):
                    self.learn("user", f"{domain}\\{user}", f"account ({origin})")
        for m in _DOMAIN_FIELD.finditer(text):
            self.learn("domain", m.group(1).rstrip("."), f"domain ({origin})")
        if "<" in text:
            for m in _XML_FIELD.finditer(text):
                field_name = (m.group(1) or m.group(2) or "").lower()
                category = "domain" if "domain" in field_name else "user" if "user" in field_name else "computer"
                self.learn(category, m.group(3), f"event data ({origin})")
        for m in _SERIAL_FIELD.finditer(text):
            self.learn("serial", m.group(1), f"serial number ({origin})")
        for m in _MAC_FIELD.finditer(text):
            self.learn("mac", m.group(1), f"MAC address ({origin})")
        for m in _PERSON_FIELD.finditer(text):
            if m.group(1).split()[0].split(".")[0].casefold() not in _NOT_PERSON_WORDS:
                self.learn("person", m.group(1), f"name ({origin})")
        for m in _CN_NAME_FIELD.finditer(text):
            name = _chinese_name(m.group(2))
            if name and m.group(1):  # right after 用户/客户: only where the sentence visibly goes on
                after = text[m.start(2) + len(name): m.start(2) + len(name) + 1]
                if after and after not in _NAME_FOLLOWERS and not _CN_SENTENCE_GOES_ON.match(after):
                    name = None
            if name:
                end = m.start(2) + len(name)
                number = _NAME_NUMBER.match(text, end)  # 刘洋2: a second 刘洋 told apart by a number
                self.learn("person", name + (number.group(0) if number and not m.group(1) else ""),
                           f"name ({origin})")
        lowered = text.lower()
        if "ssid" in lowered or "profile" in lowered or "配置文件" in text:
            for m in _WIFI_FIELD.finditer(text):
                self.learn("wifi", m.group(1).strip(), f"Wi-Fi name ({origin})")
        self._learn_labelled(text, origin)

    def _learn_labelled(self, text: str, origin: str) -> None:
        """The values found by a label written without a colon, or of kinds the patterns do not know by shape:
        ``用户名 liu.yang``, 赵工, ``无线网络：X``, ``SN: X``, ``QQ：X``, an ID-card number with a wrong check
        character, an address after ``地址：``."""
        for m in _USER_SAID.finditer(text):
            value = m.group(1)
            if not _SID.match(value) and not _FILE_NAME.search(value) and not _IPV4.fullmatch(value):
                self.learn("user", value, f"user name ({origin})")
        if _HAN.search(text):  # the Chinese shapes, only where there is Chinese (most log lines have none)
            for m in _CN_NAME_SAYS.finditer(text):
                if _chinese_name(m.group(1)) == m.group(1):  # the whole clause opener is a name, nothing cut off
                    self.learn("person", m.group(1), f"name ({origin})")
            for m in _TITLED_NAME.finditer(text):
                if m.group(1) not in _NOT_TITLED:
                    self.learn("person", m.group(1), f"name and title ({origin})")
        for m in _WIFI_LABELLED.finditer(text):
            value = m.group(1).strip("'\"")
            if value.casefold() not in _NOT_WIFI and not (value.isascii() and value.isalpha() and value.islower()):
                self.learn("wifi", value, f"Wi-Fi name ({origin})")
        for m in _SN_FIELD.finditer(text):
            if any(c.isdigit() for c in m.group(1)):
                self.learn("serial", m.group(1), f"serial number ({origin})")
        for m in _SERIAL_SAID.finditer(text):
            value = m.group(1)
            if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
                self.learn("serial", value, f"serial number ({origin})")
        for m in _USER_IS.finditer(text):
            if not _FILE_NAME.search(m.group(1)):
                self.learn("user", m.group(1), f"user name ({origin})")
        for m in _TITLED_EN.finditer(text):
            if m.group(1).split()[0] not in _NOT_TITLED:
                self.learn("person", m.group(1), f"name and title ({origin})")
        for m in _ID_CARD_FIELD.finditer(text):
            self.learn("id_card", m.group(1), f"ID-card number ({origin})")
        for rx in (_QQ_FIELD, _WECHAT_FIELD):
            for m in rx.finditer(text):
                self.learn("im", m.group(1), f"chat account ({origin})")
        for m in _ADDRESS_FIELD.finditer(text):
            value = m.group(1).strip()
            if _CN_ADDRESS_UNIT.search(value) or (value.isascii() and _EN_ADDRESS.search(value)):
                self.learn("address", value, f"address ({origin})")

    def _learned_pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self.learned:
            values = sorted((v for _, v, _ in self.learned.values()), key=lambda v: (-len(v), v))
            # a name is not found inside a longer word ("alice" in "malice"), but is found beside '-', '.'
            # and '_' ("alice-pc", a domain inside an FQDN, a collector's "PC01_logs" folder): leaking half
            # a host name is worse than a clumsy "USER-1-pc". Longest values come first, so "FIN-PC-0231"
            # wins over a user named "FIN".
            # a value ending in a Chinese character has no ASCII word to run into: "联系人 刘洋2" names 刘洋
            self._pattern = re.compile(
                r"(?<![0-9A-Za-z])(?:" + "|".join(
                    re.escape(v) + ("(?![0-9A-Za-z])" if v[-1].isascii() else "") for v in values) + ")",
                re.IGNORECASE,
            )
        return self._pattern

    # -------------------------------------------------------------------------------------- finding

    def spans(self, text: str) -> list[_Span]:
        """Non-overlapping personal values in ``text``: the earliest wins, then the longest."""
        found: list[tuple[int, int, int, str, str]] = []  # start, -length, priority, category, value

        def add(start: int, end: int, category: str, priority: int) -> None:
            value = text[start:end]
            if value.casefold() in self.keep:
                return
            found.append((start, start - end, priority, category, value))

        if "@" in text:
            for rx in (_EMAIL, _EMAIL_NO_TLD):
                for m in rx.finditer(text):
                    add(m.start(), m.end(), "email", 0)
        for m in _ID_CARD.finditer(text):
            if valid_id_card(m.group(0)):
                add(m.start(), m.end(), "id_card", 1)
        for m in _CN_MOBILE.finditer(text):
            if m.group(0).isdigit() and len(m.group(0)) == 11 and \
                    not _PHONE_WORD.search(text, max(0, m.start() - 48), m.start()):
                continue
            add(m.start(), m.end(), "phone", 2)
        for rx in (_CN_LANDLINE, _CN_LANDLINE_SPACED, _US_PHONE):
            for m in rx.finditer(text):
                add(m.start(), m.end(), "phone", 2)
        for m in _CN_LANDLINE_BARE.finditer(text):
            if _PHONE_WORD.search(text, max(0, m.start() - 48), m.start()):
                add(m.start(), m.end(), "phone", 2)
        for m in _RECOVERY_KEY.finditer(text):
            add(m.start(), m.end(), "key", 1)
        for m in _PRODUCT_KEY.finditer(text):
            if any(c.isdigit() for c in m.group(0)) and any(c.isalpha() for c in m.group(0)):
                add(m.start(), m.end(), "key", 1)
        if "wxid_" in text:
            for m in _WXID.finditer(text):
                add(m.start(), m.end(), "im", 2)
        for rx in (_CN_ADDRESS, _EN_ADDRESS) if "号" in text else (_EN_ADDRESS,):
            for m in rx.finditer(text):
                add(m.start(), m.end(), "address", 3)
        for m in _INTL_PHONE.finditer(text):
            if 8 <= len(_digits(m.group(0))) <= 15:
                add(m.start(), m.end(), "phone", 2)
        for m in _MAC.finditer(text):
            add(m.start(), m.end(), "mac", 3)
        for m in _IPV6.finditer(text):
            candidate = m.group(0)
            try:
                address = ipaddress.IPv6Address(candidate.split("%")[0])
            except ValueError:
                continue
            if not (address.is_loopback or address.is_unspecified):
                add(m.start(), m.end(), "ipv6", 4)
        for m in _IPV4.finditer(text):
            octets = [int(p) for p in m.group(0).split(".")]
            if max(octets) > 255 or octets[0] in (0, 127, 255) or octets[3] == 0:
                continue  # unspecified, loopback, masks, networks: they identify nobody
            if _VERSION_BEFORE.search(text, max(0, m.start() - 30), m.start()) or \
                    _NOT_ADDRESS_BEFORE.search(text, max(0, m.start() - 11), m.start()):
                continue  # "Version=4.1.3.1", "v2.1.0.5": a version number shaped like an address
            add(m.start(), m.end(), "ipv4", 5)
        pattern = self._learned_pattern()
        if pattern is not None:
            for m in pattern.finditer(text):
                category = self.learned.get(m.group(0).casefold(), ("other",))[0]
                add(m.start(), m.end(), category, 6)
        found.sort()
        out: list[_Span] = []
        end = 0
        for start, neg_len, _, category, value in found:
            if start >= end:
                out.append(_Span(start, start - neg_len, category, value))
                end = start - neg_len
        return out

    def pseudonym(self, category: str, value: str) -> str:
        """The stable stand-in for ``value``: numbered per category in the order values are first met."""
        key = (category, _key(category, value))
        name = self._names.get(key)
        if name is None:
            number = 1 + sum(1 for c, _ in self._names if c == category)
            name = self._names[key] = f"{PREFIXES[category]}-{number}"
            self._first[key] = value
        return name

    def redact_text(self, text: str) -> str:
        """``text`` with every personal value replaced (pseudonyms continue the numbering so far)."""
        spans = self.spans(text)
        if not spans:
            return text
        parts: list[str] = []
        pos = 0
        for s in spans:
            parts.append(text[pos:s.start])
            parts.append(self.pseudonym(s.category, s.value))
            if text[s.end:s.end + 1].isdigit():
                parts.append(" ")  # 张伟2023年 → "PERSON-1 2023年", not "PERSON-12023年"
            key = (s.category, _key(s.category, s.value))
            self._counts[key] = self._counts.get(key, 0) + 1
            pos = s.end
        parts.append(text[pos:])
        return "".join(parts)

    # -------------------------------------------------------------------------------------- whole summaries

    #: keys of a summary whose values are ours (codes, enums, hashes), never personal
    SKIP_KEYS = frozenset({"schema", "lang", "severity", "severity_text", "rule_id", "level", "sha256", "generated"})

    def _strings(self, obj: Any, key: str | None = None) -> Iterator[str]:
        if key in self.SKIP_KEYS:
            return
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, dict):
            for k, v in obj.items():
                yield from self._strings(v, k)
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                yield from self._strings(v, key)

    def _rewrite(self, obj: Any, key: str | None = None) -> Any:
        if key in self.SKIP_KEYS:
            return obj
        if isinstance(obj, str):
            return self.redact_text(obj)
        if isinstance(obj, dict):
            return {k: self._rewrite(v, k) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return type(obj)(self._rewrite(v, key) for v in obj)
        return obj

    def _reset(self, texts: Iterable[str]) -> None:
        for text in texts:  # the summary itself may name a profile path the store did not
            self.learn_from_text(text, "summary")
        self._names.clear()
        self._counts.clear()
        self._first.clear()

    def apply(self, summary: Any) -> Any:
        """A redacted copy of ``summary`` (any nesting of dicts, lists and strings); numbering starts afresh."""
        self._reset(list(self._strings(summary)))
        return self._rewrite(summary)

    def kinds(self) -> dict[str, tuple[int, int]]:
        """What the last :meth:`apply` replaced: category → (distinct values, replacements), in
        :data:`PREFIXES` order."""
        values: dict[str, int] = {}
        replaced: dict[str, int] = {}
        for category, _ in self._names:
            values[category] = values.get(category, 0) + 1
        for (category, _), count in self._counts.items():
            replaced[category] = replaced.get(category, 0) + count
        return {c: (values[c], replaced.get(c, 0)) for c in PREFIXES if values.get(c)}

    def preview(self, summary: Any) -> list[Replacement]:
        """What :meth:`apply` would replace in ``summary``, in pseudonym order, with counts and origins."""
        self.apply(summary)
        out = []
        for key, name in self._names.items():
            category, _ = key
            value = self._first[key]
            learned = self.learned.get(value.casefold())
            origin = learned[2] if learned and learned[0] == category else "pattern"
            out.append(Replacement(category, value, name, self._counts.get(key, 0), origin))
        return out


def redaction_note(kinds: dict[str, tuple[int, int]], lang: str) -> dict[str, Any]:
    """What a redacted summary tells its reader about the redaction: per kind, how many distinct values were
    replaced (``kinds`` from :meth:`Redactor.kinds`), and one sentence in ``lang`` (``en`` or ``zh``).

    The reader outside the customer sees that ``PC-1`` stands for a computer name and that addresses were
    taken out on purpose, not lost."""
    rows = []
    for category, (values, replacements) in kinds.items():
        singular, plural, chinese = LABELS[category]
        label = chinese if lang == "zh" else singular if values == 1 else plural
        rows.append({"category": category, "label": label, "values": values, "replacements": replacements})
    if lang == "zh":
        text = ("发送前已脱敏（个人信息已替换为 USER-1、PC-1 之类的代号）：" +
                "、".join(f"{r['label']} {r['values']} 个" for r in rows) + "。") if rows \
            else "已开启脱敏，未发现需要替换的个人信息。"
    else:
        text = ("Redacted before sending (personal data replaced by pseudonyms such as USER-1, PC-1): " +
                ", ".join(f"{r['values']} {r['label']}" for r in rows) + ".") if rows \
            else "Redaction was on; no personal data was found to replace."
    return {"kinds": rows, "text": text}
