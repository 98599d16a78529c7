"""Time ``make spec`` as a maintainer runs it after an edit: wall time and CPU time.

Usage: ``python benchmarks/spec_loop.py [--runs N]`` from the repository root. Each run is
a fresh ``make spec`` (the client already generated, so regeneration is the no-op a second
save meets). Wall time is what the maintainer waits; CPU time (user + system of every
process the run started) is what the run costs, and moves far less with the machine's load,
so both are printed with the load average at the start of each run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed() -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``make spec``; fails loudly if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(["make", "--no-print-directory", "spec"], cwd=ROOT, check=True)  # noqa: S607
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Run it N times; print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    walls: list[float] = []
    cpus: list[float] = []
    for number in range(1, runs + 1):
        load = os.getloadavg()[0]
        wall, cpu = timed()
        walls.append(wall)
        cpus.append(cpu)
        print(  # noqa: T201
            f"run {number}: wall {wall:.1f} s, CPU {cpu:.1f} s, load average {load:.1f}"
        )
    print(  # noqa: T201
        f"median: wall {statistics.median(walls):.1f} s, CPU {statistics.median(cpus):.1f} s"
    )


if __name__ == "__main__":
    main()
