"""The generated operation index states the spec's operations and limits, and maps requests."""

from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chatapi_client.operations import INDEX
from chatapi_description import DescriptionError, load_yaml, read_index, relative_path

SPEC = load_yaml(Path(__file__).resolve().parents[2] / "openapi" / "chatapi.yaml")


def spec_operations() -> dict[str, tuple[str, str, str, str, int]]:
    """Map each operationId to (method, path, tag, bucket, rps), read straight from the spec."""
    found = {}
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "delete"}:
                limit = operation["x-rate-limit"]
                found[operation["operationId"]] = (
                    method.upper(),
                    path,
                    operation["tags"][0],
                    limit["bucket"],
                    limit["requests-per-second"],
                )
    return found


def test_index_has_every_operation_of_the_spec_and_nothing_else() -> None:
    index = {
        op.operation_id: (
            op.method,
            op.path,
            op.tag,
            op.rate_limit.bucket,
            op.rate_limit.requests_per_second,
        )
        for op in INDEX.operations
    }
    assert index == spec_operations()


def test_default_limit_and_base_path_come_from_the_spec() -> None:
    assert urlsplit(SPEC["servers"][0]["url"]).path == INDEX.base_path == "/v2"
    default = SPEC["x-rate-limit-default"]
    assert INDEX.default_rate_limit.bucket == default["bucket"]
    assert INDEX.default_rate_limit.requests_per_second == default["requests-per-second"]


def test_each_operation_finds_itself_from_its_own_path_template() -> None:
    for op in INDEX.operations:
        concrete = op.path.replace("{identifier}", "id%3A42").replace("{messageId}", "7")
        concrete = concrete.replace("{channelId}", "5501").replace("{id}", "9")
        assert INDEX.operation_for(op.method, concrete) == op, op.operation_id


def test_success_statuses_and_paging_come_from_the_responses() -> None:
    assert INDEX["sendMessage"].success_statuses == (200, 201)
    assert INDEX["getContact"].success_statuses == (200,)
    paged = {op.operation_id for op in INDEX.operations if op.paginated}
    assert paged == {
        op.operation_id
        for op in INDEX.operations
        if any(p.name == "cursorId" for p in op.parameters)
    }
    assert "listMessages" in paged
    assert "listContacts" in paged


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("POST", "/contact/phone%3A%2B60123456789/message", "sendMessage"),
        ("post", "/contact/phone:+60123456789/message", "sendMessage"),
        ("POST", "/contact/list", "listContacts"),
        ("POST", "/contact/email%3Aa%40example.com", "createContact"),
        ("POST", "/contact/merge", "mergeContacts"),
        ("GET", "/contact/id%3A1/message/list", "listMessages"),
        ("GET", "/contact/id%3A1/message/987654", "getMessage"),
        ("POST", "/contact/create_or_update/email%3Aa%40example.com", "createOrUpdateContact"),
        ("DELETE", "/contact/id%3A1/tag", "removeTags"),
        ("GET", "/contact/id%3A1/channels", "listContactChannels"),
        ("GET", "/contact/id%3A1/channels/5501", "getContactChannel"),
        ("GET", "/space/channel/5501/template", "listTemplates"),
        ("GET", "/space/custom_field", "listCustomFields"),
        ("GET", "/space/custom_field/302", "getCustomField"),
        ("DELETE", "/space/tag", "deleteTag"),
    ],
)
def test_real_request_paths_map_to_their_operation(
    method: str, path: str, operation_id: str
) -> None:
    found = INDEX.operation_for(method, path)
    assert found is not None
    assert found.operation_id == operation_id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/contact/id%3A1/unknown"),
        ("PATCH", "/contact/id%3A1"),
        ("GET", "/v3/contact/id%3A1"),
        ("GET", "/contact/id%3A1/"),
    ],
)
def test_unknown_requests_match_no_operation(method: str, path: str) -> None:
    assert INDEX.operation_for(method, path) is None


def test_the_base_path_is_stripped_only_as_a_whole_segment() -> None:
    assert relative_path("/v2/contact/list?limit=1", INDEX.base_path) == "/contact/list"
    assert relative_path("/v2x/contact/list", INDEX.base_path) is None
    assert relative_path("/v2", INDEX.base_path) == "/"
    assert relative_path("/chat%20api/v2/x", "/chat%20api/v2") == "/x"
    assert relative_path("/x", "") == "/x"


def test_operations_of_one_bucket_share_one_rate() -> None:
    rates: dict[str, set[int]] = {}
    for op in INDEX.operations:
        rates.setdefault(op.rate_limit.bucket, set()).add(op.rate_limit.requests_per_second)
    assert all(len(rate) == 1 for rate in rates.values())
    assert {
        op.operation_id for op in INDEX.operations if op.rate_limit.bucket == "contact-write"
    } == {
        "createContact",
        "updateContact",
        "deleteContact",
    }


def test_idempotence_comes_from_x_idempotent() -> None:
    from_spec = {
        operation["operationId"]: operation["x-idempotent"]
        for item in SPEC["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "delete"}
    }
    assert {op.operation_id: op.idempotent for op in INDEX.operations} == from_spec
    assert not INDEX["sendMessage"].idempotent
    assert not INDEX["createComment"].idempotent
    assert all(op.idempotent for op in INDEX.operations if op.method in {"GET", "PUT", "DELETE"})


@pytest.mark.parametrize("value", [None, "true", 1])
def test_an_operation_without_a_boolean_x_idempotent_is_refused(value: object) -> None:
    spec = copy.deepcopy(SPEC)
    operation = spec["paths"]["/contact/{identifier}/message"]["post"]
    if value is None:
        del operation["x-idempotent"]
    else:
        operation["x-idempotent"] = value
    with pytest.raises(DescriptionError, match="x-idempotent must be true or false"):
        read_index(spec)
