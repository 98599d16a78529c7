"""Which models only ever come back from the API, so their optional fields can read ``T | None``.

A model that no request carries never needs to tell "not given" from ``null``: for it, a
field the server left out and a field it sent as null both read as ``None``. The pipeline
marks such schemas (components reached only from responses, and the inline objects inside
them) with ``MARK`` in the copy of the description it hands to openapi-python-client; the
model template reads the mark.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["MARK", "mark_response_models", "response_only"]

MARK = "x-python-response-model"
_SCHEMAS = "#/components/schemas/"
_NESTED = ("properties", "items", "allOf", "oneOf", "anyOf", "additionalProperties", "prefixItems")


def response_only(spec: Mapping[str, Any]) -> set[str]:
    """Names of the component schemas that responses reach and no request does."""
    requests: set[str] = set()
    responses: set[str] = set()
    for item in spec.get("paths", {}).values():
        for operation in item.values() if isinstance(item, Mapping) else ():
            if not isinstance(operation, Mapping):
                continue
            for root in _request_roots(operation):
                _reach(root, spec, requests)
            for response in (operation.get("responses") or {}).values():
                _reach(_resolve(response, spec), spec, responses)
    for parameters in (item.get("parameters") for item in spec.get("paths", {}).values()):
        for parameter in parameters or ():
            _reach(_resolve(parameter, spec), spec, requests)
    return responses - requests


def mark_response_models(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` whose response-only schemas, and objects inside them, carry ``MARK``."""
    marked = copy.deepcopy(dict(spec))
    schemas = marked.get("components", {}).get("schemas", {})
    for name in response_only(spec):
        for node in _objects(schemas[name]):
            node[MARK] = True
    return marked


def _request_roots(operation: Mapping[str, Any]) -> Iterator[Any]:
    yield from operation.get("parameters") or ()
    body = operation.get("requestBody")
    if body is not None:
        yield body


def _resolve(node: Any, spec: Mapping[str, Any]) -> Any:
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        target: Any = spec
        for token in node["$ref"].lstrip("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _reach(node: Any, spec: Mapping[str, Any], found: set[str]) -> None:
    """Add to ``found`` every component schema reachable from ``node``."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            name = ref[len(_SCHEMAS) :]
            if name not in found:
                found.add(name)
                _reach(spec["components"]["schemas"][name], spec, found)
            return
        if isinstance(ref, str):
            _reach(_resolve(node, spec), spec, found)
            return
        for value in node.values():
            _reach(value, spec, found)
    elif isinstance(node, list):
        for value in node:
            _reach(value, spec, found)


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """``node`` and the inline schemas inside it, not following references."""
    if not isinstance(node, dict) or "$ref" in node:
        return
    yield node
    for key in _NESTED:
        value = node.get(key)
        if key == "properties" and isinstance(value, dict):
            for child in value.values():
                yield from _objects(child)
        elif isinstance(value, list):
            for child in value:
                yield from _objects(child)
        else:
            yield from _objects(value)
