"""The ``chatapi`` command: every operation of the description, and journaled bulk jobs.

``main`` is the entry point (``chatapi = "chatapi.cli:main"``); ``cli`` the click group.
"""

from __future__ import annotations

import sys

from ._main import cli
from ._main import main as _main

__all__ = ["cli", "main"]


def main() -> None:
    """Run the command with ``sys.argv`` and exit with its code."""
    sys.exit(_main())
