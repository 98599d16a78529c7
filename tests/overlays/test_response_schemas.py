"""Success bodies that do not fit the spec become APIResponseValidationError, not KeyError."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import chatapi
from chatapi import APIResponseValidationError
from chatapi._response_schemas import ResponseSchemas
from chatapi_client.api.contact import get_contact, list_contacts
from chatapi_client.api.messaging import get_message, send_message
from chatapi_client.models import (
    ContactFilter,
    ContactListRequest,
    MessageRecord,
    SendMessageRequest,
    TextMessage,
    UnknownMessage,
)

from .fakes import FakeClock, Script

TOKEN = "tok_test_0123456789"
BODY = SendMessageRequest(message=TextMessage(type_="text", text="hello"))


def connected(*responses: httpx.Response) -> tuple[Any, Script]:
    clock = FakeClock()
    script = Script(*responses, clock=clock)
    client = chatapi.connect(TOKEN, transport=script.transport(), clock=clock, max_retries=0)
    return client, script


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({}, "at the top level: 'id' is a required property"),
        ({"id": "forty-two", "firstName": "Ada"}, "at id: 'forty-two' is not of type 'integer'"),
        ({"id": 42, "firstName": "Ada", "tags": "vip"}, "at tags: 'vip' is not of type 'array'"),
        ([1, 2], "at the top level: [1, 2] is not of type 'object'"),
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
    with client, pytest.raises(APIResponseValidationError, match="at items/1: 'id' is a required"):
        list_contacts.sync(client=client, body=ContactListRequest(filter_=ContactFilter()))


def test_an_undocumented_success_status_is_a_typed_error() -> None:
    client, _ = connected(httpx.Response(202, json={"messageId": 7}))
    with client, pytest.raises(APIResponseValidationError) as caught:
        send_message.sync("id:42", client=client, body=BODY)
    assert "sendMessage does not document status 202 (only 200, 201)" in str(caught.value)


def test_an_empty_success_body_is_a_typed_error_in_async_code_too() -> None:
    client, _ = connected(httpx.Response(200, content=b""))

    async def call() -> object:
        async with client:
            return await send_message.asyncio("id:42", client=client, body=BODY)

    with pytest.raises(APIResponseValidationError, match="sendMessage answered 200 with an empty"):
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
    schemas = ResponseSchemas()
    assert schemas.problem("GET", "/not/an/operation", 200, b"<html>") is None
    assert schemas.problem("GET", "/contact/id%3A1", 200, b'{"id": 1, "firstName": "A"}') is None
    assert schemas.problem("GET", "/contact/id%3A1", 200, b"[") == (
        "getContact answered 200 with a body that is not JSON"
    )


def test_long_messages_are_cut() -> None:
    schemas = ResponseSchemas()
    body = b'{"id": 1, "firstName": "' + b"x" * 2000 + b'", "tags": "' + b"y" * 2000 + b'"}'
    problem = schemas.problem("GET", "/contact/id%3A1", 200, body)
    assert problem is not None
    assert len(problem) < 450
    assert problem.endswith("…")
