"""JitterWindow: how long a rate-limit window must be for requests to arrive within the limit.

The API counts requests per second when they reach it; the limiter counts them when it
grants their slot. Between the two lie the scheduling of the caller's thread or event loop,
the client's work, the network, the server's queue: a delay ``d`` that varies from request
to request. If the limiter lets N requests start in any window ``W``, the requests that
reach the server in any one second were granted within ``1 s + (d_max - d_min)``; so N per
second holds at the server when ``W >= 1 s + d_max`` (``d_min`` is at least 0).

The delay itself cannot be seen, but it is bounded: a request reaches the server after its
grant and before its answer's headers come back, so ``d`` lies between 0 and the time from
the grant to the headers. ``JitterWindow`` keeps, per budget, the grant-to-headers times of
the last ``HORIZON`` seconds and sets the window to ``1 s + max``, within ``[MIN_WINDOW,
MAX_WINDOW]``. Not ``1 s + (max - min)``: the spread of answer times is no bound on the
spread of arrivals. A server that queues a burst stamps the first request at once and
answers it with the last, so ten answers can come back within 80 ms of each other while
their arrivals spread over 330 ms (seen from an asyncio fleet of eight processes); and a
process that sent two of the ten sees only their spread, not the fleet's.

It widens at once when a longer time is measured, and shrinks by at most ``SHRINK_RATE``
seconds of window per second when it falls, so one quiet moment on a busy machine does not
reopen the margin. A 429 that still arrives widens it by ``WIDEN_ON_429`` at once. A
request still unanswered counts too, as a time at least as long as it has been out: a
batch answered late (a stalled process, a busy server) widens the window before the next
batch is granted, not after its answers come.

The cost: a budget of N per window admits N per ``W`` seconds, so utilization is ``1 / W``
(95 % at 1.05 s, 77 % at 1.3 s, 50 % at the 2 s ceiling); on a quiet machine answers take
a few tens of milliseconds and the window stays near 1.05 s.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

__all__ = [
    "HORIZON",
    "MAX_WINDOW",
    "MIN_WINDOW",
    "SHRINK_RATE",
    "WIDEN_ON_429",
    "JitterWindow",
]

BASE = 1.0
"""The API's limits are per second."""
MIN_WINDOW = 1.05
"""The narrowest window: 50 ms of margin even when nothing was measured yet."""
MAX_WINDOW = 2.0
"""The widest: beyond it, throughput would halve; the server's 429s take over."""
HORIZON = 30.0
"""Seconds during which a measured grant-to-headers time counts."""
MAX_SAMPLES = 256
"""Times kept per budget at most (the newest)."""
SHRINK_RATE = 0.02
"""Seconds of window given back per second once the longest time falls: 2 s to 1.05 s in ~48 s."""
WIDEN_ON_429 = 0.1
"""Seconds added at once by a 429 the window did not prevent."""


@dataclass
class _State:
    samples: deque[tuple[float, float]] = field(default_factory=deque)
    level: float = MIN_WINDOW
    since: float = 0.0
    out: list[float] = field(default_factory=list)
    """Grant times of the requests still awaiting an answer."""


class JitterWindow:
    """Per budget key, the window that absorbs the grant-to-arrival delays measured.

    Thread-safe. Times (``now``) are on the limiter's monotonic clock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, _State] = {}

    def current(self, key: str, now: float) -> float:
        """The window in force for ``key`` at ``now``."""
        with self._lock:
            state = self._states.get(key)
            if state is None:
                return MIN_WINDOW
            window = max(self._decayed(state, now), self._target(state, now))
            if state.out:
                # The oldest unanswered request is already this late: it may reach the
                # server that long after its grant, or later.
                late = now - min(state.out)
                window = max(window, min(MAX_WINDOW, BASE + late))
            return window

    def granted(self, key: str, at: float) -> None:
        """A request granted at ``at`` goes out; ``answered`` must follow, whatever happens."""
        with self._lock:
            self._states.setdefault(key, _State(since=at)).out.append(at)

    def answered(self, key: str, at: float) -> None:
        """The request granted at ``at`` got its answer, or failed, or was cancelled."""
        with self._lock:
            state = self._states.get(key)
            if state is not None and at in state.out:
                state.out.remove(at)

    def measured(self, key: str, latency: float, now: float) -> float:
        """Take in one grant-to-response-headers time; return the window now in force."""
        with self._lock:
            state = self._states.setdefault(key, _State(since=now))
            samples = state.samples
            samples.append((now, max(0.0, latency)))
            while samples and (len(samples) > MAX_SAMPLES or now - samples[0][0] > HORIZON):
                samples.popleft()
            target = self._target(state, now)
            state.level = min(MAX_WINDOW, max(target, self._decayed(state, now)))
            state.since = now
            return state.level

    def refused(self, key: str, now: float) -> float:
        """A 429 arrived although the window was kept: widen it at once; return it."""
        with self._lock:
            state = self._states.setdefault(key, _State(since=now))
            state.level = min(MAX_WINDOW, self._decayed(state, now) + WIDEN_ON_429)
            state.since = now
            return state.level

    @staticmethod
    def _target(state: _State, now: float) -> float:
        """1 s plus the longest time measured within ``HORIZON``, bounded (see the module)."""
        times = [latency for at, latency in state.samples if now - at <= HORIZON]
        if not times:
            return MIN_WINDOW
        return min(MAX_WINDOW, max(MIN_WINDOW, BASE + max(times)))

    @staticmethod
    def _decayed(state: _State, now: float) -> float:
        shrunk = state.level - SHRINK_RATE * max(0.0, now - state.since)
        return max(MIN_WINDOW, shrunk)
