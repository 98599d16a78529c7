"""Command line: ``python -m tools.spec_diff [SPEC] [--base RELEASE]`` (`make diff`).

Exit status: 0 the summary was printed, 2 the descriptions could not be compared.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools._files import RELEASED_DIR, SPEC_PATH, SpecFileError
from tools.breaking import CompareError, last_release
from tools.spec_diff import render_summary, summarize


def main(argv: Sequence[str] | None = None) -> int:
    """Print what changed since the last release and the version bump it calls for."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.spec_diff",
        description="What changed since the last release, and the version bump it calls for.",
    )
    parser.add_argument("spec", nargs="?", type=Path, default=SPEC_PATH)
    parser.add_argument("--base", type=Path, help="the release to compare with (default: newest)")
    parser.add_argument("--released-dir", type=Path, default=RELEASED_DIR)
    parser.add_argument("--no-python", action="store_true", help="skip the griffe comparison")
    args = parser.parse_args(argv)
    try:
        base = args.base or last_release(args.released_dir)
        # The Python API is the work tree's: compared only for the working description.
        python = not args.no_python and args.spec.resolve() == SPEC_PATH.resolve()
        summary = summarize(base, args.spec, python=python)
    except (CompareError, SpecFileError) as error:
        print(f"cannot compare: {error}", file=sys.stderr)
        return 2
    print(render_summary(summary, base, args.spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
