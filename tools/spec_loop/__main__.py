"""Command line: ``python -m tools.spec_loop [SPEC] [--lint-only]`` (`make spec`).

Exit status: 0 every step passed, 1 a step failed (its output says which and why).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tools._files import SPEC_PATH
from tools.spec_loop import lint_steps, run_stage, spec_steps


def main(argv: Sequence[str] | None = None) -> int:
    """Run the loop's stages in order, stopping after the first one with a failing step."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.spec_loop", description="Lint, regenerate and check the description."
    )
    parser.add_argument("spec", nargs="?", type=Path, default=SPEC_PATH)
    parser.add_argument("--lint-only", action="store_true", help="stop after the lint stage")
    args = parser.parse_args(argv)
    stages = [lint_steps(args.spec)] if args.lint_only else spec_steps(args.spec)
    name = "make lint-spec" if args.lint_only else "make spec"
    started = time.monotonic()
    for stage in stages:
        results = run_stage(stage)
        for result in results:
            print(result.report(), flush=True)
        if not all(result.passed for result in results):
            print(f"{name}: failed after {time.monotonic() - started:.1f} s")
            return 1
    print(f"{name}: all passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
