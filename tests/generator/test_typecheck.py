"""The generated package passes strict mypy, as the hand-written code does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# A cold strict mypy run over the generated package (`make lint` runs it incrementally).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _strict_mypy(*arguments: str, cwd: Path) -> None:
    """Run ``mypy --strict`` with ``arguments`` in ``cwd``; fail with its report."""
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *arguments]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_package_type_checks_strictly() -> None:
    _strict_mypy("--config-file", str(ROOT / "pyproject.toml"), "-p", "chatapi_client", cwd=ROOT)


USER_CODE = """\
import chatapi
from chatapi_client.models import MessagePage, MessageRecord


def pages(client: chatapi.ChatAPI) -> chatapi.Pager[MessageRecord, MessagePage]:
    return client.messaging.list("id:1")


def async_pages(
    client: chatapi.AsyncChatAPI,
) -> chatapi.AsyncPager[MessageRecord, MessagePage]:
    return client.messaging.list("id:1")


def one_page(client: chatapi.ChatAPI) -> chatapi.RawResponse[MessagePage]:
    return client.messaging.with_raw_response.list("id:1")
"""


def test_list_methods_are_typed_with_the_pagers_users_hold(tmp_path: Path) -> None:
    """A user's strict mypy sees ``chatapi.Pager``, not a protocol it cannot annotate with."""
    program = tmp_path / "user_code.py"
    program.write_text(USER_CODE, encoding="utf-8")
    _strict_mypy("--cache-dir", str(tmp_path / "cache"), str(program), cwd=tmp_path)
