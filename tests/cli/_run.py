"""Running the installed ``chatapi`` command against a sandbox process, as a user would."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

COMMAND = str(Path(sys.executable).parent / "chatapi")
"""The entry point pip installed next to this interpreter."""
TOKEN = "cli-token-1"
ORGANIZATION = "acme"


def environment(base_url: str, **extra: str) -> dict[str, str]:
    """The environment of a ``chatapi`` run: the sandbox's URL and token.

    Nothing inherited that could change its settings.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATAPI_")}
    env.update({"CHATAPI_TOKEN": TOKEN, "CHATAPI_BASE_URL": base_url, **extra})
    return env


def chatapi(
    base_url: str,
    *args: str,
    cwd: Path,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``chatapi ARGS`` to its end; stdout and stderr captured as text."""
    return subprocess.run(
        [COMMAND, *args],
        cwd=cwd,
        env=dict(env) if env is not None else environment(base_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(base_url: str, *args: str, cwd: Path) -> subprocess.Popen[bytes]:
    """Start ``chatapi ARGS`` in the background (its output to files in ``cwd``)."""
    with (cwd / "stdout.txt").open("w") as out, (cwd / "stderr.txt").open("w") as err:
        return subprocess.Popen(
            [COMMAND, *args], cwd=cwd, env=environment(base_url), stdout=out, stderr=err
        )


def journal_states(path: Path) -> dict[str, int]:
    """Items per state in a journal, read the way any other process would."""
    if not path.exists():
        return {}
    with sqlite3.connect(path, timeout=30) as db:
        try:
            rows = db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall()
        except sqlite3.OperationalError:  # not created yet
            return {}
    return {str(state): int(n) for state, n in rows}


def write_contacts(path: Path, rows: int, *, tags: str = "imported;vip") -> None:
    """A CSV of ``rows`` new contacts, with a column needing ``--map`` and a tags column."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "lastName", "email", "tags"])
        for n in range(rows):
            writer.writerow([f"Person{n}", "Bulk", f"person{n}@example.com", tags])


def no_traceback(*outputs: str, secrets: Sequence[str] = (TOKEN,)) -> None:
    """What a user sees has no Python traceback and no secret."""
    for output in outputs:
        assert "Traceback" not in output, output
        for secret in secrets:
            assert secret not in output, output
