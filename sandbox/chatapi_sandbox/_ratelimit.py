"""A sliding-window rate limiter: at most N accepted requests in any window of one second.

Keyed by ``(organization, bucket)`` like the real API. Only accepted requests are recorded,
so a client that keeps hammering recovers as soon as the oldest accepted request leaves the
window. The clock is injected, so tests step time instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

__all__ = ["Decision", "SlidingWindowLimiter"]


@dataclass(frozen=True)
class Decision:
    """The outcome of one request against its budget.

    Attributes:
        allowed: Whether the request is within the budget.
        limit: Requests allowed per window (``X-RateLimit-Limit``).
        remaining: Requests still allowed in the current window after this one
            (``X-RateLimit-Remaining``).
        retry_after: Whole seconds until a request would be allowed again (``Retry-After``);
            0 when allowed.
    """

    allowed: bool
    limit: int
    remaining: int
    retry_after: int


class SlidingWindowLimiter:
    """Counts accepted requests per key over the last ``window`` seconds.

    Not thread-safe: the sandbox calls it from its event loop only.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = 1.0) -> None:
        """Use ``clock`` (seconds, never going back) and a window of ``window`` seconds."""
        self._clock = clock
        self._window = window
        self._accepted: dict[Hashable, deque[float]] = {}

    def hit(self, key: Hashable, limit: int, *, enforce: bool = True) -> Decision:
        """Record one request for ``key`` if it fits ``limit``; with ``enforce=False`` always.

        Unenforced hits are still recorded, so the headers stay truthful.
        """
        now = self._clock()
        accepted = self._accepted.setdefault(key, deque())
        while accepted and accepted[0] <= now - self._window:
            accepted.popleft()
        if len(accepted) >= limit and enforce:
            wait = accepted[len(accepted) - limit] + self._window - now
            return Decision(False, limit, 0, max(1, math.ceil(wait)))
        accepted.append(now)
        return Decision(True, limit, max(0, limit - len(accepted)), 0)

    def reset(self) -> None:
        """Forget every recorded request."""
        self._accepted.clear()
