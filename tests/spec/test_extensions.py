"""The description's `x-` extensions are specified: openapi/extensions.md and its JSON Schema.

The real description must validate against openapi/extensions.schema.json; broken copies
must not; every `x-` key the description uses must be documented in extensions.md and
defined in the schema's `$defs`, and every example there must fit its definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema_rs
import pytest

from tests.spec._spec import REPO_ROOT, Spec

SCHEMA_PATH = REPO_ROOT / "openapi" / "extensions.schema.json"
DOC_PATH = REPO_ROOT / "openapi" / "extensions.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def errors(schema: dict[str, Any], document: Any) -> list[str]:
    validator = jsonschema_rs.Draft202012Validator(schema)
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def extension_keys(node: Any) -> Iterator[str]:
    """Every `x-` key anywhere in a document (not inside examples, which are data)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith("x-"):
                yield key
            if key not in ("example", "examples"):
                yield from extension_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from extension_keys(item)


def get_contact(spec: Spec) -> dict[str, Any]:
    found: dict[str, Any] = spec["paths"]["/contact/{identifier}"]["get"]
    return found


def test_the_schema_is_valid_json_schema(schema: dict[str, Any]) -> None:
    jsonschema_rs.meta.validate(schema)


def test_the_description_fits_the_extension_schema(schema: dict[str, Any], spec: Spec) -> None:
    assert errors(schema, spec) == []


BROKEN: dict[str, Callable[[Spec], object]] = {
    "x-client missing": lambda s: get_contact(s).pop("x-client"),
    "x-rate-limit missing": lambda s: get_contact(s).pop("x-rate-limit"),
    "x-idempotent missing": lambda s: get_contact(s).pop("x-idempotent"),
    "requests per second zero": lambda s: get_contact(s)["x-rate-limit"].update(
        {"requests-per-second": 0}
    ),
    "requests per second as text": lambda s: get_contact(s)["x-rate-limit"].update(
        {"requests-per-second": "5"}
    ),
    "bucket not kebab-case": lambda s: get_contact(s)["x-rate-limit"].update(bucket="Contact Read"),
    "unknown key in x-rate-limit": lambda s: get_contact(s)["x-rate-limit"].update(burst=3),
    "x-client method not camelCase": lambda s: get_contact(s)["x-client"].update(method="get_it"),
    "x-idempotent not a boolean": lambda s: get_contact(s).update({"x-idempotent": "yes"}),
    "undocumented operation extension": lambda s: get_contact(s).update({"x-retry": 3}),
    "undocumented top-level extension": lambda s: s.update({"x-owner": "team"}),
    "no default limit": lambda s: s.pop("x-rate-limit-default"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_extension_is_refused(schema: dict[str, Any], spec: Spec, case: str) -> None:
    BROKEN[case](spec)
    assert errors(schema, spec), f"{case}: accepted"


def test_x_idempotent_true_or_false_is_accepted(schema: dict[str, Any], spec: Spec) -> None:
    get_contact(spec)["x-idempotent"] = True
    spec["paths"]["/contact/{identifier}/message"]["post"]["x-idempotent"] = False
    assert errors(schema, spec) == []


def test_every_extension_used_is_documented_and_defined(schema: dict[str, Any], spec: Spec) -> None:
    used = set(extension_keys(spec))
    assert {"x-rate-limit", "x-rate-limit-default", "x-client", "x-idempotent"} <= used
    documented = set(re.findall(r"^## `(x-[a-z-]+)`", DOC_PATH.read_text(encoding="utf-8"), re.M))
    assert used - documented == set(), "used but not documented in extensions.md"
    assert documented - set(schema["$defs"]) == set(), "documented but not in the schema"


def test_every_example_fits_its_definition(schema: dict[str, Any]) -> None:
    checked = 0
    for name, definition in schema["$defs"].items():
        validator = jsonschema_rs.Draft202012Validator(
            {"$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}
        )
        for example in definition.get("examples", []):
            assert validator.is_valid(example), (name, example)
            checked += 1
    assert checked >= 5


def test_every_enum_varnames_names_each_value_once(spec: Spec) -> None:
    named = [s for s in spec["components"]["schemas"].values() if "x-enum-varnames" in s]
    assert named, "no enum names its constants"
    for schema in named:
        names = schema["x-enum-varnames"]
        assert len(names) == len(set(names)) == len(schema["enum"]), schema
