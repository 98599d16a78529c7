"""The breaking-change guard (tools.breaking) on planted edits of the real description.

Each case edits a private copy of openapi/chatapi.yaml and compares it with the unedited one,
as `make check-breaking` compares the working description with the last release: a breaking
edit must be reported under its rule, a harmless one must pass.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import SPEC_PATH, Spec
from tools.breaking import Verdict, breaking_changes, compare_files
from tools.breaking.__main__ import main

Edit = Callable[[Spec], object]


@pytest.fixture(scope="module")
def release() -> Spec:
    """The description as released: the base of every comparison here."""
    return load_yaml(SPEC_PATH)


def schemas(spec: Spec) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def props(spec: Spec, schema: str) -> dict[str, Any]:
    found: dict[str, Any] = schemas(spec)[schema]["properties"]
    return found


def op(spec: Spec, path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["paths"][path][method]
    return found


def rename_path(spec: Spec, old: str, new: str) -> None:
    spec["paths"][new] = spec["paths"].pop(old)


def add_message_kind(spec: Spec) -> None:
    """A new kind of message: sent by clients, and read back by them in message lists."""
    schemas(spec)["InteractiveMessage"] = {
        "type": "object",
        "required": ["type", "interactive"],
        "properties": {"type": {"const": "interactive"}, "interactive": {"type": "object"}},
    }
    ref = {"$ref": "#/components/schemas/InteractiveMessage"}
    schemas(spec)["OutgoingMessage"]["oneOf"].append(ref)
    schemas(spec)["OutgoingMessage"]["discriminator"]["mapping"]["interactive"] = ref["$ref"]
    schemas(spec)["MessageContent"]["anyOf"].insert(-1, ref)


def nullable_as_one_of(spec: Spec) -> None:
    """`type: [string, "null"]` rewritten as `oneOf`: the same values, another spelling."""
    last_name = props(spec, "Contact")["lastName"]
    del last_name["type"]
    last_name["oneOf"] = [{"type": "string"}, {"type": "null"}]


def add_operation(spec: Spec) -> None:
    spec["paths"]["/space/tag/list"] = {
        "get": {
            "operationId": "listTags",
            "x-rate-limit": {"bucket": "list-tags", "requests-per-second": 5},
            "responses": {"200": {"$ref": "#/components/responses/TagResult"}},
        }
    }


BREAKING: dict[str, tuple[Edit, str]] = {
    "remove-operation": (
        lambda s: s["paths"]["/space/tag"].pop("delete"),
        "operation-removed",
    ),
    "remove-path": (lambda s: s["paths"].pop("/space/closing_notes"), "path-removed"),
    "move-path": (lambda s: rename_path(s, "/space/tag", "/space/tags"), "operation-moved"),
    "change-operation-id": (
        lambda s: op(s, "/space/tag", "delete").update(operationId="removeTag"),
        "operation-id-changed",
    ),
    "optional-request-field-now-required": (
        lambda s: schemas(s)["CreateTagRequest"]["required"].append("description"),
        "request-property-now-required",
    ),
    "new-required-request-field": (
        lambda s: (
            props(s, "CreateCommentRequest").update(visibility={"type": "string"}),
            schemas(s)["CreateCommentRequest"]["required"].append("visibility"),
        ),
        "request-property-now-required",
    ),
    "required-field-inside-a-oneof-variant": (
        lambda s: schemas(s)["TextMessage"]["required"].append("messageTag"),
        "request-property-now-required",
    ),
    "remove-request-field": (
        lambda s: props(s, "CreateTagRequest").pop("emoji"),
        "request-property-removed",
    ),
    "remove-response-field": (lambda s: props(s, "Tag").pop("emoji"), "response-property-removed"),
    "response-field-now-optional": (
        lambda s: schemas(s)["Contact"]["required"].remove("firstName"),
        "response-property-now-optional",
    ),
    "remove-request-enum-value": (
        lambda s: props(s, "ConversationStatusRequest")["status"]["enum"].remove("close"),
        "request-enum-narrowed",
    ),
    "add-response-enum-value": (
        lambda s: props(s, "Attachment")["type"]["enum"].append("sticker"),
        "response-enum-widened",
    ),
    "smaller-max-length": (
        lambda s: props(s, "ConversationStatusRequest")["summary"].update(maxLength=100),
        "request-constraint-tightened",
    ),
    "new-request-pattern": (
        lambda s: props(s, "CreateTagRequest")["colorCode"].update(pattern="^#[0-9A-F]{6}$"),
        "request-constraint-tightened",
    ),
    "new-pattern-on-a-request-string-beside-a-number": (
        lambda s: props(s, "OutgoingTemplateLocation")["latitude"]["oneOf"][1].update(
            pattern="^[0-9]$"
        ),
        "request-constraint-tightened",
    ),
    "request-id-format-narrowed-to-int32": (
        lambda s: s["components"]["parameters"]["MessageId"]["schema"].update(format="int32"),
        "request-constraint-tightened",
    ),
    "request-type-narrowed": (
        lambda s: props(s, "AssignConversationRequest")["assignee"].update(
            type=["integer", "null"]
        ),
        "request-type-narrowed",
    ),
    "response-field-now-nullable": (
        lambda s: props(s, "Contact")["firstName"].update(type=["string", "null"]),
        "response-type-widened",
    ),
    "remove-request-variant": (
        lambda s: schemas(s)["OutgoingMessage"]["oneOf"].pop(),
        "request-variant-removed",
    ),
    "new-response-variant": (
        lambda s: props(s, "Message")["sender"]["oneOf"].append({"type": "string"}),
        "response-variant-added",
    ),
    "remove-response-status": (
        lambda s: op(s, "/space/tag", "delete")["responses"].pop("404"),
        "response-removed",
    ),
    "remove-response-header": (
        lambda s: s["components"]["responses"]["TagResult"]["headers"].pop("X-RateLimit-Limit"),
        "response-header-removed",
    ),
    "parameter-now-required": (
        lambda s: s["components"]["parameters"]["CursorId"].update(required=True),
        "parameter-now-required",
    ),
    "new-required-parameter": (
        lambda s: op(s, "/space/user", "get")["parameters"].append(
            {"name": "teamId", "in": "query", "required": True, "schema": {"type": "integer"}}
        ),
        "parameter-added-required",
    ),
    "remove-parameter": (
        lambda s: op(s, "/space/user", "get")["parameters"].pop(),
        "parameter-removed",
    ),
    "smaller-parameter-maximum": (
        lambda s: s["components"]["parameters"]["Limit"]["schema"].update(maximum=50),
        "request-constraint-tightened",
    ),
    "new-required-body": (
        lambda s: op(s, "/space/user", "get").update(
            requestBody={"required": True, "content": {"application/json": {"schema": {}}}}
        ),
        "request-body-added",
    ),
    "lower-rate-limit": (
        lambda s: op(s, "/space/tag", "delete")["x-rate-limit"].update({"requests-per-second": 2}),
        "rate-limit-lowered",
    ),
    "bucket-shared-with-other-operations": (
        lambda s: op(s, "/space/user/{id}", "get")["x-rate-limit"].update(bucket="space-tags"),
        "rate-limit-bucket-shared",
    ),
    # The default is for requests no operation serves, not a stand-in for a removed limit.
    "rate-limit-removed": (
        lambda s: op(s, "/space/tag", "delete").pop("x-rate-limit"),
        "rate-limit-removed",
    ),
}

HARMLESS: dict[str, Edit] = {
    "nothing": lambda s: None,
    "documentation-only": lambda s: (
        schemas(s)["Tag"].update(description="A tag."),
        op(s, "/space/tag", "post").update(summary="Create a tag.", description="Creates it."),
        props(s, "Tag")["name"].update(examples=["vip"]),
    ),
    "patch-version": lambda s: s["info"].update(version="1.0.1"),
    "new-optional-request-field": lambda s: props(s, "CreateTagRequest").update(
        note={"type": "string", "maxLength": 80}
    ),
    "new-response-field": lambda s: props(s, "Tag").update(createdAt={"type": "integer"}),
    "new-operation": add_operation,
    "new-optional-parameter": lambda s: op(s, "/space/user", "get")["parameters"].append(
        {"name": "teamId", "in": "query", "schema": {"type": "integer"}}
    ),
    "new-request-enum-value": lambda s: props(s, "ConversationStatusRequest")["status"][
        "enum"
    ].append("snooze"),
    "larger-max-length": lambda s: props(s, "ConversationStatusRequest")["summary"].update(
        maxLength=1024
    ),
    "request-field-no-longer-required": lambda s: schemas(s)["UpdateTagRequest"].update(
        required=[]
    ),
    "response-field-now-always-present": lambda s: schemas(s)["Tag"]["required"].append("id"),
    "request-type-widened": lambda s: props(s, "CreateCommentRequest")["text"].update(
        type=["string", "null"]
    ),
    "new-response-status": lambda s: op(s, "/space/tag", "delete")["responses"].update(
        {"409": {"$ref": "#/components/responses/BadRequest"}}
    ),
    "new-message-kind-covered-by-unknown-message": add_message_kind,
    # int64 and double restrict no value a JSON parser keeps: they only size generated types.
    "int64-format-on-a-request-integer": lambda s: s["components"]["parameters"]["Limit"][
        "schema"
    ].update(format="int64"),
    "double-format-on-a-request-number": lambda s: props(s, "TemplateLocation")["latitude"].update(
        format="double"
    ),
    # A pattern or length restricts strings only: a request that took none is not narrowed.
    "pattern-beside-a-request-integer": lambda s: s["components"]["parameters"]["Limit"][
        "schema"
    ].update(pattern="^[0-9]+$", maxLength=3),
    # On a union of a number and a string the format sizes the number, never the string.
    "double-format-off-a-number-or-string": lambda s: props(s, "CatalogProduct")["price"].pop(
        "format"
    ),
    "int64-format-off-an-integer-or-string": lambda s: props(s, "Message")["channelMessageId"].pop(
        "format"
    ),
    "nullable-spelled-as-one-of": nullable_as_one_of,
    "higher-rate-limit": lambda s: op(s, "/space/tag", "delete")["x-rate-limit"].update(
        {"requests-per-second": 10}
    ),
    "bucket-renamed-with-the-same-members": lambda s: [
        op(s, "/space/tag", method)["x-rate-limit"].update(bucket="tags")
        for method in ("post", "put", "delete")
    ],
    "bucket-split-off": lambda s: op(s, "/space/tag", "delete")["x-rate-limit"].update(
        bucket="delete-tag"
    ),
}


def edited(release: Spec, edit: Edit) -> Spec:
    spec = copy.deepcopy(release)
    edit(spec)
    return spec


@pytest.mark.parametrize("case", sorted(BREAKING))
def test_breaking_edit_is_reported(release: Spec, case: str) -> None:
    edit, rule = BREAKING[case]
    changes = breaking_changes(release, edited(release, edit))
    assert changes, f"{case} was not reported"
    assert {change.rule for change in changes} == {rule}, "\n".join(map(str, changes))


@pytest.mark.parametrize("case", sorted(HARMLESS))
def test_harmless_edit_passes(release: Spec, case: str) -> None:
    changes = breaking_changes(release, edited(release, HARMLESS[case]))
    assert changes == [], "\n".join(map(str, changes))


def test_change_says_where_and_what(release: Spec) -> None:
    edit, _ = BREAKING["smaller-max-length"]
    (change,) = breaking_changes(release, edited(release, edit))
    assert change.where.startswith("updateConversationStatus (POST ")
    assert "summary" in change.where
    assert change.message == "maxLength 512 -> 100"
    assert (
        change.pointer
        == "/components/schemas/ConversationStatusRequest/properties/summary/maxLength"
    )


def test_closing_a_response_object_is_breaking_when_the_release_had_closed_it(
    release: Spec,
) -> None:
    closed = edited(release, lambda s: schemas(s)["Tag"].update(additionalProperties=False))
    opened = edited(closed, lambda s: props(s, "Tag").update(createdAt={"type": "integer"}))
    assert [c.rule for c in breaking_changes(closed, opened)] == ["response-object-opened"]
    assert breaking_changes(release, closed) == []  # a response may close; requests differ:
    request_closed = edited(
        release, lambda s: schemas(s)["CreateTagRequest"].update(additionalProperties=False)
    )
    assert [c.rule for c in breaking_changes(release, request_closed)] == [
        "request-constraint-tightened"
    ]


# --- versions: a major bump allows breaking changes; nothing allows going back -------------


def verdict(release: Spec, edit: Edit, version: str, tmp_path: Path) -> Verdict:
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(json.dumps(release), encoding="utf-8")
    spec = edited(release, edit)
    spec["info"]["version"] = version
    head.write_text(json.dumps(spec), encoding="utf-8")
    return compare_files(base, head)


@pytest.mark.parametrize(
    ("version", "passed"),
    [("1.0.0", False), ("1.1.0", False), ("1.0.1", False), ("2.0.0", True), ("3.1.0", True)],
)
def test_only_a_major_bump_allows_a_breaking_change(
    release: Spec, tmp_path: Path, version: str, passed: bool
) -> None:
    edit, _ = BREAKING["remove-operation"]
    result = verdict(release, edit, version, tmp_path)
    assert len(result.changes) == 1
    assert result.passed is passed


def test_version_may_not_go_back(release: Spec, tmp_path: Path) -> None:
    result = verdict(release, lambda s: None, "0.9.0", tmp_path)
    assert result.changes == []
    assert not result.passed


# --- the command line, as `make check-breaking` runs it --------------------------------------


def write(path: Path, spec: Spec) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def versioned(spec: Spec, version: str) -> Spec:
    return {**spec, "info": {**spec["info"], "version": version}}


def test_command_fails_on_a_breaking_change(
    release: Spec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "released" / "chatapi-1.0.0.yaml", release)
    edit, _ = BREAKING["remove-response-field"]
    head = write(tmp_path / "chatapi.json", edited(release, edit))
    assert main([str(head), "--released-dir", str(tmp_path / "released")]) == 1
    err = capsys.readouterr().err
    assert "response-property-removed" in err
    assert "set info.version to 2.0.0" in err


def test_command_passes_a_major_bump(
    release: Spec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "released" / "chatapi-1.0.0.yaml", release)
    edit, _ = BREAKING["remove-response-field"]
    spec = edited(release, edit)
    spec["info"]["version"] = "2.0.0"
    head = write(tmp_path / "chatapi.json", spec)
    assert main([str(head), "--released-dir", str(tmp_path / "released")]) == 0
    assert "allowed: the major version went up" in capsys.readouterr().out


def test_command_compares_with_the_newest_release_by_version(release: Spec, tmp_path: Path) -> None:
    released = tmp_path / "released"
    edit, _ = BREAKING["remove-operation"]
    without = edited(release, edit)
    write(released / "chatapi-1.9.0.yaml", release)
    # 1.10.0 is newer than 1.9.0 although it sorts first as text; it already lacks deleteTag.
    write(released / "chatapi-1.10.0.yaml", versioned(without, "1.10.0"))
    head = write(tmp_path / "chatapi.json", versioned(without, "1.10.1"))
    assert main([str(head), "--released-dir", str(released)]) == 0


def test_command_needs_a_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "released").mkdir()
    assert main([str(SPEC_PATH), "--released-dir", str(tmp_path / "released")]) == 2
    assert "make release-spec" in capsys.readouterr().err
