"""Requests the API would refuse, refused before a rate-limited call is spent on them.

What is checked is what the description states and a user commonly gets wrong: a path
parameter or body field that misses its ``pattern`` or ``format`` (a contact identifier, an
E.164 phone number, an email address, a template location's coordinate inside the message
union), a query number out of its range (``limit`` above
100), and a contact filter that is empty or would match nothing
(``_filters.filter_problem``). Everything else is left to the server. The sentence
quotes the field's description and an example from the description.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import httpx
import jsonschema_rs

from chatapi_client.spec import load_spec
from chatapi_description import Document, Operation, OperationIndex, Route, Schemas, escape

from ._errors import ChatAPIError, RequestInfo
from ._filters import filter_problem
from ._transports.base import relative_path

__all__ = ["InvalidRequestError", "check_request", "example_of"]

_LIST_REQUEST = "#/components/schemas/ContactListRequest"
"""The body whose contact filter ``filter_problem`` checks."""
_MAX_QUOTE = 60
_PATTERN = jsonschema_rs.ValidationErrorKind.Pattern
_FORMAT = jsonschema_rs.ValidationErrorKind.Format
_MINIMUM = jsonschema_rs.ValidationErrorKind.Minimum
_MAXIMUM = jsonschema_rs.ValidationErrorKind.Maximum
_UNION = jsonschema_rs.ValidationErrorKind.OneOfNotValid | jsonschema_rs.ValidationErrorKind.AnyOf
_UNION_KEYWORDS = {"oneOf", "anyOf"}
"""The keywords of ``_UNION``'s failures, as a schema path names them."""


class InvalidRequestError(ChatAPIError, ValueError):
    """Not sent: a value the API would refuse, found before the call spent its rate limit.

    Attributes:
        request: The method and URL of the request as it would have gone out.
        field: The path parameter's name or the body field's JSON path (``$.phone``).
    """

    def __init__(self, message: str, *, request: RequestInfo, field: str) -> None:
        super().__init__(f"{message}; nothing was sent ({request})")
        self.request = request
        self.field = field


def check_request(
    request: httpx.Request,
    operation: Operation | None,
    index: OperationIndex,
    schemas: Schemas,
    base_path: str,
) -> None:
    """Raise ``InvalidRequestError`` for a request the API would refuse; see the module."""
    if operation is None:
        return
    path = relative_path(request, base_path)
    route = None if path is None else index.match(request.method, path)
    if isinstance(route, Route):
        for parameter in operation.parameters:
            value = route.path_params.get(parameter.name)
            if parameter.location != "path" or parameter.scalar_type != "string" or value is None:
                continue
            failure = _pattern_failure(schemas, parameter.schema, value)
            if failure is not None:
                raise _error(request, parameter.name, value, parameter.schema)
    for parameter in operation.parameters:
        raw = request.url.params.get(parameter.name)
        if parameter.location != "query" or parameter.scalar_type != "integer" or raw is None:
            continue
        try:
            number = int(raw)
        except ValueError:
            continue  # not a number at all: the server says so
        failure = schemas.first_error(parameter.schema, number)
        if failure is not None and isinstance(failure.kind, _MINIMUM | _MAXIMUM):
            raise _error(request, parameter.name, number, parameter.schema)
    if operation.request_body is None or not request.content:
        return
    try:
        body = json.loads(request.content)
    except ValueError:
        return
    pointer = operation.request_body.schema
    failure = _pattern_failure(schemas, pointer, body)
    if failure is not None:
        steps = list(failure.instance_path)
        if _UNION_KEYWORDS & set(failure.schema_path):  # found inside a union's branch
            where = _schema_pointer(list(failure.schema_path))
        else:
            where = _pointer_of(pointer, steps)
        field = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in steps)
        raise _error(request, f"body field {field}", failure.instance, where, field=field)
    if _resolved_pointer(pointer) == _LIST_REQUEST:
        problem = filter_problem(body)
        if problem is not None:
            raise InvalidRequestError(problem, request=RequestInfo.of(request), field="$.filter")


def _pattern_failure(schemas: Schemas, pointer: str, instance: Any) -> Any:
    """The first ``pattern`` or ``format`` failure of ``instance``, or None."""
    validator = schemas.validator(pointer)
    if validator.is_valid(instance):
        return None
    try:
        for failure in validator.iter_errors(instance):
            narrowed = _narrowed(failure)
            if narrowed is not None:
                return narrowed
    except ValueError:  # nested past jsonschema-rs's recursion limit: the server will say
        return None
    return None


def _narrowed(failure: Any) -> Any:
    """The ``pattern``/``format`` failure that alone makes ``failure``, or None.

    A union (``oneOf``, ``anyOf``: an outgoing message's kinds, a coordinate as a number or
    a decimal string) fails as a whole; when exactly one of its branches fails only on
    patterns and formats, that branch is the one the value meant, and its pattern is what
    to tell the user. Otherwise the value's shape is wrong, which the server describes.
    """
    if isinstance(failure.kind, _PATTERN | _FORMAT):
        return failure
    if isinstance(failure.kind, _UNION):
        meant = [found for branch in failure.kind.context if (found := _only_patterns(branch))]
        return meant[0] if len(meant) == 1 else None
    return None


def _only_patterns(errors: list[Any]) -> Any:
    """The first of ``errors`` if each narrows to a pattern or format failure, else None."""
    narrowed = [_narrowed(error) for error in errors]
    return narrowed[0] if narrowed and all(n is not None for n in narrowed) else None


def _schema_pointer(schema_path: list[str | int]) -> str:
    """The pointer of the schema that a nested failure's keyword belongs to.

    jsonschema-rs locates a keyword from the document's root (``components/schemas/...``);
    a branch of a union (``.../latitude/oneOf/1``) is left for the property it belongs to,
    which carries the description and the examples.
    """
    steps = schema_path[:-1]
    while len(steps) >= 2 and steps[-2] in _UNION_KEYWORDS and isinstance(steps[-1], int):
        steps = steps[:-2]
    return "#/" + "/".join(escape(str(step)) for step in steps)


def _error(
    request: httpx.Request, name: str, value: Any, pointer: str, *, field: str | None = None
) -> InvalidRequestError:
    schema = _schema(pointer)
    description = " ".join(str(schema.get("description") or "").split())
    quoted = json.dumps(value)[:_MAX_QUOTE]
    message = f"{name} {quoted} is not accepted by the API"
    if description:
        message += f": {description.rstrip('.')}"
    example = _example(schema, value)
    if example is not None:
        message += f"; use e.g. {example}"
    return InvalidRequestError(message, request=RequestInfo.of(request), field=field or name)


def example_of(pointer: str, value: Any) -> str | None:
    """An example of the schema at ``pointer`` for ``value``; see ``_example``."""
    return _example(_schema(pointer), value)


def _example(schema: Mapping[str, Any], value: Any) -> str | None:
    """An example of the schema, one with the value's ``kind:`` prefix when there is one."""
    examples = [str(e) for e in [*schema.get("examples", []), schema.get("example")] if e]
    if not examples:
        return None
    prefix = str(value).partition(":")[0] + ":" if ":" in str(value) else None
    same = [e for e in examples if prefix and e.startswith(prefix)]
    return (same or examples)[0]


@functools.cache
def _document() -> Document:
    """The bundled description, for the few lookups a refusal or a filter check needs."""
    return Document(load_spec())


def _schema(pointer: str) -> Mapping[str, Any]:
    document = _document()
    schema, _ = document.resolve(document.at(pointer), pointer)
    return schema if isinstance(schema, Mapping) else {}


@functools.cache
def _resolved_pointer(pointer: str) -> str:
    document = _document()
    return document.resolve(document.at(pointer), pointer)[1]


def _pointer_of(pointer: str, path: list[str | int]) -> str:
    """The pointer of the schema a body field at ``path`` meets (properties, allOf, items)."""
    document = _document()
    for step in path:
        schema, pointer = document.resolve(document.at(pointer), pointer)
        if isinstance(step, int):
            pointer += "/items"
            continue
        parts = [f"{pointer}/allOf/{i}" for i in range(len(schema.get("allOf", [])))]
        for candidate in [pointer, *parts]:
            target, resolved = document.resolve(document.at(candidate), candidate)
            if step in (target.get("properties") or {}):
                pointer = f"{resolved}/properties/{escape(step)}"
                break
        else:
            return pointer
    return pointer
