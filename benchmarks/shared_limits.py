"""Shared rate limits: a fleet of processes against the sandbox, and each store's cost per try.

Usage (from the repository root): ``.venv/bin/python -m benchmarks.shared_limits
[--seconds S] [--tries N]``. Starts the sandbox (rate limiting on) in this process and a
``redis-server`` (Debian package ``redis-server``) on a unix socket in a temporary folder.

1. For each store (in-process, SQLite, Redis) and each mode (threads, asyncio): 8
   processes x 4 callers of one organization send ``sendMessage`` for S seconds; see
   ``tests/integration/_fleet.py`` for the figures.
2. Per-try cost: the median time of one admitted ``try_acquire`` (a budget too large to
   fill), for the in-process store, SQLite, Redis sync and Redis asyncio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import chatapi_sandbox
from chatapi import InMemoryRateLimitStore, RedisRateLimitStore, SqliteRateLimitStore
from tests.integration._fleet import run_fleet
from tests.integration._helpers import SANDBOX_TOKENS, StampingClock
from tests.integration._redis import RedisServer


def _cost_sync(store: object, tries: int) -> float:
    times = []
    for _ in range(tries):
        started = time.perf_counter()
        store.try_acquire("bench/b", 10**9, 1.05, time.monotonic())  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def _cost_async(store: RedisRateLimitStore, tries: int) -> float:
    twin = store.asynchronous

    async def main() -> float:
        times = []
        for _ in range(tries):
            started = time.perf_counter()
            await twin.try_acquire("bench/a", 10**9, 1.05, time.monotonic())
            times.append(time.perf_counter() - started)
        await twin.aclose()  # type: ignore[attr-defined]
        return statistics.median(times) * 1e6

    return asyncio.run(main())


def main() -> None:
    """Run both parts and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--tries", type=int, default=3000)
    args = parser.parse_args()
    clock = StampingClock()
    with (
        tempfile.TemporaryDirectory() as folder,
        RedisServer(Path(folder)) as redis_server,
        chatapi_sandbox.running(SANDBOX_TOKENS, clock=clock) as sandbox,
    ):
        stores: list[tuple[str, str | None]] = [
            ("in-process", None),
            ("sqlite", f"sqlite://{Path(folder) / 'limits.db'}"),
            ("redis", redis_server.unix_url),
        ]
        for mode in ("threads", "asyncio"):
            for label, url in stores:
                result = run_fleet(sandbox, clock, url, mode, seconds=args.seconds, label=label)
                print(result.line())  # noqa: T201
        redis_store = RedisRateLimitStore.from_url(redis_server.unix_url)
        costs = {
            "in-process": _cost_sync(InMemoryRateLimitStore(), args.tries),
            "sqlite": _cost_sync(SqliteRateLimitStore(Path(folder) / "cost.db"), args.tries),
            "redis sync": _cost_sync(redis_store, args.tries),
            "redis async": _cost_async(redis_store, args.tries),
        }
        for name, micros in costs.items():
            print(f"per-try cost, {name}: {micros:.0f} us (median of {args.tries})")  # noqa: T201
        redis_store.close()


if __name__ == "__main__":
    main()
