"""Reading signature files: YAML with line numbers, checked field by field, compiled once.

A third party writes these files without reading our code, so every mistake is reported as
``file:line: what is wrong`` and a bad file never stops the good ones from loading. The format is described
in docs/signatures.md; :data:`TOP_KEYS` and :mod:`workbench.core.signatures.compiler` are its reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.core.signatures.compiler import (
    KNOWN_COLUMNS,
    CompiledSelection,
    SelectionError,
    compile_selection,
)
from workbench.core.signatures.condition import (
    ConditionError,
    Node,
    parse_condition,
    same_value_names,
    selection_names,
)

LEVELS: tuple[str, ...] = ("critical", "high", "medium", "low", "informational")
STATUSES: tuple[str, ...] = ("stable", "test", "experimental", "deprecated")
#: Every key a signature file may have; anything else is a typo until proven otherwise.
TOP_KEYS: tuple[str, ...] = (
    "title", "id", "status", "level", "description", "references", "sources", "tags", "author",
    "setupdiag", "detection", "details", "remediation", "samples",
)
REQUIRED: tuple[str, ...] = ("title", "id", "level", "detection", "details", "remediation", "samples")
#: The keys a reader sees, each English text or a mapping of languages (``en`` required, ``zh`` for our users).
TEXT_KEYS: tuple[str, ...] = ("title", "details", "remediation")
#: The language every text must have (the fallback), and the one the built-in packs must also carry.
BASE_LANGUAGE = "en"
TRANSLATED_LANGUAGE = "zh"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{2,99}$")
#: White space between two CJK characters or CJK punctuation: what YAML's folded style (``>``) leaves where a
#: Chinese sentence was wrapped, and Chinese never has.
_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")
_TEMPLATE_REF = re.compile(r"^([A-Za-z_][A-Za-z0-9_\-]*)\.([A-Za-z_][A-Za-z0-9_]*)$")


@dataclass(frozen=True)
class SignatureError:
    """One problem in one file, with the line it is on (1-based; 0 when the file as a whole is wrong)."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class Signature:
    """A loaded, compiled signature. ``pack_root`` is the folder its sample paths are relative to.

    ``title``, ``details`` and ``remediation`` map a language (``en``, ``zh``) to text and always hold ``en``:
    one shape for every text a reader sees, whether the file gave a plain string or a mapping.
    """

    id: str
    title: dict[str, str]
    level: str
    status: str
    description: str
    references: list[str]
    sources: list[str]
    tags: list[str]
    setupdiag: dict[str, str]
    condition_text: str
    condition: Node
    selections: dict[str, CompiledSelection]
    details: dict[str, str]
    remediation: dict[str, str]
    samples_positive: list[Path]
    samples_negative: list[Path]
    also_fires: list[str]
    path: Path
    line: int
    pack_root: Path
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    #: per selection, ``as:``: value name (``with same NAME``) -> the fields that carry it, first with a value
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: the value names of the condition's ``with same`` (``{same.NAME}`` in the details)
    same_names: frozenset[str] = frozenset()
    #: texts without a ``zh`` version (``title``, ``details``, ``remediation``) and their lines: not errors
    #: (a third party may write English only); ``validate`` warns about them in the built-in packs
    untranslated: dict[str, int] = field(default_factory=dict)


def unfold_cjk(text: str) -> str:
    """``text`` without the spaces line folding put between Chinese characters (``升级。 可用`` -> ``升级。可用``);
    spaces beside Latin text (``sfc /scannow``) stay."""
    return _CJK_GAP.sub("", text)


# ------------------------------------------------------------------------------------------- YAML


class _LineDict(dict[Any, Any]):
    """A mapping that remembers the line of each key (``lines``) and of itself (``line``)."""

    line: int = 0
    lines: dict[Any, int]


# libyaml's loader is ~10x faster and gives the same marks; the pure-Python one is the fallback.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.MarkedYAMLError("while reading a mapping", node.start_mark,
                                       f"the key {key!r} appears twice", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line(mapping: Any, key: Any) -> int:
    if isinstance(mapping, _LineDict):
        return mapping.lines.get(key, mapping.line)
    return 0


def read_yaml(path: Path) -> tuple[Any, SignatureError | None]:
    """Parse one YAML file; a syntax error comes back as an error with its line, never raised."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, SignatureError(path, 0, f"cannot be read: {exc}")
    try:
        return yaml.load(text, Loader=_Loader), None  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        return None, SignatureError(path, line, f"not valid YAML: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return None, SignatureError(path, 0, f"not valid YAML: {exc}")


# ------------------------------------------------------------------------------------------- checking


def pack_root_of(path: Path) -> Path:
    """The pack folder of a signature file: the parent of ``signatures/``, else the file's own folder."""
    return path.parent.parent if path.parent.name == "signatures" else path.parent


def _str_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _rows_sample_error(path: Path) -> str | None:
    """What is wrong with a sample given as rows (``*.rows.yaml``), so ``validate`` reports it, not ``test``."""
    from workbench.core.signatures.rowsample import RowsSampleError, is_rows_sample, load_rows_sample

    if not is_rows_sample(path):
        return None
    try:
        load_rows_sample(path)
    except RowsSampleError as exc:
        return str(exc)
    return None


def _split_as(spec: Any) -> tuple[Any, Any, int]:
    """A selection without its ``as:`` mapping, the mapping (None when absent) and the mapping's line."""
    alternatives = spec if isinstance(spec, list) else [spec]
    mapping: Any = None
    line = 0
    out: list[Any] = []
    for alt in alternatives:
        if isinstance(alt, dict) and "as" in alt:
            if mapping is not None and alt["as"] != mapping:
                raise SelectionError("every alternative's 'as:' must be the same (or give it once)", _line(alt, "as"))
            mapping, line = alt["as"], _line(alt, "as")
            rest = _LineDict((k, v) for k, v in alt.items() if k != "as")
            rest.line = getattr(alt, "line", 0)
            rest.lines = getattr(alt, "lines", {})
            out.append(rest)
        else:
            out.append(alt)
    return (out if isinstance(spec, list) else out[0]), mapping, line


def _value_fields(mapping: Any) -> dict[str, list[str]]:
    """``as: {driver: inf_original}`` or ``{driver: [inf_original, title]}`` → name → fields."""
    if not isinstance(mapping, dict):
        raise SelectionError("'as:' must map a value name to a field (as: {driver: value})")
    out: dict[str, list[str]] = {}
    for name, fields in mapping.items():
        listed = _str_list(fields)
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise SelectionError(f"'as:' value name {name!r}: use letters, digits and '_'")
        if not listed or not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", f) for f in listed):
            raise SelectionError(f"'as: {name}' must name a field (a column or a named 're' group) or a list")
        out[name] = listed
    return out


def _carries(sel: CompiledSelection, fields: list[str]) -> bool:
    """Can a row of ``sel`` have one of ``fields``? Detail tables' columns are only known at scan time."""
    groups = {g for _c, pattern, _cased in sel.regexes for g in re.compile(pattern).groupindex}
    known = KNOWN_COLUMNS.get(sel.table)
    return any(f in groups or f == "text" or known is None or f in known for f in fields)


def load_signature(path: Path) -> tuple[Signature | None, list[SignatureError]]:
    """Read and compile one signature file. Returns the signature (None when unusable) and every problem."""
    data, err = read_yaml(path)
    if err is not None:
        return None, [err]
    errors: list[SignatureError] = []

    def bad(line: int, message: str) -> None:
        errors.append(SignatureError(path, line, message))

    if not isinstance(data, dict):
        bad(1, "a signature file must be a mapping (title:, id:, level:, detection:, ...)")
        return None, errors
    for key in data:
        if key not in TOP_KEYS:
            bad(_line(data, key), f"unknown key {key!r} (allowed: {', '.join(TOP_KEYS)})")
    for key in REQUIRED:
        if key not in data:
            bad(data.line if isinstance(data, _LineDict) else 1, f"missing required key {key!r}")

    def text(key: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            bad(_line(data, key), f"{key!r} must be text")
            return default
        return value.strip()

    def localized(key: str) -> dict[str, str]:
        """A text key as language -> text: a plain string is English, a mapping must have ``en``."""
        value = data.get(key)
        if key not in data or value is None:
            return {}
        if isinstance(value, str):
            return {BASE_LANGUAGE: value.strip()}
        if not isinstance(value, dict) or not isinstance(value.get(BASE_LANGUAGE), str):
            bad(_line(data, key), f"{key!r} must have 'en' (and should have 'zh') text, or be one English text")
            return {}
        texts: dict[str, str] = {}
        for lang, text_value in value.items():
            if not isinstance(text_value, str):
                bad(_line(value, lang), f"{key} {lang!r} must be text")
            else:
                texts[str(lang)] = unfold_cjk(text_value.strip())
        return texts

    def line_of(key: str, lang: str) -> int:
        value = data.get(key)
        return _line(value, lang) if isinstance(value, dict) else _line(data, key)

    sig_id = text("id")
    title = localized("title")
    if "id" in data and sig_id and not ID_RE.match(sig_id):
        bad(_line(data, "id"), f"id {sig_id!r} must be 3-100 characters of a-z, 0-9, '.', '_', '-' "
                               "(it is stable: findings and notes refer to it)")
    level = text("level", "medium").lower()
    if level not in LEVELS:
        bad(_line(data, "level"), f"level {level!r} must be one of {', '.join(LEVELS)}")
    status = text("status", "experimental").lower()
    if status not in STATUSES:
        bad(_line(data, "status"), f"status {status!r} must be one of {', '.join(STATUSES)}")
    lists: dict[str, list[str]] = {}
    for key in ("references", "sources", "tags"):
        value = _str_list(data.get(key))
        if value is None:
            bad(_line(data, key), f"{key!r} must be a list of text")
            value = []
        lists[key] = value
    setupdiag: dict[str, str] = {}
    if "setupdiag" in data:
        sd = data["setupdiag"]
        if not isinstance(sd, dict) or not isinstance(sd.get("rule"), str) or not isinstance(sd.get("guid"), str):
            bad(_line(data, "setupdiag"), "'setupdiag' must have 'rule' (the SetupDiag rule name) and 'guid'")
        else:
            setupdiag = {"rule": sd["rule"], "guid": sd["guid"].upper()}
            if not re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", setupdiag["guid"]):
                bad(_line(sd, "guid"), f"setupdiag guid {sd['guid']!r} is not a GUID")

    remediation = localized("remediation")

    # detection: named selections + condition
    selections: dict[str, CompiledSelection] = {}
    values: dict[str, dict[str, list[str]]] = {}
    same_names: frozenset[str] = frozenset()
    condition: Node | None = None
    condition_text = ""
    det = data.get("detection")
    if "detection" in data:
        if not isinstance(det, dict):
            bad(_line(data, "detection"), "'detection' must be a mapping of named selections and a 'condition'")
        else:
            for name, spec in det.items():
                if name == "condition":
                    continue
                if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", name):
                    bad(_line(det, name), f"selection name {name!r}: use letters, digits and '_'")
                    continue
                try:
                    spec, mapping, _as_line = _split_as(spec)
                    if mapping is not None:
                        values[name] = _value_fields(mapping)
                    selections[name] = compile_selection(name, spec)
                except SelectionError as exc:
                    bad(exc.line or _line(det, name), f"selection {name!r}: {exc.message}")
            if "condition" not in det:
                bad(det.line if isinstance(det, _LineDict) else 0, "'detection' has no 'condition'")
            else:
                condition_text = str(det["condition"])
                try:
                    condition = parse_condition(condition_text)
                    # every declared name counts, so a selection that failed to compile is reported once
                    declared = [str(n) for n in det if n != "condition"]
                    selection_names(condition, declared)
                    same = same_value_names(condition, declared)
                    same_names = frozenset(same)
                    for value_name, sels in same.items():
                        for sel_name in sorted(sels):
                            sel = selections.get(sel_name)
                            fields = values.get(sel_name, {}).get(value_name, [value_name])
                            if sel is not None and not _carries(sel, fields):
                                bad(_line(det, "condition"), f"condition: 'with same {value_name}': selection "
                                    f"{sel_name!r} has no field {' or '.join(fields)!r}; give it "
                                    f"'as: {{{value_name}: FIELD}}' or a named group (?P<{value_name}>...)")
                except ConditionError as exc:
                    bad(_line(det, "condition"), f"condition: {exc}")
                    condition = None

    details = localized("details")
    names = [n for n in (det or {}) if n != "condition"] if isinstance(det, dict) else []
    for lang, template in details.items():
        for group in _template_groups(template):
            for ref in group.split("|"):
                m = _TEMPLATE_REF.match(ref.strip())
                if m is None:
                    bad(line_of("details", lang), f"details template {{{group}}}: write {{selection.field}} "
                                                  "or {a.field|b.field}")
                elif m.group(1) == "same" and m.group(2) in same_names:
                    pass  # the value a 'with same' agreed on
                elif m.group(1) not in names:
                    bad(line_of("details", lang), f"details template names {{{ref}}} but there is no selection "
                                                  f"{m.group(1)!r}")
        # a translation says the same thing: the same values, in any order
        base = details.get(BASE_LANGUAGE)
        differ = sorted(set(_template_groups(template)) ^ set(_template_groups(base or template)))
        if differ:
            bad(line_of("details", lang), f"details {lang!r} must use the same {{...}} fields as 'en' "
                                          f"(differs in {', '.join('{' + g + '}' for g in differ)})")
    texts_of = {"title": title, "details": details, "remediation": remediation}
    untranslated = {key: _line(data, key) for key in TEXT_KEYS
                    if texts_of[key] and not texts_of[key].get(TRANSLATED_LANGUAGE)}

    root = pack_root_of(path)
    positive: list[Path] = []
    negative: list[Path] = []
    also_fires: list[str] = []
    samples = data.get("samples")
    if "samples" in data:
        if not isinstance(samples, dict) or "positive" not in samples:
            bad(_line(data, "samples"), "'samples' must have 'positive' (a folder or file relative to the pack) "
                                        "on which the signature fires")
        else:
            for key in samples:
                if key not in ("positive", "negative", "also_fires"):
                    bad(_line(samples, key), f"unknown samples key {key!r} (positive, negative, also_fires)")
            for key, out in (("positive", positive), ("negative", negative)):
                paths = _str_list(samples.get(key))
                if paths is None:
                    bad(_line(samples, key), f"samples {key!r} must be a path or a list of paths")
                    continue
                for rel in paths:
                    p = (root / rel).resolve()
                    if not p.exists():
                        bad(_line(samples, key), f"{key} sample {rel!r} does not exist (looked in {root})")
                    elif root.resolve() not in p.parents:
                        bad(_line(samples, key), f"{key} sample {rel!r} is outside the pack folder")
                    else:
                        rows_error = _rows_sample_error(p)
                        if rows_error:
                            bad(_line(samples, key), f"{key} sample {rel!r}: {rows_error}")
                        else:
                            out.append(p)
            af = _str_list(samples.get("also_fires"))
            if af is None:
                bad(_line(samples, "also_fires"), "samples 'also_fires' must be a list of signature ids")
            else:
                also_fires = af

    if errors or condition is None:
        return None, errors
    return Signature(
        id=sig_id, title=title, level=level, status=status, description=text("description"),
        references=lists["references"], sources=lists["sources"], tags=lists["tags"], setupdiag=setupdiag,
        condition_text=condition_text, condition=condition, selections=selections, details=details,
        remediation=remediation, samples_positive=positive, samples_negative=negative, also_fires=also_fires,
        path=path, line=data.line if isinstance(data, _LineDict) else 1, pack_root=root, raw=dict(data),
        values=values, same_names=same_names, untranslated=untranslated,
    ), []


def _template_groups(template: str) -> list[str]:
    """The ``{...}`` fields of a details template, as written (``a.x`` or ``a.x|b.y``)."""
    return re.findall(r"\{([^{}]*)\}", template)
