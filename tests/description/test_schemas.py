"""One validator configuration: ECMA-262 patterns, the same formats, readable sentences."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatapi_description import DescriptionError, Schemas


def _schemas(schema: dict[str, Any]) -> Schemas:
    return Schemas({"components": {"schemas": {"S": schema}}})


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (r"^[^\s@]+$", "a\x1cb", True),  # not whitespace in ECMA-262
        (r"^[^\s@]+$", "a\u3000b", False),  # ideographic space is
        (r"^\s$", "\x85", False),
        (r"^\d+$", "١٢", False),  # Arabic-Indic digits are not \d in ECMA-262
        (r"^\w+$", "é", False),
        (r"^\S+$", "\x1c", True),
        (r"^a$", "a\n", False),  # $ is the end of input, not before a final newline
        (r"^[0-9]+$", "200\n", False),
        (r"^[$]$", "$", True),
        (r"^\$$", "$", True),
    ],
)
def test_patterns_have_ecma_262_meaning(pattern: str, text: str, matches: bool) -> None:
    problem = _schemas({"type": "string", "pattern": pattern}).problem(
        "#/components/schemas/S", text, "value"
    )
    assert (problem is None) is matches


@pytest.mark.parametrize(
    ("schema_format", "value", "valid"),
    [
        ("email", "a@b.co", True),
        ("email", "a b@c.co", False),
        ("email", "a@b@c", False),
        ("email", "@b.co", False),
        ("uri", "https://example.com/x", True),
        ("uri", "mailto:a@b.co", True),
        ("uri", "/relative/path", False),
        ("uri", "https://exa mple.com", False),
    ],
)
def test_formats_are_asserted_alike_everywhere(schema_format: str, value: str, valid: bool) -> None:
    problem = _schemas({"type": "string", "format": schema_format}).problem(
        "#/components/schemas/S", value, "value"
    )
    assert (problem is None) is valid


def test_a_union_names_the_branch_meant_by_its_tag() -> None:
    text = {"type": "object", "required": ["type", "text"], "properties": {
        "type": {"const": "text"}, "text": {"type": "string", "maxLength": 3}}}  # fmt: skip
    link = {"type": "object", "required": ["type", "url"], "properties": {
        "type": {"const": "link"}, "url": {"type": "string"}}}  # fmt: skip
    schemas = _schemas({"type": "object", "properties": {"message": {"anyOf": [text, link]}}})
    problem = schemas.problem(
        "#/components/schemas/S", {"message": {"type": "text", "text": "hello"}}, "request body"
    )
    assert problem == "request body field $.message.text is too long (5 characters, at most 3)"


def test_deep_documents_are_checked_without_crashing() -> None:
    deep: Any = []
    for _ in range(900):
        deep = [deep]
    document = json.loads(json.dumps(deep))
    schemas = _schemas({"items": {"$ref": "#/components/schemas/S"}, "maxItems": 0})
    assert schemas.problem("#/components/schemas/S", document, "body") is not None


def test_a_pointer_to_nothing_is_a_description_error() -> None:
    with pytest.raises(DescriptionError, match="not a usable schema"):
        _schemas({}).validator("#/components/schemas/Missing")


def test_a_tag_no_variant_has_is_named_as_the_fault() -> None:
    text = {"required": ["type"], "properties": {"type": {"const": "text"}}}
    link = {"required": ["type"], "properties": {"type": {"const": "link"}}}
    nested = {"anyOf": [{"required": ["type"], "properties": {"type": {"const": "mail"}}}]}
    schemas = _schemas({"oneOf": [text, link, nested]})
    problem = schemas.problem("#/components/schemas/S", {"type": "video"}, "the message")
    assert problem == "the message field $.type must be one of 'text', 'link', 'mail' (got 'video')"


def test_more_than_one_matching_shape_is_said_so() -> None:
    schemas = _schemas({"oneOf": [{"type": "integer"}, {"type": "number"}]})
    assert schemas.problem("#/components/schemas/S", 1, "x") == (
        "x matches more than one of the allowed shapes (got 1)"
    )


def test_odd_keys_are_quoted_in_paths() -> None:
    schemas = _schemas({"properties": {"a b": {"type": "integer"}}})
    assert schemas.problem("#/components/schemas/S", {"a b": "y"}, "x") == (
        "x field $[\"a b\"] must be of type integer (got 'y')"
    )


def test_a_broken_pointer_is_the_description_s_fault_not_the_instance_s() -> None:
    with pytest.raises(DescriptionError):
        _schemas({}).problem("#/components/schemas/Missing", 1, "x")
