"""The customer case file: ``NAME.wbcustomer``, a small JSON file beside the member archives.

It lists its members (each archive's path, SHA-256 and role) under a name the engineer chooses, and nothing
else: every member keeps its own case folder and database (named after its SHA-256, :mod:`workbench.core.case`),
so a customer case never re-ingests and never copies logs. Paths under the file's folder are written relative
to it, so the folder (file and archives together) can move or go to a colleague; the SHA-256 finds a member's
case database even when its archive is no longer where the file says.

The customer case's own notes (what was tried across machines, what the customer said) live in the workbench
home under the file's ``id`` (``customers/<id>/notes.sqlite``, the same :class:`NotesStore` every case uses):
they survive renaming or moving the file, switching machines in the window, re-ingesting any member, and a
read-only folder of archives. The file never holds notes, so it stays small and safe to hand over.

Roles: ``auto`` (the member's verdict says whether it failed or succeeded), ``failing`` and ``reference`` (a
machine the engineer knows upgraded fine, or failed, whatever its logs let the verdict say).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.core.errors import UserActionRequired

CUSTOMER_SCHEMA = "workbench.customer/1"
CUSTOMER_SUFFIX = ".wbcustomer"
ROLES = ("auto", "failing", "reference")
#: the folder of customer cases' own data (notes) in the workbench home, and of files that could not be
#: written beside read-only archives
CUSTOMERS_FOLDER = "customers"

_HOSTILE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def customers_root(home: Path | None = None) -> Path:
    from workbench.core.case import workbench_home

    return (home or workbench_home()) / CUSTOMERS_FOLDER


def file_name_for(name: str | None, digests: list[str]) -> str:
    """``<name>.wbcustomer`` with what a file system refuses replaced (Chinese names stay), or, without a
    name, ``compare-<8 hex>.wbcustomer`` from the members' SHA-256s: the same archives compared again find
    the same file (and its notes)."""
    if name and name.strip():
        stem = _HOSTILE.sub("-", name.strip()).strip(" .-") or "customer"
        return stem[:80] + CUSTOMER_SUFFIX
    import hashlib

    key = hashlib.sha256("\n".join(sorted(digests)).encode("ascii")).hexdigest()[:8]
    return f"compare-{key}{CUSTOMER_SUFFIX}"


@dataclass
class Member:
    """One archive of the customer case: where it was, its SHA-256 (the key of its case folder) and its role."""

    path: str
    sha256: str
    role: str = "auto"
    added: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "role": self.role, "added": self.added}


@dataclass
class CustomerCase:
    """A customer case file, loaded. :meth:`save` writes it back (atomically, beside the archives)."""

    file: Path
    name: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    members: list[Member] = field(default_factory=list)
    created: str | None = None

    # ------------------------------------------------------------------------------------ reading

    @classmethod
    def load(cls, file: str | Path) -> CustomerCase:
        """Read ``file``; a file that is not a customer case is a clear error naming it and what is wrong."""
        path = Path(file).expanduser()
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise UserActionRequired(f"{path}: no such customer case file.") from exc
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise UserActionRequired(f"{path}: not a customer case file ({exc}).") from exc
        if not isinstance(data, dict) or data.get("schema") != CUSTOMER_SCHEMA:
            raise UserActionRequired(f"{path}: not a customer case file (no \"schema\": \"{CUSTOMER_SCHEMA}\").")
        members = []
        for n, item in enumerate(data.get("members") or [], 1):
            if not isinstance(item, dict) or not item.get("path") or not item.get("sha256"):
                raise UserActionRequired(f"{path}: member {n} has no path or no sha256.")
            role = str(item.get("role") or "auto")
            if role not in ROLES:
                raise UserActionRequired(f"{path}: member {n} has the role {role!r}; roles are {', '.join(ROLES)}.")
            members.append(Member(str(item["path"]), str(item["sha256"]).lower(), role, item.get("added")))
        ident = str(data.get("id") or "")
        if not re.fullmatch(r"[0-9a-f]{32}", ident):
            raise UserActionRequired(f"{path}: the customer case has no valid id (32 hex digits).")
        return cls(path.resolve(), str(data.get("name") or path.stem), ident, members, data.get("created"))

    def member_path(self, member: Member) -> Path:
        """Where the member's archive is: relative paths are read from the file's folder."""
        p = Path(member.path)
        return p if p.is_absolute() else (self.file.parent / p)

    def find(self, sha256: str) -> Member | None:
        return next((m for m in self.members if m.sha256 == sha256.lower()), None)

    @property
    def notes_folder(self) -> Path:
        """The folder of this customer case's notes database (``notes.sqlite``), in the workbench home."""
        return customers_root() / self.id

    # ------------------------------------------------------------------------------------ changing

    def add(self, source: Path, sha256: str, role: str = "auto") -> Member:
        """Add an archive (or give an existing member a new role and path); returns the member."""
        if role not in ROLES:
            raise UserActionRequired(f"role {role!r}: roles are {', '.join(ROLES)}.")
        written = self._written_path(source)
        member = self.find(sha256)
        if member is not None:
            member.path = written
            if role != "auto":
                member.role = role
            return member
        member = Member(written, sha256.lower(), role, _now())
        self.members.append(member)
        return member

    def remove(self, sha256: str) -> bool:
        before = len(self.members)
        self.members = [m for m in self.members if m.sha256 != sha256.lower()]
        return len(self.members) != before

    def _written_path(self, source: Path) -> str:
        source = source.resolve()
        try:
            return source.relative_to(self.file.parent.resolve()).as_posix()
        except ValueError:
            return str(source)

    def to_json(self) -> dict[str, Any]:
        return {"schema": CUSTOMER_SCHEMA, "name": self.name, "id": self.id, "created": self.created,
                "members": [m.to_json() for m in self.members]}

    def save(self, *, fallback: bool = True) -> Path:
        """Write the file (a temporary file renamed over it, so a crash never leaves half a file).

        When its folder cannot be written (archives on read-only media) and ``fallback`` is true, the file goes
        to the workbench home's ``customers`` folder instead, member paths made absolute; returns where it went.
        """
        self.created = self.created or _now()
        try:
            self._write(self.file)
        except OSError:
            if not fallback:
                raise
            target = customers_root() / self.file.name
            sources = [self.member_path(m) for m in self.members]
            target.parent.mkdir(parents=True, exist_ok=True)
            self.file = target.resolve()
            for m, s in zip(self.members, sources, strict=True):
                m.path = self._written_path(s)
            self._write(self.file)
        return self.file

    def _write(self, path: Path) -> None:
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text, "utf-8")
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def create_or_update(sources: list[tuple[Path, str]], *, name: str | None = None, file: Path | None = None,
                     roles: dict[str, str] | None = None) -> CustomerCase:
    """The customer case of ``sources`` (``(archive, sha256)`` pairs): the file at ``file``, else beside the
    first archive (named after ``name``, or after the archives), loaded when it exists and given these members.

    An existing file keeps its id (so its notes) and its members' roles; its name changes only when ``name``
    is given. Not saved here: call :meth:`CustomerCase.save`.
    """
    if not sources and file is None:
        raise UserActionRequired("a customer case needs at least one archive or a .wbcustomer file.")
    if file is None:
        first = sources[0][0].resolve()
        file = first.parent / file_name_for(name, [d for _, d in sources])
        fallback = customers_root() / file.name
        if not file.exists() and fallback.exists():
            file = fallback  # written there before because the archives' folder was read-only
    file = file.expanduser()
    if file.exists():
        customer = CustomerCase.load(file)
        if name:
            customer.name = name
    else:
        customer = CustomerCase(file.resolve() if file.parent.exists() else file,
                                name or ", ".join(s.name for s, _ in sources[:3]))
    for source, digest in sources:
        customer.add(source, digest, (roles or {}).get(digest, "auto"))
    return customer
