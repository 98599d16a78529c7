"""How late this process ran: the measure a real-time bound is allowed to stretch by.

A test that bounds a real wait ("the call ends within its deadline") breaks on a busy
machine for a reason that is not the code's: the process was not running when its timer
fired. `SchedulingProbe` measures exactly that, during the test: a thread asks to wake every
few milliseconds and notes how much later than asked it woke. Those delays are the time the
process lost to the scheduler; a bound is then ``nominal + margin + probe.lag(start, end)``.
On a quiet machine the lag is near zero and the bound is the nominal one; a call that is
late for its own reasons is still caught, because the probe woke on time meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

__all__ = ["SchedulingProbe"]


class SchedulingProbe:
    """A thread that wakes every ``interval`` seconds and records how late each wake was.

    Use as a context manager around the timed code; ``clock`` and ``sleep`` are injectable
    (a test of the probe itself steps them).
    """

    def __init__(
        self,
        interval: float = 0.005,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._wakes: list[tuple[float, float]] = []  # (woke at, later than asked by)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduling-probe", daemon=True)

    def __enter__(self) -> SchedulingProbe:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick()

    def tick(self) -> None:
        """Sleep one interval and record how much later than asked the sleep ended."""
        asked = self._clock()
        self._sleep(self._interval)
        woke = self._clock()
        self._wakes.append((woke, max(0.0, woke - asked - self._interval)))

    def lag(self, start: float, end: float) -> float:
        """Seconds this process was kept from running between ``start`` and ``end``.

        Each late wake was kept from running from when it was due until it woke; the part
        of that span inside [start, end] counts. Read it after the ``with`` block (the
        probe's last wake then covers ``end``).
        """
        return sum(self._overlaps(start, end))

    def describe(self, start: float, end: float) -> str:
        """The measured numbers, for an assertion's message."""
        overlaps = self._overlaps(start, end)
        return (
            f"{end - start:.3f} s elapsed; the process was kept from running "
            f"{sum(overlaps):.3f} s of it (worst single delay {max(overlaps, default=0.0):.3f} s)"
        )

    def _overlaps(self, start: float, end: float) -> list[float]:
        spans = [(woke - late, woke) for woke, late in list(self._wakes) if late > 0]
        return [
            min(due_end, end) - max(due, start)
            for due, due_end in spans
            if min(due_end, end) > max(due, start)
        ]
