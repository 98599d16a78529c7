"""Command line: ``python -m tools.spec_check [SPEC] [--only yaml|validator]``.

Prints one line per finding; exit status 0 when there is none, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools._files import SPEC_PATH
from tools.spec_check import validator_findings, yaml_ambiguities

CHECKS = {"yaml": yaml_ambiguities, "validator": validator_findings}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks on the description; the exit status says whether any found something."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.spec_check",
        description="The YAML 1.1 check and the OpenAPI validator, one line per finding.",
    )
    parser.add_argument("spec", nargs="?", type=Path, default=SPEC_PATH)
    parser.add_argument("--only", choices=sorted(CHECKS), help="run one check")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(CHECKS)
    findings = [finding for name in names for finding in CHECKS[name](args.spec)]
    for finding in findings:
        print(f"{args.spec}:{finding}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
