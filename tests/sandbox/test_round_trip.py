"""What the sandbox lists can be sent back: every listed record works in the requests that take it.

A client that copies a listed template into a send, assigns a listed user, sets a listed
field or writes back a listed contact must build a request the description accepts (checked
against the request schema here) and the sandbox serves (2xx). Where the description allows
two forms of an answer, both are served, so clients meet both.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from ._helpers import assert_conforms, parameter_problems, request_problems

WRITABLE = ("firstName", "lastName", "phone", "email", "language", "profilePic", "countryCode")
SAMPLE_VALUES = {
    "text": "sample",
    "email": "someone@example.com",
    "url": "https://example.com/",
    "number": 7,
    "checkbox": "true",
    "date": "2026-11-30",
    "time": "09:30",
}


def _items(api: httpx.Client, operation_id: str, path: str) -> list[dict[str, Any]]:
    """Every item of a list operation, following ``pagination.next``; each page conforms."""
    found: list[dict[str, Any]] = []
    url: str = path
    while url:
        response = api.get(url, params=None if "?" in url else {"limit": 2})
        assert response.status_code == 200, response.text
        assert_conforms(operation_id, response)
        page = response.json()
        found += page["items"]
        url = page["pagination"]["next"]
    return found


def _accepted(
    api: httpx.Client, operation_id: str, method: str, path: str, body: Any
) -> httpx.Response:
    """Send ``body``, after checking the description's request schema takes it; must be 2xx."""
    assert request_problems(operation_id, body) == [], (operation_id, body)
    response = api.request(method, path, json=body)
    assert response.is_success, (operation_id, body, response.text)
    assert_conforms(operation_id, response)
    return response


def _allowed_values(field: dict[str, Any]) -> list[str]:
    allowed = field.get("allowedValues")
    if isinstance(allowed, dict):
        return list(allowed["listValues"])
    return list(allowed or [])


def test_listed_templates_can_be_read_and_sent(api: httpx.Client) -> None:
    sent = refused = 0
    for channel in _items(api, "listChannels", "/space/channel"):
        channel_id = channel["id"]
        listed = _items(api, "listTemplates", f"/space/channel/{channel_id}/template")
        managed = _items(api, "listWhatsappTemplates", f"/space/channel/{channel_id}/mtm")
        assert {t["id"] for t in managed} <= {t["id"] for t in listed}
        for template in listed:
            details = api.get(f"/space/mtm/{template['id']}")
            assert_conforms("getMessageTemplate", details)
            assert details.json()["data"]["name"] == template["name"]
            components = template.get("components") or []
            if isinstance(components, str):
                components = json.loads(components)
            body = {
                "channelId": channel_id,
                "message": {
                    "type": "whatsapp_template",
                    "template": {
                        "name": template["name"],
                        "languageCode": template["languageCode"],
                        "components": components,
                    },
                },
            }
            assert request_problems("sendMessage", body) == [], (template["id"], body)
            response = api.post("/contact/id:123/message", json=body)
            assert_conforms("sendMessage", response)
            if template.get("status") == "approved":
                assert response.status_code == 200, response.text
                sent += 1
            else:  # the description takes it; the API refuses an unapproved template
                assert response.status_code == 400, response.text
                refused += 1
    assert sent >= 3
    assert refused >= 1


def test_both_forms_of_components_are_served(api: httpx.Client) -> None:
    listed = _items(api, "listTemplates", "/space/channel/5501/template")
    assert {type(t["components"]).__name__ for t in listed} == {"list", "str"}


def test_listed_channels_take_messages(api: httpx.Client) -> None:
    for channel in _items(api, "listChannels", "/space/channel"):
        text = {"channelId": channel["id"], "message": {"type": "text", "text": "Hello"}}
        _accepted(api, "sendMessage", "POST", "/contact/id:123/message", text)
    for channel in _items(api, "listContactChannels", "/contact/id:123/channels"):
        response = api.get(f"/contact/id:123/channels/{channel['id']}")
        assert response.status_code == 200
        assert_conforms("getContactChannel", response)


def test_listed_fields_can_be_read_and_set(api: httpx.Client) -> None:
    fields = _items(api, "listCustomFields", "/space/custom_field")
    forms = {type(f.get("allowedValues")).__name__ for f in fields if f.get("dataType") == "list"}
    assert forms == {"dict"}  # {"listValues": [...]}, the form the vendor's n8n node reads
    for field in fields:
        response = api.get(f"/space/custom_field/{field['id']}")
        assert response.status_code == 200
        assert_conforms("getCustomField", response)
        if field.get("dataType") == "list":
            value: Any = _allowed_values(field)[-1]
        else:
            value = SAMPLE_VALUES[field["dataType"]]
        update = {"custom_fields": [{"name": field["slug"] or field["name"], "value": value}]}
        _accepted(api, "updateContact", "PUT", "/contact/id:123", update)
        stored = api.get("/contact/id:123").json()["custom_fields"]
        assert {"name": field["slug"], "value": value} in stored


def test_listed_contacts_can_be_addressed_and_written_back(api: httpx.Client) -> None:
    created = {"firstName": "Mei", "email": "mei@example.com", "phone": "+60111222333"}
    _accepted(api, "createContact", "POST", "/contact/email:mei@example.com", created)
    search: dict[str, Any] = {"filter": {"$and": []}}
    contacts = api.post("/contact/list", json=search, params={"limit": 100}).json()["items"]
    assert len(contacts) >= 2
    for contact in contacts:
        identifiers = [f"id:{contact['id']}"]
        identifiers += [f"{kind}:{contact[kind]}" for kind in ("email", "phone") if contact[kind]]
        for identifier in identifiers:
            assert parameter_problems("getContact", "identifier", identifier) == []
            response = api.get(f"/contact/{identifier}")
            assert response.status_code == 200
            assert response.json()["id"] == contact["id"]
        fields = {key: contact[key] for key in WRITABLE if contact.get(key) is not None}
        values = [f for f in contact["custom_fields"] or () if f["value"] is not None]
        if values:
            fields["custom_fields"] = values
        path = f"/contact/id:{contact['id']}"
        _accepted(api, "updateContact", "PUT", path, fields)
        _accepted(
            api,
            "createOrUpdateContact",
            "POST",
            f"/contact/create_or_update/id:{contact['id']}",
            fields,
        )
        if contact["tags"]:
            _accepted(api, "removeTags", "DELETE", f"{path}/tag", contact["tags"])
            _accepted(api, "addTags", "POST", f"{path}/tag", contact["tags"])


def test_listed_users_and_closing_notes_can_be_used(api: httpx.Client) -> None:
    path = "/contact/id:123/conversation"
    for user in _items(api, "listUsers", "/space/user"):
        for assignee in (user["id"], user["email"]):
            _accepted(api, "assignConversation", "POST", f"{path}/assignee", {"assignee": assignee})
    for note in _items(api, "listClosingNotes", "/space/closing_notes"):
        closing = {"status": "close", "category": note["category"]}
        _accepted(api, "updateConversationStatus", "POST", f"{path}/status", closing)
        _accepted(api, "updateConversationStatus", "POST", f"{path}/status", {"status": "open"})
