"""Wall time of ``import chatapi`` in a fresh interpreter, beside an empty one.

Usage: ``python benchmarks/import_time.py [--runs N]``. Runs alternate between the two
commands; the medians are printed. The whole process is timed (start-up included), as a
user's script pays it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {"python -c pass": "pass", "python -c 'import chatapi'": "import chatapi"}


def main() -> None:
    """Time the commands in alternation and print their medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, code in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
            samples[name].append(time.perf_counter() - started)
    for name, values in samples.items():
        print(f"{name:>28}: median {statistics.median(values) * 1000:6.0f} ms")  # noqa: T201


if __name__ == "__main__":
    main()
