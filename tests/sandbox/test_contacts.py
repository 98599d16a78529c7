"""Contacts keep a consistent state across every contact operation."""

from __future__ import annotations

import httpx
import pytest

from ._helpers import assert_conforms, error_message

NEW = {"firstName": "Bo", "lastName": "Tan", "email": "bo@example.com", "language": "en"}


def _create(api: httpx.Client, identifier: str = "phone%3A%2B60111222333") -> int:
    response = api.post(f"/contact/{identifier}", json=NEW)
    assert response.status_code == 200
    assert_conforms("createContact", response)
    found = api.get(f"/contact/{identifier}")
    assert found.status_code == 200
    contact_id = found.json()["id"]
    assert isinstance(contact_id, int)
    return contact_id


def test_a_created_contact_is_found_by_id_email_and_phone(api: httpx.Client) -> None:
    contact_id = _create(api)
    for identifier in (
        f"id:{contact_id}",
        f"id%3A{contact_id}",
        "email:bo@example.com",
        "email%3Abo%40example.com",
        "phone:+60111222333",
        "phone%3A%2B60111222333",
    ):
        response = api.get(f"/contact/{identifier}")
        assert response.status_code == 200, identifier
        assert_conforms("getContact", response)
        body = response.json()
        assert body["id"] == contact_id
        assert (body["firstName"], body["phone"], body["email"]) == (
            "Bo",
            "+60111222333",
            "bo@example.com",
        )


def test_create_contact_refuses_an_id_identifier_and_a_duplicate(api: httpx.Client) -> None:
    assert api.post("/contact/id:5", json=NEW).status_code == 400
    _create(api)
    again = api.post("/contact/phone:+60111222333", json=NEW)
    assert again.status_code == 400
    assert "already exists" in error_message(again)


def test_update_changes_only_the_given_fields_all_or_nothing(api: httpx.Client) -> None:
    contact_id = _create(api)
    update = {"lastName": "Lim", "custom_fields": [{"name": "order_count", "value": 4}]}
    response = api.put(f"/contact/id:{contact_id}", json=update)
    assert response.status_code == 200
    assert response.json() == {"contactId": contact_id}
    assert_conforms("updateContact", response)
    body = api.get(f"/contact/id:{contact_id}").json()
    assert (body["firstName"], body["lastName"]) == ("Bo", "Lim")
    assert body["custom_fields"] == [{"name": "order_count", "value": 4}]

    unknown = {"lastName": "Ng", "custom_fields": [{"name": "no_such_field", "value": 1}]}
    refused = api.put(f"/contact/id:{contact_id}", json=unknown)
    assert refused.status_code == 400
    assert "no_such_field" in error_message(refused)
    assert api.get(f"/contact/id:{contact_id}").json()["lastName"] == "Lim"


def test_tags_are_added_once_and_removed(api: httpx.Client) -> None:
    contact_id = _create(api)
    added = api.post(f"/contact/id:{contact_id}/tag", json=["vip", "new-tag", "vip"])
    assert added.status_code == 200
    assert_conforms("addTags", added)
    assert api.get(f"/contact/id:{contact_id}").json()["tags"] == ["vip", "new-tag"]
    removed = api.request("DELETE", f"/contact/id:{contact_id}/tag", json=["vip", "absent"])
    assert removed.status_code == 200
    assert_conforms("removeTags", removed)
    assert api.get(f"/contact/id:{contact_id}").json()["tags"] == ["new-tag"]


def test_lifecycle_is_set_and_cleared(api: httpx.Client) -> None:
    contact_id = _create(api)
    response = api.post(f"/contact/id:{contact_id}/lifecycle/update", json={"name": "Lead"})
    assert response.status_code == 200
    assert_conforms("updateContactLifecycle", response)
    assert api.get(f"/contact/id:{contact_id}").json()["lifecycle"] == "Lead"
    api.post(f"/contact/id:{contact_id}/lifecycle/update", json={"name": None})
    assert api.get(f"/contact/id:{contact_id}").json()["lifecycle"] is None


def test_a_deleted_contact_is_gone_with_its_messages(api: httpx.Client) -> None:
    contact_id = _create(api)
    sent = api.post(
        f"/contact/id:{contact_id}/message", json={"message": {"type": "text", "text": "x"}}
    )
    message_id = sent.json()["messageId"]
    deleted = api.delete(f"/contact/id:{contact_id}")
    assert deleted.status_code == 200
    assert deleted.json() == {"contactId": contact_id}
    assert_conforms("deleteContact", deleted)
    for path in (f"/contact/id:{contact_id}", f"/contact/id:{contact_id}/message/{message_id}"):
        gone = api.get(path)
        assert gone.status_code == 404
        assert error_message(gone) == "Contact not found."
    assert api.delete(f"/contact/id:{contact_id}").status_code == 404


def test_merge_keeps_the_first_fills_its_gaps_and_moves_the_history(api: httpx.Client) -> None:
    kept = _create(api, "email:kept@example.com")
    api.put(f"/contact/id:{kept}", json={"email": "kept@example.com"})
    merged_response = api.post("/contact/phone:+60999888777", json={"firstName": "Old"})
    assert merged_response.status_code == 200
    merged = api.get("/contact/phone:+60999888777").json()["id"]
    api.post(f"/contact/id:{merged}/tag", json=["from-merged"])
    message = api.post(
        f"/contact/id:{merged}/message", json={"message": {"type": "text", "text": "x"}}
    )

    response = api.post("/contact/merge", json={"contactIds": [kept, merged], "lastName": "Merged"})
    assert response.status_code == 200
    assert response.json() == {"contactId": kept}
    assert_conforms("mergeContacts", response)
    body = api.get(f"/contact/id:{kept}").json()
    assert (body["firstName"], body["lastName"], body["phone"]) == ("Bo", "Merged", "+60999888777")
    assert "from-merged" in body["tags"]
    assert api.get(f"/contact/id:{merged}").status_code == 404
    moved = api.get(f"/contact/id:{kept}/message/{message.json()['messageId']}")
    assert moved.status_code == 200
    assert moved.json()["contactId"] == kept


def test_merge_refuses_one_contact_twice_and_unknown_contacts(api: httpx.Client) -> None:
    assert api.post("/contact/merge", json={"contactIds": [123, 123]}).status_code == 400
    missing = api.post("/contact/merge", json={"contactIds": [123, 99999]})
    assert missing.status_code == 404
    assert error_message(missing) == "Contact 99999 not found."


def test_create_or_update_creates_then_updates_keeping_the_first_name(api: httpx.Client) -> None:
    created = api.post(
        "/contact/create_or_update/email%3Anew%40example.com", json={"firstName": "A"}
    )
    assert created.status_code == 200
    assert_conforms("createOrUpdateContact", created)
    contact_id = created.json()["contactId"]
    updated = api.post(
        "/contact/create_or_update/email:new@example.com",
        json={"firstName": "B", "countryCode": "SG"},
    )
    assert updated.json() == {"contactId": contact_id}
    body = api.get(f"/contact/id:{contact_id}").json()
    assert (body["firstName"], body["countryCode"]) == ("A", "SG")
    unknown_id = api.post("/contact/create_or_update/id:424242", json={"firstName": "C"})
    assert unknown_id.status_code == 404


def test_create_or_update_needs_a_first_name_only_to_create(api: httpx.Client) -> None:
    update = api.post("/contact/create_or_update/phone:+60123456789", json={"lastName": "Tan"})
    assert update.json() == {"contactId": 123}
    assert api.get("/contact/id:123").json()["lastName"] == "Tan"
    create = api.post("/contact/create_or_update/email:nobody@example.com", json={"lastName": "X"})
    assert create.status_code == 400
    assert error_message(create) == "firstName is required to create a contact."
    assert api.get("/contact/email:nobody@example.com").status_code == 404


def test_list_contacts_searches_filters_and_pages(api: httpx.Client) -> None:
    for index in range(3):
        api.post(f"/contact/email:p{index}@example.com", json={"firstName": f"Page{index}"})
    api.post("/contact/id:123/tag", json=["gold"])

    everyone = api.post("/contact/list", params={"limit": 2}, json={"filter": {"$and": []}})
    assert everyone.status_code == 200
    assert_conforms("listContacts", everyone)
    page = everyone.json()
    assert [c["id"] for c in page["items"]] == [123, 1001]
    assert page["pagination"]["previous"] == ""
    rest = api.post(page["pagination"]["next"], json={"filter": {"$and": []}}).json()
    assert [c["id"] for c in rest["items"]] == [1002, 1003]
    assert rest["pagination"]["next"] == ""
    assert rest["pagination"]["previous"].endswith("/contact/list?limit=2")

    searched = api.post("/contact/list", json={"search": "page1", "filter": {"$or": []}}).json()
    assert [c["firstName"] for c in searched["items"]] == ["Page1"]
    condition = {
        "category": "contactTag",
        "field": "tags",
        "operator": "hasAnyOf",
        "value": ["gold"],
    }
    tagged = api.post("/contact/list", json={"filter": {"$and": [condition]}}).json()
    assert [c["id"] for c in tagged["items"]] == [123]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            {
                "category": "contactField",
                "field": "firstName",
                "operator": "isEqualTo",
                "value": "aisha",
            },
            [123],
        ),
        ({"category": "contactField", "field": "email", "operator": "exists"}, [123]),
        ({"category": "contactField", "field": "lastName", "operator": "doesNotExist"}, [1001]),
        ({"category": "lifecycle", "operator": "isEqualTo", "value": "Customer"}, [123]),
        (
            {
                "category": "contactField",
                "field": "created_at",
                "operator": "isTimestampAfter",
                "value": "2020-01-01T00:00:00",
            },
            [123, 1001],
        ),
        (
            {
                "category": "contactField",
                "field": "created_at",
                "operator": "isTimestampBefore",
                "value": "not a date",
            },
            [],
        ),
        (
            {
                "category": "contactField",
                "field": "assigneeUserId",
                "operator": "isEqualTo",
                "value": "42",
            },
            [123],
        ),
    ],
)
def test_list_contacts_filter_operators(
    api: httpx.Client, condition: dict[str, object], expected: list[int]
) -> None:
    api.post("/contact/phone:+6500000001", json={"firstName": "Nobody"})
    response = api.post("/contact/list", json={"filter": {"$and": [condition]}})
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == expected
