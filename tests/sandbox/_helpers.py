"""Shared test helpers: the stepped clock, tokens, and spec-schema assertions."""

from __future__ import annotations

import functools
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from chatapi_client.spec import load_spec

ACME_1 = "acme-token-1"
ACME_2 = "acme-token-2"
GLOBEX = "globex-token"
TEXT = {"message": {"type": "text", "text": "Hello"}}


class SteppedClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@functools.cache
def _spec() -> dict[str, Any]:
    return load_spec()


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _operation(operation_id: str) -> tuple[str, dict[str, Any]]:
    for path, item in _spec()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return f"#/paths/{_escape(path)}/{method}", operation
    raise LookupError(operation_id)


def assert_conforms(operation_id: str, response: httpx.Response) -> None:
    """The response's status is declared for the operation and its JSON body matches."""
    pointer, operation = _operation(operation_id)
    status = str(response.status_code)
    assert status in operation["responses"], f"{operation_id} does not declare {status}"
    answer = operation["responses"][status]
    if "$ref" in answer:
        pointer = answer["$ref"]
        answer = _spec()["components"]["responses"][pointer.rsplit("/", 1)[1]]
    else:
        pointer = f"{pointer}/responses/{status}"
    schema = {"$ref": f"urn:spec{pointer}/content/application~1json/schema"}
    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", DRAFT202012.create_resource(_spec())
    )
    errors = list(Draft202012Validator(schema, registry=registry).iter_errors(response.json()))
    assert not errors, f"{operation_id} {status}: {errors[0].message}"
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
        assert int(response.headers[header]) >= 0


def error_message(response: httpx.Response) -> str:
    """The Error body's message, after checking the body has the Error shape."""
    body = response.json()
    assert body["code"] == response.status_code
    message = body["message"]
    assert isinstance(message, str)
    return message
