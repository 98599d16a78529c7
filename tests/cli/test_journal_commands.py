"""``journal show`` and ``journal retry`` refuse a file that is not a job's journal, untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatapi.bulk import Journal
from chatapi.cli._main import main


def _other_database(path: Path) -> bytes:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('mine')")
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize("command", [["journal", "show"], ["journal", "retry"]])
def test_a_file_that_is_no_journal_is_refused_and_left_as_it_was(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.db"
    before = _other_database(path)
    code = main([*command, str(path)])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no .lock, no -wal
    assert code == 2
    assert "not a journal" in capsys.readouterr().err


def test_a_journal_of_no_job_is_refused_by_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bare.journal"
    with Journal(path) as journal:
        journal.add([("a", {"identifier": "id:1"})])
    assert main(["journal", "show", str(path)]) == 2
    assert "no job is recorded" in capsys.readouterr().err
