"""The contract every rate-limit store keeps, run against each: in-process, SQLite, Redis.

Each store is run bare (the SQLite and Redis backends raise on failure) and inside a
``FailoverStore``, which must keep the contract of whatever it wraps. The ``store`` fixture
gives each through the same synchronous face; the asyncio twins are driven through
``asyncio.run`` per call (a fresh event loop each time, as scripts do). Shared stores read
their own clocks (the wall clock, Redis ``TIME``), so these tests use short real windows
and bound waits loosely.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatapi import InMemoryRateLimitStore, RateLimitStoreError
from chatapi._ratelimit import FailoverStore, SqliteBackend
from chatapi._ratelimit.redis_store import RedisBackend, redis_client
from chatapi._ratelimit.store import (
    Admission,
    AsyncRateLimitStore,
    RateLimitStore,
    async_store_for,
)
from tests._race import admitted_by_racing_threads
from tests.overlays.fakes import FakeClock

from ._redis import RedisServer

EPSILON = 0.005
"""Seconds a shared store's clock may round by (Redis ``TIME``, floats stored in SQLite)."""


class Twin:
    """An asyncio twin behind the synchronous face: one event loop per call."""

    def __init__(self, twin: AsyncRateLimitStore) -> None:
        self._twin = twin

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        return asyncio.run(self._twin.try_acquire(key, limit, window, now, headroom=headroom))

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        asyncio.run(self._twin.cool_down(key, seconds, now))

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        asyncio.run(self._twin.mark_spent(key, limit, window, now))

    def report_limit(self, key: str, limit: int) -> None:
        asyncio.run(self._twin.report_limit(key, limit))

    def close(self) -> None:
        aclose = getattr(self._twin, "aclose", None)
        if callable(aclose):
            asyncio.run(aclose())


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as running:
        yield running


KINDS = ["memory", "sqlite", "sqlite-async", "redis", "redis-async"]


def _bare(kind: str, tmp_path: Path, redis_server: RedisServer) -> RateLimitStore:
    """The store ``kind`` names, without a failover wrapper."""
    if kind.endswith("memory"):
        return InMemoryRateLimitStore()
    if "sqlite" in kind:
        return SqliteBackend(tmp_path / "limits.db")
    return RedisBackend(redis_client(redis_server.unix_url))


@pytest.fixture(params=[*KINDS, *(f"failover-{kind}" for kind in KINDS)])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, redis_server: RedisServer
) -> Iterator[Any]:
    kind: str = request.param
    base = _bare(kind, tmp_path, redis_server)
    opened: Any = FailoverStore(base) if kind.startswith("failover") else base
    yield Twin(opened.asynchronous) if kind.endswith("async") else opened
    if isinstance(base, RedisBackend):
        base.close()


def _key(store: Any, name: str) -> str:
    # Redis outlives a test: a fresh organization per test keeps budgets apart.
    return f"contract-{uuid.uuid4().hex}/{name}"


def _now() -> float:
    return time.monotonic()


def _assert_wait(wait: float, full: float, since: float) -> None:
    """``wait`` is ``full`` less the time that passed since ``since``, as this run measured it.

    A busy machine can put a tenth of a second between two calls to a store (a fresh event
    loop each for the asyncio twins): the time that passed is measured, not assumed.
    """
    passed = time.monotonic() - since
    assert full - passed - EPSILON <= wait <= full + EPSILON, (wait, full, passed)


def test_racing_callers_get_exactly_the_limit(store: Any) -> None:
    key = _key(store, "race")

    def admit() -> bool:
        return bool(store.try_acquire(key, 7, 60.0, _now()).wait == 0)

    assert admitted_by_racing_threads(admit, threads=6, tries=5) == 7


def test_a_full_window_names_the_wait_until_the_oldest_start_leaves(store: Any) -> None:
    key = _key(store, "window")
    started = _now()
    assert [store.try_acquire(key, 2, 0.4, _now()).wait for _ in range(2)] == [0, 0]
    refused = store.try_acquire(key, 2, 0.4, _now())
    assert refused.reason == "window full"
    _assert_wait(refused.wait, 0.4, started)
    time.sleep(refused.wait)
    assert store.try_acquire(key, 2, 0.4, _now()).wait == 0


def test_a_cool_down_holds_everyone_and_the_longer_one_wins(store: Any) -> None:
    key = _key(store, "cool")
    started = _now()
    store.cool_down(key, 0.4, _now())
    store.cool_down(key, 0.1, _now())  # shorter: changes nothing
    paused = store.try_acquire(key, 10, 1.0, _now())
    assert paused.reason == "cooling down"
    _assert_wait(paused.wait, 0.4, started)


def test_a_lowered_limit_binds_and_headroom_applies_to_it(store: Any) -> None:
    key = _key(store, "lowered")
    store.report_limit(key, 3)
    admitted = [store.try_acquire(key, 10, 60.0, _now(), headroom=1).wait == 0 for _ in range(4)]
    assert admitted == [True, True, False, False]


def test_spent_elsewhere_pauses_for_a_window(store: Any) -> None:
    key = _key(store, "spent")
    started = _now()
    store.mark_spent(key, 5, 0.3, _now())  # none of the starts are ours
    paused = store.try_acquire(key, 5, 0.3, _now())
    assert paused.reason == "cooling down"
    _assert_wait(paused.wait, 0.3, started)


def test_the_widest_recent_window_is_in_force_for_every_caller(store: Any) -> None:
    key = _key(store, "widest")
    started = _now()
    assert store.try_acquire(key, 1, 0.6, _now()).wait == 0  # a caller with jitter
    refused = store.try_acquire(key, 1, 0.2, _now())  # a prompt one
    assert refused.reason == "window full"
    _assert_wait(refused.wait, 0.6, started)


def test_a_closed_store_serves_again_and_keeps_its_budgets(store: Any) -> None:
    key = _key(store, "closed")
    assert store.try_acquire(key, 1, 60.0, _now()).wait == 0
    close = getattr(store, "close", None)
    if callable(close):  # a store with connections releases them; the next call reconnects
        close()
    assert store.try_acquire(key, 1, 60.0, _now()).reason == "window full"
    assert store.try_acquire(_key(store, "other"), 1, 60.0, _now()).wait == 0


class Cut:
    """A store whose backend can be cut off: its calls raise ``RateLimitStoreError`` then.

    Serves asyncio callers through the store's own twin, cut off alike.
    """

    def __init__(self, store: RateLimitStore) -> None:
        self.store = store
        self.down = False
        self.asynchronous = _CutTwin(self, async_store_for(store))

    def check(self) -> None:
        if self.down:
            raise RateLimitStoreError("test://cut failed; nothing was sent", store="test://cut")

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        self.check()
        return self.store.try_acquire(key, limit, window, now, headroom=headroom)

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        self.check()
        self.store.cool_down(key, seconds, now)

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        self.check()
        self.store.mark_spent(key, limit, window, now)

    def report_limit(self, key: str, limit: int) -> None:
        self.check()
        self.store.report_limit(key, limit)

    def reported_limit(self, key: str) -> int | None:
        return self.store.reported_limit(key)


class _CutTwin:
    def __init__(self, cut: Cut, twin: AsyncRateLimitStore) -> None:
        self._cut = cut
        self._twin = twin

    async def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        self._cut.check()
        return await self._twin.try_acquire(key, limit, window, now, headroom=headroom)

    async def cool_down(self, key: str, seconds: float, now: float) -> None:
        self._cut.check()
        await self._twin.cool_down(key, seconds, now)

    async def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        self._cut.check()
        await self._twin.mark_spent(key, limit, window, now)

    async def report_limit(self, key: str, limit: int) -> None:
        self._cut.check()
        await self._twin.report_limit(key, limit)


SYNC_KINDS = [kind for kind in KINDS if not kind.endswith("async")]


@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "failover"])
@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_calls_cancelled_mid_way_leave_the_store_serving_and_never_over_the_limit(
    kind: str, wrapped: bool, tmp_path: Path, redis_server: RedisServer
) -> None:
    """A call cancelled at any point costs at most its slot; the next ones answer at once.

    Cancelled as a caller's timeout or Ctrl-C would, through each store's asyncio face.
    """
    base = _bare(kind, tmp_path, redis_server)
    twin = async_store_for(FailoverStore(base) if wrapped else base)
    key, limit = _key(twin, "cancelled"), 3

    async def main() -> tuple[int, list[bool]]:
        taken = 0  # slots the cancelled calls are known to have taken
        for steps in range(6):  # cancelled after 0, 1, ... turns of the event loop
            task = asyncio.create_task(twin.try_acquire(key, limit, 60.0, _now()))
            for _ in range(steps):
                await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                taken += (await task).wait == 0  # it finished before the cancellation
        # A call left half-done (a reply never read on a connection, a lock never freed)
        # would hang or mix up these answers; each must come promptly.
        later = [
            (await asyncio.wait_for(twin.try_acquire(key, limit, 60.0, _now()), 5.0)).wait == 0
            for _ in range(limit + 1)
        ]
        return taken, later

    taken, later = asyncio.run(main())
    # A call cancelled while its worker thread or Redis script ran may still have taken its
    # slot unseen: never more than the limit in all, and the last try is always refused.
    assert taken + sum(later) <= limit
    assert later[-1] is False
    assert later == sorted(later, reverse=True)  # admitted first, then refused: one budget
    if isinstance(base, RedisBackend):
        base.close()


@pytest.mark.parametrize("kind", KINDS)
def test_failover_around_each_store_falls_back_and_returns_within_one_probe_interval(
    kind: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    base = _bare(kind, tmp_path, redis_server)
    cut, clock = Cut(base), FakeClock()  # the probes' timing on a fake clock: no waits
    wrapped = FailoverStore(cut, probe_interval=5.0, monotonic=clock.monotonic)
    store: Any = Twin(wrapped.asynchronous) if kind.endswith("async") else wrapped
    key = _key(store, "failover")

    assert store.try_acquire(key, 2, 60.0, _now()).wait == 0  # in the backend
    cut.down = True
    admitted = [store.try_acquire(key, 2, 60.0, _now()).wait == 0 for _ in range(3)]
    assert admitted == [True, True, False]  # the fallback keeps its own window meanwhile
    states = [wrapped.fallen_back]
    cut.down = False
    clock.advance(4.9)
    store.try_acquire(key, 2, 60.0, _now())
    states.append(wrapped.fallen_back)  # not tried again before the interval is up
    clock.advance(0.1)
    assert store.try_acquire(key, 2, 60.0, _now()).wait == 0  # the probe: the backend again
    states.append(wrapped.fallen_back)
    assert states == [True, True, False]
    # Back on the backend's budget: its first start and the probe's fill it.
    assert base.try_acquire(key, 2, 60.0, _now()).reason == "window full"
    if isinstance(base, RedisBackend):
        base.close()
