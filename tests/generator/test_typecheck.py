"""The generated package passes strict mypy, as the hand-written code does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# A cold strict mypy run over the generated package (`make lint` runs it incrementally).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_generated_package_type_checks_strictly() -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-incremental",
            "--config-file", str(ROOT / "pyproject.toml"),
            "-p", "chatapi_client",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
