"""The jitter-aware window: 1 s plus the longest grant-to-answer time measured, shared.

Every clock here is injected: latencies are the fake clock moving while a request is "on
the wire", so no test sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatapi import InMemoryRateLimitStore, RateLimiter, SqliteRateLimitStore
from chatapi._ratelimit.store import SHARED_WINDOW_MEMORY
from chatapi._ratelimit.window import (
    HORIZON,
    MAX_WINDOW,
    MIN_WINDOW,
    SHRINK_RATE,
    WIDEN_ON_429,
    JitterWindow,
)
from chatapi._transports.rate_limit import RateLimitTransport

from .fakes import BASE, SLACK, WALL_OFFSET, FakeClock, index

# -- the window alone -------------------------------------------------------------------


def test_the_window_is_one_second_plus_the_longest_time_measured() -> None:
    window = JitterWindow()
    assert window.current("k", 0.0) == MIN_WINDOW  # nothing measured: the 50 ms margin
    window.measured("k", 0.010, 0.0)
    assert window.current("k", 0.0) == MIN_WINDOW  # 10 ms: within the margin
    window.measured("k", 0.310, 0.1)
    assert window.current("k", 0.1) == pytest.approx(1.310)
    window.measured("k", 0.150, 0.2)  # shorter: nothing changes
    assert window.current("k", 0.2) == pytest.approx(1.310)
    assert window.current("other", 0.2) == MIN_WINDOW  # per budget


def test_answers_that_come_back_together_do_not_narrow_the_window() -> None:
    # A server that queues a burst stamps the first request at once and answers it with the
    # last: ten answers 300 ms after their grants, within 1 ms of each other, while the
    # requests reached the server anywhere in those 300 ms. The next batch must wait for the
    # last of them to leave the server's second, not only for 1 s after the grants.
    window = JitterWindow()
    for i in range(10):
        window.measured("k", 0.300 + i * 0.0001, 0.300)
    assert window.current("k", 0.300) == pytest.approx(1.3009)


def test_the_window_is_bounded() -> None:
    window = JitterWindow()
    window.measured("k", 0.0, 0.0)
    window.measured("k", 5.0, 0.0)  # a stalled request
    assert window.current("k", 0.0) == MAX_WINDOW


def test_the_window_widens_at_once_and_shrinks_slowly() -> None:
    window = JitterWindow()
    window.measured("k", 0.0, 0.0)
    window.measured("k", 0.5, 0.0)
    assert window.current("k", 0.0) == pytest.approx(1.5)
    # The slow times are remembered for HORIZON seconds, then given back little by little.
    for second in range(1, int(HORIZON) + 11):
        window.measured("k", 0.0, float(second))
    later = HORIZON + 10
    assert window.current("k", later) == pytest.approx(1.5 - SHRINK_RATE * 10)
    assert window.current("k", later + 5) == pytest.approx(1.5 - SHRINK_RATE * 15)
    assert window.current("k", later + 1000) == MIN_WINDOW
    window.measured("k", 0.0, later + 1000)
    window.measured("k", 0.4, later + 1000)  # 0.4 again: at once
    assert window.current("k", later + 1000) == pytest.approx(1.4)


def test_an_unanswered_request_widens_the_window_while_it_is_out() -> None:
    window = JitterWindow()
    window.measured("k", 0.010, 0.0)
    window.granted("k", 1.0)
    assert window.current("k", 1.02) == MIN_WINDOW  # out for 20 ms: within the margin
    # Out for 0.5 s: it may reach the server 0.5 s after its grant, or later.
    assert window.current("k", 1.5) == pytest.approx(1.5)
    assert window.current("k", 9.0) == MAX_WINDOW
    window.answered("k", 1.0)  # it failed: no time measured, nothing out any more
    assert window.current("k", 9.0) == MIN_WINDOW


def test_a_first_batch_answered_late_widens_the_window_before_the_next() -> None:
    window = JitterWindow()
    for _ in range(10):  # nothing measured yet, ten requests out since t=0
        window.granted("k", 0.0)
    assert window.current("k", 1.05) == pytest.approx(2.0)  # the next batch waits
    for _ in range(10):
        window.answered("k", 0.0)
        window.measured("k", 1.2, 1.2)  # answered alike, yet they may have arrived apart
    assert window.current("k", 1.2) == MAX_WINDOW


def test_a_429_widens_the_window_at_once() -> None:
    window = JitterWindow()
    assert window.refused("k", 0.0) == pytest.approx(MIN_WINDOW + WIDEN_ON_429)
    assert window.refused("k", 0.0) == pytest.approx(MIN_WINDOW + 2 * WIDEN_ON_429)
    for _ in range(20):
        window.refused("k", 0.0)
    assert window.current("k", 0.0) == MAX_WINDOW


# -- through the limiter and its transport ----------------------------------------------


class Wire:
    """A MockTransport handler whose requests take ``latencies`` (cycled) on the fake clock."""

    def __init__(self, clock: FakeClock, *latencies: float, status: int = 200) -> None:
        self._clock = clock
        self._latencies = list(latencies)
        self._status = status
        self.arrivals: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        latency = self._latencies[len(self.arrivals) % len(self._latencies)]
        self.arrivals.append(self._clock.now + latency)  # when the server counts it
        self._clock.advance(latency)
        return httpx.Response(self._status, json={})


def _limited(limiter: RateLimiter, wire: Wire | QueuedWire) -> RateLimitTransport:
    """``wire`` behind the rate limiter, every request in one bucket of 1/s."""
    return RateLimitTransport(
        httpx.MockTransport(wire),
        limiter=limiter,
        organization="acme",
        index=index(default=1),
        base_path="/v2",
    )


def _client(limiter: RateLimiter, wire: Wire) -> httpx.Client:
    return httpx.Client(transport=_limited(limiter, wire), base_url=BASE)


def _busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1.0 - 1e-9) for t in times)


def test_a_varying_latency_widens_the_window_until_arrivals_keep_the_limit() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock)
    wire = Wire(clock, 0.3, 0.0)  # alternately late and prompt: the longest is 0.3 s
    with _client(limiter, wire) as client:
        for _ in range(12):
            client.get("/x")
    assert limiter.window("acme", "default") == pytest.approx(1.3)
    # After the first two (which measured the late one), every 1 s of arrivals holds one.
    assert _busiest_second(wire.arrivals[2:]) == 1


class QueuedWire:
    """An async MockTransport handler for a server that queues: (arrival, answer) offsets.

    Each request reaches the server ``arrival`` seconds after it is sent and is answered
    ``answer`` seconds after it (cycled), on the fake clock: a request can arrive at once
    and still be answered as late as one that arrived late.
    """

    def __init__(self, clock: FakeClock, *timings: tuple[float, float]) -> None:
        self._clock = clock
        self._timings = list(timings)
        self.arrivals: list[float] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        arrival, answer = self._timings[len(self.arrivals) % len(self._timings)]
        self.arrivals.append(self._clock.now + arrival)
        self._clock.advance(answer)
        return httpx.Response(200, json={})


def test_asyncio_requests_answered_alike_but_arriving_apart_keep_the_limit() -> None:
    # Both kinds of request are answered 300 ms after their grant: their answer times do not
    # vary, but one reached the server at once and the other 280 ms late. A window of 1 s
    # plus the spread of answer times (none) would let a prompt one follow a late one within
    # the same second; 1 s plus the longest answer time keeps them a second apart.
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock)
    wire = QueuedWire(clock, (0.0, 0.3), (0.28, 0.3))
    transport = _limited(limiter, wire)

    async def send() -> None:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            for _ in range(12):
                await client.get("/x")

    asyncio.run(send())
    assert _busiest_second(wire.arrivals) == 1
    assert limiter.window("acme", "default") == pytest.approx(1.3)


def test_a_fixed_window_lets_the_same_jitter_through() -> None:
    # What the adaptive window prevents: with 1.05 s, a late request and the next prompt
    # one reach the server within the same second.
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock, window=MIN_WINDOW)
    wire = Wire(clock, 0.3, 0.0)
    with _client(limiter, wire) as client:
        for _ in range(12):
            client.get("/x")
    assert limiter.window("acme", "default") == MIN_WINDOW
    assert _busiest_second(wire.arrivals[2:]) == 2


def test_limiters_on_one_store_share_what_they_measured() -> None:
    clock = FakeClock(start=0.0)
    store = InMemoryRateLimitStore()
    one, two = RateLimiter(store, clock=clock), RateLimiter(store, clock=clock)
    one.observe("acme", "b", 1, 200, httpx.Headers(), latency=0.0)
    one.observe("acme", "b", 1, 200, httpx.Headers(), latency=0.3)
    assert two.window("acme", "b") == pytest.approx(1.3)
    one.sending("acme", "b", clock.now)  # one's request is out ...
    clock.advance(1.0)
    assert two.window("acme", "b") == pytest.approx(2.0)  # ... and two sees it is late
    one.answered("acme", "b", 0.0)
    assert two.window("acme", "b") == pytest.approx(1.3)
    other_clock = RateLimiter(store, clock=FakeClock(start=0.0))
    assert other_clock.window("acme", "b") == MIN_WINDOW  # times on another clock: apart


def test_a_429_from_the_server_widens_the_window_of_the_budget() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock)
    limiter.observe("acme", "b", 1, 429, httpx.Headers({"Retry-After": "0"}), latency=0.01)
    assert limiter.window("acme", "b") == pytest.approx(MIN_WINDOW + WIDEN_ON_429)


# -- shared: the widest recent window is in force for everyone ------------------------


class Wall:
    def __init__(self) -> None:
        self.now = WALL_OFFSET

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sqlite"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[object, Wall]]:
    wall = Wall()
    if request.param == "memory":
        yield InMemoryRateLimitStore(), wall
    else:
        yield SqliteRateLimitStore(tmp_path / "limits.db", wall_clock=wall), wall


def test_a_shared_store_applies_the_widest_recent_window(
    shared: tuple[InMemoryRateLimitStore, Wall],
) -> None:
    store, wall = shared

    def now() -> float:  # the in-memory store reads the caller's clock, SQLite its own
        return wall.now

    assert store.try_acquire("acme/b", 1, 1.6, now()).wait == 0  # a slow process asks 1.6 s
    wall.now += 1.1
    # A prompt process asks 1.05 s: the slow one's window is in force for it too.
    wait = store.try_acquire("acme/b", 1, 1.05, now()).wait
    assert wait == pytest.approx(0.5 + SLACK)
    wall.now += wait
    assert store.try_acquire("acme/b", 1, 1.05, now()).wait == 0
    # Once nobody asked for the wide window in SHARED_WINDOW_MEMORY seconds, it lapses.
    wall.now += SHARED_WINDOW_MEMORY + 1.1
    assert store.try_acquire("acme/b", 1, 1.05, now()).wait == 0
    wall.now += 1.05 + SLACK
    assert store.try_acquire("acme/b", 1, 1.05, now()).wait == 0
