"""The three bulk examples run as written against a sandbox process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chatapi_sandbox

from ._run import TOKEN, environment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example(name: str, base_url: str, cwd: Path, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args, "--base-url", base_url, "--token", TOKEN],
        cwd=cwd,
        env=environment(base_url),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_import_example_skips_bad_rows_and_imports_the_rest(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    (tmp_path / "c.csv").write_text(
        "firstName,email,tags\nAna,ana@example.com,vip\nBo,not-an-email,vip\n", encoding="utf-8"
    )
    lines = _example("bulk_import.py", sandbox_url, tmp_path, "c.csv")
    assert lines[0].startswith("skipped: line 3: the identifier does not match the pattern")
    assert lines[1] == "done: {'created': 1} failed: 0"
    assert admin.counters().contacts_created == 1


def test_the_broadcast_example_settles_an_unknown_send(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    admin.inject("sendMessage", "502", when="after")  # the seeded vip contact's send
    lines = _example("bulk_broadcast.py", sandbox_url, tmp_path, "vip", "Sale today")
    assert lines == ["sent: 0 failed: 0", "unknown, found delivered: 1"]
    assert admin.counters().messages_stored == 1
    again = _example("bulk_broadcast.py", sandbox_url, tmp_path, "vip", "Sale today")
    assert again == ["sent: 1 failed: 0", "unknown, found delivered: 0"]  # settled before
    assert admin.counters().messages_stored == 1  # never sent twice


def test_the_workers_example_imports_every_row_once(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    rows = "".join(f"P{n},p{n}@example.com,bulk\n" for n in range(24))
    (tmp_path / "c.csv").write_text("firstName,email,tags\n" + rows, encoding="utf-8")
    lines = _example("bulk_workers.py", sandbox_url, tmp_path, "c.csv")
    assert lines[0].startswith("created: 24 by worker: [")
    counters = admin.counters()
    assert counters.contacts_created == 24
    assert counters.requests_by_operation["createOrUpdateContact"] >= 24
