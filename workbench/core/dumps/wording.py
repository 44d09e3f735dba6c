"""What the dump analysis writes for the engineer — why a module is the culprit, how each frame was found,
how far to trust the stack — in the reader's language.

The analysis keeps these sentences in English (``dump_summary.culprit_reason``, ``dump_frames.note``,
``stack_quality``; scripts and the JSON read them). They are built from a few fixed shapes with values in
them, so, like :mod:`workbench.core.problem_text`, each shape is matched and said in Chinese with the same
values. A reason is a list of steps joined by "; ", and a step may hold "; " inside its parentheses: the
longest run of parts that is one known shape is taken first. A part no shape knows stays as written.
"""

from __future__ import annotations

from workbench.core.problem_text import compile_templates, fill_template

#: Why the analysis says Microsoft's or not (culprit.classify), said inside a step.
_OWNER = compile_templates((
    (r"the engineer's lmv listing of the module: CompanyName (.+)", "工程师的 lmv 模块列表：CompanyName {1}"),
    (r"version resource of the image in the case: CompanyName (.+)", "案例中映像文件的版本资源：CompanyName {1}"),
    (r"on the list of modules Windows ships in the box \(no image in the case to confirm\)",
     "在 Windows 自带的模块列表中（案例中没有映像文件可以确认）"),
    (r"the crash-dump copy of (.+), which Windows ships in the box", "{1} 的崩溃转储副本，{1} 是 Windows 自带的模块"),
    (r"the crash-dump copy of (.+), which is not a module Windows ships in the box",
     "{1} 的崩溃转储副本，{1} 不是 Windows 自带的模块"),
    (r"not a module Windows ships in the box", "不是 Windows 自带的模块"),
))

_HOW = {"text": "调试器文本", "scan": "栈扫描", "unwind": "栈展开", "context": "上下文记录", "exception": "异常记录",
        "symbols": "符号"}
_CONFIDENCE = {"exact": "精确", "high": "高", "medium": "中", "low": "低"}

_STEPS = compile_templates((
    (r"first module on the stack that is not Microsoft's: ([^;]+) \(frame (\d+), found by (\w+), confidence "
     r"(\w+); ([^;]+)\)", "调用栈上第一个不属于 Microsoft 的模块：{1}（第 {2} 帧，来自{3:how}，可信度{4:conf}；{5:sub}）"),
    (r"(\d+) bugcheck, exception-dispatch or helper frames skipped \(([^;]+)\)",
     "跳过了 {1} 个蓝屏处理、异常分派或辅助函数帧（{2}）"),
    (r"the fault itself is in ([^;]+)", "故障本身发生在 {1}"),
    (r"the debugger's own analysis agrees", "调试器自己的分析结论相同"),
    (r"the debugger's own analysis named ([^;]+)", "调试器自己的分析认定为 {1}"),
    (r"every module on the recovered stack is Microsoft's; the fault is in (.+) \(found by (\w+), confidence (\w+); "
     r"(.+)\)\. A Microsoft module at fault often means bad input from a driver further up, or hardware",
     "恢复出的调用栈上的模块都属于 Microsoft；故障发生在 {1}（来自{2:how}，可信度{3:conf}；{4:sub}）。"
     "Microsoft 模块出错，往往是上层某个驱动程序传入了错误的数据，或是硬件问题"),
    (r"no stack in the source; the debugger's own analysis named (.+) \(IMAGE_NAME or 'Probably caused by' in the "
     r"text\)", "来源中没有调用栈；调试器自己的分析认定为 {1}（文本中的 IMAGE_NAME 或 'Probably caused by'）"),
    (r"no frame on the stack could be placed in a loaded module", "调用栈上没有任何帧能对应到已加载的模块"),
    # how a frame was found (dump_frames.note)
    (r"copied from the debugger's own stack listing", "抄自调试器自己的调用栈列表"),
    (r"stack scan; the bytes before it are a CALL \(checked in the dump\)", "栈扫描；它前面的字节是一条 CALL 指令（已在转储中核对）"),
    (r"stack scan; the bytes before it are a CALL \(checked in the module image\)",
     "栈扫描；它前面的字节是一条 CALL 指令（已在模块映像中核对）"),
    (r"stack scan; inside an executable section \(call site not in the dump\)", "栈扫描；位于可执行节内（调用点不在转储中）"),
    (r"stack scan; only known to point inside the module", "栈扫描；只知道它指向该模块内部"),
    (r"unwound with the image's \.pdata through a machine \(trap\) frame, starting from a stack-scan guess",
     "用映像的 .pdata 展开，经过一个机器（陷阱）帧，起点是栈扫描的猜测"),
    (r"unwound with the image's \.pdata through a machine \(trap\) frame", "用映像的 .pdata 展开，经过一个机器（陷阱）帧"),
    (r"unwound with the image's \.pdata, starting from a stack-scan guess", "用映像的 .pdata 展开，起点是栈扫描的猜测"),
    (r"unwound with the image's \.pdata", "用映像的 .pdata 展开"),
    (r"CONTEXT record at bugcheck parameter (\d+)", "蓝屏参数 {1} 处的 CONTEXT 记录"),
    (r"trap frame at bugcheck parameter (\d+)", "蓝屏参数 {1} 处的陷阱帧"),
    (r"CONTEXT in the dump header", "转储文件头中的 CONTEXT"),
    (r"faulting address in bugcheck parameter (\d+)", "蓝屏参数 {1} 中的故障地址"),
    (r"CONTEXT of the exception stream", "异常流中的 CONTEXT"),
    (r"exception address of the exception stream", "异常流中的异常地址"),
    # how far to trust the stack (stack_quality)
    (r"no bugcheck code in the text: only the stack was read", "文本中没有蓝屏代码：只读取了调用栈"),
    (r"module images read from the dump's own memory: (\d+)", "从转储自身内存中读取的模块映像：{1} 个"),
    (r"the (.+) points outside every loaded module; not used", "{1:sub}指向所有已加载模块之外；未使用"),
    (r"no usable context record: frames after the first come from a raw scan of the whole stack copy, bugcheck "
     r"machinery included", "没有可用的上下文记录：第一帧之后的帧来自对整个栈副本的原始扫描，其中包括蓝屏处理过程本身的帧"),
    (r"some frames are stack-scan hits: true return addresses mixed with stale ones; the module images \(\.pdata\) "
     r"in the case would make them exact", "部分帧来自栈扫描：真实的返回地址中混有过时的地址；案例中若有模块映像（.pdata）即可使其精确"),
    (r"module images from the case used \(name, timestamp and size match\): (.+)",
     "使用了案例中的模块映像（名称、时间戳和大小一致）：{1}"),
    (r"frames after the first are stack-scan hits where no module image was there to unwind with",
     "第一帧之后的帧来自栈扫描，没有模块映像可用于展开"),
))
_WHERE = compile_templates((
    (r"CONTEXT record at bugcheck parameter (\d+)", "蓝屏参数 {1} 处的 CONTEXT 记录"),
    (r"trap frame at bugcheck parameter (\d+)", "蓝屏参数 {1} 处的陷阱帧"),
))


_WORDS = {"how": _HOW, "conf": _CONFIDENCE}


def _step(text: str) -> str | None:
    # the owner's reason inside a culprit step, or where a context came from inside a stack-quality sentence
    return fill_template(_STEPS + _OWNER, text, _OWNER + _WHERE, _WORDS)


def dump_text(text: str | None, language: str = "en") -> str:
    """A reason, frame note or stack-quality sentence of the dump analysis in ``language`` (``en``/``zh``)."""
    if not text or language != "zh":
        return text or ""
    parts = text.split("; ")
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of parts that is one known shape
            said = _step("; ".join(parts[i:j]))
            if said is not None:
                out.append(said)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return "；".join(out)
