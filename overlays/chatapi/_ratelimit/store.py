"""Where rate-limit budgets live: the interfaces, and the in-process implementation.

A store keeps, per budget key, the start times of recent requests, a cool-down set by the
server's feedback, and the limit the server last reported. Every operation is atomic, so
one store can serve many threads (and, for a shared store such as Redis, many processes).
All results are durations relative to ``now``: a store shared between processes may read
its own clock instead of the caller's monotonic one (the SQLite store reads the machine's
wall clock, the Redis store the Redis server's ``TIME``).

``AsyncRateLimitStore`` is the same interface for asyncio callers. A store that talks to
the network gives the limiter a native twin (``SupportsAsync.asynchronous``); any other store
is adapted by ``DirectAsyncStore``, which calls it on the event loop: right for stores whose
calls are short local work, like ``InMemoryRateLimitStore``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = [
    "SHARED_WINDOW_MEMORY",
    "Admission",
    "AsyncRateLimitStore",
    "DirectAsyncStore",
    "InMemoryRateLimitStore",
    "RateLimitStore",
    "SupportsAsync",
    "async_store_for",
    "calls_within",
    "effective_limit",
    "fair_share",
    "time_left",
]

_SLACK = 1e-6
"""Added to every wait so that sleeping exactly that long clears the window: without it,
float rounding can leave a caller a few ulps short, asking again for an ever-tinier wait."""


PEER_MEMORY = 30.0
"""Seconds a process that used a shared store counts among its peers (see ``fair_share``)."""
SHARED_WINDOW_MEMORY = 10.0
"""Seconds a window asked for by one caller of a store widens the windows of the others."""


_CALL_DEADLINE: ContextVar[float] = ContextVar("chatapi_store_deadline", default=math.inf)
"""When the running call's deadline passes, on ``time.monotonic()``: a store waiting for a
lock or an answer stops then, and counts as failed."""


@contextmanager
def calls_within(seconds: float) -> Iterator[None]:
    """Store calls inside the block wait at most ``seconds`` (from now) for locks or answers."""
    token = _CALL_DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _CALL_DEADLINE.reset(token)


def time_left(longest: float) -> float:
    """Seconds a store call may wait now: ``longest``, cut to the running call's deadline."""
    return min(longest, _CALL_DEADLINE.get() - time.monotonic())


@dataclass(frozen=True)
class Admission:
    """A store's answer: ``wait == 0`` means a start was recorded and the request may go.

    Attributes:
        wait: Seconds to wait before asking again; 0 when admitted.
        reason: Why it must wait: ``"window full"`` or ``"cooling down"``; empty if admitted.
    """

    wait: float
    reason: str = ""


ADMITTED = Admission(0.0)


def effective_limit(limit: int, reported: int | None, headroom: int) -> int:
    """Starts allowed per window: the lower of ``limit`` and ``reported``, less ``headroom``.

    Never below 1, so a large headroom slows a budget down but never stops it.
    """
    if reported is not None:
        limit = min(limit, reported)
    return max(1, limit - headroom)


def fair_share(limit: int, reported: int | None, peers: int) -> int:
    """A process's share of a budget while the shared store is out of reach.

    The lower of ``limit`` and ``reported``, divided among the ``peers`` processes last seen
    using the store (this one included), never below 1: together they keep to the budget
    instead of each taking all of it.
    """
    if reported is not None:
        limit = min(limit, reported)
    return max(1, limit // max(1, peers))


class RateLimitStore(Protocol):
    """The state behind a ``RateLimiter``; swap it for a shared one without touching transports."""

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """Record a start at ``now`` if fewer than N starts fall within ``window``.

        N is ``effective_limit(limit, reported, headroom)``: ``limit`` is the table's, and
        the store lowers it to the limit the server reported (``report_limit``), read in the
        same atomic step. Atomically: admit and record, or record nothing and say how long
        to wait. Never admits during a cool-down.

        ``window`` is the caller's; the store applies the widest window any caller of this
        key asked for in the last ``SHARED_WINDOW_MEMORY`` seconds, so the caller with the
        most jitter protects everyone sharing the budget.
        """
        ...

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        """Admit nothing for ``key`` during the next ``seconds``; a longer cool-down wins."""
        ...

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """The server says ``key``'s budget is spent (``X-RateLimit-Remaining: 0``).

        When the store's own starts fill the window, they already hold callers back exactly
        as long as needed. Otherwise others spend the budget too (other processes, other
        tokens), so admit nothing for a whole ``window``.
        """
        ...

    def report_limit(self, key: str, limit: int) -> None:
        """Remember the limit the server last reported for ``key`` (``X-RateLimit-Limit``)."""
        ...

    def reported_limit(self, key: str) -> int | None:
        """The limit last reported for ``key``, or None."""
        ...


class AsyncRateLimitStore(Protocol):
    """``RateLimitStore`` for asyncio callers: the same contract, as coroutines.

    A call must never block the event loop on a network round trip or a lock held by
    another process.
    """

    async def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``."""
        ...

    async def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        ...

    async def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        ...

    async def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``."""
        ...


@runtime_checkable
class SupportsAsync(Protocol):
    """A ``RateLimitStore`` that brings its own asyncio twin (over the same budgets)."""

    @property
    def asynchronous(self) -> AsyncRateLimitStore:
        """The twin serving asyncio callers."""
        ...


class DirectAsyncStore:
    """Serves asyncio callers by calling a sync ``RateLimitStore`` on the event loop.

    Only for stores whose calls are short local work (the in-memory store holds a lock for
    microseconds, never across a wait).
    """

    def __init__(self, store: RateLimitStore) -> None:
        self._store = store

    async def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``."""
        return self._store.try_acquire(key, limit, window, now, headroom=headroom)

    async def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        self._store.cool_down(key, seconds, now)

    async def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        self._store.mark_spent(key, limit, window, now)

    async def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``."""
        self._store.report_limit(key, limit)


def async_store_for(store: RateLimitStore) -> AsyncRateLimitStore:
    """The store's own asyncio twin if it has one, else ``DirectAsyncStore(store)``."""
    if isinstance(store, SupportsAsync):
        return store.asynchronous
    return DirectAsyncStore(store)


@dataclass
class _Budget:
    starts: deque[float] = field(default_factory=deque)
    cooldown_until: float = float("-inf")
    reported_limit: int | None = None
    window: float = 0.0
    window_until: float = float("-inf")


class InMemoryRateLimitStore:
    """A ``RateLimitStore`` for one process: a sliding log of start times under one lock.

    The lock is held for microseconds and never across a sleep, so async callers may use
    it from the event loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._budgets: dict[str, _Budget] = {}

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``."""
        with self._lock:
            budget = self._budgets.setdefault(key, _Budget())
            limit = effective_limit(limit, budget.reported_limit, headroom)
            starts = budget.starts
            # Callers read the clock before taking the lock, so a later arrival may carry an
            # earlier reading; it cannot start before what is already recorded.
            if starts and now < starts[-1]:
                now = starts[-1]
            if now < budget.cooldown_until:
                return Admission(budget.cooldown_until - now + _SLACK, "cooling down")
            window = _shared_window(budget, window, now)
            while starts and now - starts[0] >= window:
                starts.popleft()
            if len(starts) >= limit:
                # The start `limit` places back must leave the window before another begins.
                return Admission(window - (now - starts[-limit]) + _SLACK, "window full")
            starts.append(now)
            return ADMITTED

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        with self._lock:
            budget = self._budgets.setdefault(key, _Budget())
            budget.cooldown_until = max(budget.cooldown_until, now + seconds)

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        with self._lock:
            budget = self._budgets.setdefault(key, _Budget())
            recent = sum(1 for start in budget.starts if now - start < window)
            if recent < limit:
                budget.cooldown_until = max(budget.cooldown_until, now + window)

    def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``."""
        with self._lock:
            self._budgets.setdefault(key, _Budget()).reported_limit = limit

    def reported_limit(self, key: str) -> int | None:
        """See ``RateLimitStore.reported_limit``."""
        with self._lock:
            budget = self._budgets.get(key)
            return None if budget is None else budget.reported_limit


def _shared_window(budget: _Budget, window: float, now: float) -> float:
    """The widest window asked for recently, ``window`` included; remembers ``window``."""
    if window >= budget.window or not now < budget.window_until:
        budget.window = window
        budget.window_until = now + SHARED_WINDOW_MEMORY
    return budget.window
