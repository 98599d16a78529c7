"""ResponseSchemas: does a success body fit what the spec documents for its operation?

Generated decoders trust the body: a missing required field raises ``KeyError``, a wrong type
``TypeError`` or ``ValueError``, an undocumented status ``UnexpectedStatus``. Checking the body
against the bundled spec first lets ``ErrorTransport`` turn each of those into one readable
``APIResponseValidationError`` that names the field, before generated code sees the body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chatapi_client import rate_limits
from chatapi_client.spec import load_spec

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

__all__ = ["ResponseSchemas", "default_response_schemas"]

_SPEC_URI = "urn:chatapi:openapi"
_MESSAGE_LENGTH = 300


class ResponseSchemas:
    """The success-response schemas of every operation, compiled on first use.

    ``problem`` maps a request to its operation with the generated rate-limit table (the
    same method and path matching), so a request no operation serves is not checked.
    """

    def __init__(self, spec: Mapping[str, Any] | None = None) -> None:
        self._spec = spec
        self._lock = threading.Lock()
        self._responses: dict[str, dict[str, Validator | None]] | None = None

    def problem(self, method: str, path: str, status: int, body: bytes) -> str | None:
        """Why ``body`` cannot be a ``status`` answer of the operation at ``path``; else None.

        ``path`` is relative to the server URL, as ``rate_limits.find_rate_limit`` takes it.
        """
        operation = rate_limits.find_rate_limit(method, path).operation_id
        responses = self._index().get(operation)
        if responses is None:
            return None
        if str(status) not in responses:
            documented = ", ".join(sorted(responses))
            return f"{operation} does not document status {status} (only {documented})"
        validator = responses[str(status)]
        if validator is None:
            return None
        if not body.strip():
            return f"{operation} answered {status} with an empty body"
        try:
            document = json.loads(body)
        except ValueError:
            return f"{operation} answered {status} with a body that is not JSON"
        except RecursionError:
            return f"{operation} answered {status} with a body nested too deeply to read"
        from jsonschema.exceptions import best_match

        try:
            error = best_match(validator.iter_errors(document))
        except RecursionError:
            return f"{operation} answered {status} with a body nested too deeply to check"
        if error is None:
            return None
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        message = error.message
        if len(message) > _MESSAGE_LENGTH:
            message = message[: _MESSAGE_LENGTH - 1] + "…"
        return f"{operation} answered {status} with a body that does not fit the spec: " + (
            f"at {where}: {message}"
        )

    def _index(self) -> dict[str, dict[str, Validator | None]]:
        with self._lock:
            if self._responses is None:
                self._responses = _compile(dict(self._spec or load_spec()))
            return self._responses


def _compile(spec: dict[str, Any]) -> dict[str, dict[str, Validator | None]]:
    """Map operationId -> success status -> validator of its JSON body (None: no schema)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(spec))
    index: dict[str, dict[str, Validator | None]] = {}
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            successes: dict[str, Validator | None] = {}
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                pointer = ["paths", path, method, "responses", status]
                if "$ref" in response:
                    pointer = response["$ref"].removeprefix("#/").split("/")
                    response = _follow(spec, pointer)
                if "schema" not in response.get("content", {}).get("application/json", {}):
                    successes[status] = None
                    continue
                target = [*pointer, "content", "application/json", "schema"]
                reference = {"$ref": f"{_SPEC_URI}#{_json_pointer(target)}"}
                successes[status] = Draft202012Validator(reference, registry=registry)
            index[operation["operationId"]] = successes
    return index


def _follow(document: Mapping[str, Any], pointer: list[str]) -> Any:
    node: Any = document
    for part in pointer:
        node = node[part]
    return node


def _json_pointer(parts: list[str]) -> str:
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + "/".join(quote(part, safe="~") for part in escaped)


@cache
def default_response_schemas() -> ResponseSchemas:
    """One process-wide instance over the bundled spec, shared by every connected client."""
    return ResponseSchemas()
