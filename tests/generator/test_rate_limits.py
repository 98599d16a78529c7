"""The generated rate-limit table states the spec's limits and finds each request's operation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from chatapi_client.rate_limits import BASE_PATH, DEFAULT_RATE_LIMIT, RATE_LIMITS, find_rate_limit

SPEC = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "chatapi.yaml").read_text(encoding="utf-8")
)


def spec_operations() -> dict[str, tuple[str, str, str, int]]:
    """Map each operationId to (method, path, bucket, rps), read straight from the spec."""
    found = {}
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "delete"}:
                limit = operation["x-rate-limit"]
                found[operation["operationId"]] = (
                    method.upper(),
                    path,
                    limit["bucket"],
                    limit["requests-per-second"],
                )
    return found


def test_table_has_every_operation_of_the_spec_and_nothing_else() -> None:
    table = {
        row.operation_id: (row.method, row.path, row.bucket, row.requests_per_second)
        for row in RATE_LIMITS
    }
    assert len(RATE_LIMITS) == 29
    assert table == spec_operations()


def test_default_limit_and_base_path_come_from_the_spec() -> None:
    assert urlsplit(SPEC["servers"][0]["url"]).path == BASE_PATH == "/v2"
    default = SPEC["x-rate-limit-default"]
    assert DEFAULT_RATE_LIMIT.bucket == default["bucket"]
    assert DEFAULT_RATE_LIMIT.requests_per_second == default["requests-per-second"]


def test_each_operation_finds_itself_from_its_own_path_template() -> None:
    for row in RATE_LIMITS:
        concrete = row.path.replace("{identifier}", "id%3A42").replace("{messageId}", "7")
        concrete = concrete.replace("{channelId}", "5501").replace("{id}", "9")
        assert find_rate_limit(row.method, concrete) == row, row.operation_id


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("POST", "/contact/phone%3A%2B60123456789/message", "sendMessage"),
        ("POST", "/v2/contact/phone%3A%2B60123456789/message", "sendMessage"),
        ("POST", "https://api.chatapi.net/v2/contact/id%3A1/message?x=1", "sendMessage"),
        ("POST", "/v2/contact/list", "listContacts"),
        ("POST", "/v2/contact/id%3A42", "createContact"),
        ("post", "/contact/phone:+60123456789/message", "sendMessage"),
        ("POST", "/contact/list", "listContacts"),
        ("POST", "/contact/list?limit=10&cursorId=5", "listContacts"),
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
    assert find_rate_limit(method, path).operation_id == operation_id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/contact/id%3A1/unknown"),
        ("PATCH", "/contact/id%3A1"),
        ("GET", "/v3/contact/id%3A1"),  # another base path is the caller's to strip
        ("GET", "/contact/id%3A1/"),
    ],
)
def test_unknown_requests_get_the_default_limit(method: str, path: str) -> None:
    assert find_rate_limit(method, path) is DEFAULT_RATE_LIMIT


def test_operations_of_one_bucket_share_one_rate() -> None:
    rates: dict[str, set[int]] = {}
    for row in RATE_LIMITS:
        rates.setdefault(row.bucket, set()).add(row.requests_per_second)
    assert all(len(rate) == 1 for rate in rates.values())
    assert {row.operation_id for row in RATE_LIMITS if row.bucket == "contact-write"} == {
        "createContact",
        "updateContact",
        "deleteContact",
    }
