"""Validate requests and responses against the description's JSON Schemas (Draft 2020-12).

The whole description is registered once as a ``referencing`` resource, and each schema is
validated through a ``$ref`` to its JSON pointer, so the ``#/components/...`` references
inside it resolve against the description itself. Validators are built once per schema at
start-up. Errors become one readable sentence that says what is wrong and where
(``request body field $.text is too long: 1001 characters, at most 1000``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ._regex import ecma_regex
from ._spec import Operation, Parameter

__all__ = ["InvalidRequestError", "RequestValidator", "Schemas", "ValidRequest"]

_SPEC_URI = "urn:chatapi-sandbox:openapi"
_MAX_REPR = 60

# Formats the description uses. jsonschema's own "email" check only looks for an "@" and
# its "uri" check needs an optional package; these match the identifier pattern's notion
# of an address and RFC 3986's absolute-URI shape.
FORMATS = FormatChecker(formats=())
_EMAIL = ecma_regex(r"^[^\s@]+@[^\s@]+$")
_URI = ecma_regex(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


@FORMATS.checks("email")
def _is_email(instance: object) -> bool:
    return not isinstance(instance, str) or _EMAIL.search(instance) is not None


@FORMATS.checks("uri")
def _is_uri(instance: object) -> bool:
    return not isinstance(instance, str) or _URI.search(instance) is not None


def _ecma_pattern(
    validator: Validator, pattern: str, instance: Any, _: Any
) -> Iterable[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with ECMA-262 pattern semantics (see _regex). The stubs leave extend() untyped.
_Validator: type[Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _ecma_pattern}
)


class InvalidRequestError(ValueError):
    """The request does not match the description; ``str()`` is the sentence for the client."""


class Schemas:
    """Validators for the schemas of one description, addressed by JSON pointer."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        """Register ``spec`` as the one resource every pointer resolves into."""
        resource: Resource[Any] = DRAFT202012.create_resource(spec)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._validators: dict[str, Validator] = {}

    def validator(self, pointer: str) -> Validator:
        """The validator of the schema at ``pointer`` (``#/components/schemas/Error``)."""
        found = self._validators.get(pointer)
        if found is None:
            ref = _SPEC_URI + quote(pointer, safe="#/~")
            found = _Validator({"$ref": ref}, registry=self._registry, format_checker=FORMATS)
            self._validators[pointer] = found
        return found

    def problem(self, pointer: str, instance: Any, subject: str) -> str | None:
        """A readable sentence about the first error of ``instance``, or None when valid."""
        error = _first(self.validator(pointer).iter_errors(instance))
        return None if error is None else describe(error, subject)


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
        media = (content_type or "application/json").split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise InvalidRequestError(f"request body must be application/json, not {media}")
        try:
            value = json.loads(body, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as error:
            raise InvalidRequestError(f"request body is not valid JSON: {error}") from None
        problem = self._schemas.problem(spec.schema, value, "request body")
        if problem:
            raise InvalidRequestError(problem)
        return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def _convert(raw: str, parameter: Parameter, subject: str) -> Any:
    """Turn a raw parameter string into the JSON value its schema describes."""
    kind = parameter.scalar_type
    if kind == "integer":
        if not _INTEGER.fullmatch(raw):
            raise InvalidRequestError(f"{subject} must be an integer (got {_short(raw)})")
        return int(raw)
    if kind == "number":
        if not _NUMBER.fullmatch(raw):
            raise InvalidRequestError(f"{subject} must be a number (got {_short(raw)})")
        return float(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise InvalidRequestError(f"{subject} must be true or false (got {_short(raw)})")
        return raw == "true"
    return raw


def _first(errors: Iterable[ValidationError]) -> ValidationError | None:
    return next(iter(errors), None)


def _branch_errors(error: ValidationError) -> list[ValidationError]:
    """For a failed oneOf/anyOf, the errors of the branch the instance most likely meant.

    The branch whose ``type`` tag (a ``const``) matched is the one meant; failing that,
    the branch with the fewest errors.
    """
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)

    def tag_failed(errors: list[ValidationError]) -> bool:
        return any(e.validator == "const" and list(e.relative_path) == ["type"] for e in errors)

    def type_failed(errors: list[ValidationError]) -> bool:
        return any(e.validator == "type" and not e.relative_path for e in errors)

    ranked = sorted(
        branches.values(), key=lambda errs: (tag_failed(errs), type_failed(errs), len(errs))
    )
    return ranked[0] if ranked else []


def _most_relevant(error: ValidationError) -> ValidationError:
    while error.validator in ("oneOf", "anyOf") and error.context:
        errors = _branch_errors(error)
        if not errors or all(e.validator == "type" and not e.relative_path for e in errors):
            break  # no branch fits even in type: the union's own message says more
        error = errors[0]
    return error


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 1] + "…"


def _type_names(schema_type: Any) -> str:
    names = [schema_type] if isinstance(schema_type, str) else list(schema_type)
    return " or ".join(names)


def _problem(error: ValidationError) -> str:
    """What is wrong with the instance, as the rest of a sentence about it."""
    value: Any = error.instance
    limit: Any = error.validator_value
    keyword = error.validator
    got = f"(got {_short(value)})"
    if keyword == "required":
        missing = error.message.split(" is a required property")[0]
        return f"is missing the required property {missing}"
    if keyword == "type":
        return f"must be of type {_type_names(limit)} {got}"
    if keyword == "maxLength":
        return f"is too long ({len(value)} characters, at most {limit})"
    if keyword == "minLength":
        return "must not be empty" if limit == 1 else f"is too short (at least {limit} characters)"
    if keyword == "pattern":
        return f"does not match the pattern {limit} {got}"
    if keyword == "format":
        return f"is not a valid {limit} {got}"
    if keyword == "enum":
        return f"must be one of {', '.join(map(_short, limit))} {got}"
    if keyword == "const":
        return f"must be {_short(limit)} {got}"
    if keyword in _RELATIONS:
        return f"must be {_RELATIONS[str(keyword)]} {limit} {got}"
    if keyword == "minItems":
        return f"has {len(value)} items (at least {limit})"
    if keyword == "maxItems":
        return f"has {len(value)} items (at most {limit})"
    if keyword in ("oneOf", "anyOf"):
        return f"matches none of the allowed shapes {got}"
    message = str(error.message)
    return message if len(message) <= 200 else message[:199] + "…"


_RELATIONS = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}


def describe(error: ValidationError, subject: str) -> str:
    """One sentence: the subject (and field path), then what is wrong."""
    error = _most_relevant(error)
    if error.absolute_path:
        subject = f"{subject} field {error.json_path}"
    return f"{subject} {_problem(error)}"
