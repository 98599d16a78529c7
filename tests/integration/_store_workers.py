"""Functions run in child processes by the shared-store tests (importable after a spawn)."""

from __future__ import annotations

import time
from typing import Any

import chatapi
from chatapi._clock import SystemClock
from chatapi._ratelimit import open_store


class SkewedClock(SystemClock):
    """The system clock, ``offset`` seconds off: a machine whose clock is wrong."""

    def __init__(self, offset: float) -> None:
        self.offset = offset

    def monotonic(self) -> float:
        """Monotonic time, shifted."""
        return time.monotonic() + self.offset

    def time(self) -> float:
        """Wall-clock time, shifted."""
        return time.time() + self.offset


def hammer(url: str, key: str, limit: int, tries: int, start_at: float) -> int:
    """From ``start_at`` (wall clock), try ``tries`` times without waiting; admitted count."""
    store = open_store(url)
    while time.time() < start_at:
        time.sleep(0.001)
    return sum(
        store.try_acquire(key, limit, 60.0, time.monotonic()).wait == 0 for _ in range(tries)
    )


def warm_up(url: str) -> None:
    """Import the client and open the store, then linger so each worker takes one call."""
    open_store(url)
    time.sleep(0.3)


def acquire_for(url: str, limit: int, offset: float, start_at: float, seconds: float) -> list[Any]:
    """Acquire slots in a loop on a clock ``offset`` s off; the true wall times admitted."""
    limiter = chatapi.RateLimiter(open_store(url), clock=SkewedClock(offset))
    while time.time() < start_at:
        time.sleep(0.001)
    admitted: list[float] = []
    while time.time() < start_at + seconds:
        limiter.acquire("skew", "bucket", limit)
        admitted.append(time.time())
    return admitted


def first_try(url: str, start_at: float) -> bool:
    """Open the store, then try once at ``start_at``: whether the database answered."""
    store = open_store(url)
    while time.time() < start_at:
        time.sleep(0.0005)
    store.try_acquire("acme/b", 100, 60.0, time.monotonic())
    return not getattr(store, "fallen_back", False)


def share_while_down(url: str, key: str, limit: int, gate: Any, locked: Any) -> tuple[int, bool]:
    """Use the store, meet the others twice, then try 12 times once the test locked it.

    ``gate`` is a barrier shared with the other workers and the test, ``locked`` an event
    the test sets once the database is locked. Returns the slots admitted after the lock,
    and whether the store had fallen back.
    """
    store = open_store(url)
    store.try_acquire(key, limit, 60.0, time.monotonic())  # seen in the file
    gate.wait(60)
    store.try_acquire(key, limit, 60.0, time.monotonic())  # ... and sees the others
    gate.wait(60)
    locked.wait(60)
    admitted = sum(
        store.try_acquire(key, limit, 60.0, time.monotonic()).wait == 0 for _ in range(12)
    )
    return admitted, bool(getattr(store, "fallen_back", False))
