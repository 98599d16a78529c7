"""Command line: ``python -m tools.release [SPEC]`` from the repository root.

Exit status: 0 released, 1 refused (the message says why).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools._files import CHANGELOG_PATH, RELEASED_DIR, SPEC_PATH
from tools.release import ReleaseRefusedError, refresh_index, release


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
    args = parser.parse_args(argv)
    try:
        if args.index:
            written = refresh_index(args.released_dir, args.changelog)
            print(f"wrote {written.name} and each release's JSON files")
            return 0
        target = release(args.spec, args.released_dir, args.changelog)
    except ReleaseRefusedError as error:
        print(f"not released: {error}", file=sys.stderr)
        return 1
    print(f"released {args.spec.name} as {target.name}; commit it with the changelog entry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
