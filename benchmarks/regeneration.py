"""Time a full regeneration and a no-op one, as ``make generate`` runs them.

Usage: ``python benchmarks/regeneration.py [--runs N]`` from the repository root. Each run
is a fresh ``python -m generator`` process, so interpreter start-up is included, as a person
running ``make generate`` would see it. Prints the median and the spread of each.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(*args: str) -> float:
    """Seconds one ``python -m generator`` run takes; fails loudly if the run fails."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    """Measure alternately, so both figures see the same machine load."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    full: list[float] = []
    no_op: list[float] = []
    for _ in range(runs):
        full.append(timed("--force"))
        no_op.append(timed())
    for name, samples in (("full regeneration", full), ("no-op regeneration", no_op)):
        print(  # noqa: T201
            f"{name:>20}: median {statistics.median(samples) * 1000:7.0f} ms"
            f"  (min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f}, n={runs})"
        )


if __name__ == "__main__":
    main()
