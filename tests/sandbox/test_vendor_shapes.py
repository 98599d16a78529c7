"""Answers shaped as the vendor's own clients type them, so those clients take them as they are.

Each shape is what the vendor's TypeScript SDK declares (``src/types/space.ts``,
``src/types/contact.ts``, its contact tests) or what its n8n node reads (the custom-field
resource mapping reads ``allowedValues.listValues`` only); the description allows both the
shape served and the others.
"""

from __future__ import annotations

from typing import Any

import httpx

from ._helpers import assert_conforms


def _items(api: httpx.Client, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get(path, params={"limit": 100}).json()["items"]
    return items


def test_seeded_templates_carry_a_bot_id(api: httpx.Client) -> None:
    for path in ("/space/channel/5501/template", "/space/channel/5501/mtm"):
        templates = _items(api, path)
        assert templates
        assert all(isinstance(t.get("botId"), int) for t in templates), path


def test_seeded_users_have_a_last_name(api: httpx.Client) -> None:
    users = _items(api, "/space/user")
    assert len(users) >= 3
    assert all(isinstance(u["lastName"], str) and u["lastName"] for u in users)


def test_seeded_fields_have_a_description_and_list_values_wrapped(api: httpx.Client) -> None:
    fields = _items(api, "/space/custom_field")
    lists = [f for f in fields if f["dataType"] == "list"]
    assert len(lists) >= 2
    for field in fields:
        assert isinstance(field["description"], str), field
        if field["dataType"] == "list":
            values = field["allowedValues"]["listValues"]
            assert values, field
            assert all(isinstance(v, str) for v in values), field
        else:
            assert "allowedValues" not in field, field


def test_a_field_created_without_description_or_slug_answers_as_the_sdk_types_it(
    api: httpx.Client,
) -> None:
    body = {"name": "Loyalty points", "dataType": "number", "slug": None, "allowedValues": None}
    created = api.post("/space/custom_field", json=body)
    assert created.status_code == 200, created.text
    assert_conforms("createCustomField", created)
    field = created.json()
    assert field["description"] == ""
    assert field["slug"] == "loyalty_points"  # null slug: derived from the name
    assert "allowedValues" not in field
    assert api.get(f"/space/custom_field/{field['id']}").json() == field


def test_a_list_field_created_from_a_bare_array_is_served_wrapped(api: httpx.Client) -> None:
    body = {"name": "Region", "dataType": "list", "allowedValues": ["north", "south"]}
    created = api.post("/space/custom_field", json=body)
    assert created.status_code == 200, created.text
    assert created.json()["allowedValues"] == {"listValues": ["north", "south"]}
    refused = api.post(
        "/space/custom_field", json={"name": "Tier", "dataType": "list", "allowedValues": None}
    )
    assert refused.status_code == 400


def test_create_contact_answers_code_as_a_string(api: httpx.Client) -> None:
    body = {"firstName": "Bo", "email": "bo.vendor@example.com"}
    created = api.post("/contact/email:bo.vendor@example.com", json=body)
    assert created.status_code == 200
    assert_conforms("createContact", created)
    assert created.json()["code"] == "200"


def test_a_contact_channel_without_meta_leaves_it_out(api: httpx.Client) -> None:
    sent = api.post("/contact/id:123/message", json={"message": {"type": "text", "text": "hi"}})
    assert sent.status_code == 200
    channels = _items(api, "/contact/id:123/channels")
    assert channels
    assert all("meta" not in channel for channel in channels)
