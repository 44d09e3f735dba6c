<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DetailModel</name>
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
    <name>EventsModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
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
        <source>Computer</source>
        <translation>计算机</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
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
        <source>Severity</source>
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
        <source>Rule</source>
        <translation>规则</translation>
    </message>
</context>
<context>
    <name>FindingsPane</name>
    <message>
        <source>No findings: no analyzer recognised a known failure in this case.</source>
        <translation>没有发现：分析器未在此案例中识别出已知故障。</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>严重性</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>处理建议</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Case Workbench</source>
        <translation>案例工作台</translation>
    </message>
    <message>
        <source>No event logs (EVTX) in this case.</source>
        <translation>此案例中没有事件日志（EVTX）。</translation>
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
        <source>Show every time in this zone (the case is read again):</source>
        <translation>以此时区显示所有时间（将重新读取案例）：</translation>
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
</context>
<context>
    <name>NotesPane</name>
    <message>
        <source>New note</source>
        <translation>新建笔记</translation>
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
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Note history</source>
        <translation>笔记历史</translation>
    </message>
    <message>
        <source>Bring back the version saved at:</source>
        <translation>恢复保存于以下时间的版本：</translation>
    </message>
</context>
<context>
    <name>OverviewPane</name>
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
        <source>Upgrade verdict</source>
        <translation>升级结论</translation>
    </message>
    <message>
        <source>The upgrade failed with %1</source>
        <translation>升级失败，错误代码 %1</translation>
    </message>
    <message>
        <source>No upgrade result code was found in the logs read.</source>
        <translation>在已读取的日志中没有找到升级结果代码。</translation>
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
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Exit</source>
        <translation>退出代码</translation>
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
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
</context>
<context>
    <name>ProcessesPane</name>
    <message>
        <source>No Procmon capture in this case.</source>
        <translation>此案例中没有 Procmon 捕获。</translation>
    </message>
</context>
<context>
    <name>SearchModel</name>
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
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>Time</source>
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
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>All sources</source>
        <translation>所有来源</translation>
    </message>
    <message>
        <source>%1 rows</source>
        <translation>%1 行</translation>
    </message>
</context>
<context>
    <name>view</name>
    <message>
        <source>Copy rows</source>
        <translation>复制行</translation>
    </message>
</context>
</TS>
