"""The README's "Using the client" examples run as written against the sandbox.

Each ```python block of that section is executed unchanged in a fresh namespace, with
``CHATAPI_TOKEN`` and ``CHATAPI_BASE_URL`` pointing at the sandbox, as a user would run it
with those variables set. The examples address the contact ``phone:+60123456789``, which
every sandbox workspace is seeded with (contact 123, from the spec's examples).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import chatapi_sandbox
from chatapi_client.api.contact import delete_contact
from chatapi_client.api.messaging import get_message
from chatapi_client.models import ContactActionResult, MessageRecord

from ._helpers import CONTACT_ID, TOKEN, Connect, fetch

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Using the client"
PHONE = "phone:+60123456789"
SENT = re.compile(r"sent message (\d+)")


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


def test_the_section_has_the_sync_and_the_async_example() -> None:
    assert len(SNIPPETS) == 2
    assert "send_message.sync(" in SNIPPETS[0]
    assert "send_message.asyncio(" in SNIPPETS[1]
    assert all(PHONE in snippet for snippet in SNIPPETS)


@pytest.mark.parametrize("index", range(len(SNIPPETS)), ids=lambda i: f"block-{i + 1}")
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
