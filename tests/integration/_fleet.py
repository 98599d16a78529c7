"""A fleet of processes of one organization sending sendMessage to the sandbox, as fast as they can.

Shared by ``test_shared_limits.py`` (a few seconds per store) and
``benchmarks/shared_limits.py`` (longer runs, and the per-try cost of each store).

Each of ``processes`` spawned processes opens one client on the given rate-limit store and
sends from ``callers`` threads (or asyncio tasks) until ``seconds`` after a common start.
Every attempt that got an answer is noted at the bottom of the client's stack (monotonic
time when it left, status): the processes share the machine's monotonic clock with the
sandbox, whose rate limiter stamps every request it sees (``StampingClock``).

Each process warms up before the common start: one ``getContact`` (another bucket) opens
its HTTP connection and its store's connection, on the thread or event loop that will send.
The figures are then of steady sending, not of eight processes connecting at once: on the
2-core machines a cold start was seen to land first requests up to 120 ms after their
slots were granted, more than the 50 ms the 1.05 s window absorbs.

Figures (``FleetResult``):
- ``answered_429``: what the sandbox's rate limiter refused (its own counter).
- ``busiest_second``: most requests the sandbox saw in any one-second window; at most the
  limit when none was refused.
- ``utilization``: sends answered 200 that left within ``[first, first + D)``, D the run's
  whole seconds, over ``limit x D``: the share of what the API allows in D seconds that
  was used. A client window of 1.05 s fits D batches in D seconds for D < 20.
- ``span_of_next``: the shortest time in which ``limit + 1`` consecutive requests reached
  the sandbox; at least 1 s when the limit held, about the window when it is used.
- ``answered_429_after_1s``: 429s to sends that left at least 1 s after the run's first.
- ``steady_utilization``: the rate at which sends answered 200 left, over the limit:
  what the run kept (``tests._rates.steady_rate``, measured over whole batches).
- ``widest_window``: the widest window any process's limiter asked for (see
  ``chatapi._ratelimit.window``): on a busy machine it grows with the measured jitter, and
  what the run can use shrinks to about ``1 / widest_window`` of the limit.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import multiprocessing
import queue
import random
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

import chatapi
import chatapi_sandbox
from chatapi._ratelimit import open_store
from chatapi._transports.base import SplitTransport
from chatapi_client import AuthenticatedClient
from chatapi_client.api.contact import get_contact
from chatapi_client.api.messaging import send_message
from chatapi_client.models import SendMessageRequest, SendMessageResult, TextMessage
from chatapi_client.operations import INDEX
from tests._rates import steady_rate

from ._helpers import CONTACT, TOKEN, StampingClock

SEND = INDEX["sendMessage"].rate_limit
SPAWN = multiprocessing.get_context("spawn")
BODY = SendMessageRequest(message=TextMessage(type_="text", text="Fleet message."))


@dataclass(frozen=True)
class FleetResult:
    """What one run of the fleet did, as the sandbox and the clients saw it."""

    store: str
    mode: str
    processes: int
    callers: int
    seconds: float
    sent: int
    answered_429: int
    messages_stored: int
    busiest_second: int
    utilization: float
    span_of_next: float
    widest_window: float
    answered_429_after_1s: int
    steady_utilization: float
    failures: tuple[str, ...]

    def line(self) -> str:
        """One line for a report."""
        return (
            f"{self.store:>10} {self.mode:>7}: {self.sent} sent, {self.answered_429} answered "
            f"429, busiest second {self.busiest_second}/{SEND.requests_per_second}, "
            f"utilization {self.utilization:.1%}, span of {SEND.requests_per_second + 1} "
            f"{self.span_of_next * 1000:.0f} ms, widest window {self.widest_window:.3f} s"
        )


class _Noting(SplitTransport):
    """httpx's transports, noting (monotonic time sent, status) of each answered send.

    With ``jitter``, each send first waits a uniform 0 to ``jitter`` seconds: the delay a
    busy machine or a real network puts between a slot's grant and the request's arrival.
    """

    def __init__(self, notes: list[tuple[float, int]], jitter: float = 0.0) -> None:
        super().__init__(httpx.HTTPTransport(), httpx.AsyncHTTPTransport())
        self._notes = notes
        self._jitter = jitter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send and note."""
        if self._jitter and request.method == "POST":
            time.sleep(random.uniform(0.0, self._jitter))  # noqa: S311 - not for secrets
        sent = time.monotonic()
        response = super().handle_request(request)
        if request.method == "POST":  # sendMessage, not the warm-up
            self._notes.append((sent, response.status_code))
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send and note."""
        if self._jitter and request.method == "POST":
            await asyncio.sleep(random.uniform(0.0, self._jitter))  # noqa: S311 - not for secrets
        sent = time.monotonic()
        response = await super().handle_async_request(request)
        if request.method == "POST":  # sendMessage, not the warm-up
            self._notes.append((sent, response.status_code))
        return response


def _client(
    base_url: str,
    organization: str,
    store: str | None,
    notes: list[Any],
    shape: tuple[float, float | None],
) -> tuple[Any, chatapi.RateLimiter]:
    jitter, window = shape
    # The limiter connect() would build for this setting, kept to read its window.
    limiter = chatapi.RateLimiter(None if store is None else open_store(store), window=window)
    client = chatapi.connect(
        TOKEN,
        base_url=base_url,
        organization=organization,
        rate_limit=limiter,
        transport=_Noting(notes, jitter),
    )
    return client, limiter


def worker(
    base_url: str,
    organization: str,
    store: str | None,
    mode: str,
    callers: int,
    seconds: float,
    ready: Any,
    results: Any,
    shape: tuple[float, float | None] = (0.0, None),
) -> None:
    """One process of the fleet: wait for the common start, send until ``seconds`` later."""
    notes: list[tuple[float, int]] = []
    failures: list[str] = []
    windows = [0.0]
    client, limiter = _client(base_url, organization, store, notes, shape)

    def note_window() -> None:
        windows.append(limiter.window(organization, SEND.bucket))

    if mode == "threads":
        get_contact.sync(CONTACT, client=client)  # warm up: see the module
        ready[0].wait()
        ready[1].wait()
        end = time.monotonic() + seconds

        def caller() -> None:
            try:
                while time.monotonic() < end:
                    result = send_message.sync(CONTACT, client=client, body=BODY)
                    assert isinstance(result, SendMessageResult)
                    note_window()
            except Exception as failure:  # noqa: BLE001 - reported to the parent
                failures.append(repr(failure))

        threads = [threading.Thread(target=caller) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.get_httpx_client().close()
    else:
        end = math.inf

        async def acaller(aclient: AuthenticatedClient) -> None:
            try:
                while time.monotonic() < end:
                    result = await send_message.asyncio(CONTACT, client=aclient, body=BODY)
                    assert isinstance(result, SendMessageResult)
                    note_window()
            except Exception as failure:  # noqa: BLE001 - reported to the parent
                failures.append(repr(failure))

        async def main() -> None:
            nonlocal end
            async with client as aclient:
                await get_contact.asyncio(CONTACT, client=aclient)  # warm up: see the module
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, ready[0].wait)
                await loop.run_in_executor(None, ready[1].wait)
                end = time.monotonic() + seconds
                await asyncio.gather(*(acaller(aclient) for _ in range(callers)))

        asyncio.run(main())
    results.put((notes, failures, max(windows)))


def run_fleet(
    sandbox: chatapi_sandbox.Sandbox,
    clock: StampingClock,
    store: str | None,
    mode: str,
    *,
    processes: int = 8,
    callers: int = 4,
    seconds: float = 3.0,
    label: str | None = None,
    jitter: float = 0.0,
    window: float | None = None,
) -> FleetResult:
    """Run the fleet once against a freshly reset sandbox; see the module for the figures.

    ``jitter``: each send waits a uniform 0 to ``jitter`` s after its grant; ``window``:
    a fixed limiter window instead of the measured one.
    """
    sandbox.reset()
    clock.stamps.clear()
    organization = f"fleet-{uuid.uuid4().hex}"  # fresh budgets in a shared store
    # Two meeting points: every child warmed up (then the sandbox forgets the warm-up), go.
    ready = (SPAWN.Barrier(processes + 1), SPAWN.Barrier(processes + 1))
    results = SPAWN.Queue()
    args = (
        sandbox.base_url,
        organization,
        store,
        mode,
        callers,
        seconds,
        ready,
        results,
        (jitter, window),
    )
    children = [SPAWN.Process(target=worker, args=args) for _ in range(processes)]
    for child in children:
        child.start()
    ready[0].wait(timeout=120)  # every child has imported chatapi and warmed up
    sandbox.reset()
    clock.stamps.clear()
    ready[1].wait(timeout=10)
    notes: list[tuple[float, int]] = []
    failures: list[str] = []
    widest = 0.0
    for _ in children:
        try:
            child_notes, child_failures, child_window = results.get(timeout=seconds + 60)
        except queue.Empty:
            failures.append("a process sent no result")
            break
        notes += child_notes
        failures += child_failures
        widest = max(widest, child_window)
    for child in children:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
    counters = sandbox.counters()
    limit = SEND.requests_per_second
    admitted = sorted(t for t, status in notes if status == 200)
    first = min((t for t, _ in notes), default=0.0)
    late_429 = sum(1 for t, status in notes if status == 429 and t >= first + 1.0)
    stamps = sorted(clock.stamps)
    whole = math.floor(seconds)
    used = bisect.bisect_left(admitted, admitted[0] + whole) if admitted else 0
    spans = [b - a for a, b in zip(stamps, stamps[limit:], strict=False)]
    return FleetResult(
        store=label or (store.split(":", 1)[0] if store else "in-process"),
        mode=mode,
        processes=processes,
        callers=callers,
        seconds=seconds,
        sent=len(notes),
        answered_429=counters.rate_limited,
        messages_stored=counters.messages_stored,
        busiest_second=_busiest(stamps),
        utilization=used / (limit * whole) if whole else 0.0,
        span_of_next=min(spans, default=math.inf),
        widest_window=widest,
        answered_429_after_1s=late_429,
        steady_utilization=steady_rate(admitted, limit) / limit,
        failures=tuple(failures),
    )


def _busiest(times: list[float]) -> int:
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)
