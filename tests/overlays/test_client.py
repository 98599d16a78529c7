"""ChatAPI and AsyncChatAPI: every operation as a typed method, pagers, copies, closing."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from openapi_python_client.strings import snake_case

import chatapi
from chatapi import AsyncChatAPI, ChatAPI, ClientClosedError, PaginationError
from chatapi._client import ConnectOptions
from chatapi_client.models import MessageRecord, SendMessageRequest, TextMessage
from chatapi_client.operations import INDEX
from tests.operation_cases import CASES, Case

from .fakes import TOKEN, FakeClock, Script

BASE = "https://api.chatapi.net/v2"


def client_with(script: Script, **options: Any) -> ChatAPI:
    return ChatAPI(TOKEN, transport=script.transport(), clock=FakeClock(), **options)


def method_of(client: object, case: Case) -> Any:
    operation = INDEX[case.operation_id]
    resource = getattr(client, operation.resource)
    return getattr(resource, snake_case(operation.action))


def arguments_of(case: Case) -> tuple[list[Any], dict[str, Any]]:
    """The case's arguments split as the resource method takes them: path ones positional."""
    operation = INDEX[case.operation_id]
    path_names = [snake_case(p.name) for p in operation.parameters if p.location == "path"]
    positional = [case.kwargs[name] for name in path_names]
    keywords = {k: v for k, v in case.kwargs.items() if k not in path_names and k != "cursor_id"}
    if "cursor_id" in case.kwargs:  # a pager's start is ``cursor=``
        keywords["cursor"] = case.kwargs["cursor_id"]
    return positional, keywords


def test_every_operation_is_a_method_named_as_the_description_says() -> None:
    client = ChatAPI(TOKEN)
    names = set()
    for operation in INDEX.operations:
        resource = getattr(client, operation.resource)
        method = getattr(resource, snake_case(operation.action))
        assert callable(method), operation.operation_id
        names.add(f"{operation.resource}.{snake_case(operation.action)}")
    assert len(names) == len(INDEX.operations)
    assert {"contacts.get", "messaging.send", "space.list_users", "contacts.remove_tags"} <= names


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation_id)
def test_each_method_sends_what_its_generated_function_sends(case: Case) -> None:
    """Same method, URL (query included) and body as the generated function's own request."""
    script = Script(then=case.answer)
    positional, keywords = arguments_of(case)
    with client_with(script) as client:
        result = method_of(client, case)(*positional, **keywords)
        if INDEX[case.operation_id].paginated:
            result = result.first_page()
        case.module.sync_detailed(client=client._caller.client, **case.kwargs)
    assert isinstance(result, case.answer_model)
    ours, generated = script.requests
    assert (ours.method, ours.url, ours.content) == (
        generated.method,
        generated.url,
        generated.content,
    )
    found = INDEX.operation_for(ours.method, ours.url.raw_path.decode().removeprefix("/v2"))
    assert found is not None
    assert found.operation_id == case.operation_id


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation_id)
def test_each_async_method_sends_its_operation_and_returns_the_model(case: Case) -> None:
    script = Script(then=case.answer)
    positional, keywords = arguments_of(case)

    async def call() -> object:
        async with AsyncChatAPI(TOKEN, transport=script.transport(), clock=FakeClock()) as client:
            method = method_of(client, case)
            if INDEX[case.operation_id].paginated:
                return await method(*positional, **keywords).first_page()
            return await method(*positional, **keywords)

    assert isinstance(asyncio.run(call()), case.answer_model)
    assert script.attempts == 1


def test_constant_tags_default() -> None:
    assert TextMessage(text="hi").to_dict() == {"type": "text", "text": "hi"}


# Paging.


def pages(total: int, size: int) -> httpx.MockTransport:
    """A server listing ``total`` messages, ``size`` a page, cursors being message ids."""
    seen: list[int | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = parse_qs(request.url.query.decode()).get("cursorId")
        start = int(cursor[0]) if cursor else 0
        seen.append(start)
        ids = list(range(start, min(start + size, total)))
        following = start + size
        link = f"{BASE}/contact/id:1/message/list?limit={size}&cursorId={following}"
        items = [
            {
                "messageId": i,
                "contactId": 1,
                "channelId": 5,
                "traffic": "outgoing",
                "message": {"type": "text", "text": "x"},
            }
            for i in ids
        ]
        return httpx.Response(
            200, json={"items": items, "pagination": {"next": link if following < total else ""}}
        )

    transport = httpx.MockTransport(handler)
    transport.seen = seen  # type: ignore[attr-defined]
    return transport


def test_a_pager_yields_every_item_of_every_page_once_lazily() -> None:
    transport = pages(63, 10)
    with ChatAPI(TOKEN, transport=transport, clock=FakeClock(), rate_limit=False) as client:
        pager = client.messaging.list("id:1", limit=10)
        assert transport.seen == []  # type: ignore[attr-defined]  # nothing fetched yet
        iterator = iter(pager)
        first = next(iterator)
        assert isinstance(first, MessageRecord)
        assert transport.seen == [0]  # type: ignore[attr-defined]
        rest = [message.message_id for message in iterator]
    assert [first.message_id, *rest] == list(range(63))
    assert transport.seen == [0, 10, 20, 30, 40, 50, 60]  # type: ignore[attr-defined]
    assert pager.next_cursor is None
    assert len(pager.first_page().items) == 10


def test_a_pager_starts_at_a_cursor_and_tells_the_next_one() -> None:
    transport = pages(30, 10)
    with ChatAPI(TOKEN, transport=transport, clock=FakeClock(), rate_limit=False) as client:
        pager = client.messaging.list("id:1", limit=10, cursor=10)
        assert [m.message_id for m in pager.first_page().items] == list(range(10, 20))
        assert pager.next_cursor == 20
        assert len(list(pager.iter_pages())) == 2


@pytest.mark.parametrize(
    ("next_link", "problem"),
    [
        # A link without a cursor is an error, not the end of the list.
        (f"{BASE}/contact/id:1/message/list?page=2", "no usable cursorId"),
        # Pages that loop raise instead of repeating forever.
        (f"{BASE}/contact/id:1/message/list?cursorId=5", "cursor 5 names a page already read"),
    ],
    ids=["no-cursor", "loop"],
)
def test_a_next_link_that_cannot_be_followed_is_an_error(next_link: str, problem: str) -> None:
    script = Script(then={"items": [], "pagination": {"next": next_link}})
    with client_with(script) as client, pytest.raises(PaginationError, match=problem):
        list(client.messaging.list("id:1"))


def test_async_pagers_yield_every_item_once() -> None:
    transport = pages(25, 7)

    async def collect() -> list[int]:
        async with AsyncChatAPI(TOKEN, transport=transport, rate_limit=False) as client:
            return [m.message_id async for m in client.messaging.list("id:1", limit=7)]

    assert asyncio.run(collect()) == list(range(25))


# Copies, options, raw responses, closing.


def test_with_options_returns_an_independent_copy_sharing_the_connections() -> None:
    script = Script(httpx.Response(503), httpx.Response(503), then={"messageId": 1})
    body = SendMessageRequest(message=TextMessage(text="hi"))
    with client_with(script, max_retries=2) as client:
        once = client.with_options(max_retries=0)
        with pytest.raises(chatapi.ServerError):
            once.messaging.send("id:1", body=body)
        assert script.attempts == 1
        assert client.messaging.send("id:1", body=body).message_id == 1  # 503, then 200
        assert script.attempts == 3
        assert once._caller.client is client._caller.client  # one pool, one limiter


def test_a_request_options_block_wins_over_the_copy() -> None:
    script = Script(httpx.Response(503), then={"messageId": 1})
    body = SendMessageRequest(message=TextMessage(text="hi"))
    with client_with(script) as client:
        none = client.with_options(max_retries=0)
        with chatapi.request_options(max_retries=1):
            assert none.messaging.send("id:1", body=body).message_id == 1
    assert script.attempts == 2


def test_raw_responses_carry_status_and_headers() -> None:
    answer = httpx.Response(
        200, json={"id": 1, "firstName": "A"}, headers={"X-RateLimit-Remaining": "7"}
    )
    with client_with(Script(answer)) as client:
        raw = client.contacts.with_raw_response.get("id:1")
    assert raw.status_code == 200
    assert raw.headers["x-ratelimit-remaining"] == "7"
    assert raw.parsed.first_name == "A"


def test_a_closed_client_and_its_copies_send_nothing() -> None:
    script = Script(then={"id": 1, "firstName": "A"})
    client = client_with(script)
    copy = client.with_options(max_retries=1)
    client.close()
    for closed in (client, copy):
        with pytest.raises(ClientClosedError, match="closed"):
            closed.contacts.get("id:1")
    assert script.attempts == 0


def test_a_closed_async_client_sends_nothing() -> None:
    script = Script(then={"id": 1, "firstName": "A"})

    async def run() -> None:
        async with AsyncChatAPI(TOKEN, transport=script.transport()) as client:
            await client.contacts.get("id:1")
        with pytest.raises(ClientClosedError):
            await client.contacts.get("id:1")

    asyncio.run(run())
    assert script.attempts == 1


def test_the_clients_take_what_connect_takes() -> None:
    connect = inspect.signature(chatapi.connect).parameters
    keywords = {name for name, p in connect.items() if p.kind is p.KEYWORD_ONLY}
    assert keywords == set(ConnectOptions.__annotations__)


def test_a_body_the_decoder_cannot_use_is_a_typed_error_not_a_crash() -> None:
    # A message that is a string, not an object: refused by the check, never a crash.
    weird = {"messageId": 1, "contactId": 1, "traffic": "sideways", "message": "text"}
    with (
        client_with(
            Script(httpx.Response(200, content=json.dumps(weird))), max_retries=0
        ) as client,
        pytest.raises(chatapi.ChatAPIError),
    ):
        client.messaging.get("id:1", 1)
