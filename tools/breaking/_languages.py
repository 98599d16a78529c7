"""What breaks code written against the generated client, though the wire may not change.

Generated code names things after the description: a resource method after `x-client`, a
model class after its schema's name, a model attribute after its property. So, from the
release to the new description:

- an operation's `x-client` resource or method renamed, or `x-client` removed:
  `client.contacts.get(...)` no longer exists;
- a schema removed or renamed (`from chatapi_client.models import Conversation` fails);
- a property of a schema kept under its name removed or renamed (attribute access fails) or
  given other types (type checkers reject code that was correct).

A property added is not listed: models accept it as an optional keyword.
"""

from __future__ import annotations

import json
from typing import Any

from chatapi_description import escape
from tools._files import Document
from tools.breaking._model import Change

__all__ = ["language_changes", "properties_of", "schema_shape", "types_of"]

# Formats OpenAPI's registry gives to integers and numbers: beside a `type` list they size the
# numeric branch (`[integer, string]` with `int64`), never the string one.
_NUMBER_FORMATS = frozenset({"int32", "int64", "float", "double"})


def language_changes(base: Document, head: Document) -> list[Change]:
    """Every change from the release `base` to `head` that breaks generated or Python code."""
    return _client_names(base, head) + _schemas(base, head)


def _client_names(base: Document, head: Document) -> list[Change]:
    old, new = _x_clients(base), _x_clients(head)
    changes = []
    for operation_id, (was, pointer) in old.items():
        if operation_id not in new:
            continue  # the operation is gone: the wire comparison reports it
        now, head_pointer = new[operation_id]
        if now == was or was is None:
            continue
        if now is None:
            message = f"x-client removed: client.{was[0]}.{was[1]} is gone"
            changes.append(Change("client-method-removed", operation_id, message, pointer))
        else:
            message = (
                f"client.{was[0]}.{was[1]} became "
                f"client.{now[0]}.{now[1]}: code calling the old name breaks"
            )
            changes.append(Change("client-method-renamed", operation_id, message, head_pointer))
    return changes


def _x_clients(document: Document) -> dict[str, tuple[tuple[str, str] | None, str]]:
    """OperationId -> ((resource, method) or None, pointer to its x-client)."""
    found: dict[str, tuple[tuple[str, str] | None, str]] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            pointer = f"/paths/{escape(path)}/{method}/x-client"
            client = operation.get("x-client")
            names = None
            if isinstance(client, dict):
                names = (str(client.get("resource")), str(client.get("method")))
            found[str(operation["operationId"])] = (names, pointer)
    return found


def _schemas(base: Document, head: Document) -> list[Change]:
    old = (base.get("components") or {}).get("schemas") or {}
    new = (head.get("components") or {}).get("schemas") or {}
    changes: list[Change] = []
    added = {name: schema_shape(schema) for name, schema in new.items() if name not in old}
    for name, schema in old.items():
        pointer = f"/components/schemas/{escape(name)}"
        if name not in new:
            twins = sorted(n for n, shape in added.items() if shape == schema_shape(schema))
            message = (
                f"schema {name} renamed to {twins[0]}: the model class {name} is gone"
                if len(twins) == 1
                else f"schema {name} removed: the model class {name} is gone"
            )
            rule = "schema-renamed" if len(twins) == 1 else "schema-removed"
            changes.append(Change(rule, name, message, pointer))
            continue
        changes += _fields(name, schema, new[name], pointer)
    return changes


def _fields(name: str, old: Any, new: Any, pointer: str) -> list[Change]:
    old_props, new_props = properties_of(old), properties_of(new)
    gone = [p for p in old_props if p not in new_props]
    came = [p for p in new_props if p not in old_props]
    changes = []
    for prop in gone:
        twins = [p for p in came if schema_shape(new_props[p]) == schema_shape(old_props[prop])]
        if len(twins) == 1:
            message = f"field {name}.{prop} renamed to {twins[0]}"
            rule = "model-field-renamed"
        else:
            message = f"field {name}.{prop} removed"
            rule = "model-field-removed"
        changes.append(Change(rule, f"{name}.{prop}", message, f"{pointer}/properties/{prop}"))
    for prop in old_props.keys() & new_props.keys():
        was, now = types_of(old_props[prop]), types_of(new_props[prop])
        # Gaining a type breaks readers only, which the wire comparison already reports for
        # responses; losing or changing one (`string` to `string:date-time`) breaks code.
        if not was <= now:
            message = f"field {name}.{prop} retyped: {_show(was)} -> {_show(now)}"
            where = f"{pointer}/properties/{escape(prop)}"
            changes.append(Change("model-field-retyped", f"{name}.{prop}", message, where))
    return sorted(changes, key=lambda change: change.where)


def properties_of(schema: Any) -> dict[str, Any]:
    """A schema's own properties, its `allOf` parts' included."""
    if not isinstance(schema, dict):
        return {}
    found = dict(schema.get("properties") or {})
    for part in schema.get("allOf") or ():
        if isinstance(part, dict) and "$ref" not in part:
            found.update(properties_of(part))
    return found


def types_of(schema: Any) -> frozenset[str]:
    """What a property holds, as the generator types it: JSON types, formats, model names."""
    if not isinstance(schema, dict):
        return frozenset()
    if "$ref" in schema:
        return frozenset({str(schema["$ref"]).rsplit("/", 1)[-1]})
    kinds = schema.get("type")
    found = set(kinds if isinstance(kinds, list) else [kinds] if kinds else [])
    if "format" in schema and schema["format"] not in _NUMBER_FORMATS:
        found = {f"{kind}:{schema['format']}" if kind == "string" else kind for kind in found}
    if "items" in schema:
        found = {f"array[{_show(types_of(schema['items']))}]" if k == "array" else k for k in found}
    for variants in ("oneOf", "anyOf"):
        for variant in schema.get(variants) or ():
            found |= types_of(variant)
    return frozenset(str(kind) for kind in found)


def _show(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"


_PROSE = frozenset({"description", "title", "example", "examples", "summary"})


def schema_shape(schema: Any, prose: frozenset[str] = _PROSE) -> str:
    """A schema with its prose (keys in ``prose``) left out, as text: alike schemas match."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: strip(value) for key, value in node.items() if key not in prose}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    return json.dumps(strip(schema), sort_keys=True)
