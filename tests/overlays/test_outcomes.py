"""Outcomes that never invite a resend: not sent is said so, processed is said so.

Against a scripted server on 127.0.0.1; time that matters runs on a fake clock, moved by
httpx's trace hooks at the exact step where the field delay happens.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

import chatapi
from chatapi import RequestNotSentError, request_options

from .fakes import FakeClock
from .scripted_server import answer, serving

TOKEN = "tok_live_outcomes_0a1b2c3d4e5f"
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
