<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CombinedExportDialog</name>
    <message>
        <source>Export combined summary</source>
        <translation>导出合并总结</translation>
    </message>
    <message>
        <source>Text (.txt)</source>
        <translation>纯文本 (.txt)</translation>
    </message>
    <message>
        <source>E-mail draft (.eml)</source>
        <translation>邮件草稿 (.eml)</translation>
    </message>
    <message>
        <source>Replace personal values with pseudonyms</source>
        <translation>用化名替换个人信息</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
</context>
<context>
    <name>CustomerController</name>
    <message>
        <source>Machines</source>
        <translation>机器</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open c&amp;ustomer case…</source>
        <translation>打开客户案例(&amp;U)…</translation>
    </message>
    <message>
        <source>&amp;Add machine to this case…</source>
        <translation>向此案例添加机器(&amp;A)…</translation>
    </message>
    <message>
        <source>Export com&amp;bined summary…</source>
        <translation>导出合并总结(&amp;B)…</translation>
    </message>
    <message>
        <source>Open a customer case</source>
        <translation>打开客户案例</translation>
    </message>
    <message>
        <source>Customer cases (*.wbcustomer)</source>
        <translation>客户案例 (*.wbcustomer)</translation>
    </message>
    <message>
        <source>Add machines to this case</source>
        <translation>向此案例添加机器</translation>
    </message>
    <message>
        <source>Case archives (*.zip *.7z *.001 *.wbcase);;All files (*)</source>
        <translation>案例存档 (*.zip *.7z *.001 *.wbcase);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Customer case</source>
        <translation>客户案例</translation>
    </message>
    <message>
        <source>Name of this customer case (the file is saved beside the first archive):</source>
        <translation>客户案例的名称（文件保存在第一个存档旁边）：</translation>
    </message>
    <message>
        <source>Opening the customer case…</source>
        <translation>正在打开客户案例…</translation>
    </message>
    <message>
        <source>Reading %1 (%2 of %3)…</source>
        <translation>正在读取 %1（第 %2 个，共 %3 个）…</translation>
    </message>
    <message>
        <source>The customer case could not be opened: %1</source>
        <translation>无法打开客户案例：%1</translation>
    </message>
    <message>
        <source>Machines — %1</source>
        <translation>机器 — %1</translation>
    </message>
    <message>
        <source>Notes — %1</source>
        <translation>笔记 — %1</translation>
    </message>
    <message>
        <source>%1 cannot be opened.</source>
        <translation>无法打开 %1。</translation>
    </message>
    <message>
        <source>%1 — Case Workbench</source>
        <translation>%1 — 案例工作台</translation>
    </message>
</context>
<context>
    <name>MachinesPane</name>
    <message>
        <source>Suspects common to the failures</source>
        <translation>各次失败的共同嫌疑</translation>
    </message>
    <message>
        <source>Other third-party software</source>
        <translation>其他第三方软件</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>Add machine…</source>
        <translation>添加机器…</translation>
    </message>
    <message>
        <source>Show this machine</source>
        <translation>显示此机器</translation>
    </message>
    <message>
        <source>Open in a new window</source>
        <translation>在新窗口中打开</translation>
    </message>
    <message>
        <source>Export combined summary…</source>
        <translation>导出合并总结…</translation>
    </message>
    <message>
        <source>No customer case is open. Add machines (File › Add machine to this case, or drop several archives on the window) to compare them side by side.</source>
        <translation>没有打开客户案例。添加机器（文件 › 向此案例添加机器，或将多个存档拖到窗口上）即可并排比较。</translation>
    </message>
    <message>
        <source>Versions where a source gives them; ✓ present without a version; — absent; ⚠ named the culprit on that machine. Click a machine's header to show it in every pane.</source>
        <translation>有来源给出版本时显示版本；✓ 表示存在但没有版本；— 表示没有；⚠ 表示在该机器上被认定为肇事模块。单击机器的列标题即可让所有窗格显示该机器。</translation>
    </message>
</context>
<context>
    <name>DetailModel</name>
    <message>
        <source>set when the case is read to the end</source>
        <translation>案例读完后确定</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>time (case clock)</source>
        <translation>时间（案例时钟）</translation>
    </message>
    <message>
        <source>time (UTC)</source>
        <translation>时间（UTC）</translation>
    </message>
    <message>
        <source>clock written by the source</source>
        <translation>来源记录时使用的时钟</translation>
    </message>
    <message>
        <source>source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>line / record</source>
        <translation>行 / 记录</translation>
    </message>
    <message>
        <source>level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>component</source>
        <translation>组件</translation>
    </message>
    <message>
        <source>message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>DriversModel</name>
    <message>
        <source>Module</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Maker</source>
        <translation>厂商</translation>
    </message>
    <message>
        <source>On stack</source>
        <translation>在栈上</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>基址</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Timestamp</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>判断依据</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Microsoft</source>
        <translation>微软</translation>
    </message>
    <message>
        <source>third-party</source>
        <translation>第三方</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
</context>
<context>
    <name>DumpPane</name>
    <message>
        <source>The time of this crash is unknown.</source>
        <translation>这次崩溃的时间未知。</translation>
    </message>
    <message>
        <source>The crash, at this moment (%1).</source>
        <translation>崩溃就在此刻（%1）。</translation>
    </message>
    <message>
        <source>%1 after this moment</source>
        <translation>在此刻之后 %1</translation>
    </message>
    <message>
        <source>%1 before this moment</source>
        <translation>在此刻之前 %1</translation>
    </message>
    <message>
        <source>This crash is at %1, %2.</source>
        <translation>这次崩溃发生在 %1，%2。</translation>
    </message>
    <message>
        <source>frame %1</source>
        <translation>帧 %1</translation>
    </message>
    <message>
        <source>Crash source:</source>
        <translation>崩溃来源：</translation>
    </message>
    <message>
        <source>Culprit and links</source>
        <translation>肇事模块与关联</translation>
    </message>
    <message>
        <source>Drivers</source>
        <translation>驱动</translation>
    </message>
    <message>
        <source>No crash dump or debugger text in this case.</source>
        <translation>此案例中没有崩溃转储或调试器文本。</translation>
    </message>
    <message>
        <source>Drivers (%1)</source>
        <translation>驱动（%1）</translation>
    </message>
    <message>
        <source>(name unknown)</source>
        <translation>（名称未知）</translation>
    </message>
    <message>
        <source>Exception %1</source>
        <translation>异常 %1</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>位于 %1</translation>
    </message>
    <message>
        <source>No bugcheck in this source</source>
        <translation>此来源中没有蓝屏代码</translation>
    </message>
    <message>
        <source>Culprit:</source>
        <translation>肇事模块：</translation>
    </message>
    <message>
        <source>build %1</source>
        <translation>内部版本 %1</translation>
    </message>
    <message>
        <source>The debugger text has no crash time; the time is where %1 reports this bugcheck.</source>
        <translation>调试器文本中没有崩溃时间；此处使用 %1 报告该蓝屏的时间。</translation>
    </message>
    <message>
        <source>(not described)</source>
        <translation>（无说明）</translation>
    </message>
    <message>
        <source>Arg%1</source>
        <translation>参数%1</translation>
    </message>
    <message>
        <source>Exception address: %1</source>
        <translation>异常地址：%1</translation>
    </message>
    <message>
        <source>Why %1</source>
        <translation>为何判定 %1</translation>
    </message>
    <message>
        <source>Driver %1</source>
        <translation>驱动 %1</translation>
    </message>
    <message>
        <source>Back to the culprit, %1</source>
        <translation>返回肇事模块 %1</translation>
    </message>
    <message>
        <source>No culprit</source>
        <translation>未找到肇事模块</translation>
    </message>
    <message>
        <source>The stack names no module to blame.</source>
        <translation>栈中没有可归咎的模块。</translation>
    </message>
    <message>
        <source>How far to trust the stack</source>
        <translation>栈的可信程度</translation>
    </message>
    <message>
        <source>Install sections in setupapi.dev.log</source>
        <translation>setupapi.dev.log 中的安装段</translation>
    </message>
    <message>
        <source>No setupapi install section names %1.</source>
        <translation>没有 setupapi 安装段提到 %1。</translation>
    </message>
    <message>
        <source>No Procmon row mentions %1.</source>
        <translation>没有 Procmon 记录提到 %1。</translation>
    </message>
    <message>
        <source>Procmon activity</source>
        <translation>Procmon 活动</translation>
    </message>
    <message>
        <source>%1 more Procmon rows: search the case for %2.</source>
        <translation>另有 %1 条 Procmon 记录：请在案例中搜索 %2。</translation>
    </message>
    <message>
        <source>The crash itself</source>
        <translation>崩溃本身</translation>
    </message>
    <message>
        <source>Where the setup log reports the crash</source>
        <translation>安装日志报告崩溃之处</translation>
    </message>
    <message>
        <source>Around the crash time (%1)</source>
        <translation>崩溃时间前后（%1）</translation>
    </message>
    <message>
        <source>The crash time is unknown: no events to show around it.</source>
        <translation>崩溃时间未知：无法显示其前后的事件。</translation>
    </message>
    <message>
        <source>(no time)</source>
        <translation>（无时间）</translation>
    </message>
</context>
<context>
    <name>DumpsModel</name>
    <message>
        <source>Dump</source>
        <extracomment>Sort key role of the sortable tables: numbers sort as numbers, not as their hex text. Well-known NTSTATUS codes a crash&apos;s exception code is usually one of (ntstatus.h), to say it in words.</extracomment>
        <translation>转储</translation>
    </message>
    <message>
        <source>Crash time</source>
        <translation>崩溃时间</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>OS build</source>
        <translation>系统版本</translation>
    </message>
    <message>
        <source>Upgrade</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>kernel dump</source>
        <translation>内核转储</translation>
    </message>
    <message>
        <source>user-mode dump</source>
        <translation>用户态转储</translation>
    </message>
    <message>
        <source>WinDbg text</source>
        <translation>WinDbg 文本</translation>
    </message>
    <message>
        <source>time unknown</source>
        <translation>时间未知</translation>
    </message>
    <message>
        <source>the upgrade&apos;s crash (Setup&apos;s rollback dump)</source>
        <translation>本次升级的崩溃（Setup 回滚转储）</translation>
    </message>
    <message>
        <source>the upgrade&apos;s crash (during the setup logs)</source>
        <translation>本次升级的崩溃（发生在安装日志期间）</translation>
    </message>
    <message>
        <source>the upgrade&apos;s crash (WinDbg analysis of setupmem.dmp)</source>
        <translation>本次升级的崩溃（setupmem.dmp 的 WinDbg 分析）</translation>
    </message>
    <message>
        <source>the only crash to blame (no setup logs)</source>
        <translation>唯一可归咎的崩溃（无安装日志）</translation>
    </message>
    <message>
        <source>not the upgrade&apos;s</source>
        <translation>与本次升级无关</translation>
    </message>
    <message>
        <source>build %1</source>
        <translation>内部版本 %1</translation>
    </message>
    <message>
        <source>build unknown</source>
        <translation>版本未知</translation>
    </message>
    <message>
        <source>exception %1</source>
        <translation>异常 %1</translation>
    </message>
</context>
<context>
    <name>EventsModel</name>
    <message>
        <source>Time</source>
        <extracomment>Groups listed in the summary table (the biggest first); a case rarely has more distinct event IDs. Record tuple layout: the timeline&apos;s ten fields (as in TimelineModel.record), then the EVTX columns. Facets a filter box can list: the name used in :class:`EventFilter`, and the SQL expression it groups by. Group-by modes of the summary table: the key columns of each mode.</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供程序</translation>
    </message>
    <message>
        <source>Event ID</source>
        <translation>事件 ID</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>计算机</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Time (case clock)</source>
        <translation>时间（案例时钟）</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>时间（UTC）</translation>
    </message>
    <message>
        <source>(no time)</source>
        <translation>（无时间）</translation>
    </message>
    <message>
        <source>Record number</source>
        <translation>记录号</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>已损坏</translation>
    </message>
    <message>
        <source>yes: provider, time or channel could not be read</source>
        <translation>是：无法读取提供程序、时间或通道</translation>
    </message>
    <message>
        <source>Level (as written)</source>
        <translation>级别（原始值）</translation>
    </message>
</context>
<context>
    <name>EventsPane</name>
    <message>
        <source>No event at this moment.</source>
        <translation>此刻没有事件。</translation>
    </message>
    <message>
        <source>%1 after this moment</source>
        <translation>在此刻之后 %1</translation>
    </message>
    <message>
        <source>%1 before this moment</source>
        <translation>在此刻之前 %1</translation>
    </message>
    <message>
        <source>No event at this moment; the nearest, shown, is %1 (%2).</source>
        <translation>此刻没有事件；显示的是最近的一条，%1（%2）。</translation>
    </message>
    <message>
        <source>Show the Computer column</source>
        <extracomment>Up to this many records the value lists and groups are counted on the GUI thread; above, in a thread.</extracomment>
        <translation>显示“计算机”列</translation>
    </message>
    <message>
        <source>No event logs (EVTX) in this case.</source>
        <translation>此案例中没有事件日志（EVTX）。</translation>
    </message>
    <message>
        <source>All event IDs</source>
        <translation>所有事件 ID</translation>
    </message>
    <message>
        <source>Event IDs: a list, ranges, and -ID to leave one out (as Event Viewer)</source>
        <translation>事件 ID：可输入列表、范围，用 -ID 排除某个 ID（与事件查看器相同）</translation>
    </message>
    <message>
        <source>Text (words, &quot;phrase&quot;, prefix*)</source>
        <translation>文本（词语、&quot;短语&quot;、前缀*）</translation>
    </message>
    <message>
        <source>from (case clock)</source>
        <translation>起始（案例时钟）</translation>
    </message>
    <message>
        <source>to</source>
        <translation>截止</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Around selection</source>
        <translation>所选事件前后</translation>
    </message>
    <message>
        <source>Show every event within ±N minutes of the selected one</source>
        <translation>显示所选事件前后 ±N 分钟内的所有事件</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供程序</translation>
    </message>
    <message>
        <source>Event ID</source>
        <translation>事件 ID</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Group by event ID and provider</source>
        <translation>按事件 ID 和提供程序分组</translation>
    </message>
    <message>
        <source>Group by event ID</source>
        <translation>按事件 ID 分组</translation>
    </message>
    <message>
        <source>Group by provider</source>
        <translation>按提供程序分组</translation>
    </message>
    <message>
        <source>Group by log</source>
        <translation>按日志分组</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Fields</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>XML</source>
        <translation>XML</translation>
    </message>
    <message>
        <source>Show ±N minutes around this event</source>
        <translation>显示此事件前后 ±N 分钟</translation>
    </message>
    <message>
        <source>Only this provider</source>
        <translation>仅此提供程序</translation>
    </message>
    <message>
        <source>Only this event ID</source>
        <translation>仅此事件 ID</translation>
    </message>
    <message>
        <source>Leave out this event ID</source>
        <translation>排除此事件 ID</translation>
    </message>
    <message>
        <source>All logs</source>
        <translation>所有日志</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>所有级别</translation>
    </message>
    <message>
        <source>All providers</source>
        <translation>所有提供程序</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>%1 and worse</source>
        <translation>%1 及更严重</translation>
    </message>
    <message>
        <source>Not an event ID: %1</source>
        <translation>不是有效的事件 ID：%1</translation>
    </message>
    <message>
        <source>Not a time: %1</source>
        <translation>不是有效的时间：%1</translation>
    </message>
    <message>
        <source>Searched as a phrase: the text is not a full-text query</source>
        <translation>已按短语搜索：该文本不是有效的全文查询</translation>
    </message>
    <message>
        <source>%1 of %2 events</source>
        <translation>%1 / %2 个事件</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 个事件</translation>
    </message>
    <message>
        <source>The file of this record is not in the case folder any more.</source>
        <translation>此记录所在的文件已不在案例文件夹中。</translation>
    </message>
    <message>
        <source>Reading the record from the file…</source>
        <translation>正在从文件中读取该记录…</translation>
    </message>
    <message>
        <source>The record could not be read again from the file.</source>
        <translation>无法从文件中重新读取该记录。</translation>
    </message>
</context>
<context>
    <name>EvidenceModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export summary</source>
        <translation>导出摘要</translation>
    </message>
    <message>
        <source>E-mail draft (.eml)</source>
        <translation>电子邮件草稿 (.eml)</translation>
    </message>
    <message>
        <source>HTML (.html)</source>
        <translation>HTML (.html)</translation>
    </message>
    <message>
        <source>Markdown (.md)</source>
        <translation>Markdown (.md)</translation>
    </message>
    <message>
        <source>Plain text (.txt)</source>
        <translation>纯文本 (.txt)</translation>
    </message>
    <message>
        <source>The summary&apos;s language, independent of the interface language</source>
        <translation>摘要所用的语言，与界面语言无关</translation>
    </message>
    <message>
        <source>Replace personal data with pseudonyms (user, computer, addresses…)</source>
        <translation>用化名替换个人数据（用户、计算机、地址…）</translation>
    </message>
    <message>
        <source>Attach the summary as Markdown</source>
        <translation>附加 Markdown 格式的摘要</translation>
    </message>
    <message>
        <source>Attach the evidence excerpts</source>
        <translation>附加证据摘录</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Summary language:</source>
        <translation>摘要语言：</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Redaction preview</source>
        <translation>脱敏预览</translation>
    </message>
    <message>
        <source>Never redact the selected values</source>
        <translation>所选值从不脱敏</translation>
    </message>
    <message>
        <source>A value to always redact (a project or site name…)</source>
        <translation>要始终脱敏的值（项目名、站点名…）</translation>
    </message>
    <message>
        <source>Always redact</source>
        <translation>始终脱敏</translation>
    </message>
    <message>
        <source>Remove from the list</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <source>This case&apos;s list (shared with `workbench report`):</source>
        <translation>此案例的列表（与 `workbench report` 共用）：</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Copy to clipboard</source>
        <translation>复制到剪贴板</translation>
    </message>
    <message>
        <source>HTML and plain text, in this language and redaction, to paste into an e-mail</source>
        <translation>按当前语言和脱敏设置复制 HTML 和纯文本，可粘贴到电子邮件中</translation>
    </message>
    <message>
        <source>Summary (*.%1);;All files (*)</source>
        <translation>摘要 (*.%1);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Values to replace: %1.</source>
        <translation>要替换的值：%1。</translation>
    </message>
    <message>
        <source>Not redacted: names and addresses in the case appear as they are.</source>
        <translation>未脱敏：案例中的名称和地址将按原样出现。</translation>
    </message>
    <message>
        <source>always redact: %1 (%2)</source>
        <translation>始终脱敏：%1（%2）</translation>
    </message>
    <message>
        <source>never redact: %1</source>
        <translation>从不脱敏：%1</translation>
    </message>
    <message>
        <source>Copied: paste it into an e-mail (rich text) or anywhere else (plain text).</source>
        <translation>已复制：可粘贴到电子邮件（富文本）或其他任何地方（纯文本）。</translation>
    </message>
    <message>
        <source>Choose a file name first.</source>
        <translation>请先选择文件名。</translation>
    </message>
    <message>
        <source>%1 exists. Replace it?</source>
        <translation>%1 已存在。要替换吗？</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>FilesModel</name>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>记录数</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>FindingsModel</name>
    <message>
        <source>Rank: how directly the finding explains the failure (the culprit's first, crashes that are not the upgrade's last). The list is in this order, not sorted by a column.</source>
        <translation>排名：该发现对这次失败的解释有多直接（肇事模块的发现在最前，与本次升级无关的崩溃在最后）。列表按此顺序排列，不是按某一列排序。</translation>
    </message>
    <message>
        <source>How strongly a signature matched (0-100), within one severity; not the order of the list, which is the rank (#)</source>
        <translation>特征规则匹配的强度（0-100），只在同一严重性内比较；不是列表的顺序，列表按排名（#）排列</translation>
    </message>
    <message>
        <source>Severity</source>
        <extracomment>SetupDiag&apos;s own result (facts the SetupDiagResults.xml parser writes), in the order they are shown</extracomment>
        <translation>严重性</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Orders findings of one severity: signatures score 0-1 by closeness to the failure</source>
        <translation>用于同一严重性内的发现排序：特征规则按与故障的接近程度打 0-1 分</translation>
    </message>
</context>
<context>
    <name>FindingsPane</name>
    <message>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Analysis not run: the ingest did not finish. Resume it from the case overview; the findings come when the case is read to the end.</source>
        <translation>未运行分析：导入没有完成。请在案例概览中继续导入；案例读完后才会有发现。</translation>
    </message>
    <message>
        <source>Signature problems</source>
        <translation>特征规则问题</translation>
    </message>
    <message>
        <source>No findings: no analyzer recognised a known failure in this case.</source>
        <translation>没有发现：分析器未在此案例中识别出已知故障。</translation>
    </message>
    <message>
        <source>Select a finding to see its details, what to do and its evidence lines.</source>
        <translation>选择一个发现，查看其详情、处理建议和证据行。</translation>
    </message>
    <message>
        <source>no profile matched</source>
        <translation>未匹配任何规则</translation>
    </message>
    <message numerus="yes">
        <source>%n line(s), listed below; first</source>
        <translation>
            <numerusform>共 %n 行，列于下方；首行</numerusform>
        </translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <source>SetupDiag says</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>SetupDiag 结论</translation>
    </message>
    <message>
        <source>Severity</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>严重性</translation>
    </message>
    <message>
        <source>Rule</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>规则</translation>
    </message>
    <message>
        <source>Details</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>详情</translation>
    </message>
    <message>
        <source>What to do</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>处理建议</translation>
    </message>
    <message>
        <source>Also seen as</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string): the same crash as other sources reported it</translatorcomment>
        <translation>同一原因的其他发现</translation>
    </message>
</context>
<context>
    <name>FramesModel</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Frame</source>
        <translation>栈帧</translation>
    </message>
    <message>
        <source>Found by</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>可信度</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>context record</source>
        <translation>上下文记录</translation>
    </message>
    <message>
        <source>exception record</source>
        <translation>异常记录</translation>
    </message>
    <message>
        <source>debugger text</source>
        <translation>调试器文本</translation>
    </message>
    <message>
        <source>unwind data (.pdata)</source>
        <translation>展开数据（.pdata）</translation>
    </message>
    <message>
        <source>stack scan</source>
        <translation>栈扫描</translation>
    </message>
    <message>
        <source>Read from the CONTEXT record the bugcheck points to: the faulting instruction.</source>
        <translation>读取自蓝屏参数指向的 CONTEXT 记录：出错的指令。</translation>
    </message>
    <message>
        <source>The address of the exception record: where the fault happened.</source>
        <translation>异常记录中的地址：出错的位置。</translation>
    </message>
    <message>
        <source>Copied from the stack listing the engineer saved from WinDbg (with symbols).</source>
        <translation>摘自工程师保存的 WinDbg 栈输出（带符号）。</translation>
    </message>
    <message>
        <source>Found by unwinding with the module image&apos;s .pdata: an exact return address.</source>
        <translation>用模块映像的 .pdata 展开得到：准确的返回地址。</translation>
    </message>
    <message>
        <source>A value on the stack that points into a loaded module&apos;s code: may be stale.</source>
        <translation>栈上指向已加载模块代码的值：可能是过时的残留。</translation>
    </message>
    <message>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <source>high</source>
        <translation>高</translation>
    </message>
    <message>
        <source>medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>culprit</source>
        <translation>肇事模块</translation>
    </message>
</context>
<context>
    <name>GroupsModel</name>
    <message>
        <source>Event ID</source>
        <translation>事件 ID</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>提供程序</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>Note history</source>
        <translation>笔记历史</translation>
    </message>
    <message>
        <source>Show every save</source>
        <translation>显示每次保存</translation>
    </message>
    <message>
        <source>Otherwise only the last save of each burst of typing is listed</source>
        <translation>否则每段连续输入只列出最后一次保存</translation>
    </message>
    <message>
        <source>Restore this version</source>
        <translation>恢复此版本</translation>
    </message>
    <message>
        <source>%1 characters</source>
        <translation>%1 个字符</translation>
    </message>
</context>
<context>
    <name>InterferenceModel</name>
    <message>
        <source>What</source>
        <extracomment>what each procmon.* rule means, as the interference view&apos;s first column says it</extracomment>
        <translation>类型</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>严重性</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Finding / event</source>
        <translation>发现 / 事件</translation>
    </message>
    <message>
        <source>event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Third-party module in Setup</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr(RULE_LABELS[...]), a dynamic string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>Setup 中的第三方模块</translation>
    </message>
    <message>
        <source>Third-party process on Setup&apos;s files</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr(RULE_LABELS[...]), a dynamic string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>第三方进程访问 Setup 的文件</translation>
    </message>
    <message>
        <source>Denied / sharing violation</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr(RULE_LABELS[...]), a dynamic string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>拒绝访问 / 共享冲突</translation>
    </message>
    <message>
        <source>Before an abnormal exit</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr(RULE_LABELS[...]), a dynamic string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>异常退出之前</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The last import of this case stopped before its end; it goes on with the %1 file(s) not read to the end, from %2, which is read again from its start: the rows it had are set aside, so the table shows fewer rows than before until it is read.</source>
        <translation>该案例上次的导入没有完成；现在从未读完的 %1 个文件继续，从 %2 开始，该文件会从头重新读取：它已有的行先被搁置，所以在它读完之前，表格中的行会比之前少。</translation>
    </message>
    <message>
        <source>%1 is encrypted: it is read once its password is given.</source>
        <translation>%1 已加密：输入密码后才会读取。</translation>
    </message>
    <message>
        <source>%1 is encrypted: it opens with its password.</source>
        <translation>%1 已加密：需要密码才能打开。</translation>
    </message>
    <message>
        <source>The password does not open %1, or its header is damaged.</source>
        <translation>该密码无法打开 %1，或其文件头已损坏。</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <source>sorting %1 rows</source>
        <translation>正在排序 %1 行</translation>
    </message>
    <message>
        <source>analysing %1 rows</source>
        <translation>正在分析 %1 行</translation>
    </message>
    <message>
        <source>%1 left in all</source>
        <translation>全部完成还需%1</translation>
    </message>
    <message>
        <source>%1 left in this step</source>
        <translation>此步骤还需%1</translation>
    </message>
    <message>
        <source>file %1 of %2</source>
        <translation>第 %1 个文件，共 %2 个</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余%1</translation>
    </message>
    <message>
        <source>Sorting the rows by time and indexing them for search…</source>
        <translation>正在按时间排序并建立搜索索引…</translation>
    </message>
    <message>
        <source>Analyzing…</source>
        <translation>正在分析…</translation>
    </message>
    <message>
        <source>Reading the case: rows appear as the files are read, file after file; they are sorted by time when the ingest ends.</source>
        <translation>正在读取案例：各行按文件读取的顺序逐个出现；导入结束时按时间排序。</translation>
    </message>
    <message>
        <source>The strip is drawn when the case is read to the end.</source>
        <translation>案例读完后才绘制时间条。</translation>
    </message>
    <message>
        <source>The analysis runs when the case is read to the end; the findings come then.</source>
        <translation>案例读完后才运行分析，届时会列出发现。</translation>
    </message>
    <message>
        <source>Resume it from the case overview.</source>
        <translation>可在案例概览中继续导入。</translation>
    </message>
    <message>
        <source>The ingest did not finish: these rows are in the order they were read, not yet sorted by time or analyzed. Resume it from the case overview.</source>
        <translation>导入没有完成：这些行按读取顺序排列，尚未按时间排序，也未分析。请在案例概览中继续导入。</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Case Workbench</source>
        <translation>案例工作台</translation>
    </message>
    <message>
        <source>Case overview</source>
        <translation>案例概览</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>Timeline strip</source>
        <translation>时间线概览</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Source detail</source>
        <translation>来源详情</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>笔记</translation>
    </message>
    <message>
        <source>Event logs</source>
        <translation>事件日志</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open case…</source>
        <translation>打开案例(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel ingest</source>
        <translation>取消导入(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Export summary…</source>
        <translation>导出摘要(&amp;E)…</translation>
    </message>
    <message>
        <source>Copy &amp;summary</source>
        <translation>复制摘要(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Next error</source>
        <translation>下一个错误(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Previous error</source>
        <translation>上一个错误(&amp;P)</translation>
    </message>
    <message>
        <source>Next &amp;finding</source>
        <translation>下一个发现(&amp;F)</translation>
    </message>
    <message>
        <source>Go to &amp;time…</source>
        <translation>转到时间(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Search the case…</source>
        <translation>搜索案例(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>Case &amp;time zone…</source>
        <translation>案例时区(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Case Workbench</source>
        <translation>关于案例工作台(&amp;A)</translation>
    </message>
    <message>
        <source>overall %p%</source>
        <translation>总体 %p%</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The clock every pane shows. Click to change the case time zone.</source>
        <translation>所有窗格使用的时钟。单击可更改案例时区。</translation>
    </message>
    <message>
        <source>Open a case</source>
        <translation>打开案例</translation>
    </message>
    <message>
        <source>Case archives and logs (*.zip *.7z *.log *.evtx *.pml *.csv *.xml *.dmp *.nfo *.txt);;All files (*)</source>
        <translation>案例压缩包和日志 (*.zip *.7z *.log *.evtx *.pml *.csv *.xml *.dmp *.nfo *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open a case folder</source>
        <translation>打开案例文件夹</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>%1 — Case Workbench</source>
        <translation>%1 — 案例工作台</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Hashing</source>
        <translation>计算哈希</translation>
    </message>
    <message>
        <source>Listing files</source>
        <translation>列出文件</translation>
    </message>
    <message>
        <source>Extracting</source>
        <translation>解压</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>读取</translation>
    </message>
    <message>
        <source>Sorting the timeline</source>
        <translation>排序时间线</translation>
    </message>
    <message>
        <source>Analyzing</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>%1 is encrypted. Enter its password:</source>
        <translation>%1 已加密。请输入密码：</translation>
    </message>
    <message>
        <source>That password does not open %1. Try again:</source>
        <translation>该密码无法打开 %1。请重试：</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Not opened: no password given.</source>
        <translation>未打开：没有提供密码。</translation>
    </message>
    <message>
        <source>%1 files and %2 timeline rows are loaded.</source>
        <translation>已加载 %1 个文件和 %2 行时间线。</translation>
    </message>
    <message>
        <source>Ingest cancelled. </source>
        <translation>导入已取消。</translation>
    </message>
    <message>
        <source>Opening %1 stopped: %2</source>
        <translation>打开 %1 时中止：%2</translation>
    </message>
    <message>
        <source>Case not fully loaded</source>
        <translation>案例未完全加载</translation>
    </message>
    <message>
        <source>Opened from the case database.</source>
        <translation>已从案例数据库打开。</translation>
    </message>
    <message>
        <source>Ingest complete.</source>
        <translation>导入完成。</translation>
    </message>
    <message>
        <source>%1 problems: see the Problems pane.</source>
        <translation>%1 个问题：见“问题”窗格。</translation>
    </message>
    <message>
        <source>Clock: %1</source>
        <translation>时钟：%1</translation>
    </message>
    <message>
        <source>Go to time</source>
        <translation>转到时间</translation>
    </message>
    <message>
        <source>Time on the case clock (2021-05-18 03:11:02), or UTC with a Z at the end:</source>
        <translation>案例时钟上的时间（2021-05-18 03:11:02），或以 Z 结尾的 UTC 时间：</translation>
    </message>
    <message>
        <source>(as the case&apos;s own logs say)</source>
        <translation>（按案例日志中的时区）</translation>
    </message>
    <message>
        <source>Case time zone</source>
        <translation>案例时区</translation>
    </message>
    <message>
        <source>Show every time in this zone, or at an offset like +08:00 (the case is read again):</source>
        <translation>以此时区（或 +08:00 这样的偏移）显示所有时间（将重新读取案例）：</translation>
    </message>
    <message>
        <source>%1 is not a time zone.</source>
        <translation>%1 不是有效的时区。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The new language is used the next time Case Workbench starts.</source>
        <translation>新语言将在下次启动案例工作台时生效。</translation>
    </message>
    <message>
        <source>About Case Workbench</source>
        <translation>关于案例工作台</translation>
    </message>
    <message>
        <source>Case Workbench %1: diagnose failed Windows feature upgrades, offline.</source>
        <translation>案例工作台 %1：离线诊断失败的 Windows 功能更新。</translation>
    </message>
    <message>
        <source>Crash dump</source>
        <translation>崩溃转储</translation>
    </message>
    <message>
        <source>Error log</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>错误日志</translation>
    </message>
    <message>
        <source>Case folders</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>案例文件夹</translation>
    </message>
    <message>
        <source>Open a case first.</source>
        <translatorcomment>hand-added, not produced by lupdate (window.tr() in export_dialog.py: lupdate files it under context &apos;window&apos;, Qt looks it up under &apos;MainWindow&apos;); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>请先打开案例。</translation>
    </message>
    <message>
        <source>redacted</source>
        <translatorcomment>hand-added, not produced by lupdate (window.tr() in export_dialog.py: lupdate files it under context &apos;window&apos;, Qt looks it up under &apos;MainWindow&apos;); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>已脱敏</translation>
    </message>
    <message>
        <source>not redacted</source>
        <translatorcomment>hand-added, not produced by lupdate (window.tr() in export_dialog.py: lupdate files it under context &apos;window&apos;, Qt looks it up under &apos;MainWindow&apos;); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>未脱敏</translation>
    </message>
    <message>
        <source>Summary copied (%1, %2): paste it into an e-mail.</source>
        <translatorcomment>hand-added, not produced by lupdate (window.tr() in export_dialog.py: lupdate files it under context &apos;window&apos;, Qt looks it up under &apos;MainWindow&apos;); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>摘要已复制（%1，%2）：可粘贴到电子邮件中。</translation>
    </message>
    <message>
        <source>Summary written to %1</source>
        <translatorcomment>hand-added, not produced by lupdate (window.tr() in export_dialog.py: lupdate files it under context &apos;window&apos;, Qt looks it up under &apos;MainWindow&apos;); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>摘要已写入 %1</translation>
    </message>
</context>
<context>
    <name>ModulesModel</name>
    <message>
        <source>Module</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>基址</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
</context>
<context>
    <name>NotesPane</name>
    <message>
        <source>Customer case's notes</source>
        <translation>客户案例的笔记</translation>
    </message>
    <message>
        <source>This machine's notes</source>
        <translation>本机的笔记</translation>
    </message>
    <message>
        <source>This machine's own notes, kept with its case; the customer case's notes are under “Customer case's notes”.</source>
        <translation>这是本机自己的笔记，保存在本机的案例中；客户案例的笔记在“客户案例的笔记”下。</translation>
    </message>
    <message>
        <source>These are the customer case's notes. This machine has %1 note(s) of its own, kept with its case: choose “This machine's notes” to see them.</source>
        <translation>这里是客户案例的笔记。本机还有 %1 条自己的笔记，保存在本机的案例中：选择“本机的笔记”即可查看。</translation>
    </message>
    <message>
        <source>crash at %1</source>
        <translation>崩溃于 %1</translation>
    </message>
    <message>
        <source>(new note)</source>
        <extracomment>Longest time between the first unsaved keystroke and its save (the &quot;at most the last second&quot; promise). Versions saved closer together than this are one burst of typing; History shows the last of each burst.</extracomment>
        <translation>（新笔记）</translation>
    </message>
    <message>
        <source>New note</source>
        <translation>新建笔记</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Add selected row</source>
        <translation>添加所选行</translation>
    </message>
    <message>
        <source>Quote the selected row, with a link back to it</source>
        <translation>引用所选行，并附带指回该行的链接</translation>
    </message>
    <message>
        <source>History…</source>
        <translation>历史记录…</translation>
    </message>
    <message>
        <source>What was tried, what fixed it, next steps… (Markdown)</source>
        <translation>尝试过什么、什么解决了问题、下一步……（Markdown）</translation>
    </message>
    <message>
        <source>(empty note)</source>
        <translation>（空笔记）</translation>
    </message>
    <message>
        <source>Editing…</source>
        <translation>正在编辑…</translation>
    </message>
    <message>
        <source>Not saved (%1); retrying…</source>
        <translation>未保存（%1）；正在重试…</translation>
    </message>
    <message>
        <source>Saved at %1.</source>
        <translation>已于 %1 保存。</translation>
    </message>
    <message>
        <source>Added to the note “%1”.</source>
        <translation>已添加到笔记“%1”。</translation>
    </message>
    <message>
        <source>Notes cannot be read (%1).</source>
        <translation>无法读取笔记（%1）。</translation>
    </message>
</context>
<context>
    <name>OverviewPane</name>
    <message>
        <source>first read from %1</source>
        <translation>最初读取自 %1</translation>
    </message>
    <message>
        <source>%1 left in all</source>
        <translation>全部完成还需%1</translation>
    </message>
    <message>
        <source>%1 left in this step</source>
        <translation>此步骤还需%1</translation>
    </message>
    <message>
        <source>Reading the case</source>
        <translation>正在读取案例</translation>
    </message>
    <message>
        <source>file %1 of %2</source>
        <translation>第 %1 个文件，共 %2 个</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余%1</translation>
    </message>
    <message>
        <source>%1 timeline rows so far; the table shows them as they come, in the order the files are read.</source>
        <translation>目前已有 %1 条时间线行；表格按文件读取的顺序随时显示。</translation>
    </message>
    <message>
        <source>Cancel the ingest</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <source>Ingest cancelled</source>
        <translation>导入已取消</translation>
    </message>
    <message>
        <source>Ingest stopped before its end</source>
        <translation>导入在完成前停止</translation>
    </message>
    <message>
        <source>%1 of %2 files read, %3 timeline rows (in the order read, not yet sorted by time).</source>
        <translation>已读取 %2 个文件中的 %1 个，%3 条时间线行（按读取顺序，尚未按时间排序）。</translation>
    </message>
    <message>
        <source>Analysis: not run.</source>
        <translation>分析：未运行。</translation>
    </message>
    <message>
        <source>No finding, verdict or strip until the case is read to the end.</source>
        <translation>案例读完之前没有发现、结论和时间条。</translation>
    </message>
    <message>
        <source>Resume the ingest</source>
        <translation>继续导入</translation>
    </message>
    <message>
        <source>(continues from the first unfinished file)</source>
        <translation>（从第一个未读完的文件继续）</translation>
    </message>
    <message>
        <source>Build</source>
        <translation>版本号</translation>
    </message>
    <message>
        <source>Result code</source>
        <translation>结果代码</translation>
    </message>
    <message>
        <source>Extend code</source>
        <translation>扩展代码</translation>
    </message>
    <message>
        <source>No facts about the machine or the upgrade yet.</source>
        <translation>尚未得到有关这台机器或升级的信息。</translation>
    </message>
    <message>
        <source>Found so far</source>
        <translation>目前已发现</translation>
    </message>
    <message>
        <source>No case open. Use File › Open or drop an archive on the window.</source>
        <translation>没有打开的案例。请使用“文件 › 打开”，或将压缩包拖到窗口上。</translation>
    </message>
    <message>
        <source>phase 1, down-level (in the old OS)</source>
        <translation>第一阶段，下层（在旧系统中）</translation>
    </message>
    <message>
        <source>phase 2, SafeOS</source>
        <translation>第二阶段，SafeOS</translation>
    </message>
    <message>
        <source>phase 3, first boot</source>
        <translation>第三阶段，第一次启动</translation>
    </message>
    <message>
        <source>phase 4, second boot (OOBE)</source>
        <translation>第四阶段，第二次启动（OOBE）</translation>
    </message>
    <message>
        <source>phase 5, uninstall</source>
        <translation>第五阶段，卸载</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Upgrade</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>The upgrade failed</source>
        <translation>升级失败</translation>
    </message>
    <message>
        <source>The upgrade succeeded</source>
        <translation>升级成功</translation>
    </message>
    <message>
        <source>Not the failed upgrade&apos;s logs</source>
        <translation>不是失败升级的日志</translation>
    </message>
    <message>
        <source>Not enough logs to judge</source>
        <translation>日志不足，无法判断</translation>
    </message>
    <message>
        <source>Culprit</source>
        <translation>肇事模块</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>可信度</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>客户报告</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>分析过程</translation>
    </message>
    <message>
        <source>Next steps</source>
        <translation>建议 / 下一步</translation>
    </message>
    <message>
        <source>Reported by the customer, e.g. 0xC1900101-0x40017 10:35</source>
        <translation>客户报告的现象，例如 0xC1900101-0x40017 10:35</translation>
    </message>
    <message>
        <source>Phase</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Rolled back</source>
        <translation>已回滚</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>From build</source>
        <translation>源版本</translation>
    </message>
    <message>
        <source>To build</source>
        <translation>目标版本</translation>
    </message>
    <message>
        <source>Crash</source>
        <translation>崩溃</translation>
    </message>
    <message>
        <source>Bugcheck</source>
        <translation>蓝屏代码</translation>
    </message>
    <message>
        <source>Culprit module</source>
        <translation>肇事模块</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Computer</source>
        <translation>计算机</translation>
    </message>
    <message>
        <source>Windows</source>
        <translation>Windows</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>Top findings</source>
        <translation>主要发现</translation>
    </message>
    <message>
        <source>None yet.</source>
        <translation>暂无。</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案例</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Timeline rows</source>
        <translation>时间线行数</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
</context>
<context>
    <name>ProblemsModel</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
</context>
<context>
    <name>ProcessesModel</name>
    <message>
        <source>Process</source>
        <extracomment>event-count columns and the key of :attr:`ProcessNode.counts` each shows exit statuses engineers meet in failed upgrades, named in the exit column&apos;s tooltip</extracomment>
        <translation>进程</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Exit status</source>
        <translation>退出状态</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Marks</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Lifetime</source>
        <translation>运行时长</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Registry</source>
        <translation>注册表</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Profiling</source>
        <translation>性能分析</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Integrity</source>
        <translation>完整性级别</translation>
    </message>
    <message>
        <source>Image path</source>
        <translation>映像路径</translation>
    </message>
    <message>
        <source>Events of this class in the capture</source>
        <translation>捕获中此类别的事件数</translation>
    </message>
    <message>
        <source>unknown parent</source>
        <translation>父进程未知</translation>
    </message>
    <message>
        <source>These processes were started by a process that had exited before the capture began (or is not in it).</source>
        <translation>这些进程的父进程在捕获开始前已退出（或不在捕获中）。</translation>
    </message>
    <message>
        <source>still running at the end of the capture</source>
        <translation>捕获结束时仍在运行</translation>
    </message>
    <message>
        <source>setup</source>
        <translation>安装程序</translation>
    </message>
    <message>
        <source>third-party</source>
        <translation>第三方</translation>
    </message>
    <message>
        <source>suspect</source>
        <translation>嫌疑</translation>
    </message>
    <message>
        <source>abnormal-exit</source>
        <translation>异常退出</translation>
    </message>
</context>
<context>
    <name>ProcessesPane</name>
    <message>
        <source>, parent %1</source>
        <translation>，父进程 %1</translation>
    </message>
    <message>
        <source>started %1</source>
        <translation>启动于 %1</translation>
    </message>
    <message>
        <source>exited %1</source>
        <translation>退出于 %1</translation>
    </message>
    <message>
        <source>exit status %1</source>
        <translation>退出状态 %1</translation>
    </message>
    <message>
        <source>No process of the capture at this moment (%1).</source>
        <translation>此刻（%1）捕获中没有进程。</translation>
    </message>
    <message>
        <source>The capture covers %1 – %2.</source>
        <translation>捕获的时间范围是 %1 – %2。</translation>
    </message>
    <message>
        <source>Process tree</source>
        <translation>进程树</translation>
    </message>
    <message>
        <source>Interference</source>
        <translation>干扰</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>Modules</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>No Procmon capture in this case.</source>
        <translation>此案例中没有 Procmon 捕获。</translation>
    </message>
    <message>
        <source>Interference (%1)</source>
        <translation>干扰（%1）</translation>
    </message>
    <message>
        <source>Interference with Setup: %1 finding(s)</source>
        <translation>对 Setup 的干扰：%1 项发现</translation>
    </message>
    <message>
        <source>Interference with Setup: nothing found in the capture</source>
        <translation>对 Setup 的干扰：捕获中未发现</translation>
    </message>
    <message>
        <source>Modules (%1)</source>
        <translation>模块（%1）</translation>
    </message>
    <message>
        <source>Events (%1)</source>
        <translation>事件（%1）</translation>
    </message>
    <message>
        <source>processes whose parent exited before the capture started, or is not in it.</source>
        <translation>父进程在捕获开始前已退出或不在捕获中的进程。</translation>
    </message>
    <message>
        <source>Setup family</source>
        <translation>Setup 系列</translation>
    </message>
    <message>
        <source>third-party</source>
        <translation>第三方</translation>
    </message>
    <message>
        <source>still running at the end of the capture</source>
        <translation>捕获结束时仍在运行</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>映像</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>父进程</translation>
    </message>
    <message>
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Integrity</source>
        <translation>完整性级别</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Lifetime</source>
        <translation>运行时长</translation>
    </message>
    <message>
        <source>Exit status</source>
        <translation>退出状态</translation>
    </message>
    <message>
        <source>go to the exit event</source>
        <translation>转到退出事件</translation>
    </message>
    <message>
        <source>Marks</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Process index</source>
        <translation>进程索引</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Thread</source>
        <translation>线程</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <source>Stack</source>
        <translation>栈</translation>
    </message>
    <message>
        <source>not in the capture</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() inside an f-string); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>不在捕获中</translation>
    </message>
    <message>
        <source>suspect: the findings blame it (it put code into Setup, or kept Setup from its files)</source>
        <translation>嫌疑：发现指向它（它向安装程序注入了代码，或阻止安装程序访问其文件）</translation>
    </message>
</context>
<context>
    <name>ProcmonEventsModel</name>
    <message>
        <source>Time</source>
        <extracomment>view column -&gt; position in a block row the columns of one block row</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <source>TID</source>
        <translation>TID</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
</context>
<context>
    <name>QTableView</name>
    <message>
        <source>Copy rows</source>
        <translatorcomment>hand-added, not produced by lupdate (view.tr() in panes/common.py: lupdate files it under context &apos;view&apos;, Qt looks it up under the view&apos;s class); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>复制行</translation>
    </message>
    <message>
        <source>Add to notes</source>
        <translatorcomment>hand-added, not produced by lupdate (view.tr() in panes/common.py: lupdate files it under context &apos;view&apos;, Qt looks it up under the view&apos;s class); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>添加到笔记</translation>
    </message>
</context>
<context>
    <name>QTreeView</name>
    <message>
        <source>Copy rows</source>
        <translatorcomment>hand-added, not produced by lupdate (view.tr() in panes/processes.py: lupdate files it under context &apos;view&apos;, Qt looks it up under the view&apos;s class); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>复制行</translation>
    </message>
    <message>
        <source>Add to notes</source>
        <translatorcomment>hand-added, not produced by lupdate (view.tr() in panes/common.py: lupdate files it under context &apos;view&apos;, Qt looks it up under the view&apos;s class); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>添加到笔记</translation>
    </message>
</context>
<context>
    <name>ReplacementsModel</name>
    <message>
        <source>Pseudonym</source>
        <translation>化名</translation>
    </message>
    <message>
        <source>Replaces</source>
        <translation>替换的原值</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Times</source>
        <translation>次数</translation>
    </message>
    <message>
        <source>Recognised by</source>
        <translation>识别依据</translation>
    </message>
</context>
<context>
    <name>SearchModel</name>
    <message>
        <source>text, line %1</source>
        <translation>文本，第 %1 行</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>SearchPane</name>
    <message>
        <source>(%1 in the case's text files)</source>
        <translation>（其中 %1 条在案例的文本文件中）</translation>
    </message>
    <message>
        <source>Search all sources (e.g. 0xC1900101, MigHost, &quot;driver&quot;)</source>
        <translation>搜索所有来源（例如 0xC1900101、MigHost、&quot;driver&quot;）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Cannot search for that: %1</source>
        <translation>无法搜索：%1</translation>
    </message>
    <message>
        <source>First %1 hits shown; narrow the search.</source>
        <translation>仅显示前 %1 条结果；请缩小搜索范围。</translation>
    </message>
    <message>
        <source>%1 hits</source>
        <translation>%1 条结果</translation>
    </message>
    <message>
        <source>Searching the rows read so far…</source>
        <translation>正在搜索已读取的行…</translation>
    </message>
    <message>
        <source>indexing… (searched row by row until the index is built: slower, same hits)</source>
        <translation>正在建立索引…（索引建好之前逐行搜索：较慢，结果相同）</translation>
    </message>
</context>
<context>
    <name>SignatureProblemsModel</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>plugin failed to load: %s</source>
        <translation>插件加载失败：%s</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>Time</source>
        <extracomment>Error lines are also shaded, so they stand out while scrolling even where the level column is off screen.</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>组件</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>TimelinePane</name>
    <message>
        <source>No timeline rows in this case yet.</source>
        <translation>此案例中还没有时间线行。</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>所有级别</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>仅错误</translation>
    </message>
    <message>
        <source>Filter: words in the message or component</source>
        <translation>筛选：消息或组件中的词语</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>All sources</source>
        <translation>所有来源</translation>
    </message>
    <message>
        <source>All components</source>
        <translation>所有组件</translation>
    </message>
    <message>
        <source>%1 rows</source>
        <translation>%1 行</translation>
    </message>
    <message>
        <source>text filter failed: %1</source>
        <translation>文本筛选失败：%1</translation>
    </message>
</context>
<context>
    <name>TimelineStripPane</name>
    <message>
        <source>line %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>%1 rows, %2 errors</source>
        <translation>%1 行，%2 个错误</translation>
    </message>
    <message>
        <source>(zoom in to see the lines)</source>
        <translation>（放大后可查看各行）</translation>
    </message>
    <message>
        <source>No timeline rows with a time in this case.</source>
        <translation>此案例中没有带时间的时间线行。</translation>
    </message>
    <message>
        <source>No case open.</source>
        <translation>没有打开的案例。</translation>
    </message>
    <message>
        <source>Wheel: zoom · drag: pan · click: move the cursor · double-click: whole case</source>
        <extracomment>Up to this many rows in a case everything is computed on the GUI thread (well under 100 ms); above, in a thread. A visible span with at most this many rows is drawn row by row; a bigger one as binned counts. How close (pixels) the mouse must be to a marker for hover and click to mean that marker. Buckets of the one whole-case binning that zoomed-out views are summed from. Phase keys of ``setup.phases`` (and the names of MOUPG phases) → (label, colour).</extracomment>
        <translation>滚轮：缩放 · 拖动：平移 · 单击：移动光标 · 双击：显示整个案例</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>Phases</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>reboot</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>Setup log</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>安装日志</translation>
    </message>
    <message>
        <source>Event logs</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>事件日志</translation>
    </message>
    <message>
        <source>WER reports</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>WER 报告</translation>
    </message>
    <message>
        <source>original deployment</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>原始部署</translation>
    </message>
    <message>
        <source>Dumps</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>转储</translation>
    </message>
    <message>
        <source>other</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>其他</translation>
    </message>
    <message>
        <source>down-level</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>下层</translation>
    </message>
    <message>
        <source>SafeOS / first boot</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>SafeOS / 第一次启动</translation>
    </message>
    <message>
        <source>first boot</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>第一次启动</translation>
    </message>
    <message>
        <source>rollback</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>回滚</translation>
    </message>
    <message>
        <source>after the upgrade</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>升级之后</translation>
    </message>
    <message>
        <source>setup</source>
        <translatorcomment>hand-added, not produced by lupdate (self.tr() of a dynamic lane/phase label in timeline_strip.py); lost on the next lupdate -no-obsolete unless the code is changed</translatorcomment>
        <translation>安装</translation>
    </message>
    <message>
        <source>reported %1</source>
        <translation>客户报告 %1</translation>
    </message>
    <message>
        <source>reported by the customer</source>
        <translation>客户报告的时间</translation>
    </message>
</context>
<context>
    <name>view</name>
    <message>
        <source>Copy rows</source>
        <translation>复制行</translation>
    </message>
    <message>
        <source>Add to notes</source>
        <translation>添加到笔记</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <source>Open a case first.</source>
        <extracomment>QSettings keys shared by the dialog and Copy summary: the last choices are the next defaults.</extracomment>
        <translation>请先打开案例。</translation>
    </message>
    <message>
        <source>redacted</source>
        <translation>已脱敏</translation>
    </message>
    <message>
        <source>not redacted</source>
        <translation>未脱敏</translation>
    </message>
    <message>
        <source>Summary copied (%1, %2): paste it into an e-mail.</source>
        <translation>摘要已复制（%1，%2）：可粘贴到电子邮件中。</translation>
    </message>
    <message>
        <source>Summary written to %1</source>
        <translation>摘要已写入 %1</translation>
    </message>
</context>
<context>
    <name>Level</name>
    <message>
        <source>critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>verbose</source>
        <translation>详细</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待处理</translation>
    </message>
    <message>
        <source>parsed</source>
        <translation>已解析</translation>
    </message>
    <message>
        <source>partial</source>
        <translation>部分读取</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>expanded</source>
        <translation>已展开</translation>
    </message>
</context>
<context>
    <name>Stage</name>
    <message>
        <source>Hashing</source>
        <translation>计算哈希</translation>
    </message>
    <message>
        <source>Listing files</source>
        <translation>列出文件</translation>
    </message>
    <message>
        <source>Extracting</source>
        <translation>解压</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>读取</translation>
    </message>
    <message>
        <source>Sorting the timeline</source>
        <translation>排序时间线</translation>
    </message>
    <message>
        <source>Analyzing</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message>
        <source>about %1 s</source>
        <translation>约 %1 秒</translation>
    </message>
    <message>
        <source>about %1 min</source>
        <translation>约 %1 分钟</translation>
    </message>
    <message>
        <source>about %1 h %2 min</source>
        <translation>约 %1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
</context>
<context>
    <name>FilesPane</name>
    <message>
        <source>An archive: its files are listed under its name.</source>
        <translation>这是压缩包：其中的文件列在它的名称下。</translation>
    </message>
    <message>
        <source>This file has no timeline rows and is not text.</source>
        <translation>此文件没有时间线行，也不是文本。</translation>
    </message>
</context>
<context>
    <name>Panes</name>
    <message>
        <source>Shown once the case is read to the end: it is being read now.</source>
        <translation>案例读完后才会显示：正在读取中。</translation>
    </message>
    <message>
        <source>Shown once the case is read to the end: the ingest did not finish. Resume it from the case overview.</source>
        <translation>案例读完后才会显示：导入没有完成。请在案例概览中继续导入。</translation>
    </message>
</context>
<context>
    <name>TextViewer</name>
    <message>
        <source>(only the first %1 lines are shown)</source>
        <translation>（只显示前 %1 行）</translation>
    </message>
    <message>
        <source>Add to notes</source>
        <translation>添加到笔记</translation>
    </message>
</context>
<context>
    <name>Role</name>
    <message>
        <source>down-level</source>
        <translation>下层阶段</translation>
    </message>
    <message>
        <source>rollback</source>
        <translation>回滚</translation>
    </message>
    <message>
        <source>new OS</source>
        <translation>新系统</translation>
    </message>
    <message>
        <source>OOBE</source>
        <translation>OOBE</translation>
    </message>
    <message>
        <source>sysprep</source>
        <translation>sysprep</translation>
    </message>
    <message>
        <source>after the upgrade</source>
        <translation>升级之后</translation>
    </message>
    <message>
        <source>current system</source>
        <translation>当前系统</translation>
    </message>
    <message>
        <source>SetupDiag</source>
        <translation>SetupDiag</translation>
    </message>
    <message>
        <source>before Setup</source>
        <translation>安装程序之前</translation>
    </message>
    <message>
        <source>Panther</source>
        <translation>Panther</translation>
    </message>
    <message>
        <source>original deployment</source>
        <translation>最初部署</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>Ingest</name>
    <message>
        <source>%1 of %2 files read to the end</source>
        <translation>%2 个文件中已读完 %1 个</translation>
    </message>
    <message>
        <source>, %1 cut off part-way</source>
        <translation>，%1 个读到一半被中断</translation>
    </message>
    <message>
        <source>, %1 not started</source>
        <translation>，%1 个尚未开始读取</translation>
    </message>
    <message>
        <source>; %1 timeline rows, in the order read (not yet sorted by time).</source>
        <translation>；%1 条时间线行，按读取顺序排列（尚未按时间排序）。</translation>
    </message>
</context>
<context>
    <name>Field</name>
    <message>
        <source>event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Procmon</source>
        <translation>Procmon</translation>
    </message>
    <message>
        <source>setupapi</source>
        <translation>setupapi</translation>
    </message>
    <message>
        <source>diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>compatibility</source>
        <translation>兼容性</translation>
    </message>
    <message>
        <source>setup ini</source>
        <translation>安装 ini</translation>
    </message>
    <message>
        <source>msinfo32</source>
        <translation>msinfo32</translation>
    </message>
    <message>
        <source>software</source>
        <translation>软件</translation>
    </message>
    <message>
        <source>SetupDiag</source>
        <translation>SetupDiag</translation>
    </message>
    <message>
        <source>WER</source>
        <translation>WER</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>computer</source>
        <translation>计算机</translation>
    </message>
    <message>
        <source>damaged</source>
        <translation>已损坏</translation>
    </message>
    <message>
        <source>event data</source>
        <translation>事件数据</translation>
    </message>
    <message>
        <source>event ID</source>
        <translation>事件 ID</translation>
    </message>
    <message>
        <source>level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>provider</source>
        <translation>提供程序</translation>
    </message>
    <message>
        <source>time (UTC)</source>
        <translation>时间（UTC）</translation>
    </message>
    <message>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>detail</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <source>operation</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>thread</source>
        <translation>线程</translation>
    </message>
    <message>
        <source>action</source>
        <translation>动作</translation>
    </message>
    <message>
        <source>description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>driver version</source>
        <translation>驱动程序版本</translation>
    </message>
    <message>
        <source>end line</source>
        <translation>结束行</translation>
    </message>
    <message>
        <source>end</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>exit code</source>
        <translation>退出代码</translation>
    </message>
    <message>
        <source>INF</source>
        <translation>INF</translation>
    </message>
    <message>
        <source>original INF</source>
        <translation>原始 INF</translation>
    </message>
    <message>
        <source>last line</source>
        <translation>最后一行</translation>
    </message>
    <message>
        <source>last text</source>
        <translation>最后的文本</translation>
    </message>
    <message>
        <source>start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>blocking</source>
        <translation>阻止升级</translation>
    </message>
    <message>
        <source>item</source>
        <translation>项</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>section</source>
        <translation>节</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>vendor</source>
        <translation>厂商</translation>
    </message>
    <message>
        <source>version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>start mode</source>
        <translation>启动方式</translation>
    </message>
    <message>
        <source>third-party</source>
        <translation>第三方</translation>
    </message>
    <message>
        <source>message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>severity</source>
        <translation>严重性</translation>
    </message>
    <message>
        <source>module</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>function</source>
        <translation>函数</translation>
    </message>
    <message>
        <source>source file</source>
        <translation>源文件</translation>
    </message>
    <message>
        <source>source line</source>
        <translation>源代码行</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>program</source>
        <translation>程序</translation>
    </message>
    <message>
        <source>the machine's local time</source>
        <translation>本机本地时间</translation>
    </message>
    <message>
        <source>UTC</source>
        <translation>UTC</translation>
    </message>
</context>
</TS>
