"""SendHook: a call's mark is written only when it changes, never cleared once it may count."""

from __future__ import annotations

import httpx
import pytest

import chatapi
from chatapi._sending import SendHook, watch_sending
from chatapi_client.models import SendMessageRequest
from tests.overlays.fakes import FakeClock

TEXT = SendMessageRequest.from_dict({"message": {"type": "text", "text": "hi"}})


class Marks:
    """The callbacks of a hook, noting each write."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def hook(self, *, marked: bool = True) -> SendHook:
        return SendHook(
            lambda: self.writes.append("clear"), lambda: self.writes.append("mark"), marked=marked
        )


def test_a_call_granted_its_slot_at_once_writes_nothing_more() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.sending()
    assert marks.writes == []  # the caller's mark stands


def test_a_call_that_waits_is_unmarked_then_marked_again_once() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.waiting()
    hook.waiting()  # a second wait of the same slot
    hook.sending()
    assert marks.writes == ["clear", "mark"]


def test_an_attempt_not_processed_lets_the_retry_wait_unmarked() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.sending()
    hook.unsent()  # a 429: nothing was processed
    hook.waiting()
    hook.sending()
    assert marks.writes == ["clear", "mark"]


def test_once_an_attempt_may_have_been_processed_the_mark_stays() -> None:
    marks = Marks()
    hook = marks.hook()
    hook.sending()
    hook.waiting()  # no report on the attempt: it may have been processed
    hook.sending()  # retried all the same (the caller said it is safe to repeat)
    hook.unsent()  # a 429 for this attempt says nothing of the one before
    hook.waiting()
    hook.sending()
    assert marks.writes == []


def test_a_mark_that_could_not_be_written_is_tried_again() -> None:
    writes: list[str] = []
    disk_full = [True]

    def mark() -> None:
        if disk_full:
            raise OSError("disk full")
        writes.append("mark")

    hook = SendHook(lambda: writes.append("clear"), mark, marked=True)
    hook.waiting()
    with pytest.raises(OSError, match="disk full"):
        hook.sending()  # the request does not leave
    disk_full.clear()
    hook.sending()
    assert writes == ["clear", "mark"]


def _client(answers: list[httpx.Response | httpx.TransportError]) -> chatapi.ChatAPI:
    """A client whose API gives ``answers`` in turn; its sleeps are fake."""
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    clock = FakeClock()
    return chatapi.ChatAPI(
        "token",
        base_url="https://api.test/v2",
        organization="acme",
        transport=httpx.MockTransport(answer),
        rate_limit=chatapi.RateLimiter(chatapi.InMemoryRateLimitStore(), clock=clock),
        clock=clock,
    )


SENT = httpx.Response(200, json={"messageId": 7, "contactId": 1})


def test_the_client_unmarks_a_send_while_it_waits_to_retry_one_that_could_not_connect() -> None:
    marks = Marks()
    with _client([httpx.ConnectError("refused"), SENT]) as client, watch_sending(marks.hook()):
        client.messaging.send("id:1", body=TEXT)
    assert marks.writes == ["clear", "mark"]


def test_the_client_keeps_the_mark_once_an_attempt_may_have_been_processed() -> None:
    marks = Marks()
    answers: list[httpx.Response | httpx.TransportError] = [
        httpx.ReadError("connection lost mid-answer"),  # it may have been processed
        httpx.Response(429, headers={"Retry-After": "1"}),
        SENT,
    ]
    with _client(answers) as client, watch_sending(marks.hook()):
        # The caller says a repeat is harmless: the client retries after the lost answer.
        client.messaging.send(
            "id:1", body=TEXT, options=chatapi.RequestOptions(safe_to_repeat=True)
        )
    assert marks.writes == []
