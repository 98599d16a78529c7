"""The sandbox is an extra: without it, importing or running it says how to get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HIDE_STARLETTE = "import sys; sys.modules['starlette'] = None; "


@pytest.mark.parametrize(
    "statement",
    ["import chatapi_sandbox", "from chatapi_sandbox.__main__ import main; main()"],
    ids=["import", "command"],
)
def test_without_the_extra_the_sandbox_names_it(statement: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", HIDE_STARLETTE + statement],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "pip install 'chatapi[sandbox]'" in result.stderr
    assert "starlette is not installed" in result.stderr


def test_the_client_works_without_the_extra() -> None:
    statement = "import chatapi; chatapi.ChatAPI('t0ken-for-test').contacts.get"
    result = subprocess.run(
        [sys.executable, "-c", HIDE_STARLETTE + statement],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_sandbox_ships_its_type_marker() -> None:
    package = Path(__file__).resolve().parents[2] / "sandbox" / "chatapi_sandbox"
    assert (package / "py.typed").is_file()
