"""RateLimiter: waits for a slot of an (organization, bucket) budget, and heeds the server.

Why not the ``limits`` library (5.x), which has a moving window and a Redis storage: it reads
``time.time()`` inside, so tests could not inject a clock and would sleep for real, and a
wall clock jumps when NTP corrects it; it has no blocking acquire (``hit()`` only says yes or
no), no cool-down and no way to lower a limit from a response header. What is needed here
is a sliding log of start times plus those two signals: about a hundred lines, owned, with
the store behind an interface so that budgets can be shared between processes (the SQLite
and Redis stores) without touching the transports.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .._clock import SYSTEM_CLOCK, Clock
from .._errors import LocalRateLimitError, RequestInfo
from .._events import ThrottleEvent
from .._retry_policy import MAX_WAIT, retry_after
from .store import (
    Admission,
    InMemoryRateLimitStore,
    RateLimitStore,
    async_store_for,
    calls_within,
    effective_limit,
)
from .window import MIN_WINDOW, JitterWindow

__all__ = ["DEFAULT_WINDOW", "Grant", "RateLimiter"]

logger = logging.getLogger("chatapi")

DEFAULT_WINDOW = MIN_WINDOW
"""The narrowest window in force by default (see ``window.JitterWindow``): the API's limits
are per second, and the extra 50 ms absorb jitter before any is measured."""

_SHARED_STORE = InMemoryRateLimitStore()
"""The process-wide store: every limiter built without one shares it, so every client that
names the same organization draws from the same budgets."""


@dataclass(frozen=True)
class Grant:
    """A slot granted by ``RateLimiter.acquire_grant``.

    Attributes:
        waited: Seconds spent waiting for it.
        at: The limiter's clock just before the store was asked for the slot that was
            granted: no later than the start the store recorded, so a latency measured from
            it includes the store's round trip and the event loop's delays, never less.
    """

    waited: float
    at: float


class RateLimiter:
    """Lets at most N requests of a budget start in any window, N from the API's table.

    A budget is keyed by (organization, bucket). Its N is the table's limit, lowered to what
    the server reports in ``X-RateLimit-Limit`` if that is lower, minus ``headroom``. The
    server's feedback (``observe``) pauses a budget for everyone sharing it: a 429 for its
    ``Retry-After``, an ``X-RateLimit-Remaining: 0`` for one window.

    The window is, by default, as wide as the delay between a grant and the request's
    arrival needs (``JitterWindow``: 1 s plus the longest grant-to-answer time measured,
    within [1.05 s, 2 s]); a shared store applies the widest window any of its processes
    asked for recently.

    Thread-safe and asyncio-safe: ``acquire`` blocks the calling thread, ``aacquire`` only
    suspends the calling task (it uses the store's asyncio twin, see ``async_store_for``).
    Neither waits past the caller's deadline: it raises ``LocalRateLimitError`` at once
    instead.
    """

    def __init__(
        self,
        store: RateLimitStore | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        headroom: int = 0,
        window: float | None = None,
    ) -> None:
        """Build a limiter.

        Args:
            store: Where budgets live; default: the process-wide in-memory store.
            clock: Measures windows and deadlines; deadlines passed in use this clock.
            headroom: Requests per window kept unused below each limit (never below 1 left).
            window: Seconds in which at most N requests may start, fixed; default (None):
                measured per budget from the jitter between grants and answers.
        """
        if headroom < 0:
            raise ValueError(f"headroom must be >= 0, not {headroom}")
        if window is not None and not window > 0:
            raise ValueError(f"window must be > 0 seconds, not {window}")
        self._store: RateLimitStore = _SHARED_STORE if store is None else store
        self._astore = async_store_for(self._store)
        self._clock = clock
        self._headroom = headroom
        self._fixed = window
        self._jitter = _jitter_for(self._store, clock)

    @property
    def clock(self) -> Clock:
        """The clock this limiter measures with."""
        return self._clock

    def window(self, organization: str, bucket: str) -> float:
        """The window this limiter asks for the budget now (a shared store may widen it)."""
        return self._window_for(_key(organization, bucket), self._clock.monotonic())

    @property
    def store(self) -> RateLimitStore:
        """Where this limiter's budgets live."""
        return self._store

    def acquire(
        self,
        organization: str,
        bucket: str,
        limit: int,
        *,
        deadline: float = float("inf"),
        request: RequestInfo | None = None,
        on_wait: Callable[[ThrottleEvent], None] | None = None,
    ) -> float:
        """Block until a start is recorded in the budget; return the seconds waited.

        ``limit`` is the table's requests per window; ``deadline`` is on ``self.clock``.
        """
        return self.acquire_grant(
            organization, bucket, limit, deadline=deadline, request=request, on_wait=on_wait
        ).waited

    def acquire_grant(
        self,
        organization: str,
        bucket: str,
        limit: int,
        *,
        deadline: float = float("inf"),
        request: RequestInfo | None = None,
        on_wait: Callable[[ThrottleEvent], None] | None = None,
    ) -> Grant:
        """``acquire``, also telling when the slot was granted (see ``Grant``)."""
        key = _key(organization, bucket)
        waited = 0.0
        while True:
            now = self._clock.monotonic()
            with calls_within(deadline - now):
                admission = self._store.try_acquire(
                    key, limit, self._window_for(key, now), now, headroom=self._headroom
                )
            wait = self._wait(admission, now, organization, bucket, deadline, request, on_wait)
            if wait <= 0:
                return Grant(waited, now)
            self._clock.sleep(wait)
            waited += wait

    async def aacquire(
        self,
        organization: str,
        bucket: str,
        limit: int,
        *,
        deadline: float = float("inf"),
        request: RequestInfo | None = None,
        on_wait: Callable[[ThrottleEvent], None] | None = None,
    ) -> float:
        """Like ``acquire``, suspending only the calling task while it waits."""
        grant = await self.aacquire_grant(
            organization, bucket, limit, deadline=deadline, request=request, on_wait=on_wait
        )
        return grant.waited

    async def aacquire_grant(
        self,
        organization: str,
        bucket: str,
        limit: int,
        *,
        deadline: float = float("inf"),
        request: RequestInfo | None = None,
        on_wait: Callable[[ThrottleEvent], None] | None = None,
    ) -> Grant:
        """Like ``acquire_grant``, suspending only the calling task while it waits."""
        key = _key(organization, bucket)
        waited = 0.0
        while True:
            now = self._clock.monotonic()
            with calls_within(deadline - now):
                admission = await self._astore.try_acquire(
                    key, limit, self._window_for(key, now), now, headroom=self._headroom
                )
            wait = self._wait(admission, now, organization, bucket, deadline, request, on_wait)
            if wait <= 0:
                return Grant(waited, now)
            await self._clock.asleep(wait)
            waited += wait

    def observe(
        self,
        organization: str,
        bucket: str,
        limit: int,
        status_code: int,
        headers: httpx.Headers,
        *,
        latency: float | None = None,
    ) -> None:
        """Take in a response's rate-limit feedback for the budget it was drawn from.

        ``limit`` is the table's, as given to ``acquire``; ``latency`` is the seconds from
        the slot's grant to the response's headers, which sizes the window.
        """
        key = _key(organization, bucket)
        now = self._clock.monotonic()
        window = self._adapt(key, status_code, latency, now)
        pause, reported, spent = self._feedback(bucket, status_code, headers, window)
        if pause is not None:
            self._store.cool_down(key, pause, now)
        if reported is not None:
            self._store.report_limit(key, reported)
        if spent:
            self._store.mark_spent(key, self.budget(organization, bucket, limit), window, now)

    async def aobserve(
        self,
        organization: str,
        bucket: str,
        limit: int,
        status_code: int,
        headers: httpx.Headers,
        *,
        latency: float | None = None,
    ) -> None:
        """Like ``observe``, through the store's asyncio twin."""
        key = _key(organization, bucket)
        now = self._clock.monotonic()
        window = self._adapt(key, status_code, latency, now)
        pause, reported, spent = self._feedback(bucket, status_code, headers, window)
        if pause is not None:
            await self._astore.cool_down(key, pause, now)
        if reported is not None:
            await self._astore.report_limit(key, reported)
        if spent:
            budget = self.budget(organization, bucket, limit)
            await self._astore.mark_spent(key, budget, window, now)

    def sending(self, organization: str, bucket: str, granted_at: float) -> None:
        """A request granted at ``granted_at`` goes out: until ``answered``, its wait counts."""
        if self._fixed is None:
            self._jitter.granted(_key(organization, bucket), granted_at)

    def answered(self, organization: str, bucket: str, granted_at: float) -> None:
        """The request granted at ``granted_at`` is done: answered, failed or cancelled."""
        if self._fixed is None:
            self._jitter.answered(_key(organization, bucket), granted_at)

    def _window_for(self, key: str, now: float) -> float:
        return self._jitter.current(key, now) if self._fixed is None else self._fixed

    def _adapt(self, key: str, status_code: int, latency: float | None, now: float) -> float:
        """The window after this response: widened by its latency or by a 429."""
        if self._fixed is not None:
            return self._fixed
        if latency is not None:
            self._jitter.measured(key, latency, now)
        if status_code == 429:
            window = self._jitter.refused(key, now)
            logger.info("429 on budget %r despite its window: widened to %.3f s", key, window)
            return window
        return self._jitter.current(key, now)

    def _feedback(
        self, bucket: str, status_code: int, headers: httpx.Headers, window: float
    ) -> tuple[float | None, int | None, bool]:
        """What a response asks of its budget: a pause, a reported limit, spent or not."""
        pause: float | None = None
        if status_code == 429:
            asked = retry_after(headers, self._clock.time())
            pause = window if asked is None else min(asked, MAX_WAIT)
            logger.info("429 on bucket %r: pausing it %.3f s for every sharer", bucket, pause)
        reported = _header_int(headers, "x-ratelimit-limit")
        spent = _header_int(headers, "x-ratelimit-remaining") == 0
        return pause, (reported if reported is not None and reported > 0 else None), spent

    def budget(self, organization: str, bucket: str, limit: int) -> int:
        """Requests allowed to start per window: the lower of table and server, less headroom."""
        reported = self._store.reported_limit(_key(organization, bucket))
        return effective_limit(limit, reported, self._headroom)

    def _wait(
        self,
        admission: Admission,
        now: float,
        organization: str,
        bucket: str,
        deadline: float,
        request: RequestInfo | None,
        on_wait: Callable[[ThrottleEvent], None] | None,
    ) -> float:
        """0 when admitted, else the wait (raising if it would end past the deadline)."""
        if admission.wait <= 0:
            return 0.0
        if now + admission.wait >= deadline:
            raise LocalRateLimitError(bucket, admission.wait, request=request)
        logger.debug(
            "waiting %.3f s for a slot of bucket %r (%s)", admission.wait, bucket, admission.reason
        )
        if on_wait is not None:
            on_wait(ThrottleEvent(organization, bucket, admission.wait, admission.reason, request))
        return admission.wait


_JITTER: weakref.WeakKeyDictionary[object, dict[Clock, JitterWindow]] = weakref.WeakKeyDictionary()
_JITTER_LOCK = threading.Lock()


def _jitter_for(store: RateLimitStore, clock: Clock) -> JitterWindow:
    """The measurements of every limiter on ``store`` and ``clock`` in this process.

    Limiters sharing a store share what they measured, and the requests each has out: ten
    clients of one organization see one longest time, not ten guesses from a few requests
    each.
    """
    with _JITTER_LOCK:
        try:
            return _JITTER.setdefault(store, {}).setdefault(clock, JitterWindow())
        except TypeError:  # a store that cannot be weakly referenced (or an unhashable clock)
            return JitterWindow()


def _key(organization: str, bucket: str) -> str:
    return f"{organization}/{bucket}"


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name, "").strip()
    # Nine digits at most: int() refuses thousands of them, and no limit is that large.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None
