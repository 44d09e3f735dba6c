"""Just enough of JSON Schema (2020-12) to check the project's own schema files in tests.

The keywords the files under ``docs/schemas`` use: ``type`` (one or a list), ``required``, ``properties``,
``additionalProperties`` (a schema or false), ``items``, ``enum``, ``const`` and local ``$ref``
(``#/$defs/name``). An unknown keyword fails the check, so a schema cannot silently ask for more than this
checks.
"""

from __future__ import annotations

from typing import Any

KNOWN = {"$schema", "$id", "title", "description", "$defs", "type", "required", "properties", "additionalProperties",
         "items", "enum", "const", "$ref"}
TYPES = {
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "null": lambda v: v is None,
}


def errors(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None, where: str = "$") -> list[str]:
    """Every place ``value`` breaks ``schema``, as ``path: what``."""
    root = root or schema
    unknown = set(schema) - KNOWN
    if unknown:
        return [f"{where}: the schema uses keywords this checker does not know: {sorted(unknown)}"]
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(value, root["$defs"][name], root, where)
    out: list[str] = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[t](value) for t in types):
            return [f"{where}: {type(value).__name__} is not {'/'.join(types)}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                out.append(f"{where}: no {key!r}")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                out.extend(errors(item, props[key], root, f"{where}.{key}"))
            elif schema.get("additionalProperties") is False:
                out.append(f"{where}: {key!r} is not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                out.extend(errors(item, schema["additionalProperties"], root, f"{where}.{key}"))
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            out.extend(errors(item, schema["items"], root, f"{where}[{n}]"))
    return out
