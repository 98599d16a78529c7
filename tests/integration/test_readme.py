"""The README's examples and the programs in examples/ type-check strictly and run as written.

Each ```python block of the "Using the client" section is executed unchanged in a fresh
namespace, with ``CHATAPI_TOKEN`` and ``CHATAPI_BASE_URL`` pointing at the sandbox, as a user
would run it with those variables set. The examples address the contact
``phone:+60123456789``, which every sandbox workspace is seeded with (contact 123, from the
spec's examples). Every ```python block of the README and every program in examples/ passes
``mypy --strict`` with no cast, no ``isinstance`` and no ``type: ignore``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import chatapi_sandbox
from chatapi_client.api.contact import delete_contact, list_contacts
from chatapi_client.api.messaging import get_message, list_messages, send_message
from chatapi_client.models import (
    ContactActionResult,
    ContactFilter,
    ContactListRequest,
    ContactPage,
    FilterCondition,
    MessagePage,
    MessageRecord,
    SendMessageRequest,
    TextMessage,
)

from ._helpers import CONTACT_ID, TOKEN, Connect, fetch

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = README.parent / "examples"
SECTION = "## Using the client"
PHONE = "phone:+60123456789"
SENT = re.compile(r"sent message (\d+)")
CAST = re.compile(r"\bcast\(")
"""``typing.cast``, not ``Broadcast(``."""


def snippets() -> list[str]:
    """The ```python blocks of the README's "Using the client" section, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION + "\n")
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end >= 0 else len(text)]
    return re.findall(r"^```python\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


SNIPPETS = snippets()


def run(snippet: str, index: int) -> None:
    """Execute one example as a script (``__name__ == "__main__"``) in its own namespace."""
    code = compile(snippet, f"{README.name}, {SECTION[3:]!r} block {index + 1}", "exec")
    exec(code, {"__name__": "__main__"})  # noqa: S102 - the README's own example code


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, sandbox: chatapi_sandbox.Sandbox) -> None:
    monkeypatch.setenv("CHATAPI_TOKEN", TOKEN)
    monkeypatch.setenv("CHATAPI_BASE_URL", sandbox.base_url)


def test_the_section_has_the_sync_async_paging_and_filter_examples() -> None:
    assert len(SNIPPETS) == 4
    assert "client.messaging.send(" in SNIPPETS[0]
    assert "await client.messaging.send(" in SNIPPETS[1]
    assert "client.messaging.list(" in SNIPPETS[2]
    assert "chatapi.tag_is_any_of(" in SNIPPETS[3]
    assert all(PHONE in snippet for snippet in SNIPPETS[:3])


@pytest.mark.usefixtures("environment")
def test_the_filter_example_lists_the_contacts_by_tag(
    connect: Connect, sandbox: chatapi_sandbox.Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect() as client:
        contact = fetch(client, PHONE)
        tagged = list_contacts.sync(client=client, body=_by_tag("vip"), limit=100)
        everyone = list_contacts.sync(client=client, body=_by_tag(None), limit=100)
    assert isinstance(tagged, ContactPage)
    assert isinstance(everyone, ContactPage)
    assert [c.id for c in tagged.items] == [CONTACT_ID]  # the seeded contact carries "vip"
    run(SNIPPETS[3], 3)
    assert capsys.readouterr().out.splitlines() == [
        *(f"vip: {c.first_name} id:{c.id}" for c in tagged.items),
        f"contacts: {len(everyone.items)}",
        str(contact.first_name),
    ]
    assert sandbox.counters().requests_by_operation["listContacts"] == 4


def _by_tag(tag: str | None) -> ContactListRequest:
    conditions = (
        []
        if tag is None
        else [
            FilterCondition(category="contactTag", field="tags", operator="hasAnyOf", value=[tag])
        ]
    )
    return ContactListRequest(filter_=ContactFilter(and_=conditions))


@pytest.mark.parametrize("index", range(2), ids=lambda i: f"block-{i + 1}")
@pytest.mark.usefixtures("environment")
def test_a_readme_example_sends_one_message(
    index: int,
    connect: Connect,
    sandbox: chatapi_sandbox.Sandbox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with connect() as client:
        assert fetch(client, PHONE).id == CONTACT_ID  # the contact the example addresses
    run(SNIPPETS[index], index)
    printed = capsys.readouterr().out
    found = SENT.fullmatch(printed.strip())
    assert found, f"the example printed {printed!r}"
    counters = sandbox.counters()
    assert counters.messages_stored == 1
    assert counters.requests_by_operation == {"getContact": 1, "sendMessage": 1}
    with connect() as client:
        message = get_message.sync(f"id:{CONTACT_ID}", int(found.group(1)), client=client)
    assert isinstance(message, MessageRecord)
    assert message.contact_id == CONTACT_ID
    assert message.traffic == "outgoing"


@pytest.mark.usefixtures("environment")
def test_the_readme_example_reports_a_missing_contact(
    connect: Connect, sandbox: chatapi_sandbox.Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect() as client:
        deleted = delete_contact.sync(PHONE, client=client)
    assert isinstance(deleted, ContactActionResult)
    assert deleted.contact_id == CONTACT_ID
    run(SNIPPETS[0], 0)
    printed = capsys.readouterr().out
    assert printed == "no such contact: Contact not found.\n"
    counters = sandbox.counters()
    assert counters.messages_stored == 0
    assert counters.requests_by_operation == {"deleteContact": 1, "sendMessage": 1}


def test_the_sandbox_example_runs_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    """The "Testing your integration" block starts its own sandbox and checks its counters."""
    text = README.read_text(encoding="utf-8")
    heading = "## Testing your integration against the sandbox"
    start = text.index(heading + "\n")
    section = text[start : text.index("\n## ", start + len(heading))]
    (block,) = re.findall(r"^```python\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    exec(compile(block, f"{README.name}, sandbox block", "exec"), {"__name__": "__main__"})  # noqa: S102
    assert capsys.readouterr().out == "second send: outcome unknown, not repeated\n"


@pytest.mark.usefixtures("environment")
def test_the_paging_example_walks_every_page(
    connect: Connect, sandbox: chatapi_sandbox.Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect() as client:
        for number in range(45):
            send_message.sync(PHONE, client=client, body=_text(f"#{number}"))
        listed = list_messages.sync(PHONE, client=client, limit=100)
    assert isinstance(listed, MessagePage)
    before = sandbox.counters().requests_by_operation.get("listMessages", 0)
    run(SNIPPETS[2], 2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"messages: {len(listed.items)}"
    assert lines[1].startswith("first page: ")
    assert lines[2].startswith("status 200 remaining ")
    # 20 a page: as many listMessages calls as pages, each through the client.
    pages = -(-len(listed.items) // 20)
    assert sandbox.counters().requests_by_operation["listMessages"] - before == pages


def _text(text: str) -> SendMessageRequest:
    return SendMessageRequest(message=TextMessage(text=text))


def python_blocks() -> list[str]:
    """Every ```python block of the README."""
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_the_readme_and_the_examples_type_check_strictly(tmp_path: Path) -> None:
    blocks = python_blocks()
    assert len(blocks) >= 5
    files = []
    for index, block in enumerate(blocks):
        assert not CAST.search(block)
        assert "isinstance(" not in block
        assert "type: ignore" not in block
        path = tmp_path / f"readme_block_{index + 1}.py"
        path.write_text(block, encoding="utf-8")
        files.append(str(path))
    examples = sorted(EXAMPLES.glob("*.py"))
    assert len(examples) >= 2
    for example in examples:
        text = example.read_text(encoding="utf-8")
        for shortcut in ("type: ignore", "isinstance("):
            assert shortcut not in text, f"{example.name} uses {shortcut}"
        assert not CAST.search(text), f"{example.name} uses cast("
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         *files, *map(str, examples)],
        capture_output=True,
        text=True,
        check=False,
        cwd=README.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _run_example(name: str, base_url: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``examples/NAME`` against the sandbox at ``base_url``, as its usage line says."""
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--base-url", base_url, "--token", TOKEN],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def test_the_tour_runs_against_the_sandbox(sandbox: chatapi_sandbox.Sandbox) -> None:
    sandbox.inject("getUser", "429", retry_after=30)  # what the tour's last call meets
    result = _run_example("tour.py", sandbox.base_url, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "messages: 63",
        "assigned to lee@example.com",
        "not found: Contact not found.",
        "rate limited: try again in 30 s",
    ]
    counters = sandbox.counters()
    assert counters.messages_stored == 63
    assert counters.rate_limited == 0


def test_the_end_to_end_example_holds_its_invariants() -> None:
    """What ``make`` runs: several threads, injected faults, everything read back once."""
    with chatapi_sandbox.running([f"{TOKEN}:e2e"]) as sandbox:
        result = _run_example("end_to_end.py", sandbox.base_url, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All invariants held" in result.stdout
    assert "messages listed back        40, each once" in result.stdout
