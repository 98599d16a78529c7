"""RateLimiter: waits for a slot of an (organization, bucket) budget, and heeds the server.

Why not the ``limits`` library (5.x), which has a moving window and a Redis storage: it reads
``time.time()`` inside, so tests could not inject a clock and would sleep for real, and a
wall clock jumps when NTP corrects it; it has no blocking acquire (``hit()`` only says yes or
no), no cool-down and no way to lower a limit from a response header. What is needed here
is a sliding log of start times plus those two signals: about a hundred lines, owned, with
the store behind an interface so a shared (Redis) store can come later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx

from .._clock import SYSTEM_CLOCK, Clock
from .._errors import LocalRateLimitError, RequestInfo
from .._events import ThrottleEvent
from .._policy import MAX_WAIT, retry_after
from .store import InMemoryRateLimitStore, RateLimitStore

__all__ = ["DEFAULT_WINDOW", "RateLimiter"]

logger = logging.getLogger("chatapi")

DEFAULT_WINDOW = 1.05
"""The API's limits are per second; the extra 50 ms absorb network jitter between a
request starting here and the server counting it."""

_SHARED_STORE = InMemoryRateLimitStore()
"""The process-wide store: every limiter built without one shares it, so every client that
names the same organization draws from the same budgets."""


class RateLimiter:
    """Lets at most N requests of a budget start in any window, N from the API's table.

    A budget is keyed by (organization, bucket). Its N is the table's limit, lowered to what
    the server reports in ``X-RateLimit-Limit`` if that is lower, minus ``headroom``. The
    server's feedback (``observe``) pauses a budget for everyone sharing it: a 429 for its
    ``Retry-After``, an ``X-RateLimit-Remaining: 0`` for one window.

    Thread-safe and asyncio-safe: ``acquire`` blocks the calling thread, ``aacquire`` only
    suspends the calling task. Neither waits past the caller's deadline: it raises
    ``LocalRateLimitError`` at once instead.
    """

    def __init__(
        self,
        store: RateLimitStore | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        headroom: int = 0,
        window: float = DEFAULT_WINDOW,
    ) -> None:
        """Build a limiter.

        Args:
            store: Where budgets live; default: the process-wide in-memory store.
            clock: Measures windows and deadlines; deadlines passed in use this clock.
            headroom: Requests per window kept unused below each limit (never below 1 left).
            window: Seconds in which at most N requests may start.
        """
        if headroom < 0:
            raise ValueError(f"headroom must be >= 0, not {headroom}")
        if not window > 0:
            raise ValueError(f"window must be > 0 seconds, not {window}")
        self._store = _SHARED_STORE if store is None else store
        self._clock = clock
        self._headroom = headroom
        self._window = window

    @property
    def clock(self) -> Clock:
        """The clock this limiter measures with."""
        return self._clock

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
        waited = 0.0
        while (wait := self._try(organization, bucket, limit, deadline, request, on_wait)) > 0:
            self._clock.sleep(wait)
            waited += wait
        return waited

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
        waited = 0.0
        while (wait := self._try(organization, bucket, limit, deadline, request, on_wait)) > 0:
            await self._clock.asleep(wait)
            waited += wait
        return waited

    def observe(
        self,
        organization: str,
        bucket: str,
        limit: int,
        status_code: int,
        headers: httpx.Headers,
    ) -> None:
        """Take in a response's rate-limit feedback for the budget it was drawn from.

        ``limit`` is the table's, as given to ``acquire``.
        """
        key = _key(organization, bucket)
        now = self._clock.monotonic()
        if status_code == 429:
            asked = retry_after(headers, self._clock.time())
            pause = self._window if asked is None else min(asked, MAX_WAIT)
            logger.info("429 on bucket %r: pausing it %.3f s for every sharer", bucket, pause)
            self._store.cool_down(key, pause, now)
        reported = _header_int(headers, "x-ratelimit-limit")
        if reported is not None and reported > 0:
            self._store.report_limit(key, reported)
        if _header_int(headers, "x-ratelimit-remaining") == 0:
            self._store.mark_spent(key, self.budget(organization, bucket, limit), self._window, now)

    def budget(self, organization: str, bucket: str, limit: int) -> int:
        """Requests allowed to start per window: the lower of table and server, less headroom."""
        reported = self._store.reported_limit(_key(organization, bucket))
        if reported is not None:
            limit = min(limit, reported)
        return max(1, limit - self._headroom)

    def _try(
        self,
        organization: str,
        bucket: str,
        limit: int,
        deadline: float,
        request: RequestInfo | None,
        on_wait: Callable[[ThrottleEvent], None] | None,
    ) -> float:
        """Try once for a slot: 0 when admitted, else the wait (raising if past the deadline)."""
        budget = self.budget(organization, bucket, limit)
        now = self._clock.monotonic()
        admission = self._store.try_acquire(_key(organization, bucket), budget, self._window, now)
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


def _key(organization: str, bucket: str) -> str:
    return f"{organization}/{bucket}"


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name, "").strip()
    # Nine digits at most: int() refuses thousands of them, and no limit is that large.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None
