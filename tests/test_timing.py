"""The scheduling probe measures how late its wakes were, on an injected clock."""

from __future__ import annotations

import pytest

from tests._timing import SchedulingProbe


class SteppedTime:
    """A clock that a sleep moves by the asked time plus whatever stall is queued."""

    def __init__(self) -> None:
        self.now = 100.0
        self.stalls: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds + (self.stalls.pop(0) if self.stalls else 0.0)


def test_wakes_on_time_mean_no_lag() -> None:
    time = SteppedTime()
    probe = SchedulingProbe(0.01, clock=time.clock, sleep=time.sleep)
    for _ in range(50):
        probe.tick()
    assert probe.lag(100.0, time.now) == pytest.approx(0.0, abs=1e-9)


def test_a_stall_counts_where_it_overlaps_the_span() -> None:
    time = SteppedTime()
    probe = SchedulingProbe(0.01, clock=time.clock, sleep=time.sleep)
    probe.tick()  # wakes at 100.01
    time.stalls.append(0.5)
    probe.tick()  # due at 100.02, woke at 100.52
    probe.tick()  # 100.53
    assert probe.lag(100.0, 101.0) == pytest.approx(0.5)
    assert probe.lag(100.0, 100.27) == pytest.approx(0.25)  # the stall was half over by then
    assert probe.lag(100.52, 101.0) == pytest.approx(0.0, abs=1e-9)
    assert "kept from running 0.500 s" in probe.describe(100.0, 101.0)
