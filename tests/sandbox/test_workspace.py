"""The workspace: channels, templates, closing notes, users, custom fields and tags."""

from __future__ import annotations

import httpx
import pytest

from ._helpers import assert_conforms, error_message


@pytest.mark.parametrize(
    ("operation_id", "path", "first"),
    [
        ("listChannels", "/space/channel", 5501),
        ("listUsers", "/space/user", 42),
        ("listCustomFields", "/space/custom_field", 301),
        ("listTemplates", "/space/channel/5501/template", 901),
        ("listWhatsappTemplates", "/space/channel/5501/mtm", 901),
    ],
)
def test_seeded_lists_page_by_id(
    api: httpx.Client, operation_id: str, path: str, first: int
) -> None:
    response = api.get(path, params={"limit": 1})
    assert response.status_code == 200
    assert_conforms(operation_id, response)
    page = response.json()
    assert [item["id"] for item in page["items"]] == [first]
    assert f"cursorId={first}" in page["pagination"]["next"]
    second = api.get(page["pagination"]["next"]).json()
    assert second["items"][0]["id"] > first
    assert second["pagination"]["previous"].endswith(f"{path}?limit=1")


def test_closing_notes_page_by_position(api: httpx.Client) -> None:
    response = api.get("/space/closing_notes", params={"limit": 2})
    assert_conforms("listClosingNotes", response)
    page = response.json()
    assert [n["category"] for n in page["items"]] == ["Resolved", "Spam"]
    rest = api.get(page["pagination"]["next"]).json()
    assert [n["category"] for n in rest["items"]] == ["No response"]
    assert rest["pagination"]["next"] == ""


def test_templates_of_an_unknown_channel_are_not_found(api: httpx.Client) -> None:
    response = api.get("/space/channel/1/template")
    assert response.status_code == 404
    assert_conforms("listTemplates", response)
    empty = api.get("/space/channel/5502/template").json()
    assert empty == {"items": [], "pagination": {"next": "", "previous": ""}}


def test_the_template_manager_lists_whatsapp_channels_only(api: httpx.Client) -> None:
    whatsapp = api.get("/space/channel/5501/mtm", params={"limit": 100}).json()["items"]
    assert [t["id"] for t in whatsapp] == [901, 902, 903, 904, 905]
    website = api.get("/space/channel/5502/mtm")
    assert website.json() == {"items": [], "pagination": {"next": "", "previous": ""}}
    unknown = api.get("/space/channel/1/mtm")
    assert unknown.status_code == 404
    assert_conforms("listWhatsappTemplates", unknown)


def test_a_template_is_read_with_its_catalog(api: httpx.Client) -> None:
    response = api.get("/space/mtm/905")
    assert response.status_code == 200
    assert_conforms("getMessageTemplate", response)
    body = response.json()
    assert body["status"] == "success"
    assert body["data"]["name"] == "spring_catalog"
    assert [p["retailer_id"] for p in body["data"]["catalogProducts"]] == ["SKU-RAIN-01"]
    assert api.get("/space/mtm/901").json()["data"]["catalogProducts"] == []
    missing = api.get("/space/mtm/1")
    assert missing.status_code == 404
    assert error_message(missing) == "Template not found."


def test_users_are_found_by_id(api: httpx.Client) -> None:
    response = api.get("/space/user/42")
    assert response.status_code == 200
    assert_conforms("getUser", response)
    assert response.json()["email"] == "lee@example.com"
    missing = api.get("/space/user/4242")
    assert missing.status_code == 404
    assert error_message(missing) == "User not found."


def test_custom_fields_are_created_found_and_listed(api: httpx.Client) -> None:
    body = {"name": "Shoe size", "dataType": "number", "description": "EU sizes"}
    created = api.post("/space/custom_field", json=body)
    assert created.status_code == 200
    assert_conforms("createCustomField", created)
    field = created.json()
    assert (field["slug"], field["dataType"]) == ("shoe_size", "number")
    fetched = api.get(f"/space/custom_field/{field['id']}")
    assert fetched.json() == field
    listed = api.get("/space/custom_field").json()
    assert field in listed["items"]
    # The new field can now be set on a contact.
    update = {"custom_fields": [{"name": "Shoe size", "value": 42}]}
    assert api.put("/contact/id:123", json=update).status_code == 200
    assert {"name": "shoe_size", "value": 42} in api.get("/contact/id:123").json()["custom_fields"]


def test_custom_field_rules(api: httpx.Client) -> None:
    no_values = api.post("/space/custom_field", json={"name": "Tier", "dataType": "list"})
    assert no_values.status_code == 400
    assert "allowedValues" in error_message(no_values)
    duplicate = api.post("/space/custom_field", json={"name": "plan", "dataType": "text"})
    assert duplicate.status_code == 400
    assert api.get("/space/custom_field/999").status_code == 404


def test_tags_are_created_renamed_everywhere_and_deleted(api: httpx.Client) -> None:
    created = api.post("/space/tag", json={"name": "gold", "colorCode": "tag-blue"})
    assert created.status_code == 200
    assert_conforms("createTag", created)
    assert created.json()["colorCode"] == "tag-blue"
    assert api.post("/space/tag", json={"name": "gold"}).status_code == 400
    api.post("/contact/id:123/tag", json=["gold"])

    renamed = api.put("/space/tag", json={"currentName": "gold", "name": "platinum", "emoji": "💎"})
    assert renamed.status_code == 200
    assert_conforms("updateTag", renamed)
    assert renamed.json()["name"] == "platinum"
    assert api.get("/contact/id:123").json()["tags"] == ["vip", "platinum"]
    assert api.put("/space/tag", json={"currentName": "platinum", "name": "vip"}).status_code == 400
    assert api.put("/space/tag", json={"currentName": "gold"}).status_code == 404

    deleted = api.request("DELETE", "/space/tag", json={"name": "platinum"})
    assert deleted.status_code == 200
    assert_conforms("deleteTag", deleted)
    assert api.get("/contact/id:123").json()["tags"] == ["vip"]
    assert api.request("DELETE", "/space/tag", json={"name": "platinum"}).status_code == 404


def test_organizations_have_separate_workspaces(
    api: httpx.Client, raw_globex: httpx.Client
) -> None:
    api.post("/contact/email:acme-only@example.com", json={"firstName": "A"})
    assert api.get("/contact/email:acme-only@example.com").status_code == 200
    assert raw_globex.get("/contact/email:acme-only@example.com").status_code == 404
    assert raw_globex.get("/contact/id:123").status_code == 200  # each is seeded alike
