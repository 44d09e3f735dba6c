"""The offline kit's lock: every wheel of the kit pinned by name, version, SHA-256 and file name.

Why one text format for two jobs: beside the kit (``CaseWorkbench-<v>-<platform>-offline.lock``) it is what
``offline-kit.sh --lock FILE`` rebuilds the same kit from; inside the kit (``lock/pip.txt``,
``lock/py3.11.txt`` …) each section is a pip requirements file the install scripts hand to
``pip install --require-hashes -r``, so the laptop installs exactly the wheels the kit was checked with and
a wheel damaged on the way (a USB copy cut short) stops the install with pip's hash error.

    # comment lines
    platform = win_amd64
    [pip]
    pip==24.3.1 --hash=sha256:…  # pip-24.3.1-py3-none-any.whl
    [python 3.11]
    case-workbench==0.1.0 --hash=sha256:…  # case_workbench-0.1.0-py3-none-any.whl
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename

PROJECT = "case-workbench"
PIP_SECTION = "pip"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+) --hash=sha256:(?P<sha>[0-9a-f]{64})  # (?P<file>\S+\.whl)$")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, order=True)
class Pin:
    """One wheel: what pip is told to install and which file of ``wheels/`` that is."""

    name: str  # canonical (pyside6-essentials)
    version: str
    sha256: str
    filename: str

    @classmethod
    def of_wheel(cls, path: Path) -> Pin:
        name, version, _build, _tags = parse_wheel_filename(path.name)
        return cls(canonicalize_name(name), str(version), sha256_of(path), path.name)

    def line(self) -> str:
        return f"{self.name}=={self.version} --hash=sha256:{self.sha256}  # {self.filename}"


@dataclass
class Lock:
    """Pins per section: ``pip`` (the installer's own pip) and one section per Python version."""

    platform: str
    sections: dict[str, list[Pin]] = field(default_factory=dict)  # "pip", "3.10", "3.11" …

    @property
    def pythons(self) -> list[str]:
        return [key for key in self.sections if key != PIP_SECTION]

    def project_version(self) -> str:
        for pins in self.sections.values():
            for pin in pins:
                if pin.name == PROJECT:
                    return pin.version
        raise ValueError(f"the lock pins no {PROJECT}")

    def section_text(self, key: str) -> str:
        """One section as a pip requirements file (what ``lock/py3.11.txt`` holds)."""
        return "".join(f"{pin.line()}\n" for pin in sorted(self.sections[key]))

    def text(self, header: str) -> str:
        lines = [f"# {line}" if line else "#" for line in header.splitlines()]
        lines.append(f"platform = {self.platform}")
        for key in self.sections:
            lines.append(f"[{key}]" if key == PIP_SECTION else f"[python {key}]")
            lines.extend(pin.line() for pin in sorted(self.sections[key]))
        return "\n".join(lines) + "\n"

    def filenames(self) -> set[str]:
        return {pin.filename for pins in self.sections.values() for pin in pins}

    @classmethod
    def parse(cls, text: str, source: str = "lock") -> Lock:
        """Read :meth:`text`'s format back; any other line is an error naming the file and the line."""
        lock = cls(platform="")
        section: list[Pin] | None = None
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("platform = "):
                lock.platform = line.removeprefix("platform = ").strip()
            elif line == f"[{PIP_SECTION}]":
                section = lock.sections.setdefault(PIP_SECTION, [])
            elif m := re.fullmatch(r"\[python (3\.\d+)\]", line):
                section = lock.sections.setdefault(m.group(1), [])
            elif section is not None:
                section.append(_pin(line, f"{source}, line {number}"))
            else:
                raise ValueError(f"{source}, line {number}: not a lock line: {raw!r}")
        if not lock.platform or not lock.pythons:
            raise ValueError(f"{source}: no platform or no [python X.Y] section")
        return lock


def parse_pins(text: str, source: str) -> list[Pin]:
    """One section as the kit holds it (``lock/py3.11.txt``): pin lines only."""
    return [_pin(line, f"{source}, line {number}") for number, line in enumerate(text.splitlines(), 1) if line.strip()]


def _pin(line: str, where: str) -> Pin:
    m = _PIN.match(line.strip())
    if not m:
        raise ValueError(f"{where}: not a pin (name==version --hash=sha256:…  # file.whl): {line!r}")
    return Pin(canonicalize_name(m["name"]), m["version"], m["sha"], m["file"])
