"""Outcomes that never invite a resend: not sent is said so, processed is said so.

Against a scripted server on 127.0.0.1; time that matters runs on a fake clock, moved by
httpx's trace hooks at the exact step where the field delay happens.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
from typing import Any

import pytest

import chatapi
from chatapi import (
    APIResponseValidationError,
    RequestNotSentError,
    RequestProcessedError,
    request_options,
)
from chatapi._connect import KEEPALIVE_EXPIRY
from chatapi._transports.base import SplitTransport
from chatapi_client.models import SendMessageRequest, TextMessage

from .fakes import TOKEN, FakeClock
from .scripted_server import answer, serving

SENT = b'{"messageId": 7}'


def _ok(connection: socket.socket, head: bytes, body: bytes) -> bool:
    connection.sendall(answer(200, SENT))
    return True


class _LateWriter:
    """A trace hook: ``delay`` fake seconds pass between the slot and the first byte written.

    What a busy machine does to a call whose rate-limit wait ended just before its
    deadline: the thread is scheduled late, and the deadline passes before the write.
    """

    def __init__(self, clock: FakeClock, delay: float) -> None:
        self._clock = clock
        self._delay = delay

    def __call__(self, name: str, info: dict[str, Any]) -> None:
        if name == "http11.send_request_headers.started":
            self._clock.advance(self._delay)

    async def atrace(self, name: str, info: dict[str, Any]) -> None:
        self(name, info)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_deadline_passing_before_the_first_byte_is_not_sent_not_unknown(
    use_async: bool,
) -> None:
    clock = FakeClock()
    with serving(_ok) as server:
        client = chatapi.connect(TOKEN, base_url=server.url, clock=clock)
        late = _LateWriter(clock, 0.3)
        path = "/contact/id:1/message"
        first: dict[str, Any] = {"json": {"seq": 0}}
        # Ten sends fill sendMessage's window; the eleventh waits ~1.05 s for its slot,
        # within its 1.2 s deadline; then its write comes 0.3 s late, past the deadline.
        second: dict[str, Any] = {
            "json": {"seq": 1},
            "extensions": {"trace": late.atrace if use_async else late},
        }
        if use_async:

            async def run() -> None:
                async with client:
                    http = client.get_async_httpx_client()
                    for _ in range(10):
                        await http.post(path, **first)
                    with request_options(deadline=1.2):
                        await http.post(path, **second)

            with pytest.raises(RequestNotSentError) as caught:
                asyncio.run(run())
        else:
            with client:
                http = client.get_httpx_client()
                for _ in range(10):
                    http.post(path, **first)
                with request_options(deadline=1.2), pytest.raises(RequestNotSentError) as caught:
                    http.post(path, **second)
        posts = [head for head in server.received if head.startswith(b"POST")]
    assert type(caught.value) is RequestNotSentError  # never an OutcomeUnknownError
    assert "nothing was sent" in str(caught.value)
    assert clock.sleeps == [pytest.approx(1.05, abs=0.01)]  # the rate-limit wait
    assert len(posts) == 10  # the eleventh never reached the server


UNUSABLE = {
    "html": b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 20\r\n\r\n"
    b"<html>welcome</html>",
    "empty": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n",
    "wrong type": answer(200, b'{"messageId": "seven"}'),
    "not the description": answer(200, b'{"unexpected": true}'),
    "broken gzip": b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"content-encoding: gzip\r\ncontent-length: 9\r\n\r\nnot-gzip!",
}


def _unusable(kind: str) -> Any:
    def handler(connection: socket.socket, head: bytes, body: bytes) -> bool:
        connection.sendall(UNUSABLE[kind])
        return True

    return handler


@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_a_send_answered_2xx_with_an_unusable_body_says_it_was_processed(kind: str) -> None:
    body = SendMessageRequest(message=TextMessage(type_="text", text="hello"))
    with serving(_unusable(kind)) as server, chatapi.ChatAPI(TOKEN, base_url=server.url) as api:
        with pytest.raises(RequestProcessedError) as caught:
            api.messaging.send("id:1", body=body)
        posts = [head for head in server.received if head.startswith(b"POST")]
    error = caught.value
    # The README's handling of failures (`except chatapi.ChatAPIError`) does not catch it.
    assert not isinstance(error, chatapi.ChatAPIError)
    assert "was processed" in str(error)
    assert error.status_code == 200
    assert isinstance(error.error, APIResponseValidationError)
    assert str(error.request) == "POST /v2/contact/id%3A1/message"
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own pickle
    assert type(again) is RequestProcessedError
    assert str(again) == str(error)
    assert len(posts) == 1  # and it was not repeated


def test_a_read_answered_2xx_with_an_unusable_body_stays_a_plain_failure() -> None:
    with (
        serving(_unusable("html")) as server,
        chatapi.ChatAPI(TOKEN, base_url=server.url) as api,
        pytest.raises(APIResponseValidationError),
    ):
        api.contacts.get("id:1")


def test_a_send_marked_safe_to_repeat_stays_a_plain_failure() -> None:
    body = SendMessageRequest(message=TextMessage(type_="text", text="hello"))
    with (
        serving(_unusable("html")) as server,
        chatapi.ChatAPI(TOKEN, base_url=server.url) as api,
        request_options(safe_to_repeat=True),
        pytest.raises(APIResponseValidationError),
    ):
        api.messaging.send("id:1", body=body)


def test_pooled_connections_expire_before_common_server_idle_timeouts() -> None:
    # Node.js, uvicorn and Apache close idle connections after 5 s: a POST written on one
    # at that moment could not be told apart from one the server dropped after reading.
    client = chatapi.connect(TOKEN, base_url="http://127.0.0.1:9/v2")
    layer: Any = client.get_httpx_client()._transport
    while not isinstance(layer, SplitTransport):
        layer = layer._inner
    transports: list[Any] = [layer._sync, layer._async]
    assert [t._pool._keepalive_expiry for t in transports] == [KEEPALIVE_EXPIRY] * 2
    assert KEEPALIVE_EXPIRY < 5.0
