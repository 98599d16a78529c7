"""Every ``RequestOptions`` field, set each of the three ways, reaches the call it names.

The three ways: ``client.with_options(...)`` (a copy), a ``with request_options(...)`` block,
and a method's ``options=``. Each field is observed on a mock transport: what was retried,
and the timeouts each request carried.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import httpx
import pytest
from openapi_python_client.strings import snake_case

import chatapi
from chatapi import ChatAPI, RequestOptions, request_options
from chatapi_client.models import SendMessageRequest, TextMessage
from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec

from .fakes import TOKEN, FakeClock, Script

CONTACT = {"id": 1, "firstName": "A"}
BODY = SendMessageRequest(message=TextMessage(text="hi"))

Way = Callable[
    [ChatAPI, RequestOptions], tuple[ChatAPI, AbstractContextManager[Any], dict[str, Any]]
]
"""Applies options one way: the client to call, the block to call it in, the call's keywords."""


def copy(client: ChatAPI, options: RequestOptions) -> Any:
    fields = {k: v for k, v in vars(options).items() if v is not None}
    return client.with_options(**fields), nullcontext(), {}


def block(client: ChatAPI, options: RequestOptions) -> Any:
    fields = {k: v for k, v in vars(options).items() if v is not None}
    return client, request_options(**fields), {}


def argument(client: ChatAPI, options: RequestOptions) -> Any:
    return client, nullcontext(), {"options": options}


WAYS = pytest.mark.parametrize("way", [copy, block, argument], ids=lambda way: way.__name__)


def list_example() -> dict[str, Any]:
    """The description's example answer of listMessages: two messages and a next link."""
    operation = load_spec()["paths"]["/contact/{identifier}/message/list"]["get"]
    example: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    return example


def client_with(script: Script) -> ChatAPI:
    return ChatAPI(TOKEN, transport=script.transport(), clock=FakeClock(), rate_limit=False)


def test_the_three_ways_take_exactly_the_fields_of_request_options() -> None:
    fields = set(RequestOptions.__dataclass_fields__)
    assert fields == {"safe_to_repeat", "max_retries", "deadline", "timeout"}
    for function in (ChatAPI.with_options, chatapi.AsyncChatAPI.with_options, request_options):
        keywords = inspect.signature(function).parameters
        assert set(keywords) - {"self"} == fields, function
    clients = (ChatAPI(TOKEN), chatapi.AsyncChatAPI(TOKEN))
    for client, operation in itertools.product(clients, INDEX.operations):
        resource = getattr(client, operation.resource)
        for method in (
            getattr(resource, snake_case(operation.action)),
            getattr(resource.with_raw_response, snake_case(operation.action)),
        ):
            option = inspect.signature(method).parameters["options"]
            assert option.kind is option.KEYWORD_ONLY, operation.operation_id
            assert option.default is None, operation.operation_id


@WAYS
def test_safe_to_repeat_retries_a_post_after_a_502(way: Way) -> None:
    script = Script(httpx.Response(502), then={"messageId": 7})
    with client_with(script) as client:
        target, context, keywords = way(client, RequestOptions(safe_to_repeat=True))
        with context:
            sent = target.messaging.send("id:1", body=BODY, **keywords)
    assert sent.message_id == 7
    assert script.attempts == 2


def test_without_safe_to_repeat_a_post_after_a_502_is_not_repeated() -> None:
    script = Script(httpx.Response(502), then={"messageId": 7})
    with client_with(script) as client, pytest.raises(chatapi.OutcomeUnknownError):
        client.messaging.send("id:1", body=BODY)
    assert script.attempts == 1


@WAYS
def test_max_retries_bounds_the_attempts(way: Way) -> None:
    script = Script(*[httpx.Response(503)] * 3, then=CONTACT)
    with client_with(script) as client:
        target, context, keywords = way(client, RequestOptions(max_retries=1))
        with context, pytest.raises(chatapi.ServerError):
            target.contacts.get("id:1", **keywords)
        assert script.attempts == 2
        assert client.contacts.get("id:1").first_name == "A"  # the default: 3 retries


@WAYS
def test_the_deadline_cuts_every_timeout_of_the_call(way: Way) -> None:
    script = Script(then=CONTACT)
    with client_with(script) as client:
        target, context, keywords = way(client, RequestOptions(deadline=2.5))
        with context:
            target.contacts.get("id:1", **keywords)
        client.contacts.get("id:1")
    cut, default = (request.extensions["timeout"] for request in script.requests)
    assert cut == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    assert default["read"] == chatapi._connect.DEFAULT_TIMEOUT.read


@WAYS
def test_the_timeout_applies_to_that_call_alone(way: Way) -> None:
    script = Script(then=CONTACT)
    with client_with(script) as client:
        target, context, keywords = way(client, RequestOptions(timeout=httpx.Timeout(3, read=4)))
        with context:
            target.contacts.get("id:1", **keywords)
        client.contacts.get("id:1")
        # One generated client, hence one pool, serves both timeouts.
        assert target._caller.client is client._caller.client
    chosen, default = (request.extensions["timeout"] for request in script.requests)
    assert chosen == {"connect": 3, "read": 4, "write": 3, "pool": 3}
    assert default == chatapi._connect.DEFAULT_TIMEOUT.as_dict()


def test_a_call_wins_over_a_block_which_wins_over_the_copy() -> None:
    script = Script(then=CONTACT)
    with client_with(script) as client:
        slow = client.with_options(timeout=30, deadline=40)
        with request_options(timeout=20):
            slow.contacts.get("id:1", options=RequestOptions(timeout=10))
            slow.contacts.get("id:1")
        slow.contacts.get("id:1")
    timeouts = [request.extensions["timeout"]["read"] for request in script.requests]
    assert timeouts == [10, 20, 30]


def test_options_reach_every_page_and_raw_responses() -> None:
    page = {**list_example(), "pagination": {"next": ""}}  # as the last page
    script = Script(then=page)
    options = RequestOptions(timeout=6)
    with client_with(script) as client:
        assert len(list(client.messaging.list("id:1", options=options))) == 2
        raw = client.messaging.with_raw_response.list("id:1", options=options)
        assert raw.status_code == 200
        assert [m.message_id for m in raw.parsed.items] == [987655, 987654]
    assert [r.extensions["timeout"]["read"] for r in script.requests] == [6, 6]


def test_async_methods_take_options_too() -> None:
    script = Script(httpx.Response(502), then={"messageId": 7})

    async def send() -> int:
        async with chatapi.AsyncChatAPI(
            TOKEN, transport=script.transport(), rate_limit=False
        ) as client:
            options = RequestOptions(safe_to_repeat=True, timeout=5)
            raw = await client.messaging.with_raw_response.send("id:1", body=BODY, options=options)
            return raw.parsed.message_id

    assert asyncio.run(send()) == 7
    assert [r.extensions["timeout"]["read"] for r in script.requests] == [5, 5]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"deadline": 0}, "deadline"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_values_are_refused_whichever_way(fields: dict[str, Any], message: str) -> None:
    client = ChatAPI(TOKEN, rate_limit=False)
    for attempt in (
        lambda: RequestOptions(**fields),
        lambda: client.with_options(**fields),
        lambda: request_options(**fields).__enter__(),
    ):
        with pytest.raises(ValueError, match=message):
            attempt()


def test_async_raw_list_methods_return_one_page() -> None:
    script = Script(then=list_example())

    async def first_page() -> list[int]:
        async with chatapi.AsyncChatAPI(
            TOKEN, transport=script.transport(), rate_limit=False
        ) as client:
            raw = await client.messaging.with_raw_response.list("id:1", limit=2, cursor=9)
            return [m.message_id for m in raw.parsed.items]

    assert asyncio.run(first_page()) == [987655, 987654]
    (request,) = script.requests  # one page, though its next link names another
    assert request.url.params["cursorId"] == "9"
