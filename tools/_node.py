"""Running the Node tools pinned in package.json (node_modules/.bin) as the Makefile does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tools._files import NODE_BIN, REPO_ROOT

__all__ = ["NODE_TOOL_ENV", "NodeToolMissingError", "run_node_tool"]

NODE_TOOL_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
"""Redocly: no telemetry, no update check; neither needs the network."""

_TIMEOUT_S = 300


class NodeToolMissingError(FileNotFoundError):
    """The tool is not in node_modules/.bin: `make bootstrap` installs it."""


def run_node_tool(
    name: str, *args: str, cwd: Path = REPO_ROOT, timeout: float = _TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """Run `name` with `args` in `cwd`, output captured as text; a failure is returned, not raised.

    Raises:
        NodeToolMissingError: the tool is not installed; its message names the file.
        subprocess.TimeoutExpired: it ran longer than `timeout` seconds.
    """
    executable = NODE_BIN / name
    if not executable.exists():
        raise NodeToolMissingError(f"{executable.relative_to(REPO_ROOT)} is missing")
    return subprocess.run(  # noqa: S603 - our pinned tool, our arguments
        [str(executable), *args],
        cwd=cwd,
        env=os.environ | NODE_TOOL_ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
