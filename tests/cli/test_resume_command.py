"""The resume line a bulk run prints: the command again, with no password on it."""

from __future__ import annotations

import shlex

import pytest

from chatapi.cli._runner import resume_command


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (
            ["--rate-limit-store", "redis://:s3cret@db.test:6379/2", "broadcast"],
            ["--rate-limit-store", "redis://***@db.test:6379/2", "broadcast"],
        ),
        (
            ["--base-url=http://user:pa55@api.test/v2", "broadcast"],
            ["--base-url=http://***@api.test/v2", "broadcast"],
        ),
        (
            ["--rate-limit-store=redis://db.test/0?password=s3cret", "broadcast"],
            ["--rate-limit-store=redis://db.test/0", "broadcast"],
        ),
        (
            ["--rate-limit-store", "sqlite:///limits.db", "--base-url", "http://api.test"],
            ["--rate-limit-store", "sqlite:///limits.db", "--base-url", "http://api.test"],
        ),
    ],
)
def test_the_resume_line_hides_the_user_info_of_url_options(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], shown: list[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["chatapi", *argv])
    line = resume_command()
    assert shlex.split(line) == ["chatapi", *shown]
    assert "s3cret" not in line
    assert "pa55" not in line
