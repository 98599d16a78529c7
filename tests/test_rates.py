"""The steady rate of a run reads what a limiter allowed, whatever the run's tail."""

from __future__ import annotations

import pytest

from tests._rates import steady_rate


def batches(count: int, window: float, size: int = 10, tail: int = 0) -> list[float]:
    """``count`` batches of ``size`` sends ``window`` apart, then ``tail`` sends more."""
    times = [k * window + i * 0.001 for k in range(count) for i in range(size)]
    return times + [count * window + i * 0.001 for i in range(tail)]


@pytest.mark.parametrize("tail", [0, 1, 2, 5, 9])
def test_batches_a_window_apart_read_as_the_limit_over_the_window(tail: int) -> None:
    # 11 batches and 2 sends more read 88.3 % counted as (N - limit) / (last - first).
    assert steady_rate(batches(11, 1.05, tail=tail), 10) / 10 == pytest.approx(1 / 1.05)


def test_evenly_spread_sends_read_as_their_rate() -> None:
    times = [i * 0.125 for i in range(97)]  # 8 a second
    assert steady_rate(times, 10) == pytest.approx(8.0)


def test_a_wider_window_reads_as_less() -> None:
    assert steady_rate(batches(8, 1.3, tail=3), 10) / 10 == pytest.approx(1 / 1.3)


@pytest.mark.parametrize("times", [[], [0.0] * 10, [float(i) for i in range(10)]])
def test_no_more_than_one_batch_tells_nothing(times: list[float]) -> None:
    assert steady_rate(times, 10) == 0.0
