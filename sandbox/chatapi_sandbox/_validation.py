"""Check a request against its operation, with the description's schemas.

Parameters are converted to their JSON types and the body parsed, then both validated.
The schemas, their validator configuration and the sentences errors become are the
description model's (``chatapi_description.Schemas``), the same the client checks answers
with: ``request body field $.text is too long (1001 characters, at most 1000)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatapi_description import Operation, Parameter, Schemas

from ._json_body import UnreadableBodyError, is_json_media, read_json

__all__ = ["InvalidRequestError", "RequestValidator", "ValidRequest"]

_MAX_REPR = 60


class InvalidRequestError(ValueError):
    """The request does not match the description; ``str()`` is the sentence for the client."""


@dataclass(frozen=True)
class ValidRequest:
    """A request that matches its operation: parameters converted to their JSON types."""

    path: dict[str, Any]
    query: dict[str, Any]
    body: Any


class RequestValidator:
    """Checks the parameters and body of requests to one operation."""

    def __init__(self, schemas: Schemas, operation: Operation) -> None:
        """Build every validator the operation needs now, so a bad schema fails at start-up."""
        self._schemas = schemas
        self._operation = operation
        for parameter in operation.parameters:
            schemas.validator(parameter.schema)
        if operation.request_body is not None:
            schemas.validator(operation.request_body.schema)

    def validate(
        self,
        path: Mapping[str, str],
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        content_type: str | None,
    ) -> ValidRequest:
        """Convert and check everything the operation declares.

        Raises:
            InvalidRequestError: with a sentence naming the parameter or body field at fault.
        """
        sources = {"path": path, "query": query, "header": headers}
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}}
        for parameter in self._operation.parameters:
            raw = sources[parameter.location].get(parameter.name)
            subject = f"{parameter.location} parameter '{parameter.name}'"
            if raw is None:
                if parameter.required:
                    raise InvalidRequestError(f"{subject} is required")
                if parameter.default is not None:  # the spec's default, as the API applies it
                    values[parameter.location][parameter.name] = parameter.default
                continue
            value = _convert(raw, parameter, subject)
            problem = self._schemas.problem(parameter.schema, value, subject)
            if problem:
                raise InvalidRequestError(problem)
            values[parameter.location][parameter.name] = value
        return ValidRequest(values["path"], values["query"], self._body(body, content_type))

    def _body(self, body: bytes, content_type: str | None) -> Any:
        spec = self._operation.request_body
        if spec is None:
            return None
        if not body.strip():
            if spec.required:
                raise InvalidRequestError("request body is required (application/json)")
            return None
        if not is_json_media(content_type):
            media = (content_type or "").split(";")[0].strip().lower()
            raise InvalidRequestError(f"request body must be application/json, not {media}")
        try:
            value = read_json(body)
        except UnreadableBodyError as unreadable:
            raise InvalidRequestError(str(unreadable)) from None
        problem = self._schemas.problem(spec.schema, value, "request body")
        if problem:
            raise InvalidRequestError(problem)
        return value


_INTEGER = re.compile(r"-?[0-9]+")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def _convert(raw: str, parameter: Parameter, subject: str) -> Any:
    """Turn a raw parameter string into the JSON value its schema describes."""
    kind = parameter.scalar_type
    if kind == "integer":
        if not _INTEGER.fullmatch(raw):
            raise InvalidRequestError(f"{subject} must be an integer (got {_short(raw)})")
        value = int(raw)
        # Every integer the API reads is at most 64 bits (ids and cursors are `format: int64`):
        # a larger one is refused as the API refuses it, not looked up.
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise InvalidRequestError(f"{subject} must fit in 64 bits (got {_short(raw)})")
        return value
    if kind == "number":
        if not _NUMBER.fullmatch(raw):
            raise InvalidRequestError(f"{subject} must be a number (got {_short(raw)})")
        return float(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise InvalidRequestError(f"{subject} must be true or false (got {_short(raw)})")
        return raw == "true"
    return raw


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 1] + "…"
