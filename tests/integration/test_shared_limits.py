"""The proof, with the sandbox as judge: 8 processes x 4 callers of one organization.

Every process sends ``sendMessage`` as fast as its callers can for a few seconds, through
``connect(rate_limit_store=...)``. With a shared store (an SQLite file, Redis) the sandbox,
which enforces the documented 10/s over a sliding second, refuses none of them, never sees
more than 10 in any second, and gets at least 95 % of what 10/s allows through the window
the clients measured (1.05 s on a quiet machine; wider when a busy one delays requests
between their grant and their arrival, see ``chatapi._ratelimit.window``). The in-process
store keeps only each process under the limit, so together they are refused: run to show
that the test can tell the difference. See ``_fleet`` for how the figures are measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import chatapi_sandbox

from ._fleet import SEND, FleetResult, run_fleet
from ._helpers import StampingClock
from ._redis import RedisServer

SECONDS = 3.0
MIN_UTILIZATION = 0.95


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as running:
        yield running


def _store_url(kind: str, redis_server: RedisServer, folder: Path) -> str | None:
    if kind == "sqlite":
        return f"sqlite://{folder / 'limits.db'}"
    if kind == "redis":
        return redis_server.unix_url
    return None


def allowed_share(result: FleetResult) -> float:
    """The share of the limit a window as wide as the run's widest one lets through: 1 / W.

    The window widens with the jitter the run measured (on a busy machine), so the bar
    follows what the run measured, not a figure for a quiet machine.
    """
    return min(1.0, 1.0 / result.widest_window)


def _report(result: FleetResult) -> None:
    print(result.line())  # noqa: T201 - the measured figure, shown by pytest -s


@pytest.mark.parametrize(
    ("kind", "mode"),
    [("sqlite", "threads"), ("redis", "threads"), ("sqlite", "asyncio"), ("redis", "asyncio")],
)
def test_a_shared_store_keeps_a_fleet_under_the_limit_and_uses_it(
    kind: str,
    mode: str,
    sandbox: chatapi_sandbox.Sandbox,
    clock: StampingClock,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    url = _store_url(kind, redis_server, tmp_path)
    result = run_fleet(sandbox, clock, url, mode, seconds=SECONDS)
    _report(result)
    assert result.failures == ()
    assert result.answered_429 == 0, result.line()
    assert result.busiest_second <= SEND.requests_per_second, result.line()
    assert result.utilization >= MIN_UTILIZATION * allowed_share(result), result.line()
    assert result.messages_stored == result.sent  # every send stored once, none refused


def test_the_in_process_store_leaves_a_fleet_refused(
    sandbox: chatapi_sandbox.Sandbox, clock: StampingClock
) -> None:
    result = run_fleet(sandbox, clock, None, "threads", seconds=SECONDS)
    _report(result)
    # Eight budgets of 10/s against one of 10/s: the server refuses many; callers whose
    # retries ran out get a RateLimitError, nothing else.
    assert result.answered_429 > SEND.requests_per_second, result.line()
    assert all(failure.startswith("RateLimitError") for failure in result.failures)
