"""The models section of ``api.md``: every model a method takes or returns, in words.

Field names and Python types come from openapi-python-client's parse (what users import);
descriptions, constraints and examples from the description itself, so the reference says
what the schema says: a pattern, a maximum, "exactly one of these fields".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chatapi_description import Document

from .pattern_words import pattern_words

__all__ = ["Field", "ReferenceModel", "constraint_words", "examples_of", "reference_models"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLAIN_FORMATS = {
    "email": "an email address",
    "uri": "an absolute URL",
    "int64": "a 64-bit integer",
    "int32": "a 32-bit integer",
    "double": "a floating-point number",
    "date-time": "a date and time (RFC 3339)",
}
# The JSON type each numeric format sizes (OpenAPI's format registry).
_NUMBER_FORMAT_KINDS = {"int32": "integer", "int64": "integer", "double": "number"}


@dataclass(frozen=True)
class Field:
    """One field of a model, as a Python user reads and writes it."""

    name: str
    json_name: str
    annotation: str
    required: bool
    description: str
    notes: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceModel:
    """A model class (or a ``Literal`` alias, with its ``values``) of ``chatapi_client.models``."""

    name: str
    description: str
    fields: tuple[Field, ...]
    values: tuple[str, ...]
    notes: tuple[str, ...]


def reference_models(
    parse: Any, spec: Mapping[str, Any], roots: Iterable[str]
) -> tuple[ReferenceModel, ...]:
    """The models reachable from ``roots`` (type names in method signatures), in name order."""
    document = Document(spec)
    by_name: dict[str, Any] = {str(m.class_info.name): m for m in parse.models}
    enums: dict[str, Any] = {str(e.class_info.name): e for e in parse.enums}
    pending = [name for root in roots for name in _IDENTIFIER.findall(root)]
    seen: set[str] = set()
    found: list[ReferenceModel] = []
    while pending:
        name = pending.pop()
        if name in seen or (name not in by_name and name not in enums):
            continue
        seen.add(name)
        if name in enums:
            found.append(_enum(name, enums[name]))
            continue
        model = _model(name, by_name[name], document)
        found.append(model)
        pending.extend(n for f in model.fields for n in _IDENTIFIER.findall(f.annotation))
    return tuple(sorted(found, key=lambda m: m.name))


def _enum(name: str, enum: Any) -> ReferenceModel:
    values = tuple(sorted(json.dumps(v) for v in enum.values))
    return ReferenceModel(name, _text(enum.description), (), values, ())


def _model(name: str, model: Any, document: Document) -> ReferenceModel:
    schema = model.data.model_dump(by_alias=True, exclude_none=True, mode="json")
    properties = _properties(schema, document)
    fields = []
    for prop in [*(model.required_properties or []), *(model.optional_properties or [])]:
        json_name = str(_untrusted(prop.name))
        node = properties.get(json_name, {})
        target = _resolved(node, document)
        # A description beside a `$ref` is the field's own (OpenAPI 3.1); the parser's is the
        # referenced schema's, which says what the type is, not what this field means.
        description = _text(node.get("description")) or _text(prop.description)
        description = description or _text(target.get("description"))
        fields.append(
            Field(
                name=str(prop.python_name),
                json_name=json_name,
                annotation=str(prop.get_type_string().as_unembedded_code()),
                required=bool(prop.required),
                description=description,
                notes=tuple(constraint_words(node, document)),
                examples=examples_of(node, document),
            )
        )
    description = _text(model.description) or _text(schema.get("description"))
    return ReferenceModel(name, description, tuple(fields), (), tuple(_object_words(schema)))


def _properties(schema: Mapping[str, Any], document: Document) -> dict[str, Any]:
    """The properties of an object schema, those of its ``allOf`` parts included."""
    merged: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        merged.update(_properties(_resolved(part, document), document))
    merged.update(schema.get("properties") or {})
    return merged


def _resolved(node: Any, document: Document) -> Mapping[str, Any]:
    if not isinstance(node, Mapping):
        return {}
    target, _ = document.resolve(node, "#")
    return target if isinstance(target, Mapping) else {}


def _is_model(schema: Mapping[str, Any]) -> bool:
    return bool(schema.get("properties") or schema.get("allOf"))


def _format_words(schema: Mapping[str, Any]) -> str:
    """A schema's format in words; beside other types, said of the numeric branch alone."""
    fmt = str(schema["format"])
    plain = _PLAIN_FORMATS.get(fmt, f"format `{fmt}`")
    kind = _NUMBER_FORMAT_KINDS.get(fmt)
    types = schema.get("type")
    others = [t for t in types if t not in (kind, "null")] if isinstance(types, list) else []
    if kind is None or not others:
        return plain
    return f"as {'an integer' if kind == 'integer' else 'a number'}: {plain}"


def constraint_words(node: Any, document: Document) -> list[str]:
    """What a schema allows, in words: enums, patterns, lengths, bounds, formats, defaults.

    A reference to another model is left out: that model has its own entry.
    """
    schema = _resolved(node, document)
    if _is_model(schema):
        return []
    words: list[str] = []
    if "const" in schema:
        words.append(f"always `{json.dumps(schema['const'])}`")
    if "enum" in schema:
        words.append("one of " + ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"]))
    if "pattern" in schema:
        said = pattern_words(str(schema["pattern"]))
        pattern = f"the pattern `{schema['pattern']}`"
        words.append(f"{said} ({pattern})" if said else f"matches {pattern}")
    if "format" in schema:
        words.append(_format_words(schema))
    words += _range(schema, "minLength", "maxLength", "characters")
    words += _range(schema, "minItems", "maxItems", "items")
    words += _bounds(schema)
    if "default" in schema:
        words.append(f"default `{json.dumps(schema['default'])}`")
    items = schema.get("items")
    if isinstance(items, Mapping):
        words += [f"each item: {w}" for w in constraint_words(items, document)]
    for key in ("oneOf", "anyOf"):
        for branch in schema.get(key, []):
            kind = _resolved(branch, document).get("type")
            prefix = f"as a {kind}: " if isinstance(kind, str) and kind != "null" else ""
            words += [prefix + w for w in constraint_words(branch, document)]
    return words


def _range(schema: Mapping[str, Any], low: str, high: str, unit: str) -> list[str]:
    lo, hi = schema.get(low), schema.get(high)
    if lo is not None and hi is not None:
        return [f"exactly {lo} {unit}" if lo == hi else f"{lo} to {hi} {unit}"]
    if hi is not None:
        return [f"at most {hi} {unit}"]
    if lo:
        return [f"at least {lo} {unit.rstrip('s') if lo == 1 else unit}"]
    return []


def _number(value: Any) -> Any:
    """``1.0`` as ``1``: a parse's bounds are floats."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _bounds(schema: Mapping[str, Any]) -> list[str]:
    schema = {k: _number(v) for k, v in schema.items()}
    words = []
    if "minimum" in schema and "maximum" in schema:
        words.append(f"{schema['minimum']} ≤ value ≤ {schema['maximum']}")
    elif "minimum" in schema:
        words.append(f"≥ {schema['minimum']}")
    elif "maximum" in schema:
        words.append(f"≤ {schema['maximum']}")
    if "exclusiveMinimum" in schema:
        words.append(f"> {schema['exclusiveMinimum']}")
    if "exclusiveMaximum" in schema:
        words.append(f"< {schema['exclusiveMaximum']}")
    return words


def _object_words(schema: Mapping[str, Any]) -> list[str]:
    lo, hi = schema.get("minProperties"), schema.get("maxProperties")
    if lo == hi == 1:
        return ["exactly one of its fields must be given"]
    return _range(schema, "minProperties", "maxProperties", "fields")


def examples_of(node: Any, document: Document) -> tuple[str, ...]:
    """The examples a schema (or the schema it refers to) gives, as JSON."""
    found: list[Any] = []
    for schema in (node, _resolved(node, document)):
        if not isinstance(schema, Mapping):
            continue
        found += list(schema.get("examples", []))
        if "example" in schema:
            found.append(schema["example"])
    unique = dict.fromkeys(json.dumps(e, ensure_ascii=False) for e in found)
    return tuple(unique)


def _untrusted(value: Any) -> Any:
    return value.get_untrusted_value() if hasattr(value, "get_untrusted_value") else value


def _text(value: Any) -> str:
    """A description's text on one line (Markdown stays Markdown)."""
    return " ".join(str(_untrusted(value) or "").split())
