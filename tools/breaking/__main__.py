"""Command line: ``python -m tools.breaking [SPEC] [--base RELEASE]`` from the repository root.

Exit status: 0 no breaking change (or the major version went up), 1 breaking changes or a
version older than the release, 2 the descriptions could not be compared.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools._files import RELEASED_DIR, SPEC_PATH
from tools.breaking import WAIVERS_PATH, CompareError, compare_files, last_release, render


def main(argv: Sequence[str] | None = None) -> int:
    """Compare the working description with the last release; the exit status says how."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.breaking",
        description="Fail on a breaking change since the last release of the description.",
    )
    parser.add_argument(
        "spec", nargs="?", type=Path, default=SPEC_PATH, help="the working description"
    )
    parser.add_argument("--base", type=Path, help="the release to compare with (default: newest)")
    parser.add_argument(
        "--released-dir", type=Path, default=RELEASED_DIR, help="where releases are kept"
    )
    parser.add_argument(
        "--waivers", type=Path, default=WAIVERS_PATH, help="reviewed exceptions, with reasons"
    )
    parser.add_argument(
        "--no-python", action="store_true", help="skip the Python API comparison (griffe)"
    )
    args = parser.parse_args(argv)
    try:
        base_path = args.base or last_release(args.released_dir)
        verdict = compare_files(
            base_path, args.spec, python=not args.no_python, waivers=args.waivers
        )
    except CompareError as error:
        print(f"cannot compare: {error}", file=sys.stderr)
        return 2
    print(render(verdict, base_path, args.spec), file=sys.stdout if verdict.passed else sys.stderr)
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
