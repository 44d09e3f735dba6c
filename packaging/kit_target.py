"""The machine an offline kit is built for: its pip platform tags, its wheel tags and its marker environment.

Why a module of its own: ``pip download --platform win_amd64 --python-version 3.11`` filters wheels by the
target's tags but evaluates environment markers against the machine pip runs on (pypa/pip#11664, open), so on
Linux it leaves out ``colorama; platform_system == "Windows"`` (needed by click on Windows) and would try to
fetch Linux-only dependencies. Every pip run of the kit scripts therefore goes through :func:`pip_command`,
which runs pip with the target's marker environment; the checker evaluates markers with the same
:meth:`Target.markers` when it walks the kit's dependency closure on its own.

Two targets: ``win_amd64`` (the kit an engineer carries to an offline Windows laptop) and ``manylinux`` (the
same kit for Linux x86_64, so it can be installed here offline as the proof that nothing is fetched at install
time).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

# pip's own copy of packaging: tags and markers decided by the same rules as the pip that resolves the kit
from pip._vendor.packaging.tags import Tag, compatible_tags, cpython_tags

PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
MANYLINUX_GLIBC_MAX = 28  # manylinux_2_28: Debian 10+, RHEL 8+, Ubuntu 18.10+; PySide6 6.8 needs it

# pip as it would run on the target, in a child process (the patches never touch the caller's pip): markers
# evaluated with the target's environment, and Requires-Python checked against the target's version, which
# `pip install --python-version` otherwise checks against the running interpreter (only `download` passes it on)
_PIP_ON_TARGET = (
    "import json, sys\n"
    "from pip._vendor.packaging import markers\n"
    "env = json.loads(sys.argv[1])\n"
    "markers.default_environment = lambda: dict(env)\n"
    "version = tuple(int(p) for p in env['python_full_version'].split('.'))\n"
    "from pip._internal.cli import req_command\n"
    "make = req_command.RequirementCommand.make_resolver\n"
    "def make_resolver(*args, **kwargs):\n"
    "    kwargs['py_version_info'] = kwargs.get('py_version_info') or version\n"
    "    return make(*args, **kwargs)\n"
    "req_command.RequirementCommand.make_resolver = staticmethod(make_resolver)\n"
    "from pip._internal.cli.main import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


@dataclass(frozen=True)
class Target:
    """One platform a kit can be built for (the Python versions are chosen per kit)."""

    name: str  # in the kit's file name and VERSION.txt
    pip_platforms: tuple[str, ...]  # the --platform values pip gets
    label: str  # for people: README.txt and messages

    @property
    def windows(self) -> bool:
        return self.name.startswith("win")

    def markers(self, python: str) -> dict[str, str]:
        """The PEP 508 marker environment of a CPython ``python`` (``"3.11"``) on this platform."""
        env = {"implementation_name": "cpython", "platform_python_implementation": "CPython",
               "python_version": python, "python_full_version": f"{python}.0",
               "implementation_version": f"{python}.0"}
        if self.windows:
            env.update(os_name="nt", sys_platform="win32", platform_system="Windows", platform_machine="AMD64",
                       platform_release="10", platform_version="10.0.19045")
        else:
            env.update(os_name="posix", sys_platform="linux", platform_system="Linux", platform_machine="x86_64",
                       platform_release="", platform_version="")
        return env

    def tags(self, python: str) -> set[Tag]:
        """Every wheel tag a CPython ``python`` on this platform installs (abi3 and pure wheels included)."""
        version = tuple(int(p) for p in python.split("."))
        platforms = list(self.pip_platforms)
        return {*cpython_tags(python_version=version, platforms=platforms),
                *compatible_tags(python_version=version, interpreter=f"cp{version[0]}{version[1]}",
                                 platforms=platforms)}

    def pip_args(self, python: str) -> list[str]:
        """The options that make pip pick wheels for this platform and Python, and never build from source."""
        args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
        for platform in self.pip_platforms:
            args += ["--platform", platform]
        return args


def _manylinux_platforms(glibc_max: int) -> tuple[str, ...]:
    """manylinux_2_N_x86_64 from ``glibc_max`` down, with the legacy aliases pip still meets on PyPI."""
    names = [f"manylinux_2_{minor}_x86_64" for minor in range(glibc_max, 4, -1)]
    return (*names, "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")


TARGETS = {
    "win_amd64": Target("win_amd64", ("win_amd64",), "Windows x64"),
    "manylinux": Target(f"manylinux_2_{MANYLINUX_GLIBC_MAX}_x86_64", _manylinux_platforms(MANYLINUX_GLIBC_MAX),
                        f"Linux x86_64 (glibc 2.{MANYLINUX_GLIBC_MAX}+)"),
}


def target_named(name: str) -> Target:
    """The target for ``--platform NAME`` or a kit's recorded platform name."""
    for key, target in TARGETS.items():
        if name in (key, target.name):
            return target
    raise SystemExit(f"unknown platform {name!r}: choose one of {', '.join(TARGETS)}")


def pip_command(python_exe: str, target: Target, python: str) -> list[str]:
    """The command line that starts pip (append pip's own arguments) deciding as it would on ``target``."""
    return [python_exe, "-c", _PIP_ON_TARGET, json.dumps(target.markers(python))]


if __name__ == "__main__":  # a quick look: python packaging/kit_target.py win_amd64 3.11
    t = target_named(sys.argv[1] if len(sys.argv) > 1 else "win_amd64")
    print(json.dumps(t.markers(sys.argv[2] if len(sys.argv) > 2 else "3.11"), indent=1))
