"""Redaction of personal data before a summary leaves the laptop.

A summary goes to people outside the customer (BRIEF.md, Privacy), so an export can replace what names a
person or a machine with pseudonyms. Two sources of knowledge work together:

* values **learned** from the case: ``system.computer`` and other name-like facts, profile folders
  (``C:\\Users\\NAME``), ``DOMAIN\\user`` pairs, Wi-Fi names after ``SSID :`` or ``All User Profile :``,
  and whatever the user added to the case's redaction list;
* **patterns** for values with a shape: e-mail, IPv4/IPv6, MAC, phone numbers (Chinese mobile, Chinese
  landline, ``+`` international, ``(555) 123-4567``) and Chinese ID-card numbers (checksum and birth date
  verified, so an 18-digit FILETIME is not mistaken for one).

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
    "other": "REDACTED",
}
CATEGORIES = tuple(PREFIXES)

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
})

# ASCII-only boundaries: Python's \w also matches Chinese, and "手机13812345678" must still be found.
_B = r"(?<![0-9A-Za-z_])"
_E = r"(?![0-9A-Za-z_])"

_EMAIL = re.compile(r"(?<![0-9A-Za-z_.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}" + _E)
_ID_CARD = re.compile(_B + r"\d{17}[\dXx]" + _E)
_CN_MOBILE = re.compile(r"(?<![0-9A-Za-z_+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}" + _E)
_CN_LANDLINE = re.compile(_B + r"0\d{2,3}-\d{7,8}" + _E)
_INTL_PHONE = re.compile(r"(?<![0-9A-Za-z_+])\+[1-9]\d{0,3}(?:[\s.-]?\(?\d{1,5}\)?){1,5}" + _E)
_US_PHONE = re.compile(r"(?<![0-9A-Za-z_])\(\d{3}\)\s?\d{3}-\d{4}" + _E)
_MAC = re.compile(r"(?<![0-9A-Za-z_:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Za-z_:-])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?"
                   r"(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z_:])")
_VERSION_BEFORE = re.compile(r"(?i)(?:version|ver|v)\s*[:=]?\s*\"?$")
_IPV4 = re.compile(r"(?<![0-9A-Za-z_.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z_]|\.\d)")

_USER_PATH = re.compile(r"(?i)(?:[A-Z]:[\\/]|(?<=[\\/:])|^)(?:Users|Documents and Settings)[\\/]")
_USER_SEGMENT = re.compile(r"[^\\/:*?\"<>|\r\n]{1,32}(?=[\\/])")
_USER_WORD = re.compile(r"[^\\/:*?\"<>|\s,;)\]'.]{1,32}")
_USER_FIELD = re.compile(r"(?i)(?<![A-Za-z])(?:user ?name|用户名)\s*[:=]\s*\"?([^\s\",;]{2,64})")
# "ComputerName: X", "Computer name is X", "Computer name [X] is valid", "Set the computer name to X" (Setup)
_COMPUTER_FIELD = re.compile(
    r"(?i)(?<![A-Za-z])(?:computer ?name|machine ?name|host ?name|system name|计算机名称?|主机名)"
    r"(?:\s*[:=：]\s*|\s+(?:is|to)\s+|\s*\[)\"?([A-Za-z0-9][A-Za-z0-9_.-]{0,62})")
_DOMAIN_FIELD = re.compile(r"(?i)(?<![A-Za-z])(?:user ?domain|domain(?: name)?|域名?)\s*[:=]\s*\"?"
                           r"([A-Za-z0-9][A-Za-z0-9_.-]{0,253})")
_WIFI_FIELD = re.compile(
    r"(?im)(?:(?<![A-Za-z])SSID(?:\s+\d+)?|All User Profile|所有用户配置文件|Profile name|配置文件名称)\s*[:=]\s*"
    r"\"?([^\"\r\n]{1,64}?)\"?\s*$")

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
                ('Users OR SSID OR Profile OR ComputerName OR "computer name" OR "host name" OR UserName OR '
                 '"user name" OR Domain', timeline_rows),
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
        if category not in PREFIXES or len(value) < 2 or value.casefold() in GENERIC_NAMES:
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
        """Learn the values a line names by its context: profile paths, ``user name:``, ``SSID :``, ..."""
        if not text:
            return
        for m in _USER_PATH.finditer(text):
            rest = text[m.end(): m.end() + 64]
            seg = _USER_SEGMENT.match(rest)
            if seg is None or seg.group(0).count(" ") > 2:
                seg = _USER_WORD.match(rest)
            if seg is not None:
                self.learn("user", seg.group(0).strip(), f"profile path ({origin})")
        for m in _USER_FIELD.finditer(text):
            self.learn("user", m.group(1), f"user name ({origin})")
        for m in _COMPUTER_FIELD.finditer(text):
            self.learn("computer", m.group(1).rstrip("."), f"computer name ({origin})")
        for m in _DOMAIN_FIELD.finditer(text):
            self.learn("domain", m.group(1).rstrip("."), f"domain ({origin})")
        if "ssid" in text.lower() or "profile" in text.lower() or "配置文件" in text:
            for m in _WIFI_FIELD.finditer(text):
                self.learn("wifi", m.group(1).strip(), f"Wi-Fi name ({origin})")

    def _learned_pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self.learned:
            values = sorted((v for _, v, _ in self.learned.values()), key=lambda v: (-len(v), v))
            # a name is not found inside a longer word ("alice" in "malice"), but is found beside '-', '.'
            # and '_' ("alice-pc", a domain inside an FQDN, a collector's "PC01_logs" folder): leaking half
            # a host name is worse than a clumsy "USER-1-pc". Longest values come first, so "FIN-PC-0231"
            # wins over a user named "FIN".
            self._pattern = re.compile(
                r"(?<![0-9A-Za-z])(?:" + "|".join(re.escape(v) for v in values) + r")(?![0-9A-Za-z])",
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

        for m in _EMAIL.finditer(text):
            add(m.start(), m.end(), "email", 0)
        for m in _ID_CARD.finditer(text):
            if valid_id_card(m.group(0)):
                add(m.start(), m.end(), "id_card", 1)
        for rx in (_CN_MOBILE, _CN_LANDLINE, _US_PHONE):
            for m in rx.finditer(text):
                add(m.start(), m.end(), "phone", 2)
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
            if _VERSION_BEFORE.search(text, max(0, m.start() - 12), m.start()):
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
