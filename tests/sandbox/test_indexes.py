"""Lookups are indexed: no request scans every contact or every message of a workspace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from chatapi_sandbox._counters import Tally
from chatapi_sandbox._handlers import HANDLERS, Call
from chatapi_sandbox._seed import seed
from chatapi_sandbox._state import Contact, Message, Workspace

from ._helpers import TEXT


class NoScan(dict[int, Any]):
    """A dict that fails the test when anything walks all of it."""

    def values(self) -> Any:
        raise AssertionError("scanned every record")

    def items(self) -> Any:
        raise AssertionError("scanned every record")

    def __iter__(self) -> Iterator[int]:
        raise AssertionError("scanned every record")


def _big_workspace() -> Workspace:
    workspace = Workspace()
    seed(workspace)
    for n in range(2_000):
        contact = Contact(id=10_000 + n, first_name=f"C{n}", created_at=0)
        workspace.add_contact(contact)
        workspace.change_contact(contact, {"email": f"c{n}@example.com", "phone": f"+6010{n:06d}"})
        workspace.add_message(Message(n + 1, contact.id, 5502, "outgoing", {}, 0))
    workspace.contacts = NoScan(workspace.contacts)
    workspace.messages = NoScan(workspace.messages)
    return workspace


def _call(workspace: Workspace, path: dict[str, Any], body: Any = None) -> Call:
    return Call(workspace, path, {"limit": 10}, body, Tally(), 0, lambda *_: "")


def test_contact_lookups_by_email_and_phone_do_not_scan() -> None:
    workspace = _big_workspace()
    assert workspace.find_contact("email:C1999@EXAMPLE.com") is workspace.contacts[11_999]
    assert workspace.find_contact("phone:+6010000007") is workspace.contacts[10_007]
    assert workspace.find_contact("email:nobody@example.com") is None
    assert workspace.owner_of("email", "c5@example.com") == 10_005


def test_sending_without_a_channel_does_not_scan_the_messages() -> None:
    workspace = _big_workspace()
    reply = HANDLERS["sendMessage"](_call(workspace, {"identifier": "id:10042"}, dict(TEXT)))
    sent = workspace.last_message_of(10_042)
    assert sent is not None
    assert sent.id == reply.body["messageId"]
    assert sent.channel_id == 5502  # the contact's last channel, found without a scan
    listed = HANDLERS["listMessages"](_call(workspace, {"identifier": "id:10042"}))
    assert [m["messageId"] for m in listed.body["items"]] == [sent.id, 43]


def test_the_indexes_follow_updates_merges_and_deletes(api: httpx.Client) -> None:
    api.post("/contact/email:a@example.com", json={"firstName": "A", "phone": "+60111111111"})
    api.post("/contact/email:b@example.com", json={"firstName": "B"})
    api.post("/contact/email:b@example.com/message", json={"channelId": 5503, **TEXT})
    api.put("/contact/email:a@example.com", json={"email": "a2@example.com"})
    assert api.get("/contact/email:a@example.com").status_code == 404
    a_id = api.get("/contact/email:A2@example.com").json()["id"]
    b_id = api.get("/contact/email:b@example.com").json()["id"]
    # The old address is free again.
    assert api.post("/contact/email:a@example.com", json={"firstName": "New"}).status_code == 200
    api.delete("/contact/email:a@example.com")
    merged = api.post("/contact/merge", json={"contactIds": [a_id, b_id]})
    assert merged.status_code == 200
    assert api.get("/contact/email:b@example.com").status_code == 404  # a keeps its own email
    assert api.get("/contact/phone:+60111111111").json()["id"] == a_id
    messages = api.get(f"/contact/id:{a_id}/message/list").json()["items"]
    assert [m["channelId"] for m in messages] == [5503]
    # Without channelId, the send goes to the last channel the merged history used.
    api.post(f"/contact/id:{a_id}/message", json=TEXT)
    assert api.get(f"/contact/id:{a_id}/message/list").json()["items"][0]["channelId"] == 5503
    api.delete(f"/contact/id:{a_id}")
    assert api.get("/contact/phone:+60111111111").status_code == 404
    assert api.post("/contact/phone:+60111111111", json={"firstName": "Again"}).status_code == 200
