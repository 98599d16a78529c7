"""Pagers against the sandbox: every item of every page exactly once, through the limiter.

The module's own sandbox does not limit, so 63 messages are seeded in a moment; the clients
that page keep their limiter on (listMessages: 5/s), which holds the seven page fetches back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import chatapi
import chatapi_sandbox
from chatapi_client.models import SendMessageRequest, TextMessage

from ._helpers import Events

MESSAGES = 63
PAGE = 10


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[chatapi_sandbox.Sandbox, str, list[int]]]:
    """A sandbox with a contact holding 63 more messages than its seed; their ids in order."""
    with chatapi_sandbox.running(rate_limit=False) as sandbox:
        client = chatapi.ChatAPI(sandbox.token, base_url=sandbox.base_url, rate_limit=False)
        with client:
            sent = [
                client.messaging.send(
                    "id:123", body=SendMessageRequest(message=TextMessage(text=f"#{n}"))
                ).message_id
                for n in range(MESSAGES)
            ]
        yield sandbox, "id:123", sent


def test_a_pager_yields_every_message_once_through_the_limiter(
    seeded: tuple[chatapi_sandbox.Sandbox, str, list[int]],
) -> None:
    sandbox, contact, sent = seeded
    events = Events()
    before = sandbox.counters().requests_by_operation.get("listMessages", 0)
    with chatapi.ChatAPI(
        sandbox.token, base_url=sandbox.base_url, on_throttle=events.throttles.append
    ) as client:
        pager = client.messaging.list(contact, limit=PAGE)
        listed = [message.message_id for message in pager]
        assert pager.next_cursor is None
    assert len(listed) == len(set(listed))  # each once
    assert set(sent) <= set(listed)
    pages = sandbox.counters().requests_by_operation["listMessages"] - before
    assert pages == -(-len(listed) // PAGE) >= 7
    assert events.throttles, "seven pages at 5/s: the limiter must have held some back"
    assert {event.bucket for event in events.throttles} == {"list-messages"}


def test_an_async_pager_yields_every_message_once_through_the_limiter(
    seeded: tuple[chatapi_sandbox.Sandbox, str, list[int]],
) -> None:
    sandbox, contact, sent = seeded
    events = Events()

    async def collect() -> list[int]:
        async with chatapi.AsyncChatAPI(
            sandbox.token, base_url=sandbox.base_url, on_throttle=events.throttles.append
        ) as client:
            return [
                message.message_id async for message in client.messaging.list(contact, limit=PAGE)
            ]

    listed = asyncio.run(collect())
    assert len(listed) == len(set(listed))
    assert set(sent) <= set(listed)
    assert events.throttles


def test_paging_by_hand_from_a_cursor(
    seeded: tuple[chatapi_sandbox.Sandbox, str, list[int]],
) -> None:
    sandbox, contact, _ = seeded
    with chatapi.ChatAPI(sandbox.token, base_url=sandbox.base_url, rate_limit=False) as client:
        walk = client.messaging.list(contact, limit=PAGE)
        first = walk.first_page()
        cursor = walk.next_cursor
        assert cursor is not None
        second = client.messaging.list(contact, limit=PAGE, cursor=cursor).first_page()
        everything = [m.message_id for m in walk]
    assert [m.message_id for m in [*first.items, *second.items]] == everything[: 2 * PAGE]
