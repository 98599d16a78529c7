"""The guard's generated-code rules (tools.breaking._generated), apart from the wire rules.

A renamed schema or a removed variant breaks code generated in other languages even when
every request and answer stays the same; the guard reports such changes in their own list,
and they never fail the check by themselves.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import SPEC_PATH, Spec
from tools.breaking import breaking_changes, compare_files, render
from tools.breaking._generated import generated_code_changes
from tools.breaking._operations import compare_operations

RELEASED = Path(__file__).resolve().parents[2] / "openapi" / "released"


@pytest.fixture(scope="module")
def release() -> Spec:
    return load_yaml(SPEC_PATH)


def rename_schema(spec: Spec, old: str, new: str) -> Spec:
    """The same description with a component schema renamed and every `$ref` following."""
    text = json.dumps(spec).replace(
        f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"'
    )
    renamed: dict[str, Any] = json.loads(text)
    schemas = renamed["components"]["schemas"]
    schemas[new] = schemas.pop(old)
    return renamed


def rules(changes: list[Any]) -> set[str]:
    return {change.rule for change in changes}


def test_a_renamed_schema_breaks_generated_code_not_the_wire(release: Spec) -> None:
    head = rename_schema(release, "Tag", "WorkspaceTag")
    assert compare_operations(release, head) == []  # the wire is the same
    changes = generated_code_changes(release, head)
    assert rules(changes) == {"generated-schema-renamed"}, changes
    (change,) = changes
    assert change.where == "schema Tag"
    assert "renamed WorkspaceTag" in change.message
    assert "createTag" in change.message  # the operations whose code uses it


def test_a_removed_variant_is_reported_in_both_lists(release: Spec) -> None:
    head = copy.deepcopy(release)
    outgoing = head["components"]["schemas"]["OutgoingMessage"]
    outgoing["oneOf"] = [v for v in outgoing["oneOf"] if "FacebookTemplate" not in v["$ref"]]
    del outgoing["discriminator"]["mapping"]["facebook_template"]
    assert "request-variant-removed" in rules(breaking_changes(release, head))
    changes = generated_code_changes(release, head)
    assert rules(changes) == {"generated-variant-removed"}, changes
    assert "FacebookTemplateMessage" in changes[0].message
    assert "sendMessage" in changes[0].message


def test_a_schema_changing_kind_is_reported(release: Spec) -> None:
    head = copy.deepcopy(release)
    head["components"]["schemas"]["TagNames"] = {
        "oneOf": [release["components"]["schemas"]["TagNames"], {"type": "string"}]
    }
    changes = generated_code_changes(release, head)
    assert rules(changes) == {"generated-schema-kind-changed"}, changes
    assert "was an array, is a union" in changes[0].message


def test_words_and_additions_break_no_generated_code(release: Spec) -> None:
    head = copy.deepcopy(release)
    head["components"]["schemas"]["Tag"]["description"] = "A tag."
    head["components"]["schemas"]["Sticker"] = {"type": "object"}
    head["components"]["schemas"]["Tag"]["properties"]["createdAt"] = {"type": "integer"}
    assert generated_code_changes(release, head) == []


def test_the_email_change_of_1_2_0_broke_generated_code_not_the_wire() -> None:
    """1.2.0 made the outgoing email a union: TS lost `.text`, Go EmailMessageAsOutgoingMessage."""
    base, head = RELEASED / "chatapi-1.1.0.yaml", RELEASED / "chatapi-1.2.0.yaml"
    # The wire did not change; the Python-facing view (model fields retyped) is another
    # test's subject, and the Python API of that old release is not compared here.
    assert compare_operations(load_yaml(base), load_yaml(head)) == []
    verdict = compare_files(base, head, python=False)
    found = {(c.rule, c.where): c.message for c in verdict.generated}
    assert found[("generated-variant-removed", "schema OutgoingMessage")].startswith(
        "variant EmailMessage removed (affects sendMessage)"
    )
    assert found[("generated-discriminator-target-changed", "schema OutgoingMessage")] == (
        "discriminator value 'email': EmailMessage -> OutgoingEmailMessage (affects sendMessage)"
    )
    target = [c for c in verdict.generated if c.rule == "generated-target-changed"]
    assert [c.message for c in target] == ["request body: NewContact -> ContactFields"]
    assert target[0].where.startswith("createOrUpdateContact ")
    shown = render(verdict, base, head)
    assert "Breaking generated code in other languages (not the wire" in shown


def test_the_other_releases_kept_generated_code() -> None:
    for base, head in (("1.0.0", "1.1.0"), ("1.2.0", "1.3.0")):
        verdict = compare_files(
            RELEASED / f"chatapi-{base}.yaml", RELEASED / f"chatapi-{head}.yaml", python=False
        )
        assert verdict.generated == [], (base, head, verdict.generated)
