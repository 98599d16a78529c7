"""Every example in the description validates against its schema (JSON Schema 2020-12).

Covered: `example`/`examples` of media types (request bodies and responses, inline or under
components, Example Objects inline or by $ref to components/examples), of parameters and of
headers; and `examples`/`example` written inside schemas. Schemas keep their `$ref`s and are
validated with the description model's one validator configuration (`Schemas`), the one the
client and the sandbox use, so an example passes here exactly when it would pass there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatapi_description import DescriptionError, Schemas
from tests.spec._spec import Problem, Spec, deref_or_report, escape, operations

RULE = "examples"

# Keywords whose values are subschemas: one, a list of them, or a map of them.
_ONE = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "$defs", "dependentSchemas")

# components/<section> -> the kind of object it holds.
_COMPONENT_KINDS = {
    "parameters": "parameter",
    "headers": "header",
    "requestBodies": "body",
    "responses": "response",
}


def example_problems(spec: Spec) -> list[Problem]:
    """Each example that does not validate against its schema, with the first reason."""
    registry = Schemas(spec)
    problems: list[Problem] = []
    holders = _example_holders(spec, problems)
    for pointer, holder in holders.items():
        if "schema" not in holder:
            continue
        for name, value in _examples_of(spec, holder, pointer, problems):
            problems += _check(registry, value, f"{pointer}/schema", f"{pointer} example {name!r}")
    schemas = {
        f"/components/schemas/{escape(k)}": v
        for k, v in _dict(spec, "components", "schemas").items()
    }
    schemas |= {f"{p}/schema": h["schema"] for p, h in holders.items() if "schema" in h}
    for root, schema in schemas.items():
        for pointer, subschema in _subschemas(schema, root):
            for name, value in _schema_examples(subschema):
                problems += _check(registry, value, pointer, f"{pointer} schema {name}")
    return problems


def _check(schemas: Schemas, value: Any, schema_pointer: str, where: str) -> list[Problem]:
    try:
        problem = schemas.problem("#" + schema_pointer, value, "the example")
    except DescriptionError as error:
        return [Problem(RULE, where, str(error))]
    return [] if problem is None else [Problem(RULE, where, _shorten(problem))]


def _example_holders(spec: Spec, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """Media types, parameters and headers, resolved, keyed by where they are defined.

    Keying by the definition's pointer checks a shared component once however often it is used.
    """
    found: dict[str, dict[str, Any]] = {}

    def add(node: Any, pointer: str, kind: str) -> None:
        resolved = deref_or_report(spec, node, pointer, problems, RULE)
        if resolved is None:
            return
        node, pointer = resolved
        if not isinstance(node, dict) or pointer in found:
            return
        if kind in ("parameter", "header", "media"):
            found[pointer] = node
        for media, media_type in (node.get("content") or {}).items():  # bodies; params by content
            add(media_type, f"{pointer}/content/{escape(media)}", "media")
        if kind == "response":
            for name, header in (node.get("headers") or {}).items():
                add(header, f"{pointer}/headers/{escape(name)}", "header")

    for op in operations(spec):
        item_pointer = op.pointer.rsplit("/", 1)[0]
        for index, parameter in enumerate(_list(spec, "paths", op.path, "parameters")):
            add(parameter, f"{item_pointer}/parameters/{index}", "parameter")
        for index, parameter in enumerate(op.body.get("parameters") or []):
            add(parameter, f"{op.pointer}/parameters/{index}", "parameter")
        if "requestBody" in op.body:
            add(op.body["requestBody"], f"{op.pointer}/requestBody", "body")
        for status, response in (op.body.get("responses") or {}).items():
            add(response, f"{op.pointer}/responses/{escape(status)}", "response")
    # Components too, so that an unused but broken example is still caught.
    for section, kind in _COMPONENT_KINDS.items():
        for name, node in _dict(spec, "components", section).items():
            add(node, f"/components/{section}/{escape(name)}", kind)
    return found


def _examples_of(
    spec: Spec, holder: dict[str, Any], pointer: str, problems: list[Problem]
) -> Iterator[tuple[str, Any]]:
    """(name, value) of `example` and of each Example Object of a media type, parameter, header."""
    if "example" in holder:
        yield "example", holder["example"]
    for name, example in (holder.get("examples") or {}).items():
        where = f"{pointer}/examples/{escape(name)}"
        resolved = deref_or_report(spec, example, where, problems, RULE)
        if resolved is None:
            continue
        example, where = resolved
        if isinstance(example, dict) and "value" in example:
            yield name, example["value"]
        else:
            problems.append(Problem(RULE, where, "example has no inline `value` to check"))


def _subschemas(schema: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A schema and all schemas nested in it, with their pointers; `$ref`s are not followed."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for keyword in _ONE:
        if keyword in schema:
            yield from _subschemas(schema[keyword], f"{pointer}/{keyword}")
    for keyword in _LIST:
        for index, subschema in enumerate(schema.get(keyword) or []):
            yield from _subschemas(subschema, f"{pointer}/{keyword}/{index}")
    for keyword in _MAP:
        for name, subschema in (schema.get(keyword) or {}).items():
            yield from _subschemas(subschema, f"{pointer}/{keyword}/{escape(name)}")


def _schema_examples(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """JSON Schema's `examples` (a list) and OpenAPI's deprecated `example` of one schema."""
    if isinstance(schema.get("examples"), list):
        for index, value in enumerate(schema["examples"]):
            yield f"examples[{index}]", value
    if "example" in schema:
        yield "example", schema["example"]


def _dict(spec: Spec, *keys: str) -> dict[str, Any]:
    node: Any = spec
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _list(spec: Spec, *keys: str) -> list[Any]:
    node: Any = spec
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
