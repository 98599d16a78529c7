"""Test doubles for the overlays: clocks that never sleep for real, a scripted server, a table.

Three clocks, each a ``chatapi.Clock``:

- ``FakeClock``: one caller at a time; ``sleep`` records the wait and jumps time at once.
- ``ThreadedVirtualClock`` and ``TaskVirtualClock``: many threads (or asyncio tasks) at
  once. Time stands still while any participant runs, and jumps to the earliest wake-up
  once all of them sleep. A request therefore arrives at exactly the virtual time its slot
  was granted, whatever the OS scheduling: the property tests stay exact and fast.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar

import httpx

import chatapi
from chatapi_client import AuthenticatedClient
from chatapi_client.models import SendMessageRequest, TextMessage
from chatapi_description import Operation, OperationIndex, RateLimit

TOKEN = "tok_live_9c1f2e3d4b5a6978abcdef01"
"""The token of the layer's clients: no six characters of it occur by chance in a message."""
CONTACT = {"id": 42, "firstName": "Ada"}
OK = {**CONTACT, "messageId": 7}
"""A body that both getContact and sendMessage accept: what a scripted server answers."""
BODY = SendMessageRequest(message=TextMessage(type_="text", text="hello"))


def message_record(message_id: int) -> dict[str, object]:
    """A stored outgoing text message as getMessage and listMessages answer it."""
    return {
        "messageId": message_id,
        "contactId": 1,
        "channelId": 5,
        "traffic": "outgoing",
        "message": {"type": "text", "text": "hi"},
    }


BASE = "https://api.test/v2"
"""The base URL of mocked clients."""
SLACK = 1e-6
"""What a rate-limit store adds to each wait it names (the store's ``_SLACK``)."""
WALL_OFFSET = 1_700_000_000.0
"""Wall-clock time minus monotonic time on every fake clock (for HTTP-dates)."""
_Waiter = TypeVar("_Waiter")


class FakeClock:
    """Time that moves only when something sleeps or the test advances it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now + WALL_OFFSET

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would

    def advance(self, seconds: float) -> None:
        self.now += seconds


class _VirtualTime(Generic[_Waiter]):
    """Time that moves only when every participant sleeps: to the earliest wake-up."""

    def __init__(self, participants: int, start: float) -> None:
        self._now = start
        self._awake = participants
        self._wakeups: list[tuple[float, int, _Waiter]] = []  # (when, ticket, waiter), a heap

    def _wake_if_all_asleep(self) -> list[_Waiter]:
        """Move to the earliest wake-up if nobody is awake; the waiters now due."""
        if self._awake or not self._wakeups:
            return []
        self._now = max(self._now, self._wakeups[0][0])
        due: list[_Waiter] = []
        while self._wakeups and self._wakeups[0][0] <= self._now:
            due.append(heapq.heappop(self._wakeups)[2])
            self._awake += 1
        return due


class ThreadedVirtualClock(_VirtualTime[int]):
    """Virtual time shared by ``participants`` threads; each must call ``finish`` when done."""

    def __init__(self, participants: int, start: float = 0.0) -> None:
        super().__init__(participants, start)
        self._cond = threading.Condition()
        self._released: set[int] = set()
        self._ids = itertools.count()

    def monotonic(self) -> float:
        with self._cond:
            return self._now

    def time(self) -> float:
        return self.monotonic() + WALL_OFFSET

    def sleep(self, seconds: float) -> None:
        with self._cond:
            ticket = next(self._ids)
            heapq.heappush(self._wakeups, (self._now + max(seconds, 0.0), ticket, ticket))
            self._awake -= 1
            self._jump_if_all_asleep()
            self._cond.wait_for(lambda: ticket in self._released)
            self._released.discard(ticket)

    async def asleep(self, seconds: float) -> None:
        raise RuntimeError("ThreadedVirtualClock serves threads; use TaskVirtualClock")

    def finish(self) -> None:
        with self._cond:
            self._awake -= 1
            self._jump_if_all_asleep()

    def _jump_if_all_asleep(self) -> None:
        due = self._wake_if_all_asleep()
        if due:
            self._released.update(due)
            self._cond.notify_all()


class TaskVirtualClock(_VirtualTime["asyncio.Future[None]"]):
    """Virtual time shared by ``participants`` asyncio tasks; each calls ``finish`` when done."""

    def __init__(self, participants: int, start: float = 0.0) -> None:
        super().__init__(participants, start)
        self._ids = itertools.count()

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._now + WALL_OFFSET

    def sleep(self, seconds: float) -> None:
        raise RuntimeError("blocking sleep called from async code: it would block the loop")

    async def asleep(self, seconds: float) -> None:
        wakeup: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self._now + max(seconds, 0.0), next(self._ids), wakeup)
        heapq.heappush(self._wakeups, entry)
        self._awake -= 1
        self._jump_if_all_asleep()
        await wakeup

    def finish(self) -> None:
        self._awake -= 1
        self._jump_if_all_asleep()

    def _jump_if_all_asleep(self) -> None:
        for wakeup in self._wake_if_all_asleep():
            wakeup.set_result(None)


def index(*rows: tuple[str, str, str, int], default: int = 2) -> OperationIndex:
    """A small operation index from (method, path template, bucket, requests per second) rows.

    Its operations document a bare 200; unmatched requests draw from a ``default`` bucket.
    """
    operations = tuple(
        Operation(
            operation_id=f"op{i}",
            method=method,
            path=path,
            tag="test",
            resource="tests",
            action=f"op{i}",
            rate_limit=RateLimit(bucket, rps),
            parameters=(),
            request_body=None,
            responses={"200": None},
        )
        for i, (method, path, bucket, rps) in enumerate(rows)
    )
    return OperationIndex("/v2", RateLimit("default", default), operations)


CONTACT_INDEX = index(
    ("POST", "/contact/{identifier}/message", "send-message", 10),
    ("GET", "/contact/{identifier}", "get-contact", 10),
    ("PUT", "/contact/{identifier}", "contact-write", 5),
    ("DELETE", "/contact/{identifier}", "contact-write", 5),
    ("POST", "/contact/list", "list-contacts", 5),
)

Outcome = httpx.Response | Exception
"""What a scripted server does for one request: answer, or fail with an exception."""


class Script:
    """A MockTransport handler playing ``outcomes`` in order, then answering 200 ``then``.

    Records each request and the clock's time at its arrival.
    """

    def __init__(
        self, *outcomes: Outcome, clock: FakeClock | None = None, then: object = None
    ) -> None:
        self._outcomes = list(outcomes)
        self._clock = clock
        self._then = {} if then is None else then
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self._clock is not None:
            self.times.append(self._clock.monotonic())
        outcome = self._outcomes.pop(0) if self._outcomes else httpx.Response(200, json=self._then)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    @property
    def attempts(self) -> int:
        return len(self.requests)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def connect_scripted(
    token: str, *outcomes: Outcome, then: object, clock: FakeClock | None = None, **kwargs: Any
) -> tuple[AuthenticatedClient, Script]:
    """``chatapi.connect`` over a `Script` of ``outcomes`` (then 200 ``then``), on a fake clock.

    Keyword arguments go to ``chatapi.connect``; the caller closes the client.
    """
    clock = FakeClock() if clock is None else clock
    script = Script(*outcomes, clock=clock, then=then)
    client = chatapi.connect(token, transport=script.transport(), clock=clock, **kwargs)
    return client, script


class BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that sends a few bytes, then loses the connection."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"messa'
        raise httpx.ReadError("connection lost mid-body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"messa'
        raise httpx.ReadError("connection lost mid-body")


def broken_body(status: int = 200) -> httpx.Response:
    """A response whose body breaks off: the connection dropped mid-response."""
    return httpx.Response(status, headers={"content-type": "application/json"}, stream=BrokenBody())


def fails(exception: type[httpx.TransportError]) -> Callable[[], Outcome]:
    """A factory of an httpx transport exception."""
    return lambda: exception(f"simulated {exception.__name__}")
