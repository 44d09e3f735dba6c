"""The ``workbench`` command: the same core as the GUI, headless.

``workbench`` alone opens the GUI (on the demo case); ``workbench CASE`` opens the GUI on a case; a
subcommand (``analyze``, ``timeline``, ``files``, ...; see :mod:`workbench.commands`) runs headless.
Exit codes: 0 done; 1 the input had problems (files that could not be read, archive damage); 2 the user
must act (a password, a wrong argument, a full disk, a home folder that cannot be written). Errors go to
stderr as one sentence, never a traceback (:mod:`workbench.commands.failures`); on a terminal, control
characters from the case are shown escaped (:mod:`workbench.commands.terminal`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from workbench import __version__
from workbench.commands import COMMANDS
from workbench.commands.arguments import OneSentenceParser, parse


def command_name(module: str) -> str:
    """A subcommand's name from its module path (``workbench.commands.export_case`` → ``export-case``), so the
    command line can tell a subcommand from a case path without importing every command module."""
    return module.rsplit(".", 1)[1].replace("_", "-")


def _command_modules() -> dict[str, ModuleType]:
    modules = [importlib.import_module(name) for name in COMMANDS]
    return {m.NAME: m for m in modules}


def build_parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = OneSentenceParser(prog="workbench", description="Diagnose failed Windows feature upgrades.")
    parser.add_argument("--version", action="version", version=f"Case Workbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in modules.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP, description=module.__doc__))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    names = {m.rsplit(".", 1)[1].replace("_", "-") for m in COMMANDS}  # module export_case is `export-case`
    if not args_list or (args_list[0] not in names and args_list[0] not in ("-h", "--help", "--version")):
        from workbench.gui.app import main as gui_main

        return gui_main(args_list)
    modules = _command_modules()
    try:
        args = parse(build_parser(modules), args_list)
    except SystemExit as exc:  # --help, --version, or a wrong argument already said in one sentence
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    from workbench.commands.failures import describe_failure
    from workbench.commands.terminal import safe_streams

    with safe_streams():
        try:
            code = int(modules[args.command].run(args))
            sys.stdout.flush()  # a full disk under a redirected stdout fails here, not after we are gone
            return code
        except BrokenPipeError:
            return 0
        except KeyboardInterrupt:
            sys.stderr.write("workbench: interrupted; the case will ingest again next time.\n")
            return 130
        except Exception as exc:  # every failure is one sentence and an exit code (commands/failures.py)
            if os.environ.get("WORKBENCH_DEBUG") == "1":
                raise
            code, sentence = describe_failure(exc)
            sys.stderr.write(f"workbench: {sentence}\n")
            return code
