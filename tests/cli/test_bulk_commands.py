"""The ``chatapi`` command's bulk jobs, run for real against a sandbox process with limits on.

The sandbox's counters are the proof of what was sent: contacts created, messages stored,
requests per operation.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import chatapi_sandbox

from ._run import chatapi, journal_states, no_traceback, start, write_contacts

CONCURRENCY = 8


def _wait_until_done(journal: Path, at_least: int, timeout: float = 240) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = journal_states(journal)
        if states.get("done", 0) >= at_least:
            return states
        time.sleep(0.2)
    raise AssertionError(f"{at_least} items were not done within {timeout} s: {states}")


def test_an_import_killed_mid_way_resumes_without_duplicates(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    source = tmp_path / "contacts.csv"
    write_contacts(source, 300)
    journal = tmp_path / "contacts.csv.journal"
    args = ("contacts", "import", "contacts.csv", "--map", "first_name=firstName", "-q")
    process = start(sandbox_url, *args, cwd=tmp_path)
    try:
        _wait_until_done(journal, 100)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    killed_at = journal_states(journal)
    assert 100 <= killed_at["done"] < 300, killed_at

    rerun = chatapi(sandbox_url, *args, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    no_traceback(rerun.stdout, rerun.stderr)
    assert journal_states(journal) == {"done": 300}
    assert "300 done" in rerun.stderr

    counters = admin.counters()
    assert counters.contacts_created == 300  # not one contact twice
    assert counters.server_errors == 0
    # Tag calls: one per row, plus at most the items in flight at the kill (addTags is
    # x-idempotent, redone on resume), plus what the limiter refused and the client retried.
    tag_calls = counters.requests_by_operation["addTags"]
    refused = counters.rate_limited_by_bucket.get("contact-tags", 0)
    assert 300 <= tag_calls <= 300 + CONCURRENCY + refused
    listed = chatapi(
        sandbox_url,
        "contacts",
        "export",
        "--tag",
        "imported",
        "--fields",
        "email",
        cwd=tmp_path,
    )
    emails = [row["email"] for row in csv.DictReader(listed.stdout.splitlines())]
    assert sorted(emails) == sorted(f"person{n}@example.com" for n in range(300))


def _tagged(admin: chatapi_sandbox.SandboxClient, sandbox_url: str, tmp: Path, n: int) -> None:
    write_contacts(tmp / "audience.csv", n, tags="promo")
    done = chatapi(
        sandbox_url,
        "contacts",
        "import",
        "audience.csv",
        "--map",
        "first_name=firstName",
        "-q",
        cwd=tmp,
    )
    assert done.returncode == 0, done.stderr


def _broadcast_meeting_a_502(
    admin: chatapi_sandbox.SandboxClient,
    sandbox_url: str,
    tmp: Path,
    audience: int,
    args: tuple[str, ...],
    *,
    when: str = "after",
) -> subprocess.CompletedProcess[str]:
    """Tag ``audience`` new contacts, then run ``chatapi ARGS``: one send answered 502 ``when``."""
    _tagged(admin, sandbox_url, tmp, audience)
    admin.inject("sendMessage", "502", when=when, times=1)
    return chatapi(sandbox_url, *args, cwd=tmp)


def test_a_broadcast_whose_send_may_have_been_processed_is_never_resent(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    args = ("broadcast", "--tag", "promo", "--text", "Spring sale", "--journal", "b.journal")
    # The 3rd send is stored, then answered 502: the client cannot know it went out.
    first = _broadcast_meeting_a_502(admin, sandbox_url, tmp_path, 6, args)
    assert first.returncode == 1, first.stderr
    no_traceback(first.stdout, first.stderr)
    assert journal_states(tmp_path / "b.journal") == {"done": 5, "unknown": 1}
    assert "1 unknown" in first.stderr
    assert admin.counters().messages_stored == 6

    again = chatapi(sandbox_url, *args, cwd=tmp_path)
    assert again.returncode == 1
    assert admin.counters().messages_stored == 6  # the unknown send was not repeated
    assert journal_states(tmp_path / "b.journal") == {"done": 5, "unknown": 1}

    settled = chatapi(sandbox_url, *args, "--reconcile", cwd=tmp_path)
    assert settled.returncode == 0, settled.stderr
    assert "1 unknown send(s) found delivered" in settled.stderr
    assert journal_states(tmp_path / "b.journal") == {"done": 6}
    counters = admin.counters()
    assert counters.messages_stored == 6
    sends = counters.requests_by_operation["sendMessage"]
    assert sends == 6 + counters.rate_limited_by_bucket.get("send-message", 0)


def test_reconcile_reports_what_it_cannot_settle(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    args = ("broadcast", "--tag", "promo", "--text", "Hi", "--journal", "b.journal")
    # Answered 502 before processing, yet read as unknown by the client: nothing was stored.
    first = _broadcast_meeting_a_502(admin, sandbox_url, tmp_path, 2, args, when="before")
    assert first.returncode == 1
    assert admin.counters().messages_stored == 1
    result = chatapi(sandbox_url, *args, "--reconcile", cwd=tmp_path)
    assert result.returncode == 1
    assert "0 unknown send(s) found delivered, 1 could not be settled" in result.stderr
    assert "no matching message" in result.stderr
    assert admin.counters().messages_stored == 1


def test_dry_run_and_validate_only_send_nothing(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    write_contacts(tmp_path / "c.csv", 20)
    for flag in ("--dry-run", "--validate-only"):
        result = chatapi(
            sandbox_url,
            "contacts",
            "import",
            "c.csv",
            "--map",
            "first_name=firstName",
            flag,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert "20 contact(s)" in result.stderr
        assert "nothing was sent" in result.stderr
    assert admin.counters().requests == 0
    assert not (tmp_path / "c.csv.journal").exists()

    broadcast = chatapi(
        sandbox_url, "broadcast", "--tag", "vip", "--text", "x", "--dry-run", cwd=tmp_path
    )
    assert broadcast.returncode == 0, broadcast.stderr
    assert "would send to 1 contact(s)" in broadcast.stderr  # the seeded contact
    counters = admin.counters()
    assert counters.messages_stored == 0
    assert "sendMessage" not in counters.requests_by_operation


def test_bad_rows_land_in_the_errors_file_with_their_reasons(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    (tmp_path / "c.csv").write_text(
        "firstName,email,phone,loyalty\n"
        "Ana,ana@example.com,,\n"
        "Bo,,12345,\n"  # no '+': not E.164
        "Cy,,,\n"  # nothing to identify the contact
        "Di,di@example.com,,gold\n",  # a custom field the workspace does not have
        encoding="utf-8",
    )
    result = chatapi(
        sandbox_url,
        "contacts",
        "import",
        "c.csv",
        "--custom",
        "loyalty",
        "--errors",
        "bad.csv",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    no_traceback(result.stdout, result.stderr)
    with (tmp_path / "bad.csv").open(encoding="utf-8") as errors:
        rows = {row["firstName"]: row for row in csv.DictReader(errors)}
    assert set(rows) == {"Bo", "Cy", "Di"}
    assert "pattern" in rows["Bo"]["error"]
    assert "no email or phone" in rows["Cy"]["error"]
    assert "Unknown custom field 'loyalty'" in rows["Di"]["error"]
    assert rows["Di"]["loyalty"] == "gold"  # the row as it was, ready to fix and re-run
    assert admin.counters().contacts_created == 1


def test_journal_show_lists_the_doubts_and_retry_unknown_resends_on_request(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    args = ("broadcast", "--tag", "promo", "--text", "Hi", "--journal", "b.journal")
    assert _broadcast_meeting_a_502(admin, sandbox_url, tmp_path, 2, args).returncode == 1

    shown = chatapi(sandbox_url, "journal", "show", "b.journal", cwd=tmp_path)
    assert shown.returncode == 1
    assert "job: broadcast" in shown.stdout
    assert "1 done" in shown.stdout
    assert "1 unknown" in shown.stdout
    (line,) = [row for row in shown.stdout.splitlines() if "\tunknown\t" in row]
    assert "502 Bad Gateway" in line

    plain = chatapi(sandbox_url, "journal", "retry", "b.journal", cwd=tmp_path)
    assert plain.returncode == 1  # failed items only: the unknown one stays put
    assert "0 item(s) put back" in plain.stderr
    assert admin.counters().messages_stored == 2

    resent = chatapi(sandbox_url, "journal", "retry", "b.journal", "--unknown", cwd=tmp_path)
    assert resent.returncode == 0, resent.stderr
    assert "1 item(s) put back" in resent.stderr
    assert admin.counters().messages_stored == 3  # delivered twice: the caller chose it
    assert journal_states(tmp_path / "b.journal") == {"done": 2}


def test_a_template_broadcast_is_reconciled_by_its_template(
    sandbox_url: str, admin: chatapi_sandbox.SandboxClient, tmp_path: Path
) -> None:
    args = ("broadcast", "--tag", "promo", "--template", "order_update", "--channel", "5501")
    first = _broadcast_meeting_a_502(
        admin, sandbox_url, tmp_path, 3, (*args, "--journal", "t.journal")
    )
    assert first.returncode == 1, first.stderr
    assert journal_states(tmp_path / "t.journal") == {"done": 2, "unknown": 1}
    settled = chatapi(sandbox_url, *args, "--journal", "t.journal", "--reconcile", cwd=tmp_path)
    assert settled.returncode == 0, settled.stderr
    assert "1 unknown send(s) found delivered" in settled.stderr
    assert admin.counters().messages_stored == 3

    refused = chatapi(  # a template not approved yet: refused, so failed, with the reason
        sandbox_url, "broadcast", "--tag", "promo", "--template", "spring_sale", "--channel",
        "5501", "--journal", "s.journal", cwd=tmp_path,
    )  # fmt: skip
    assert refused.returncode == 1
    assert journal_states(tmp_path / "s.journal") == {"failed": 3}
    assert "3 x 400 Bad Request: Template spring_sale is pending." in refused.stderr
    assert admin.counters().messages_stored == 3

    both = chatapi(sandbox_url, "broadcast", "--tag", "promo", "--text", "x", "--template",
                   "order_update", cwd=tmp_path)  # fmt: skip
    assert both.returncode == 2
