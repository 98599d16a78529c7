"""Command line: ``python -m generator [--check | --force]`` from the repository root."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from generator.pipeline import Layout, PipelineError, check, generate


def main(argv: list[str] | None = None) -> int:
    """Regenerate the client (or, with ``--check``, report drift); the exit status says how."""
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail if the committed client differs")
    mode.add_argument("--force", action="store_true", help="regenerate even if up to date")
    args = parser.parse_args(argv)
    layout = Layout(Path(__file__).resolve().parent.parent)
    started = time.perf_counter()
    try:
        if args.check:
            differences = check(layout)
            if differences:
                print("generated_client/ does not match the spec:", file=sys.stderr)
                print("\n".join(differences), file=sys.stderr)
                print(
                    "Regenerate with `make generate`; never edit generated files.", file=sys.stderr
                )
                return 1
            print("generated_client/ matches openapi/chatapi.yaml")
            return 0
        wrote = generate(layout, force=args.force)
    except PipelineError as exc:
        print(f"generation failed: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    if wrote:
        print(f"regenerated generated_client/chatapi_client in {elapsed:.2f} s")
    else:
        print(f"generated_client/chatapi_client is up to date ({elapsed * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
