"""ResponseCheck: does a success body fit what the description documents for its operation?

Generated decoders trust the body: a missing required field raises ``KeyError``, a wrong type
``TypeError`` or ``ValueError``, an undocumented status ``UnexpectedStatus``. Checking the body
first lets ``ErrorTransport`` turn each of those into one readable
``APIResponseValidationError`` that names the field, before generated code sees the body.
The operation comes from the operation index, the schemas and their validator configuration
from ``chatapi_description``: the same ones the sandbox uses.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import httpx

from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec
from chatapi_description import Operation, OperationIndex, Schemas

__all__ = ["NOT_JSON", "ParsedResponse", "ResponseCheck", "default_response_check", "parse_json"]

NOT_JSON: Any = object()
"""What ``parse_json`` returns for a body that is not JSON."""


def parse_json(body: bytes) -> Any:
    """The JSON document of ``body``, None for an empty body, or ``NOT_JSON``."""
    if not body.strip():
        return None
    try:
        return json.loads(body)
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; a deeply nested document
    # exhausts the parser's recursion instead.
    except (ValueError, RecursionError):
        return NOT_JSON


class ParsedResponse(httpx.Response):
    """A read response whose JSON body is already parsed: ``json()`` returns that document.

    The overlays parse a success body once to check it; generated code then decodes the
    same document instead of parsing the bytes again. Build one with ``parsed``.
    """

    document: Any

    @classmethod
    def parsed(cls, response: httpx.Response, document: Any) -> ParsedResponse:
        """``response`` (read, not streamed) carrying its parsed ``document``."""
        # A shallow copy of the read response's state: re-running __init__ would re-encode
        # the headers and the body for nothing.
        copy = cls.__new__(cls)
        copy.__dict__.update(response.__dict__)
        copy.document = document
        return copy

    def json(self, **kwargs: Any) -> Any:
        """The parsed document; with keyword arguments, ``json.loads`` of the body afresh."""
        return super().json(**kwargs) if kwargs else self.document


class ResponseCheck:
    """The success responses of every operation of an index, checked against their schemas."""

    def __init__(self, index: OperationIndex, schemas: Schemas) -> None:
        """Check answers to ``index``'s operations with validators from ``schemas``."""
        self.index = index
        self.schemas = schemas

    def problem(self, operation: Operation | None, status: int, document: Any) -> str | None:
        """Why ``document`` (a parsed body, None if empty) cannot be this answer; else None.

        A request no operation serves (``operation`` None) is not checked.
        """
        if operation is None:
            return None
        name = operation.operation_id
        code = str(status)
        if code not in operation.responses or not code.startswith("2"):
            documented = ", ".join(str(s) for s in operation.success_statuses)
            return f"{name} does not document status {status} (only {documented})"
        pointer = operation.responses[code]
        if pointer is None:
            return None
        if document is None:
            return f"{name} answered {status} with an empty body"
        problem = self.schemas.problem(pointer, document, "the body")
        if problem is None:
            return None
        return f"{name} answered {status} with a body that does not fit the spec: {problem}"


@cache
def default_response_check() -> ResponseCheck:
    """One process-wide check over the bundled description, shared by every client."""
    return ResponseCheck(INDEX, Schemas(load_spec()))
