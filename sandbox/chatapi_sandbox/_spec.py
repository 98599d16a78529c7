"""The operations of the OpenAPI description, in the form the sandbox serves them.

Everything the sandbox knows about the API (paths, methods, parameters, bodies, response
schemas, rate limits) is read here from the description; nothing of it is written in code.
Schemas are not copied: they are addressed by JSON pointer into the description, which
``_validation`` resolves with a ``referencing`` registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "HTTP_METHODS",
    "Operation",
    "Parameter",
    "RateLimit",
    "RequestBody",
    "SpecError",
    "base_path",
    "read_operations",
]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_JSON = "application/json"
_SCALARS = frozenset({"string", "integer", "number", "boolean"})


class SpecError(ValueError):
    """The description uses something the sandbox cannot serve; raised at start-up."""


@dataclass(frozen=True)
class RateLimit:
    """The budget an operation draws from: per organization, shared by a bucket's operations."""

    bucket: str
    requests_per_second: int


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter with a scalar schema.

    Attributes:
        name: The parameter's name.
        location: ``path``, ``query`` or ``header``.
        required: Whether a request must carry it.
        scalar_type: The JSON type a raw string is converted to before validation.
        schema: JSON pointer (``#/...``) to the parameter's schema in the description.
        default: The schema's ``default``: the value an absent parameter takes, or None.
    """

    name: str
    location: str
    required: bool
    scalar_type: str
    schema: str
    default: Any = None


@dataclass(frozen=True)
class RequestBody:
    """A JSON request body; ``schema`` is a JSON pointer into the description."""

    required: bool
    schema: str


@dataclass(frozen=True)
class Operation:
    """One operation of the description.

    Attributes:
        operation_id: The ``operationId``; handlers are keyed by it.
        method: The HTTP method, upper case.
        path: The path template relative to the server URL, e.g. ``/contact/{identifier}``.
        rate_limit: From ``x-rate-limit``, else ``x-rate-limit-default``.
        parameters: Path-level and operation-level parameters, the latter winning.
        request_body: The JSON body, or None when the operation takes none.
        responses: Status code (``"200"``) to the JSON pointer of its JSON schema, or None
            for a response without a JSON body.
    """

    operation_id: str
    method: str
    path: str
    rate_limit: RateLimit
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: Mapping[str, str | None]

    @property
    def success_status(self) -> int:
        """The lowest 2xx status the description declares (200 where 200 and 201 are both)."""
        return min(int(code) for code in self.responses if code.startswith("2"))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve(spec: Mapping[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local ``$ref`` chains of OpenAPI objects; return the object and its pointer."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise SpecError(f"{pointer}: only local, acyclic $ref are supported, got {ref!r}")
        seen.add(ref)
        node = spec
        for token in ref[2:].split("/"):
            key = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or key not in node:
                raise SpecError(f"{pointer}: $ref {ref!r} points nowhere")
            node = node[key]
        pointer = ref
    return node, pointer


def _scalar_type(spec: Mapping[str, Any], schema: Any, where: str) -> str:
    schema, _ = _resolve(spec, schema, where)
    declared = schema.get("type", "string") if isinstance(schema, Mapping) else "string"
    types = [declared] if isinstance(declared, str) else [t for t in declared if t != "null"]
    if len(types) != 1 or types[0] not in _SCALARS:
        raise SpecError(f"{where}: only scalar parameter schemas are supported, got {declared!r}")
    return str(types[0])


def _parameters(
    spec: Mapping[str, Any], raw: Any, pointer: str
) -> dict[tuple[str, str], Parameter]:
    found: dict[tuple[str, str], Parameter] = {}
    for index, item in enumerate(raw or ()):
        parameter, where = _resolve(spec, item, f"{pointer}/{index}")
        location = parameter.get("in")
        if location not in ("path", "query", "header"):
            raise SpecError(f"{where}: parameters in {location!r} are not supported")
        if "schema" not in parameter:
            raise SpecError(f"{where}: a parameter without a schema is not supported")
        found[(parameter["name"], location)] = Parameter(
            name=parameter["name"],
            location=location,
            required=bool(parameter.get("required", location == "path")),
            scalar_type=_scalar_type(spec, parameter["schema"], where),
            schema=f"{where}/schema",
            default=_resolve(spec, parameter["schema"], f"{where}/schema")[0].get("default"),
        )
    return found


def _json_schema_pointer(spec: Mapping[str, Any], node: Any, pointer: str) -> str | None:
    """The pointer to the JSON schema of a request body or response, if it has one."""
    node, pointer = _resolve(spec, node, pointer)
    content = node.get("content") or {}
    if _JSON in content and "schema" in content[_JSON]:
        return f"{pointer}/content/{_escape(_JSON)}/schema"
    return None


def _rate_limit(extension: Any, where: str) -> RateLimit:
    if not isinstance(extension, Mapping):
        raise SpecError(f"{where}: x-rate-limit is missing or not a mapping")
    bucket = extension.get("bucket")
    rps = extension.get("requests-per-second")
    if not isinstance(bucket, str) or not bucket:
        raise SpecError(f"{where}: x-rate-limit.bucket must be a non-empty string")
    if not isinstance(rps, int) or isinstance(rps, bool) or rps < 1:
        raise SpecError(f"{where}: x-rate-limit.requests-per-second must be a positive integer")
    return RateLimit(bucket, rps)


def read_operations(spec: Mapping[str, Any]) -> tuple[Operation, ...]:
    """Every operation of ``spec``, in the order the description lists them.

    An operation without ``x-rate-limit`` gets ``x-rate-limit-default``: the same budget
    (and bucket) the generated client's table gives a request it cannot match.

    Raises:
        SpecError: a construct the sandbox cannot serve, or a missing rate limit.
    """
    default = spec.get("x-rate-limit-default")
    operations: list[Operation] = []
    for path, item in (spec.get("paths") or {}).items():
        item_pointer = f"#/paths/{_escape(path)}"
        shared = _parameters(spec, item.get("parameters"), f"{item_pointer}/parameters")
        for method in HTTP_METHODS:
            raw = item.get(method)
            if raw is None:
                continue
            pointer = f"{item_pointer}/{method}"
            where = f"{method.upper()} {path}"
            if not raw.get("operationId"):
                raise SpecError(f"{where}: every operation needs an operationId")
            extension = raw.get("x-rate-limit")
            if extension is None and default is None:
                raise SpecError(f"{where}: no x-rate-limit and no x-rate-limit-default")
            limit = _rate_limit(extension if extension is not None else default, where)
            parameters = {
                **shared,
                **_parameters(spec, raw.get("parameters"), f"{pointer}/parameters"),
            }
            body = None
            if "requestBody" in raw:
                node, _ = _resolve(spec, raw["requestBody"], f"{pointer}/requestBody")
                schema = _json_schema_pointer(spec, raw["requestBody"], f"{pointer}/requestBody")
                if schema is None:
                    raise SpecError(f"{where}: only application/json request bodies are supported")
                body = RequestBody(required=bool(node.get("required", False)), schema=schema)
            responses = {
                str(code): _json_schema_pointer(spec, response, f"{pointer}/responses/{code}")
                for code, response in (raw.get("responses") or {}).items()
            }
            if not any(code.startswith("2") for code in responses):
                raise SpecError(f"{where}: no success (2xx) response")
            operations.append(
                Operation(
                    operation_id=raw["operationId"],
                    method=method.upper(),
                    path=path,
                    rate_limit=limit,
                    parameters=tuple(parameters.values()),
                    request_body=body,
                    responses=responses,
                )
            )
    ids = [operation.operation_id for operation in operations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(f"duplicate operationIds: {', '.join(duplicates)}")
    return tuple(operations)


def base_path(spec: Mapping[str, Any]) -> str:
    """The path of the first server URL (``/v2``), where the sandbox serves the API."""
    servers = spec.get("servers") or [{"url": "/"}]
    return str(urlsplit(str(servers[0]["url"])).path).rstrip("/")
