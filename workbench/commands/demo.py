"""``workbench demo [--out DIR]``: write the bundled demo case (made by the project, no customer data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "demo"
HELP = "write the bundled demo case and print its path"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="folder to write demo-case.zip to (default: the workbench data folder)")


def run(args: argparse.Namespace) -> int:
    from workbench.demo import demo_case_path, write_demo_case

    if args.out:
        from workbench.core.output_file import check_output, output_failure

        target = check_output(Path(args.out) / "demo-case.zip", new_folders=True)
        try:
            path = write_demo_case(target)
        except OSError as exc:  # the folder the user named: theirs to fix (exit 2), said with its path
            raise output_failure(target, exc) from exc
    else:
        path = demo_case_path()
    sys.stdout.write(f"{path}\n")
    return 0
