"""Command line: ``python -m tools.spec_dist [OUT_DIR]`` (default `dist`) from the repository root.

Exit status: 0 built, 1 a tool failed or the docs page would load something from the network.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools._files import SPEC_PATH
from tools.spec_dist import DistError, build


def main(argv: Sequence[str] | None = None) -> int:
    """Build the bundles and the offline docs page; the exit status says whether it worked."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.spec_dist",
        description="Bundle the description and build its offline reference page.",
    )
    parser.add_argument("out_dir", nargs="?", type=Path, default=Path("dist"))
    parser.add_argument("--spec", type=Path, default=SPEC_PATH)
    args = parser.parse_args(argv)
    try:
        written = build(args.out_dir, args.spec)
    except DistError as error:
        print(f"spec-dist failed: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
