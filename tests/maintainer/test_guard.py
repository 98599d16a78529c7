"""The guard on the maintainer's edits: what breaks Python users, and reviewed exceptions.

Each edit is made on a copy of the working description, compared with the working
description itself as the release, so only the edit can be reported.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import SPEC_PATH, Spec
from tools._files import RELEASED_DIR, format_version
from tools.breaking import breaking_changes, compare_files, last_release, render
from tools.breaking._languages import language_changes
from tools.breaking._python import python_api_changes, release_commit


@pytest.fixture(scope="module")
def release() -> Spec:
    return load_yaml(SPEC_PATH)


def operation(spec: Spec, operation_id: str) -> dict[str, object]:
    for item in spec["paths"].values():
        for candidate in item.values():
            if isinstance(candidate, dict) and candidate.get("operationId") == operation_id:
                return candidate
    raise KeyError(operation_id)


def test_an_x_client_rename_is_reported(release: Spec) -> None:
    head = copy.deepcopy(release)
    operation(head, "getContact")["x-client"] = {"resource": "contacts", "method": "retrieve"}
    changes = breaking_changes(release, head)
    assert [(c.rule, c.where) for c in changes] == [("client-method-renamed", "getContact")]
    assert "client.contacts.get became client.contacts.retrieve" in changes[0].message


def test_a_removed_x_client_is_reported(release: Spec) -> None:
    head = copy.deepcopy(release)
    del operation(head, "getContact")["x-client"]
    assert [c.rule for c in breaking_changes(release, head)] == ["client-method-removed"]


def test_a_schema_rename_is_reported(release: Spec) -> None:
    text = json.dumps(release).replace("ConversationStatusRequest", "OpenConversationRequest")
    changes = breaking_changes(release, json.loads(text))
    assert [(c.rule, c.where) for c in changes] == [("schema-renamed", "ConversationStatusRequest")]
    assert "renamed to OpenConversationRequest" in changes[0].message


def test_a_model_field_retyped_in_a_response_is_reported(release: Spec) -> None:
    head = copy.deepcopy(release)
    head["components"]["schemas"]["Pagination"]["properties"]["next"]["format"] = "uri"
    changes = breaking_changes(release, head)
    assert [(c.rule, c.where) for c in changes] == [("model-field-retyped", "Pagination.next")]
    assert "null | string -> null | string:uri" in changes[0].message


def test_a_model_field_rename_is_named_as_such(release: Spec) -> None:
    head = copy.deepcopy(release)
    properties = head["components"]["schemas"]["Tag"]["properties"]
    properties["icon"] = properties.pop("emoji")
    found = [(c.rule, c.message) for c in language_changes(release, head)]
    assert ("model-field-renamed", "field Tag.emoji renamed to icon") in found


def test_a_new_optional_field_is_not_reported(release: Spec) -> None:
    head = copy.deepcopy(release)
    head["components"]["schemas"]["ContactFields"]["properties"]["timezone"] = {"type": "string"}
    assert breaking_changes(release, head) == []


def widened(tmp_path: Path) -> tuple[Path, Path]:
    """The working description as a release, and a copy whose language pattern is wider."""
    base = tmp_path / "release.yaml"
    base.write_bytes(SPEC_PATH.read_bytes())
    head = tmp_path / "head.yaml"
    old = "pattern: '^[a-z]{2}$'"
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert old in text
    head.write_text(text.replace(old, "pattern: '^[a-z]{2,3}$'", 1), encoding="utf-8")
    return base, head


def test_a_widened_pattern_is_reported_until_a_waiver_gives_the_reason(tmp_path: Path) -> None:
    base, head = widened(tmp_path)
    version = format_version(compare_files(base, base, python=False).base_version)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers: []\n", encoding="utf-8")
    verdict = compare_files(base, head, python=False, waivers=waivers)
    assert not verdict.passed
    [change] = verdict.changes
    assert change.rule == "request-constraint-tightened"
    reason = "3-letter ISO 639-2 codes accepted too; every 2-letter code still matches"
    waivers.write_text(
        "waivers:\n"
        f"  - rule: {change.rule}\n    at: {change.pointer}\n    since: '{version}'\n"
        f"    reason: {reason}\n",
        encoding="utf-8",
    )
    verdict = compare_files(base, head, python=False, waivers=waivers)
    assert verdict.passed
    assert [(w.change, w.reason) for w in verdict.waived] == [(change, reason)]
    shown = render(verdict, base, head)
    assert f"(reviewed: {reason})" in shown  # in the changelog draft, with its reason
    assert "no breaking change" in shown


def test_a_waiver_for_another_release_does_not_apply(tmp_path: Path) -> None:
    base, head = widened(tmp_path)
    waivers = tmp_path / "waivers.yaml"
    pointer = "/components/schemas/ContactFields/properties/language/pattern"
    waivers.write_text(
        "waivers:\n  - rule: request-constraint-tightened\n"
        f"    at: {pointer}\n    since: '0.9.0'\n    reason: an old review\n",
        encoding="utf-8",
    )
    assert not compare_files(base, head, python=False, waivers=waivers).passed


def test_the_python_api_is_compared_with_the_release_commit() -> None:
    # 1.3.0 is a fixed point in history: `ChatAPI.call` moved to a private caller after it.
    base = RELEASED_DIR / "chatapi-1.3.0.yaml"
    commit = release_commit(base)
    assert commit is not None
    found = {(c.where, c.message) for c in python_api_changes(commit)}
    assert ("chatapi.ChatAPI.call", "Public object was removed") in found
    # Against that release, the waivers reviewed for it explain the move.
    verdict = compare_files(base, SPEC_PATH)
    assert "chatapi.ChatAPI.call" in {w.change.where for w in verdict.waived}
    # The newest release is compared with its own commit, and nothing is waived for it.
    latest = compare_files(last_release(RELEASED_DIR), SPEC_PATH)
    assert latest.passed, render(latest, last_release(RELEASED_DIR), SPEC_PATH)
