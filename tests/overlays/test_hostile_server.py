"""Where the socket matters: a scripted server on 127.0.0.1, started and stopped by each test.

A client used across two event loops, bodies, headers and ``100 Continue`` lines trickled
past the call's deadline, keep-alive connections closed just as the client reuses them.
Timings are generous: a deadline of 1 s, trickles every 0.2 s, bounds of 1.8 s.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import chatapi
from chatapi import (
    APITimeoutError,
    ChatAPIError,
    ClientStateError,
    OutcomeUnknownError,
    RetryEvent,
    request_options,
)
from chatapi_client import AuthenticatedClient
from chatapi_client.api.contact import get_contact
from chatapi_client.api.messaging import send_message
from tests._timing import SchedulingProbe

from .fakes import BODY, TOKEN, FakeClock
from .scripted_server import Handler, answer, serving, trickle

CONTACT = b'{"id": 42, "firstName": "Ada"}'
SENT = b'{"messageId": 7}'
DEADLINE = 1.0
EVERY = 0.2
BOUND = DEADLINE + EVERY + 0.1
"""Seconds a call with ``DEADLINE`` may take at most, plus the time the process was kept
from running (measured by a `SchedulingProbe` around the call)."""


def _ok(connection: socket.socket, head: bytes, body: bytes) -> bool:
    connection.sendall(answer(200, SENT if head.startswith(b"POST") else CONTACT))
    return True


def _client(url: str, **kwargs: Any) -> AuthenticatedClient:
    return chatapi.connect(TOKEN, base_url=url, rate_limit=False, **kwargs)


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    """Set when the test ends, so trickling server threads stop."""
    event = threading.Event()
    yield event
    event.set()


# -- 1. a foreign or closed event loop -------------------------------------------------------


def _send_from_two_loops(url: str) -> str:
    client = _client(url)

    async def send() -> object:
        return await send_message.asyncio("id:1", client=client, body=BODY)

    assert asyncio.run(send()) is not None
    # The first loop is closed; its pooled connection would take the POST and then fail.
    with pytest.raises(ClientStateError) as caught:
        asyncio.run(send())
    return str(caught.value)


# The misuse leaves the first loop's pooled connection unclosed: nothing can close it once
# its loop is gone, and collecting it warns.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_client_used_in_a_second_event_loop_refuses_before_sending() -> None:
    with serving(_ok) as server:
        assert "nothing was sent" in _send_from_two_loops(server.url)
        time.sleep(0.1)  # anything sent would have arrived by now
        assert len(server.received) == 1
    gc.collect()  # collect the leaked connection here, under this test's warning filter


def test_a_client_used_from_another_running_loop_refuses_before_sending() -> None:
    with serving(_ok) as server:
        client = _client(server.url)
        first = asyncio.new_event_loop()
        try:
            first.run_until_complete(get_contact.asyncio("id:1", client=client))
            with pytest.raises(ClientStateError):
                asyncio.run(get_contact.asyncio("id:1", client=client))
            first.run_until_complete(client.get_async_httpx_client().aclose())
        finally:
            first.close()
        assert len(server.received) == 1


# -- 2. one deadline for the whole call, the reading included --------------------------------


def _trickled_body(stop: threading.Event) -> Handler:
    def handler(connection: socket.socket, head: bytes, body: bytes) -> bool:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n"
        )
        trickle(connection, b" " * 500, EVERY, stop)
        return False

    return handler


def _trickled_head(stop: threading.Event) -> Handler:
    def handler(connection: socket.socket, head: bytes, body: bytes) -> bool:
        trickle(connection, b"HTTP/1.1 200 OK\r\nx-slow: " + b"a" * 500, EVERY, stop)
        return False

    return handler


def _continue_flood(stop: threading.Event) -> Handler:
    def handler(connection: socket.socket, head: bytes, body: bytes) -> bool:
        while not stop.wait(EVERY):
            connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        return False

    return handler


SLOW = {"body": _trickled_body, "headers": _trickled_head, "100-continue": _continue_flood}


def _timed(call: Callable[[], object]) -> tuple[BaseException, str | None]:
    """The error the call raised, and why it overran ``BOUND`` (None if it did not)."""
    with SchedulingProbe() as probe:
        start = time.monotonic()
        with request_options(deadline=DEADLINE), pytest.raises(ChatAPIError) as caught:
            call()
        end = time.monotonic()
    return caught.value, _overran(probe, start, end)


def _overran(probe: SchedulingProbe, start: float, end: float) -> str | None:
    if end - start < BOUND + probe.lag(start, end):
        return None
    return f"over {BOUND} s plus the lag: {probe.describe(start, end)}"


@pytest.mark.parametrize("slow", list(SLOW))
def test_a_trickling_server_cannot_hold_a_sync_call_past_its_deadline(
    slow: str, stop: threading.Event
) -> None:
    with serving(SLOW[slow](stop)) as server, _client(server.url) as client:
        error, overran = _timed(lambda: get_contact.sync("id:1", client=client))
        assert isinstance(error, APITimeoutError)
        assert overran is None, overran
        error, overran = _timed(lambda: send_message.sync("id:1", client=client, body=BODY))
        assert isinstance(error, OutcomeUnknownError)
        assert overran is None, overran


@pytest.mark.parametrize("slow", list(SLOW))
def test_a_trickling_server_cannot_hold_an_async_call_past_its_deadline(
    slow: str, stop: threading.Event
) -> None:
    with serving(SLOW[slow](stop)) as server:
        client = _client(server.url)

        async def run() -> tuple[BaseException, float, float]:
            async with client:
                start = time.monotonic()
                with request_options(deadline=DEADLINE), pytest.raises(ChatAPIError) as caught:
                    await get_contact.asyncio("id:1", client=client)
                return caught.value, start, time.monotonic()

        with SchedulingProbe() as probe:
            error, start, end = asyncio.run(run())
        assert isinstance(error, APITimeoutError)
        overran = _overran(probe, start, end)
        assert overran is None, overran


# -- 8. keep-alive connections closed just as the client reuses them -------------------------

SENDS = 150


class _CloseBeforeWrite:
    """A trace hook: the server closes the idle connection just before the request is written.

    httpcore calls it once the pool has checked the pooled connection is still open, so the
    close lands where no check can see it. Armed for one attempt at a time.
    """

    def __init__(self, close: Callable[[], int]) -> None:
        self._close = close
        self.armed = False
        self.closed = 0

    def __call__(self, name: str, info: dict[str, Any]) -> None:
        if self.armed and name == "http11.send_request_headers.started":
            self.armed = False
            self.closed += self._close()
            time.sleep(0.002)  # let the FIN or RST reach the client's socket

    async def atrace(self, name: str, info: dict[str, Any]) -> None:
        self(name, info)


def _stale_run(reset: bool, use_async: bool) -> None:
    clock = FakeClock()  # the retries' backoff does not sleep for real
    retries: list[RetryEvent] = []
    with serving(_ok) as server:
        hook = _CloseBeforeWrite(lambda: server.close_idle(reset=reset))
        client = _client(server.url, clock=clock, on_retry=retries.append)
        unknown = 0

        def sent(i: int) -> dict[str, Any]:
            hook.armed = i > 0  # from the second send on, the connection is a pooled one
            trace = hook.atrace if use_async else hook
            return {"json": {"seq": i}, "extensions": {"trace": trace}}

        if use_async:

            async def run() -> int:
                failures = 0
                async with client:
                    http = client.get_async_httpx_client()
                    for i in range(SENDS):
                        try:
                            await http.post("/contact/id:1/message", **sent(i))
                        except OutcomeUnknownError:
                            failures += 1
                return failures

            unknown = asyncio.run(run())
        else:
            with client:
                http = client.get_httpx_client()
                for i in range(SENDS):
                    try:
                        http.post("/contact/id:1/message", **sent(i))
                    except OutcomeUnknownError:
                        unknown += 1
        bodies = [head for head in server.received if head.startswith(b"POST")]
    assert hook.closed == SENDS - 1  # every reuse met a connection closed under it
    assert unknown == 0
    assert len(bodies) == SENDS  # each POST arrived once: retried, never duplicated
    assert [event.reason for event in retries] == ["RequestNotWrittenError"] * (SENDS - 1)


@pytest.mark.parametrize("reset", [True, False], ids=["rst", "fin"])
def test_a_pooled_connection_closed_before_the_write_is_retried_sync(reset: bool) -> None:
    _stale_run(reset, use_async=False)


@pytest.mark.parametrize("reset", [True, False], ids=["rst", "fin"])
def test_a_pooled_connection_closed_before_the_write_is_retried_async(reset: bool) -> None:
    _stale_run(reset, use_async=True)


def test_a_request_written_whole_and_then_dropped_stays_outcome_unknown() -> None:
    def drop(connection: socket.socket, head: bytes, body: bytes) -> bool:
        return head.startswith(b"GET")  # a POST is read whole, then the connection dropped

    with serving(drop) as server, _client(server.url, clock=FakeClock()) as client:
        with pytest.raises(OutcomeUnknownError):
            send_message.sync("id:1", client=client, body=BODY)
        assert len(server.received) == 1


def test_only_the_encodings_the_client_can_bound_are_asked_for() -> None:
    heads: list[bytes] = []

    def record(connection: socket.socket, head: bytes, body: bytes) -> bool:
        heads.append(head.lower())
        return _ok(connection, head, body)

    with serving(record) as server, _client(server.url) as client:
        client.get_httpx_client().get("/contact/id:1", headers={"Accept-Encoding": "br, zstd"})
    assert b"accept-encoding: gzip, deflate\r\n" in heads[0] + b"\r\n"


def test_deadline_bounds_are_installed_on_httpx_transports() -> None:
    # The bound reaches into httpx's pool: fail here, not silently, if httpx moves it.
    from chatapi._transports.sockets import bound_by_deadline

    assert bound_by_deadline(httpx.HTTPTransport())
    assert bound_by_deadline(httpx.AsyncHTTPTransport())
    assert bound_by_deadline(httpx.HTTPTransport(proxy="http://127.0.0.1:9"))
    assert not bound_by_deadline(httpx.MockTransport(lambda request: httpx.Response(200)))
