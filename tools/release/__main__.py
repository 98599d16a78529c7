"""Command line: ``python -m tools.release [SPEC]`` from the repository root.

Before anything is copied, the checks of `tools.release._refusals` (drift, the bump `make diff`
calls for, the changelog entry and its BREAKING marker, the Python package's version) must
all pass; every failing one is listed. Exit status: 0 released, 1 refused (the message says why).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools._files import CHANGELOG_PATH, RELEASED_DIR, SPEC_PATH
from tools.release import ReleaseRefusedError, refresh_index, release
from tools.release._refusals import PYPROJECT_PATH, release_refusals


def main(argv: Sequence[str] | None = None) -> int:
    """Release the working description; the exit status says whether it was released."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.release", description="Release the working description."
    )
    parser.add_argument("spec", nargs="?", type=Path, default=SPEC_PATH)
    parser.add_argument("--released-dir", type=Path, default=RELEASED_DIR)
    parser.add_argument("--changelog", type=Path, default=CHANGELOG_PATH)
    parser.add_argument(
        "--index",
        action="store_true",
        help="only rewrite each release's JSON files and index.json (releases are kept)",
    )
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT_PATH)
    args = parser.parse_args(argv)
    if args.index:
        try:
            written = refresh_index(args.released_dir, args.changelog)
        except ReleaseRefusedError as error:
            print(f"index not written: {error}", file=sys.stderr)
            return 1
        print(f"wrote {written.name} and each release's JSON files")
        return 0
    refusals = release_refusals(args.spec, args.released_dir, args.changelog, args.pyproject)
    if refusals:
        print("not released:", *(f"  - {reason}" for reason in refusals), sep="\n", file=sys.stderr)
        return 1
    try:
        target = release(args.spec, args.released_dir, args.changelog)
    except ReleaseRefusedError as error:
        print(f"not released: {error}", file=sys.stderr)
        return 1
    print(f"released {args.spec.name} as {target.name}; commit it with the changelog entry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
