"""Changes that break code generated in other languages, though the wire stays the same.

A client generated from a release names types after component schemas and builds unions from
their variants: Go's `EmailMessageAsOutgoingMessage`, TypeScript's `components["schemas"]
["NewContact"]`. Such code stops compiling when the next release

- removes or renames a component schema (`schema-removed`, or `schema-renamed` when a new
  schema has the same content),
- changes a schema's kind: object, union, enum, array or scalar (`schema-kind-changed`),
- removes a variant from a `oneOf`/`anyOf`, or points a discriminator value elsewhere
  (`variant-removed`, `discriminator-target-changed`),
- points a property, a request body or a response at another schema (`target-changed`).

These are reported apart from the wire rules of `tools.breaking`: a wire-compatible release
may carry them, and the changelog must then say so, with the affected operations (listed
with each change).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatapi_description import HTTP_METHODS, escape
from tools._files import Document
from tools.breaking._languages import schema_shape
from tools.breaking._model import Change

__all__ = ["generated_code_changes"]

_PREFIX = "#/components/schemas/"
# Keys a renamed schema may change besides its name.
_FINGERPRINT_PROSE = frozenset({"description", "examples", "example", "title"})


def generated_code_changes(base: Document, head: Document) -> list[Change]:
    """Every change from `base` to `head` that breaks generated code, each once."""
    base_schemas = _schemas(base)
    head_schemas = _schemas(head)
    users = _operations_by_schema(base)
    changes: list[Change] = []
    renamed = _renames(base_schemas, head_schemas)
    for name in sorted(base_schemas):
        affected = users.get(name, [])
        if name not in head_schemas:
            if name in renamed:
                message = f"renamed {renamed[name]}"
                changes.append(_change("schema-renamed", name, message, affected))
            else:
                changes.append(_change("schema-removed", name, "is gone", affected))
            continue
        old, new = base_schemas[name], head_schemas[name]
        if _kind(old) != _kind(new):
            message = f"was {_kind(old)}, is {_kind(new)}"
            changes.append(_change("schema-kind-changed", name, message, affected))
        changes += _union_changes(name, old, new, affected)
        changes += _property_targets(name, old, new, affected)
    changes += _operation_targets(base, head, set(base_schemas) & set(head_schemas))
    return changes


def _change(rule: str, name: str, message: str, affected: list[str]) -> Change:
    used = f" (affects {', '.join(affected)})" if affected else ""
    return Change(f"generated-{rule}", f"schema {name}", message + used, _PREFIX[1:] + name)


def _schemas(document: Document) -> dict[str, Any]:
    found = (document.get("components") or {}).get("schemas") or {}
    return dict(found) if isinstance(found, dict) else {}


def _kind(schema: Any) -> str:
    """How generators model a schema: object, union, enum, array or a scalar type."""
    if not isinstance(schema, dict):
        return "any"
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    types = [t for t in types if t != "null"]
    # Generators turn a list of types into a union, as they do `oneOf`.
    if "oneOf" in schema or "anyOf" in schema or len(types) > 1:
        return "a union"
    if "enum" in schema or "const" in schema:
        return "an enum"
    if "allOf" in schema or "properties" in schema or types == ["object"]:
        return "an object"
    if types == ["array"]:
        return "an array"
    return " or ".join(types) if types else "any"


def _ref_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref[len(_PREFIX) :] if isinstance(ref, str) and ref.startswith(_PREFIX) else None


def _union_changes(name: str, old: Any, new: Any, affected: list[str]) -> list[Change]:
    changes: list[Change] = []
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return changes
    old_variants, new_variants = _variant_names(old), _variant_names(new)
    removed = sorted(old_variants - new_variants)
    if _kind(new) == "a union" and removed:
        message = f"variant{'s' if len(removed) > 1 else ''} {', '.join(removed)} removed"
        changes.append(_change("variant-removed", name, message, affected))
    old_map = ((old.get("discriminator") or {}).get("mapping")) or {}
    new_map = ((new.get("discriminator") or {}).get("mapping")) or {}
    for value, target in sorted(old_map.items()):
        moved = new_map.get(value)
        if moved is not None and moved != target:
            message = f"discriminator value {value!r}: {_short(target)} -> {_short(moved)}"
            changes.append(_change("discriminator-target-changed", name, message, affected))
    return changes


def _variant_names(schema: dict[str, Any]) -> set[str]:
    """The component schemas a union names as its variants."""
    names = (_ref_name(v) for k in ("oneOf", "anyOf") for v in schema.get(k) or [])
    return {name for name in names if name is not None}


def _property_targets(name: str, old: Any, new: Any, affected: list[str]) -> list[Change]:
    changes: list[Change] = []
    old_props = old.get("properties") or {} if isinstance(old, dict) else {}
    new_props = new.get("properties") or {} if isinstance(new, dict) else {}
    for prop, node in sorted(old_props.items()):
        before, after = _ref_name(node), _ref_name(new_props.get(prop))
        if before and after and before != after:
            message = f"property {prop!r}: {before} -> {after}"
            changes.append(_change("target-changed", name, message, affected))
    return changes


def _operation_targets(base: Document, head: Document, kept: set[str]) -> list[Change]:
    """A request body or response schema that names another component schema.

    Only where the schema it named is `kept`: a removed or renamed one is reported once,
    at the schema, with every operation it affects.
    """
    changes: list[Change] = []
    for (path, method), (old_op, new_op) in _common_operations(base, head):
        label = f"{old_op.get('operationId', '')} ({method.upper()} {path})"
        for where, old_schema, new_schema in _bodies(base, head, old_op, new_op):
            before, after = _ref_name(old_schema), _ref_name(new_schema)
            if before in kept and after and before != after:
                rule = "generated-target-changed"
                pointer = f"/paths/{escape(path)}/{method}"
                changes.append(Change(rule, label, f"{where}: {before} -> {after}", pointer))
    return changes


def _common_operations(
    base: Document, head: Document
) -> Iterator[tuple[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]]:
    for path, item in (base.get("paths") or {}).items():
        other = (head.get("paths") or {}).get(path) or {}
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict) and isinstance(other.get(method), dict):
                yield (path, method), (item[method], other[method])


def _bodies(
    base: Document, head: Document, old_op: dict[str, Any], new_op: dict[str, Any]
) -> Iterator[tuple[str, Any, Any]]:
    old_body = _json_schema(base, old_op.get("requestBody"), "requestBodies")
    new_body = _json_schema(head, new_op.get("requestBody"), "requestBodies")
    yield "request body", old_body, new_body
    old_responses = old_op.get("responses") or {}
    new_responses = new_op.get("responses") or {}
    for status in sorted(set(old_responses) & set(new_responses)):
        old_schema = _json_schema(base, old_responses[status], "responses")
        new_schema = _json_schema(head, new_responses[status], "responses")
        yield f"response {status}", old_schema, new_schema


def _json_schema(document: Document, node: Any, section: str) -> Any:
    """The JSON schema of a body or response, following a `$ref` to components once."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        name = node["$ref"].rsplit("/", 1)[-1]
        node = ((document.get("components") or {}).get(section) or {}).get(name)
    if not isinstance(node, dict):
        return None
    return ((node.get("content") or {}).get("application/json") or {}).get("schema")


def _renames(base: dict[str, Any], head: dict[str, Any]) -> dict[str, str]:
    """Removed schema -> added schema with the same content (descriptions aside)."""
    added = {name: _fingerprint(head[name]) for name in head if name not in base}
    renames: dict[str, str] = {}
    for name in base:
        if name in head:
            continue
        twins = [new for new, print_ in added.items() if print_ == _fingerprint(base[name])]
        if len(twins) == 1:
            renames[name] = twins[0]
    return renames


def _fingerprint(schema: Any) -> str:
    return schema_shape(schema, _FINGERPRINT_PROSE)


def _short(ref: str) -> str:
    return ref[len(_PREFIX) :] if ref.startswith(_PREFIX) else ref


def _operations_by_schema(document: Document) -> dict[str, list[str]]:
    """Component schema name -> the operations whose requests or answers reach it."""
    schemas = _schemas(document)
    reach: dict[str, list[str]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if not isinstance(operation, dict):
                continue
            seen: set[str] = set()
            _collect(document, operation, schemas, seen, set())
            _collect(document, item.get("parameters"), schemas, seen, set())
            for name in seen:
                reach.setdefault(name, []).append(str(operation.get("operationId", path)))
    return {name: sorted(ops) for name, ops in reach.items()}


def _collect(
    document: Document, node: Any, schemas: dict[str, Any], seen: set[str], visited: set[str]
) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(document, item, schemas, seen, visited)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in visited:
        visited.add(ref)
        if ref.startswith(_PREFIX):
            seen.add(ref[len(_PREFIX) :])
        target: Any = document
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            if not isinstance(target, dict):
                break
        _collect(document, target, schemas, seen, visited)
    for key, value in node.items():
        if key not in ("$ref", "example", "examples"):
            _collect(document, value, schemas, seen, visited)
