"""Shared test helpers: the stepped clock, tokens, and spec-schema assertions."""

from __future__ import annotations

import functools
from typing import Any

import httpx

from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec
from chatapi_description import Schemas

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
def _schemas() -> Schemas:
    return Schemas(load_spec())


def assert_conforms(operation_id: str, response: httpx.Response) -> None:
    """The response's status is declared for the operation and its JSON body matches."""
    responses = INDEX[operation_id].responses
    status = str(response.status_code)
    assert status in responses, f"{operation_id} does not declare {status}"
    pointer = responses[status]
    assert pointer is not None, f"{operation_id} {status} has no JSON body"
    problem = _schemas().problem(pointer, response.json(), "the body")
    assert problem is None, f"{operation_id} {status}: {problem}"
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
        assert int(response.headers[header]) >= 0


def request_problems(operation_id: str, body: Any) -> list[str]:
    """Why the operation's request body schema refuses ``body``, if it does (formats too)."""
    request_body = INDEX[operation_id].request_body
    assert request_body is not None, f"{operation_id} takes no body"
    problem = _schemas().problem(request_body.schema, body, "request body")
    return [] if problem is None else [problem]


def parameter_problems(operation_id: str, name: str, value: Any) -> list[str]:
    """Why the schema of the operation's parameter ``name`` refuses ``value``, if it does."""
    for parameter in INDEX[operation_id].parameters:
        if parameter.name == name:
            problem = _schemas().problem(parameter.schema, value, f"parameter {name!r}")
            return [] if problem is None else [problem]
    raise LookupError(f"{operation_id} has no parameter {name}")


def error_message(response: httpx.Response) -> str:
    """The Error body's message, after checking the body has the Error shape."""
    body = response.json()
    assert body["code"] == response.status_code
    message = body["message"]
    assert isinstance(message, str)
    return message
