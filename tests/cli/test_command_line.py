"""The ``chatapi`` command as a user meets it: progress, Ctrl-C, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import chatapi_sandbox

from ._run import COMMAND, TOKEN, chatapi, environment, journal_states, no_traceback
from ._run import write_contacts as write_rows

IMPORT = ("contacts", "import", "c.csv", "--map", "first_name=firstName")


def _on_a_terminal(base_url: str, cwd: Path, *args: str) -> tuple[int, str]:
    """Run ``chatapi ARGS`` with stderr on a pseudo-terminal; its exit code and what it drew."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [COMMAND, *args],
        cwd=cwd,
        env={**environment(base_url), "COLUMNS": "120", "TERM": "xterm"},
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    drawn = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                chunk = b""
            if not chunk:
                break
            drawn += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(timeout=60), drawn.decode("utf-8", "replace")


def test_a_progress_bar_with_rate_and_time_left_on_a_terminal(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    write_rows(tmp_path / "c.csv", 12)
    code, drawn = _on_a_terminal(sandbox_url, tmp_path, *IMPORT)
    assert code == 0, drawn
    assert "━" in drawn  # the bar
    assert "12/12" in drawn
    assert "(limit 5/s)" in drawn  # the bottleneck bucket's rate, from the description
    assert " left" in drawn
    assert "\x1b[" in drawn  # drawn with terminal escapes


def test_plain_lines_without_a_terminal_and_nothing_with_quiet(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    write_rows(tmp_path / "c.csv", 12)
    result = chatapi(sandbox_url, *IMPORT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stderr
    assert "━" not in result.stderr
    assert "import c.csv: 12/12 (12 done, 0 failed, 0 unknown)" in result.stderr
    assert "import c.csv: 12 done (12 created), 0 failed, 0 unknown" in result.stderr
    assert result.stdout == ""  # progress and summary on stderr; stdout is for data

    write_rows(tmp_path / "d.csv", 3)
    quiet = chatapi(
        sandbox_url,
        "contacts",
        "import",
        "d.csv",
        "--map",
        "first_name=firstName",
        "-q",
        cwd=tmp_path,
    )
    assert quiet.returncode == 0
    assert "3/3" not in quiet.stderr
    assert "3 done (3 updated)" in quiet.stderr  # the same people: updated, not duplicated


def test_ctrl_c_stops_taking_items_prints_the_summary_and_how_to_resume(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    write_rows(tmp_path / "c.csv", 60)
    process = subprocess.Popen(
        [COMMAND, *IMPORT],
        cwd=tmp_path,
        env=environment(sandbox_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while journal_states(tmp_path / "c.csv.journal").get("done", 0) < 5:
        assert time.monotonic() < deadline, "no item was done within 120 s"
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    no_traceback(stderr)
    assert "stopping: no new items" in stderr
    assert "to resume, run: chatapi contacts import c.csv --map first_name=firstName" in stderr
    states = journal_states(tmp_path / "c.csv.journal")
    assert states.get("in_flight", 0) == 0  # every item taken was finished or put back
    assert 5 <= states["done"] < 60

    resumed = chatapi(sandbox_url, *IMPORT, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert journal_states(tmp_path / "c.csv.journal") == {"done": 60}
    assert admin.counters().contacts_created == 60


def test_exit_codes_and_one_sentence_errors(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    ok = chatapi(sandbox_url, "contacts", "get", "id:123", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["id"] == 123

    missing = chatapi(sandbox_url, "contacts", "get", "id:999999", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.startswith("chatapi: 404 Not Found")
    assert missing.stderr.count("\n") == 1

    usage = chatapi(sandbox_url, "contacts", "import", "nowhere.csv", cwd=tmp_path)
    assert usage.returncode == 2

    wrong = "wrong-token-123456"
    denied = chatapi(
        sandbox_url,
        "contacts",
        "get",
        "id:123",
        cwd=tmp_path,
        env=environment(sandbox_url, CHATAPI_TOKEN=wrong),
    )
    assert denied.returncode == 3
    assert denied.stderr.startswith("chatapi: the API refused the token")
    no_traceback(denied.stdout, denied.stderr, secrets=(wrong,))

    no_token = chatapi(
        sandbox_url,
        "contacts",
        "get",
        "id:123",
        cwd=tmp_path,
        env={k: v for k, v in environment(sandbox_url).items() if k != "CHATAPI_TOKEN"},
    )
    assert no_token.returncode == 3
    assert "no API token" in no_token.stderr

    unreachable = "http://127.0.0.1:9/v2"  # the discard port: nothing listens there
    down = chatapi(unreachable, "contacts", "get", "id:123", cwd=tmp_path)
    assert down.returncode == 4
    assert down.stderr.startswith("chatapi: could not reach the API")
    for result in (ok, missing, usage, down):
        no_traceback(result.stdout, result.stderr, secrets=(TOKEN,))


def test_every_operation_is_a_command_and_call_reaches_any(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    sent = chatapi(sandbox_url, "messages", "send", "id:123", "--text", "hello", cwd=tmp_path)
    assert sent.returncode == 0, sent.stderr
    message_id = json.loads(sent.stdout)["messageId"]
    (tmp_path / "body.json").write_text('["vip", "new"]', encoding="utf-8")
    tagged = chatapi(
        sandbox_url,
        "call",
        "addTags",
        "-p",
        "identifier=id:123",
        "--body",
        "@body.json",
        cwd=tmp_path,
    )
    assert tagged.returncode == 0, tagged.stderr
    got = chatapi(sandbox_url, "messages", "get", "id:123", str(message_id), cwd=tmp_path)
    assert json.loads(got.stdout)["message"]["text"] == "hello"
    users = chatapi(sandbox_url, "space", "list-users", "--all", cwd=tmp_path)
    assert users.returncode == 0
    assert all("id" in json.loads(line) for line in users.stdout.splitlines())
    assert admin.counters().messages_stored == 1

    limits = chatapi(sandbox_url, "limits", "--output", "jsonl", cwd=tmp_path)
    rows = [json.loads(line) for line in limits.stdout.splitlines()]
    send = next(r for r in rows if r["operation"] == "sendMessage")
    assert send == {
        "operation": "sendMessage",
        "command": "messages send",
        "bucket": "send-message",
        "per_second": 10,
        "safe_to_repeat": False,
    }
    helps = chatapi(sandbox_url, "--help", cwd=tmp_path).stdout
    for group in ("contacts", "messages", "comments", "conversations", "space"):
        assert group in helps


def test_list_and_export_filter_and_walk_every_page(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    write_rows(tmp_path / "c.csv", 130, tags="many")  # more than one page of 100
    assert chatapi(sandbox_url, *IMPORT, "-q", cwd=tmp_path).returncode == 0
    exported = chatapi(
        sandbox_url,
        "contacts",
        "export",
        "--tag",
        "many",
        "-o",
        "jsonl",
        "--fields",
        "id,email",
        cwd=tmp_path,
    )
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 130
    assert all(set(row) == {"id", "email"} for row in rows)
    before = admin.counters().requests_by_operation["listContacts"]
    assert before >= 2  # two pages

    found = chatapi(
        sandbox_url,
        "contacts",
        "list",
        "--where",
        "email=person7@example.com",
        "-o",
        "csv",
        "--fields",
        "firstName,email",
        cwd=tmp_path,
    )
    assert found.stdout.splitlines() == ["firstName,email", "Person7,person7@example.com"]
    searched = chatapi(sandbox_url, "contacts", "list", "--search", "Aisha", cwd=tmp_path)
    assert "Aisha" in searched.stdout  # a table, for people
    assert "1 contact(s)" in searched.stderr


def test_an_unreachable_api_stops_a_job_with_exit_4_and_every_row_still_to_do(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    write_rows(tmp_path / "c.csv", 5)
    down = chatapi("http://127.0.0.1:9/v2", *IMPORT, cwd=tmp_path)
    assert down.returncode == 4
    no_traceback(down.stdout, down.stderr)
    assert down.stderr.splitlines()[-1].startswith("chatapi: could not reach the API:")
    assert "to resume, run: chatapi contacts import c.csv" in down.stderr
    assert journal_states(tmp_path / "c.csv.journal") == {"pending": 5}
