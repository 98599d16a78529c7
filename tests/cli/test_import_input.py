"""``contacts import`` refuses an ambiguous CSV file before journaling anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatapi.cli._main import main


def test_a_csv_with_two_columns_of_one_name_is_a_usage_error_before_journaling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHATAPI_TOKEN", "token")
    (tmp_path / "c.csv").write_text("email,firstName,email\na@x.test,A,b@x.test\n")
    assert main(["--base-url", "http://127.0.0.1:9", "contacts", "import", "c.csv"]) == 2
    assert "more than one column named 'email'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]  # nothing journaled
