"""Shared rate limits under jitter: the measured window against a fixed 1.05 s one.

Usage (from the repository root): ``.venv/bin/python -m benchmarks.shared_limits_jitter
[--seconds S] [--jitter J] [--stores sqlite,redis] [--scenarios quiet,jitter,busy]``.
Starts the sandbox (rate limiting on) in this process and a ``redis-server`` on a unix
socket in a temporary folder; ``busy`` also starts ``stress-ng --cpu 2`` (Debian package
``stress-ng``) for the length of its runs and stops it by its process id.

For each store and scenario, 8 processes x 4 threads of one organization send
``sendMessage`` (documented 10/s) for S seconds (see ``tests/integration/_fleet.py``),
once with the limiter's measured window and once with a fixed 1.05 s window:

- ``quiet``: no injected delay;
- ``jitter``: each send waits a uniform 0 to J seconds between its slot's grant and its
  departure (a busy host, a real network);
- ``busy``: the same jitter, with a CPU hog on both cores beside the fleet.

A window must span 1 s plus the jitter's range for the sends to arrive within the limit,
so the jitter allows at most ``1 / (1 + J)`` of the limit (77 % at 0.3 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import chatapi_sandbox
from tests.integration._fleet import FleetResult, run_fleet
from tests.integration._helpers import SANDBOX_TOKENS, StampingClock
from tests.integration._redis import RedisServer

FIXED = 1.05
HOG_SECONDS = 110
"""The CPU hog stops by itself after this long (the machine may be shared)."""


@contextmanager
def cpu_hog(on: bool, seconds: float) -> Iterator[None]:
    """``stress-ng --cpu 2`` for at most ``seconds`` while the block runs (if ``on``)."""
    if not on:
        yield
        return
    binary = shutil.which("stress-ng")
    if binary is None:
        raise SystemExit("the busy scenario needs stress-ng (apt-get install stress-ng)")
    hog = subprocess.Popen(  # noqa: S603 - a fixed command line
        [binary, "--cpu", "2", "--timeout", f"{int(seconds)}s", "--quiet"],
        start_new_session=True,
    )
    try:
        yield
    finally:
        os.killpg(hog.pid, signal.SIGTERM)
        hog.wait(timeout=30)


def row(scenario: str, window: float | None, result: FleetResult) -> str:
    """One Markdown table row."""
    shown = "measured" if window is None else f"fixed {window} s"
    return (
        f"| {result.store} | {scenario} | {shown} | {result.sent} | {result.answered_429} | "
        f"{result.answered_429_after_1s} | {result.busiest_second} | "
        f"{result.steady_utilization:.1%} | {result.widest_window:.3f} s |"
    )


def main() -> None:
    """Run every store x scenario x window and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--jitter", type=float, default=0.3)
    parser.add_argument("--stores", default="sqlite,redis")
    parser.add_argument("--scenarios", default="quiet,jitter,busy")
    args = parser.parse_args()
    clock = StampingClock()
    print(  # noqa: T201
        "| store | scenario | window | sent | 429 | 429 after 1 s | busiest second "
        "| steady utilization | widest window |\n|---|---|---|---|---|---|---|---|---|"
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        RedisServer(Path(folder)) as redis_server,
        chatapi_sandbox.running(SANDBOX_TOKENS, clock=clock) as sandbox,
    ):
        urls = {
            "sqlite": f"sqlite://{Path(folder) / 'limits.db'}",
            "redis": redis_server.unix_url,
        }
        for scenario in args.scenarios.split(","):
            jitter = 0.0 if scenario == "quiet" else args.jitter
            with cpu_hog(scenario == "busy", HOG_SECONDS):
                for name in args.stores.split(","):
                    for window in (None, FIXED):
                        result = run_fleet(
                            sandbox,
                            clock,
                            urls[name],
                            "threads",
                            seconds=args.seconds,
                            label=name,
                            jitter=jitter,
                            window=window,
                        )
                        print(row(scenario, window, result), flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
