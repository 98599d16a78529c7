r"""One JSON Schema configuration for the client, the sandbox and the tests.

Used by the client's response check, the sandbox's request and response checks, and the
tests. Validation is jsonschema-rs (Draft 2020-12), compiled once per schema, and its
``pattern`` keeps ECMA-262 meaning, as JSON Schema says: ``\d`` is ASCII digits and ``$``
does not match before a final newline (Python's ``re`` differs on both, so ``"200\n"``
passed a ``^[0-9]+$`` pattern before). ``format`` is asserted, with ``email`` and ``uri``
checked as the description means them (an address as the identifier pattern takes it; an
absolute URI), on both sides alike.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema_rs

from ._document import DOCUMENT_URI, as_uri_fragment
from ._yaml import DescriptionError

__all__ = ["Schemas", "ValidationFailure", "describe"]

_MAX_REPR = 60


def _is_email(value: str) -> bool:
    at = value.find("@")
    return 0 < at == value.rfind("@") < len(value) - 1 and not any(c.isspace() for c in value)


def _is_uri(value: str) -> bool:
    scheme, colon, rest = value.partition(":")
    return bool(
        colon
        and scheme[:1].isascii()
        and scheme[:1].isalpha()
        and all(c.isascii() and (c.isalnum() or c in "+.-") for c in scheme)
        and rest
        and not any(c.isspace() for c in rest)
    )


_FORMATS = {"email": _is_email, "uri": _is_uri}

ValidationFailure = jsonschema_rs.ValidationError
"""What a validator reports: ``kind``, ``instance``, ``instance_path``, ``message``."""


class Schemas:
    """Validators for the schemas of one description, addressed by fragment pointer.

    Thread-safe; each validator is compiled on first use and kept.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        """Register ``data`` (the whole description) as the document pointers resolve in."""
        self._registry = jsonschema_rs.Registry([(DOCUMENT_URI, dict(data))])
        self._validators: dict[str, jsonschema_rs.Validator] = {}
        self._lock = threading.Lock()

    def validator(self, pointer: str) -> jsonschema_rs.Validator:
        """The compiled validator of the schema at ``pointer`` (``#/components/schemas/Error``).

        Raises:
            DescriptionError: the pointer leads nowhere, or not to a valid schema.
        """
        found = self._validators.get(pointer)
        if found is None:
            with self._lock:
                found = self._validators.get(pointer)
                if found is None:
                    found = self._compile(pointer)
                    self._validators[pointer] = found
        return found

    def _compile(self, pointer: str) -> jsonschema_rs.Validator:
        try:
            return jsonschema_rs.Draft202012Validator(
                {"$ref": DOCUMENT_URI + as_uri_fragment(pointer)},
                registry=self._registry,
                validate_formats=True,
                formats=_FORMATS,
            )
        except (ValueError, jsonschema_rs.ReferencingError) as error:
            raise DescriptionError(f"{pointer}: not a usable schema: {error}") from None

    def first_error(self, pointer: str, instance: Any) -> ValidationFailure | None:
        """The first way ``instance`` fails the schema at ``pointer``, or None if it fits."""
        validator = self.validator(pointer)
        if validator.is_valid(instance):
            return None
        return next(iter(validator.iter_errors(instance)), None)

    def problem(self, pointer: str, instance: Any, subject: str) -> str | None:
        """A readable sentence about the first error of ``instance``, or None when it fits.

        ``subject`` starts the sentence (``"request body"``). ``instance`` is JSON data as
        ``json.loads`` makes it, whose nesting the interpreter's recursion limit bounds.
        """
        validator = self.validator(pointer)  # a DescriptionError is the description's fault
        if validator.is_valid(instance):
            return None
        try:
            error = next(iter(validator.iter_errors(instance)), None)
        except ValueError:  # jsonschema-rs describes no error past its recursion limit
            return f"{subject} does not fit the schema, nested too deeply to say where"
        return None if error is None else describe(error, subject)


def describe(error: ValidationFailure, subject: str) -> str:
    """One sentence: the subject (and the field's JSON path), then what is wrong."""
    error = _most_relevant(error)
    path = list(error.instance_path)
    tags = _unmatched_tags(error)
    if tags:
        # No variant of a tagged union has this tag: the tag is what is wrong.
        got = error.instance.get(_TAG) if isinstance(error.instance, dict) else None
        where = _json_path([*path, _TAG])
        return f"{subject} field {where} must be one of {', '.join(tags)} (got {_short(got)})"
    if path:
        subject = f"{subject} field {_json_path(path)}"
    return f"{subject} {_problem(error)}"


_TAG = "type"
"""The property whose ``const`` (or one-value enum) tells a union's variants apart."""
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _json_path(path: Sequence[str | int]) -> str:
    def step(part: str | int) -> str:
        if isinstance(part, int):
            return f"[{part}]"
        return f".{part}" if _NAME.fullmatch(part) else f"[{json.dumps(part)}]"

    return "$" + "".join(step(part) for part in path)


def _union_branches(error: ValidationFailure) -> list[list[ValidationFailure]]:
    return [errors for errors in error.kind.as_dict().get("context") or [] if errors]


def _branch_tags(error: ValidationFailure, errors: list[ValidationFailure]) -> list[str] | None:
    """The tags a union's branch expected, if its tag is what failed; else None.

    A branch that is itself a union (an email message of two shapes) counts when the tag
    failed in every one of its own branches.
    """
    depth = len(error.instance_path)
    for e in errors:
        if list(e.instance_path)[depth:] != [_TAG]:
            continue
        if e.kind.name == "const":
            return [_short(e.kind.as_dict()["expected_value"])]
        # A tag written as a one-value enum of its own (`TextMessageType: enum [text]`).
        options = e.kind.as_dict().get("options") if e.kind.name == "enum" else None
        if isinstance(options, list) and len(options) == 1:
            return [_short(options[0])]
    nested = [e for e in errors if e.kind.name in _UNIONS and len(e.instance_path) == depth]
    if len(nested) == 1:
        return _unmatched_tags(nested[0]) or None
    return None


def _unmatched_tags(error: ValidationFailure) -> list[str]:
    """The tags a union's variants expect, when the instance's tag matches none of them."""
    if error.kind.name not in _UNIONS:
        return []
    tags: list[str] = []
    branches = _union_branches(error)
    for errors in branches:
        expected = _branch_tags(error, errors)
        if expected is None:
            return []
        tags += [tag for tag in expected if tag not in tags]
    return tags


_UNIONS = ("oneOf", "anyOf")


def _branch_errors(error: ValidationFailure) -> list[ValidationFailure]:
    """For a failed oneOf/anyOf, the errors of the branch the instance most likely meant.

    The branch whose ``type`` tag (a ``const``) matched is the one meant; failing that,
    the branch with the fewest errors.
    """
    depth = len(error.instance_path)
    branches: list[list[ValidationFailure]] = list(error.kind.as_dict().get("context") or [])

    def relative(sub: ValidationFailure) -> list[str | int]:
        return list(sub.instance_path)[depth:]

    def tag_failed(errors: list[ValidationFailure]) -> bool:
        return _branch_tags(error, errors) is not None

    def type_failed(errors: list[ValidationFailure]) -> bool:
        return any(e.kind.name == "type" and not relative(e) for e in errors)

    ranked = sorted(
        (errors for errors in branches if errors),
        key=lambda errs: (tag_failed(errs), type_failed(errs), len(errs)),
    )
    return ranked[0] if ranked else []


def _most_relevant(error: ValidationFailure) -> ValidationFailure:
    while error.kind.name in ("oneOf", "anyOf") and not _unmatched_tags(error):
        errors = _branch_errors(error)
        depth = len(error.instance_path)
        if not errors or all(
            e.kind.name == "type" and len(e.instance_path) == depth for e in errors
        ):
            break  # no branch fits even in type: the union's own message says more
        error = errors[0]
    return error


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 1] + "…"


_RELATIONS = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}


def _problem(error: ValidationFailure) -> str:
    """What is wrong with the instance, as the rest of a sentence about it."""
    keyword = error.kind.name
    details: dict[str, Any] = error.kind.as_dict()
    value: Any = error.instance
    got = f"(got {_short(value)})"
    if keyword == "required":
        return f"is missing the required property {_short(details['property'])}"
    if keyword == "type":
        types = sorted(details["types"], key=lambda name: name == "null")  # null last
        return f"must be of type {' or '.join(types)} {got}"
    if keyword == "maxLength":
        return f"is too long ({len(value)} characters, at most {details['limit']})"
    if keyword == "minLength":
        limit = details["limit"]
        return "must not be empty" if limit == 1 else f"is too short (at least {limit} characters)"
    if keyword == "pattern":
        return f"does not match the pattern {details['pattern']} {got}"
    if keyword == "format":
        return f"is not a valid {details['format']} {got}"
    if keyword == "enum":
        return f"must be one of {', '.join(map(_short, details['options']))} {got}"
    if keyword == "const":
        return f"must be {_short(details['expected_value'])} {got}"
    if keyword in _RELATIONS:
        return f"must be {_RELATIONS[keyword]} {details['limit']} {got}"
    if keyword == "minItems":
        return f"has {len(value)} items (at least {details['limit']})"
    if keyword == "maxItems":
        return f"has {len(value)} items (at most {details['limit']})"
    if type(error.kind).__name__ == "OneOfMultipleValid":
        return f"matches more than one of the allowed shapes {got}"
    if keyword in ("oneOf", "anyOf"):
        return f"matches none of the allowed shapes {got}"
    if keyword == "additionalProperties":
        return f"has properties the schema does not allow: {', '.join(details['unexpected'])}"
    message = str(error.message)
    message = message if len(message) <= 200 else message[:199] + "…"
    return f"does not fit the schema ({keyword}: {message})"
