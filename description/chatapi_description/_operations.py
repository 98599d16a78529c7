"""The operation index: every operation of the description, as the code needs to know it.

``read_index`` builds it from a parsed description; the generator writes the result into
``chatapi_client.operations`` (``repr`` of these classes is the Python that rebuilds them),
and the client's rate limiter and response check and the sandbox's router all use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._document import Document, pointer_to
from ._matching import PathMatcher, Route
from ._yaml import DescriptionError

__all__ = [
    "HTTP_METHODS",
    "PAGE_CURSOR",
    "PAGE_ITEMS",
    "PAGE_LINKS",
    "Operation",
    "OperationIndex",
    "Parameter",
    "RateLimit",
    "RequestBody",
    "read_index",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The keys of an OpenAPI path item that hold operations."""

PAGE_CURSOR = "cursorId"
"""The query parameter that starts a page; ``pagination.next`` links carry it too."""
PAGE_ITEMS = "items"
"""The property of a page that holds its items."""
PAGE_LINKS = "pagination"
"""The property of a page that links to its neighbours (``next``, ``previous``)."""

_JSON = "application/json"
_CLIENT_NAME = re.compile(r"[a-z][A-Za-z0-9]*")
_SCALARS = frozenset({"string", "integer", "number", "boolean"})


@dataclass(frozen=True)
class RateLimit:
    """A budget per organization; operations naming the same ``bucket`` share it."""

    bucket: str
    requests_per_second: int


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter with a scalar schema.

    Attributes:
        name: The parameter's name.
        location: ``path``, ``query`` or ``header``.
        required: Whether a request must carry it.
        scalar_type: The JSON type its raw string stands for.
        schema: Fragment pointer to its schema in the description.
        default: The schema's ``default`` (what an absent parameter means), or None.
    """

    name: str
    location: str
    required: bool
    scalar_type: str
    schema: str
    default: Any = None


@dataclass(frozen=True)
class RequestBody:
    """A JSON request body; ``schema`` is a fragment pointer into the description."""

    required: bool
    schema: str


@dataclass(frozen=True)
class Operation:
    """One operation of the description.

    Attributes:
        operation_id: The ``operationId``.
        method: The HTTP method, upper case.
        path: The path template relative to the server URL (``/contact/{identifier}``).
        tag: Its one tag (the generated module's folder).
        rate_limit: From its ``x-rate-limit``.
        parameters: Path-item and operation parameters, the latter winning.
        request_body: Its JSON body, or None.
        responses: Every documented status (``"200"``) to the pointer of its JSON body's
            schema, or None for a response without one.
        paginated: Whether it pages with a ``cursorId`` and answers ``{items, pagination}``.
        resource: The client resource it belongs to (``x-client.resource``: ``contacts``).
        action: Its method on that resource, camelCase (``x-client.method``: ``addTags``);
            each language spells it its own way (Python: ``add_tags``).
        idempotent: Whether sending it twice leaves the same result as once
            (``x-idempotent``): a call that may have been processed may be repeated only then.
    """

    operation_id: str
    method: str
    path: str
    tag: str
    resource: str
    action: str
    rate_limit: RateLimit
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: Mapping[str, str | None]
    paginated: bool = False
    idempotent: bool = False

    @property
    def success_statuses(self) -> tuple[int, ...]:
        """The 2xx statuses it documents, lowest first."""
        return tuple(sorted(int(code) for code in self.responses if code.startswith("2")))


@dataclass(frozen=True)
class OperationIndex:
    """Every operation, the server's base path and the budget of unmatched requests.

    ``match`` is the one way the project maps a request to an operation.
    """

    base_path: str
    default_rate_limit: RateLimit
    operations: tuple[Operation, ...]
    _matcher: PathMatcher[Operation] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, Operation] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        routes = ((operation.method, operation.path, operation) for operation in self.operations)
        object.__setattr__(self, "_matcher", PathMatcher(routes))
        by_id = {operation.operation_id: operation for operation in self.operations}
        object.__setattr__(self, "_by_id", by_id)

    def __getitem__(self, operation_id: str) -> Operation:
        """The operation with this ``operationId``; ``KeyError`` if none."""
        return self._by_id[operation_id]

    def match(self, method: str, path: str) -> Route[Operation] | tuple[str, ...] | None:
        """The operation serving ``method`` on a raw request ``path``.

        ``path`` is relative to the server URL and still percent-encoded; a query is ignored.
        Returns the route, the methods the path allows if not ``method`` (a 405), or None
        when no operation has such a path. See ``PathMatcher`` for the rules.
        """
        return self._matcher.match(method, path)

    def operation_for(self, method: str, path: str) -> Operation | None:
        """``match``, reduced to the operation (None for a 405 or an unknown path)."""
        found = self._matcher.match(method, path)
        return found.target if isinstance(found, Route) else None


def read_index(data: Mapping[str, Any]) -> OperationIndex:
    """Build the operation index of a parsed description.

    Raises:
        DescriptionError: a construct the model cannot represent, a missing or malformed
            ``x-rate-limit`` or ``x-idempotent``, a missing operationId or tag, or a
            duplicate operationId.
    """
    document = Document(data)
    operations: list[Operation] = []
    for path, item in (data.get("paths") or {}).items():
        item_pointer = pointer_to("paths", path)
        shared = _parameters(document, item.get("parameters"), f"{item_pointer}/parameters")
        for method in HTTP_METHODS:
            raw = item.get(method)
            if raw is not None:
                operations.append(_operation(document, path, method, raw, shared))
    ids = [operation.operation_id for operation in operations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DescriptionError(f"duplicate operationIds: {', '.join(duplicates)}")
    names = [f"{operation.resource}.{operation.action}" for operation in operations]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DescriptionError(f"x-client names used twice: {', '.join(duplicates)}")
    servers = data.get("servers") or [{"url": "/"}]
    return OperationIndex(
        base_path=urlsplit(str(servers[0]["url"])).path.rstrip("/"),
        default_rate_limit=_rate_limit(data.get("x-rate-limit-default"), "x-rate-limit-default"),
        operations=tuple(operations),
    )


def _operation(
    document: Document,
    path: str,
    method: str,
    raw: Mapping[str, Any],
    shared: dict[tuple[str, str], Parameter],
) -> Operation:
    pointer = pointer_to("paths", path, method)
    where = f"{method.upper()} {path}"
    operation_id = raw.get("operationId")
    if not isinstance(operation_id, str) or not operation_id:
        raise DescriptionError(f"{where}: every operation needs an operationId")
    tags = raw.get("tags") or []
    if len(tags) != 1:
        raise DescriptionError(f"{where}: every operation needs exactly one tag")
    parameters = {
        **shared,
        **_parameters(document, raw.get("parameters"), f"{pointer}/parameters"),
    }
    body = None
    if "requestBody" in raw:
        node, _ = document.resolve_mapping(raw["requestBody"], f"{pointer}/requestBody")
        schema = _json_schema(document, raw["requestBody"], f"{pointer}/requestBody")
        if schema is None:
            raise DescriptionError(f"{where}: only application/json request bodies are supported")
        body = RequestBody(required=bool(node.get("required", False)), schema=schema)
    responses = {
        str(code): _json_schema(document, response, f"{pointer}/responses/{code}")
        for code, response in (raw.get("responses") or {}).items()
    }
    if not any(code.startswith("2") for code in responses):
        raise DescriptionError(f"{where}: no success (2xx) response")
    resource, action = _client_name(raw.get("x-client"), where)
    return Operation(
        operation_id=operation_id,
        method=method.upper(),
        path=path,
        tag=str(tags[0]),
        resource=resource,
        action=action,
        rate_limit=_rate_limit(raw.get("x-rate-limit"), where),
        parameters=tuple(parameters.values()),
        request_body=body,
        responses=responses,
        paginated=_paginated(document, parameters, responses),
        idempotent=_idempotent(raw.get("x-idempotent"), where),
    )


def _parameters(document: Document, raw: Any, pointer: str) -> dict[tuple[str, str], Parameter]:
    found: dict[tuple[str, str], Parameter] = {}
    for index, item in enumerate(raw or ()):
        parameter, where = document.resolve_mapping(item, f"{pointer}/{index}")
        location = parameter.get("in")
        if location not in ("path", "query", "header"):
            raise DescriptionError(f"{where}: parameters in {location!r} are not supported")
        if "schema" not in parameter:
            raise DescriptionError(f"{where}: a parameter without a schema is not supported")
        schema, _ = document.resolve(parameter["schema"], f"{where}/schema")
        found[(parameter["name"], location)] = Parameter(
            name=parameter["name"],
            location=location,
            required=bool(parameter.get("required", location == "path")),
            scalar_type=_scalar_type(schema, where),
            schema=f"{where}/schema",
            default=schema.get("default") if isinstance(schema, Mapping) else None,
        )
    return found


def _scalar_type(schema: Any, where: str) -> str:
    declared = schema.get("type", "string") if isinstance(schema, Mapping) else "string"
    types = [declared] if isinstance(declared, str) else [t for t in declared if t != "null"]
    if len(types) != 1 or types[0] not in _SCALARS:
        raise DescriptionError(f"{where}: only scalar parameter schemas are supported")
    return str(types[0])


def _json_schema(document: Document, node: Any, pointer: str) -> str | None:
    """The pointer to the JSON schema of a request body or response, if it has one."""
    target, where = document.resolve_mapping(node, pointer)
    media = (target.get("content") or {}).get(_JSON)
    if isinstance(media, Mapping) and "schema" in media:
        return f"{where}/content/{_JSON.replace('/', '~1')}/schema"
    return None


def _paginated(
    document: Document,
    parameters: Mapping[tuple[str, str], Parameter],
    responses: Mapping[str, str | None],
) -> bool:
    """Pages with ``cursorId`` (query) and answers an object with ``items`` and ``pagination``."""
    if (PAGE_CURSOR, "query") not in parameters:
        return False
    pointer = responses.get(str(min(int(c) for c in responses if c.startswith("2"))))
    if pointer is None:
        return False
    schema, _ = document.resolve(document.at(pointer), pointer)
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    return {PAGE_ITEMS, PAGE_LINKS} <= set(properties)


def _client_name(extension: Any, where: str) -> tuple[str, str]:
    """``x-client``: the resource and method name clients in every language group it under."""
    if not isinstance(extension, Mapping):
        raise DescriptionError(f"{where}: x-client is missing or not a mapping")
    names = (extension.get("resource"), extension.get("method"))
    for key, name in zip(("resource", "method"), names, strict=True):
        if not isinstance(name, str) or not _CLIENT_NAME.fullmatch(name):
            raise DescriptionError(f"{where}: x-client.{key} must be a camelCase name")
    return str(names[0]), str(names[1])


def _idempotent(extension: Any, where: str) -> bool:
    """``x-idempotent``: whether the operation is safe to repeat; required, a boolean."""
    if not isinstance(extension, bool):
        raise DescriptionError(f"{where}: x-idempotent must be true or false")
    return extension


def _rate_limit(extension: Any, where: str) -> RateLimit:
    if not isinstance(extension, Mapping):
        raise DescriptionError(f"{where}: x-rate-limit is missing or not a mapping")
    bucket = extension.get("bucket")
    rps = extension.get("requests-per-second")
    if not isinstance(bucket, str) or not bucket:
        raise DescriptionError(f"{where}: x-rate-limit.bucket must be a non-empty string")
    if not isinstance(rps, int) or isinstance(rps, bool) or rps < 1:
        raise DescriptionError(
            f"{where}: x-rate-limit.requests-per-second must be a positive integer"
        )
    return RateLimit(bucket, rps)
