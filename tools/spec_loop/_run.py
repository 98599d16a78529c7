"""The steps of `make spec` and how a stage of them runs: side by side, reported in order."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools._files import NODE_BIN, REPO_ROOT
from tools._node import NODE_TOOL_ENV

# What a failing step may print: enough to act on, never a document dump.
MAX_LINES = 25
MAX_LINE = 200
_TIMEOUT_S = 600


@dataclass(frozen=True)
class Step:
    """One command of the loop, run from the repository root."""

    name: str
    argv: tuple[str, ...]
    # When it fails, only the output lines this matches are shown (None: every line).
    findings: re.Pattern[str] | None = None


@dataclass(frozen=True)
class StepResult:
    """What a step did: its exit status, its output (both streams) and how long it took."""

    step: Step
    returncode: int
    output: str
    seconds: float

    @property
    def passed(self) -> bool:
        """The command exited 0."""
        return self.returncode == 0

    def report(self) -> str:
        """One line when it passed; its output cut short when it failed."""
        status = "ok  " if self.passed else "FAIL"
        head = f"{status} {self.step.name:<10} {self.seconds:5.1f} s"
        if self.passed:
            return head
        lines = [line.rstrip() for line in self.output.splitlines() if line.strip()]
        if self.step.findings is not None:
            lines = [line for line in lines if self.step.findings.search(line)] or lines
        shown = [_cut(line) for line in lines[:MAX_LINES]]
        if len(lines) > MAX_LINES:
            shown.append(f"... {len(lines) - MAX_LINES} more line(s)")
        return "\n".join([head, *(f"     {line}" for line in shown)])


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."


def lint_steps(spec: Path) -> list[Step]:
    """The lint stage: both Node linters (one-line findings), then the Python checks."""
    python = sys.executable
    return [
        Step(
            "spectral",
            (
                str(NODE_BIN / "spectral"),
                "lint",
                str(spec),
                "--ruleset",
                str(REPO_ROOT / ".spectral.yaml"),
                "--fail-severity=warn",
                "--format=text",
                "--quiet",
            ),
        ),
        Step(
            "redocly",
            (
                str(NODE_BIN / "redocly"),
                "lint",
                str(spec),
                "--config",
                str(REPO_ROOT / "redocly.yaml"),
                "--format=stylish",
            ),
            # Its finding lines and verdict, not the banners around them.
            re.compile(r"^\s*[0-9]+:[0-9]+\s|failed"),
        ),
        Step("validate", (python, "-m", "tools.spec_check", str(spec))),
    ]


def spec_steps(spec: Path) -> list[list[Step]]:
    """Every stage of `make spec`, in order."""
    python = sys.executable
    return [
        lint_steps(spec),
        [Step("generate", (python, "-m", "generator"))],
        [
            Step("drift", (python, "-m", "generator", "--check")),
            Step("guard", (python, "-m", "tools.breaking", str(spec))),
            Step(
                "tests",
                (
                    python,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "-m",
                    "not tools",
                    "tests/spec",
                    "tests/description",
                ),
            ),
        ],
    ]


def _run(step: Step) -> StepResult:
    env = os.environ | NODE_TOOL_ENV
    started = time.monotonic()
    try:
        completed = subprocess.run(  # noqa: S603 - our pinned tools, our arguments
            step.argv,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        return StepResult(step, 127, f"{step.argv[0]} is not installed: run `make`", 0.0)
    except subprocess.TimeoutExpired:
        return StepResult(step, 124, f"still running after {_TIMEOUT_S} s", _TIMEOUT_S)
    output = completed.stdout + completed.stderr
    return StepResult(step, completed.returncode, output, time.monotonic() - started)


def run_stage(steps: Sequence[Step]) -> list[StepResult]:
    """Run the steps side by side; the results come back in the steps' order."""
    with ThreadPoolExecutor(max_workers=max(1, len(steps))) as pool:
        return list(pool.map(_run, steps))
