"""Reading descriptions for the comparison: references, operations, flattened schemas."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chatapi_description import HTTP_METHODS, DescriptionError, escape
from chatapi_description import Document as DescribedDocument
from tools._files import Document
from tools.breaking._model import CompareError

# Keywords that only document a schema: never compared.
_ANNOTATIONS = (
    "title", "description", "example", "examples", "default", "deprecated", "readOnly",
    "writeOnly", "externalDocs", "xml", "$comment", "discriminator",
)  # fmt: skip
_MAX_ALL_OF_DEPTH = 32


def resolve(document: Document, node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s from `node` (found at `pointer`): the target and its pointer."""
    try:
        target, where = DescribedDocument(document).resolve(node, "#" + pointer)
    except DescriptionError as error:
        raise CompareError(str(error)) from None
    return target, where.removeprefix("#")


def resolve_object(document: Document, node: Any, pointer: str) -> tuple[dict[str, Any], str]:
    """`resolve`, for a target that must be an object (a parameter, response, header...)."""
    target, target_pointer = resolve(document, node, pointer)
    if not isinstance(target, dict):
        raise CompareError(f"{target_pointer}: expected an object")
    return target, target_pointer


@dataclass(frozen=True)
class Operation:
    """An operation with where it lives and the path item that holds it."""

    path: str
    method: str
    body: dict[str, Any]
    path_item: dict[str, Any]

    @property
    def pointer(self) -> str:
        return f"/paths/{escape(self.path)}/{self.method}"

    @property
    def operation_id(self) -> str:
        return str(self.body.get("operationId", ""))

    @property
    def label(self) -> str:
        """How a person names it: `getContact (GET /contact/{identifier})`."""
        return f"{self.operation_id or 'operation'} ({self.method.upper()} {self.path})"


def operations(document: Document) -> dict[tuple[str, str], Operation]:
    """Every operation of the description by (path, method), in document order."""
    found: dict[tuple[str, str], Operation] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS if isinstance(item, dict) else ():
            if isinstance(item.get(method), dict):
                found[path, method] = Operation(path, method, item[method], item)
    return found


@dataclass
class Schema:
    """A schema with its `$ref`s followed and its `allOf` parts merged into one.

    Each keyword keeps the pointer of the object it came from (`origins`), so a change is
    reported where it was made. Annotations (`description`, `example`...) are left out.
    """

    pointer: str
    keywords: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    properties: dict[str, tuple[Any, str]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)

    def at(self, keyword: str) -> str:
        """The pointer of this schema's `keyword`."""
        return f"{self.origins.get(keyword, self.pointer)}/{keyword}"

    def types(self) -> frozenset[str] | None:
        """The JSON types allowed (None: any), from `type`, else from `const` or `enum`."""
        declared = self.keywords.get("type")
        if isinstance(declared, str):
            return frozenset([declared])
        if isinstance(declared, list):
            return frozenset(str(t) for t in declared)
        values = self.values()
        return None if values is None else frozenset(json_type(v) for v in values.values())

    def values(self) -> dict[str, Any] | None:
        """The values `enum` or `const` allows, by their JSON text (None: no such limit)."""
        if "const" in self.keywords:
            allowed = [self.keywords["const"]]
        elif isinstance(self.keywords.get("enum"), list):
            allowed = self.keywords["enum"]
        else:
            return None
        return {json.dumps(value, sort_keys=True): value for value in allowed}

    def union(self) -> str | None:
        """`oneOf` or `anyOf` when the schema is a union of variants."""
        for keyword in ("oneOf", "anyOf"):
            if isinstance(self.keywords.get(keyword), list):
                return keyword
        return None


def flatten(document: Document, node: Any, pointer: str) -> Schema:
    """The schema at `node` (found at `pointer`), references followed, `allOf` merged.

    Merging keeps the first value seen of a keyword, the schema's own before its parts', and
    the union of properties and of `required`: exact for the `allOf` of objects this
    description uses to extend a schema.
    """
    node, pointer = resolve(document, node, pointer)
    schema = Schema(pointer)
    _merge_into(schema, document, node, pointer, 0)
    return schema


def _merge_into(schema: Schema, document: Document, node: Any, pointer: str, depth: int) -> None:
    if depth > _MAX_ALL_OF_DEPTH:
        raise CompareError(f"{pointer}: allOf nested too deeply (circular?)")
    if node is True or node is None:
        return
    if node is False:  # accepts nothing: no type at all
        schema.keywords.setdefault("type", [])
        schema.origins.setdefault("type", pointer)
        return
    if not isinstance(node, dict):
        raise CompareError(f"{pointer}: a schema must be an object or a boolean")
    for name, value in (node.get("properties") or {}).items():
        schema.properties.setdefault(name, (value, f"{pointer}/properties/{escape(name)}"))
    schema.required.update(str(name) for name in node.get("required") or [])
    for keyword, value in node.items():
        if keyword not in ("allOf", "properties", "required", "$ref", *_ANNOTATIONS):
            schema.keywords.setdefault(keyword, value)
            schema.origins.setdefault(keyword, pointer)
    for index, part in enumerate(node.get("allOf") or []):
        target, target_pointer = resolve(document, part, f"{pointer}/allOf/{index}")
        _merge_into(schema, document, target, target_pointer, depth + 1)


def json_type(value: Any) -> str:
    """The JSON type of a value, as `type` names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def covers(types: frozenset[str], json_type_name: str) -> bool:
    """`types` allows values of `json_type_name` (a number type allows integers)."""
    return json_type_name in types or (json_type_name == "integer" and "number" in types)
