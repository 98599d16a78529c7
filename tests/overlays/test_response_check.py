"""Success bodies that do not fit the spec become APIResponseValidationError, not KeyError."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import chatapi
from chatapi import APIResponseValidationError, RequestProcessedError
from chatapi._response_check import NOT_JSON, default_response_check, parse_json
from chatapi_client.api.contact import get_contact, list_contacts
from chatapi_client.api.messaging import get_message, send_message
from chatapi_client.models import (
    ContactFilter,
    ContactListRequest,
    MessageRecord,
    UnknownMessage,
)
from chatapi_client.operations import INDEX

from .fakes import BODY, TOKEN, FakeClock, Script


def connected(*responses: httpx.Response) -> tuple[Any, Script]:
    clock = FakeClock()
    script = Script(*responses, clock=clock)
    client = chatapi.connect(TOKEN, transport=script.transport(), clock=clock, max_retries=0)
    return client, script


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({}, "the body is missing the required property 'id'"),
        (
            {"id": "forty-two", "firstName": "Ada"},
            "the body field $.id must be of type integer (got 'forty-two')",
        ),
        (
            {"id": 42, "firstName": "Ada", "tags": "vip"},
            "the body field $.tags must be of type array (got 'vip')",
        ),
        ([1, 2], "the body must be of type object (got [1, 2])"),
    ],
)
def test_a_body_that_does_not_fit_names_the_field(body: object, where: str) -> None:
    client, _ = connected(httpx.Response(200, json=body))
    with client, pytest.raises(APIResponseValidationError) as caught:
        get_contact.sync("id:42", client=client)
    message = str(caught.value)
    assert "getContact answered 200 with a body that does not fit the spec" in message
    assert where in message
    assert "(GET /v2/contact/id%3A42)" in message
    assert caught.value.status_code == 200


def test_nested_problems_point_into_lists() -> None:
    page = {"items": [{"id": 1, "firstName": "A"}, {"firstName": "B"}], "pagination": {}}
    client, _ = connected(httpx.Response(200, json=page))
    with (
        client,
        pytest.raises(
            APIResponseValidationError,
            match=r"field \$\.items\[1\] is missing the required property 'id'",
        ),
    ):
        list_contacts.sync(client=client, body=ContactListRequest(filter_=ContactFilter(and_=[])))


def test_an_undocumented_success_status_is_a_typed_error() -> None:
    client, _ = connected(httpx.Response(202, json={"messageId": 7}))
    with client, pytest.raises(RequestProcessedError) as caught:
        send_message.sync("id:42", client=client, body=BODY)
    assert "sendMessage does not document status 202 (only 200, 201)" in str(caught.value)


def test_an_empty_success_body_is_a_typed_error_in_async_code_too() -> None:
    client, _ = connected(httpx.Response(200, content=b""))

    async def call() -> object:
        async with client:
            return await send_message.asyncio("id:42", client=client, body=BODY)

    with pytest.raises(RequestProcessedError, match="sendMessage answered 200 with an empty"):
        asyncio.run(call())


def test_unknown_message_kinds_and_values_still_decode() -> None:
    record = {
        "messageId": 5,
        "contactId": 42,
        "channelId": 9,
        "traffic": "incoming",
        "message": {"type": "text", "text": "hi", "messageTag": "SOMETHING_NEW"},
        "status": None,
        "surprise": {"a": 1},
    }
    client, _ = connected(httpx.Response(200, json=record))
    with client:
        result = get_message.sync("id:42", 5, client=client)
    assert isinstance(result, MessageRecord)
    assert isinstance(result.message, UnknownMessage)
    assert result.message.type_ == "text"
    assert result.message.additional_properties["messageTag"] == "SOMETHING_NEW"
    assert result.additional_properties == {"surprise": {"a": 1}}


def test_requests_no_operation_serves_are_not_checked() -> None:
    check = default_response_check()
    contact = INDEX["getContact"]
    assert check.problem(None, 200, {"anything": "goes"}) is None
    assert check.problem(contact, 200, {"id": 1, "firstName": "A"}) is None
    assert check.problem(contact, 200, None) == "getContact answered 200 with an empty body"


def test_the_body_is_parsed_once_and_garbage_is_told_apart() -> None:
    assert parse_json(b" ") is None
    assert parse_json(b"[") is NOT_JSON
    assert parse_json(b"[" * 100_000) is NOT_JSON  # recursion, not a crash
    assert parse_json(b'{"a": 1}') == {"a": 1}


def test_long_messages_are_cut() -> None:
    check = default_response_check()
    body = {"id": 1, "firstName": "x" * 2000, "tags": "y" * 2000}
    problem = check.problem(INDEX["getContact"], 200, body)
    assert problem is not None
    assert len(problem) < 450
    assert "y" * 58 + "…" in problem


def test_client_and_sandbox_validate_alike() -> None:
    """One validator configuration: ECMA-262 patterns, so a trailing newline is refused."""
    check = default_response_check()
    problem = check.problem(INDEX["deleteTag"], 200, {"code": "200\n", "message": "ok"})
    assert problem is not None
    assert "does not match the pattern" in problem


def test_the_check_holds_under_an_encoded_base_path() -> None:
    """The base URL's path is matched raw, as requests go out: the check is not skipped."""
    clock = FakeClock()
    script = Script(httpx.Response(200, json={"id": "x"}), clock=clock)
    client = chatapi.connect(
        TOKEN,
        base_url="https://api.test/chat%20api/v2",
        transport=script.transport(),
        clock=clock,
        max_retries=0,
    )
    with client, pytest.raises(APIResponseValidationError, match="getContact answered 200"):
        get_contact.sync("id:42", client=client)
    assert script.requests[0].url.raw_path.startswith(b"/chat%20api/v2/contact/")
