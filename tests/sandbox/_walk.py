"""Create-then-get, derived from the description: every declared request field comes back.

The pairs are found in the description, not listed here: a POST with a JSON body, and the
GET on that path plus one `{parameter}`, else on the same path when it is not a list
(createContact -> getContact,
sendMessage -> getMessage, createCustomField -> getCustomField). Each body is the request's
own examples from the description, with every declared property they lack added and every
top-level string that must be unique (a pattern, a format, free text) made fresh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import find
from hypothesis import strategies as st

from chatapi_description import Document, Operation, OperationIndex, escape

# Request fields that say what to do rather than what is stored: the get answers something
# else on purpose. Each with its reason; a new field is walked like every other.
NOT_ECHOED: Mapping[tuple[str, str], str] = {
    ("sendMessage", "channelId"): "picks the channel; getMessage answers the channel used",
    ("createCustomField", "allowedValues"): (
        "answered wrapped, {listValues: [...]}, as the vendor's clients read it"
    ),
}

_PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Pair:
    """A creating operation and the operation that reads back what it created."""

    create: Operation
    get: Operation


def pairs(index: OperationIndex) -> list[Pair]:
    """Every create/get pair of the description (see the module's docstring)."""
    gets = {op.path: op for op in index.operations if op.method == "GET"}
    found = []
    for op in index.operations:
        if op.method != "POST" or op.request_body is None:
            continue
        same = gets.get(op.path)
        below = [g for p, g in gets.items() if re.fullmatch(re.escape(op.path) + r"/\{[^}/]+\}", p)]
        # Reading one thing back: the GET below the path, else the same path's if not a list.
        get = below[0] if len(below) == 1 else same if same and not same.paginated else None
        if get is not None:
            found.append(Pair(op, get))
    return found


class Bodies:
    """Builds request bodies from the description's examples and schemas."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.document = Document(spec)
        self.used: set[str] = set()

    def schema(self, node: Any, pointer: str) -> dict[str, Any]:
        """The schema at `node`, references followed and `allOf` parts merged."""
        target, where = self.document.resolve(node, pointer)
        merged: dict[str, Any] = {k: v for k, v in target.items() if k != "allOf"}
        merged["properties"] = dict(target.get("properties") or {})
        for index, part in enumerate(target.get("allOf") or ()):
            sub = self.schema(part, f"{where}/allOf/{index}")
            merged["properties"].update(sub["properties"])
            merged["required"] = [*merged.get("required", []), *sub.get("required", [])]
            for key, value in sub.items():
                merged.setdefault(key, value)
        return merged

    def request(self, operation: Operation) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The body schema (merged) and the request's examples (at least one, maybe empty)."""
        pointer = f"#/paths/{escape(operation.path)}/{operation.method.lower()}/requestBody"
        body, where = self.document.resolve_mapping(self.document.at(pointer), pointer)
        media = body["content"]["application/json"]
        examples: list[dict[str, Any]] = []
        if "example" in media:
            examples.append(dict(media["example"]))
        for name, entry in (media.get("examples") or {}).items():
            example, _ = self.document.resolve_mapping(entry, f"{where}/examples/{name}")
            examples.append(dict(example["value"]))
        return self.schema(media["schema"], f"{where}/content/application~1json/schema"), (
            examples or [{}]
        )

    def value(self, node: Any, pointer: str, name: str) -> Any:
        """A valid value for a schema: its example, else one made from its type."""
        schema = self.schema(node, pointer)
        for variants in ("oneOf", "anyOf"):
            if schema.get(variants):
                return self.value(schema[variants][0], f"{pointer}/{variants}/0", name)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        kind = schema.get("type")
        kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
        if kind == "string":
            return self.fresh_string(schema, name)
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return float(schema.get("minimum", 1.5))
        if kind == "boolean":
            return True
        if kind == "array":
            count = int(schema.get("minItems", 0))
            return [self.value(schema["items"], f"{pointer}/items", name) for _ in range(count)]
        if kind == "object" or schema["properties"]:
            return {
                key: self.value(sub, f"{pointer}/properties/{escape(key)}", key)
                for key, sub in schema["properties"].items()
            }
        return None

    def fresh_string(self, schema: Mapping[str, Any], name: str) -> str:
        """A string no earlier call returned, valid for the schema's pattern or format."""
        if "pattern" in schema:
            strategy = st.from_regex(schema["pattern"], fullmatch=True)
            text: str = find(strategy, lambda s: s not in self.used)
        else:
            number = len(self.used)
            text = {
                "email": f"walk{number}@example.com",
                "uri": f"https://example.com/walk{number}",
            }.get(schema.get("format", ""), f"walk-{name}-{number}")
            text = text[: int(schema.get("maxLength", len(text)))]
        self.used.add(text)
        return text

    def bodies(self, operation: Operation) -> Iterator[dict[str, Any]]:
        """One body per example of the request, every declared property present and fresh."""
        schema, examples = self.request(operation)
        for example in examples:
            body = dict(example)
            for key, sub in schema["properties"].items():
                if (operation.operation_id, key) in NOT_ECHOED:
                    continue  # what the example says, or nothing
                resolved = self.schema(sub, "#")
                plain_string = resolved.get("type") == "string" and "enum" not in resolved
                variants = resolved.get("anyOf") or resolved.get("oneOf")
                if key not in body or plain_string or (variants and isinstance(body[key], str)):
                    body[key] = self.value(sub, "#", key)
            yield body


def path_value(
    bodies: Bodies,
    operation: Operation,
    parameter: str,
    body: Mapping[str, Any],
    fallback: Mapping[str, Any],
) -> Any:
    """A path parameter's value: a known one, else `kind:value` built from the body."""
    if parameter in fallback:
        return fallback[parameter]
    declared = next(p for p in operation.parameters if p.name == parameter)
    pattern = bodies.schema(bodies.document.at(declared.schema), declared.schema).get("pattern")
    for key, value in body.items():
        candidate = f"{key}:{value}"
        if isinstance(value, str) and pattern and re.fullmatch(pattern, candidate):
            return candidate
    raise AssertionError(f"no value for {operation.operation_id}'s {{{parameter}}}")


def url(operation: Operation, values: Mapping[str, Any]) -> str:
    return _PARAMETER.sub(lambda m: str(values[m.group(1)]), operation.path)


_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def same_value(sent: Any, read: Any) -> bool:
    """``read`` is what was sent; a numeric string may come back as its number.

    Where the description takes a number as a string too (a template location's coordinates,
    ``OutgoingTemplateLocation``), the server records and answers the number.
    """
    if isinstance(sent, dict) and isinstance(read, dict):
        return sent.keys() == read.keys() and all(same_value(sent[k], read[k]) for k in sent)
    if isinstance(sent, list) and isinstance(read, list):
        return len(sent) == len(read) and all(map(same_value, sent, read))
    if isinstance(sent, str) and _DECIMAL.fullmatch(sent) and type(read) in (int, float):
        return float(sent) == float(read)
    return bool(sent == read)


def walk(
    client: httpx.Client,
    spec: Mapping[str, Any],
    index: OperationIndex,
    known: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """Every field a create request declared that its get did not answer back, as messages.

    `known` gives, by operationId, values for path parameters that address existing things
    (a contact to send to); others are built from the body or taken from the create's answer.
    """
    bodies = Bodies(spec)
    missing: list[str] = []
    for pair in pairs(index):
        for body in bodies.bodies(pair.create):
            values: dict[str, Any] = {}
            for name in _PARAMETER.findall(pair.create.path):
                values[name] = path_value(
                    bodies, pair.create, name, body, known.get(pair.create.operation_id, {})
                )
            created = client.post(url(pair.create, values), json=body)
            assert created.is_success, (pair.create.operation_id, body, created.text)
            answer = created.json()
            for name in _PARAMETER.findall(pair.get.path):
                if name not in values:
                    values[name] = answer.get(name, answer.get("id"))
            got = client.get(url(pair.get, values))
            assert got.is_success, (pair.get.operation_id, values, got.text)
            read = got.json()
            for key, sent in body.items():
                if (pair.create.operation_id, key) in NOT_ECHOED:
                    continue
                if not same_value(sent, read.get(key, object())):
                    missing.append(
                        f"{pair.create.operation_id} accepted {key}={sent!r}; "
                        f"{pair.get.operation_id} answered {read.get(key, '(nothing)')!r}"
                    )
    return missing
