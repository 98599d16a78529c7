"""Models only answers carry read ``T | None``; models a request carries keep ``Unset``."""

from __future__ import annotations

from pathlib import Path

from chatapi_client.models import (
    Contact,
    ContactFields,
    ContactPage,
    CustomFieldValue,
    MessageRecord,
    SendMessageRequest,
    TextMessage,
)
from chatapi_client.types import UNSET
from chatapi_description import load_yaml
from generator.response_models import MARK, mark_response_models, response_only

ROOT = Path(__file__).resolve().parents[2]
SPEC = load_yaml(ROOT / "openapi" / "chatapi.yaml")


def test_response_only_schemas_are_those_no_request_reaches() -> None:
    found = response_only(SPEC)
    assert {"Contact", "ContactPage", "Pagination", "User", "CustomField", "Message"} <= found
    # Sent in requests too (sendMessage, createContact, updateContact...): not response-only.
    assert not {"ContactFields", "CustomFieldValue", "TextMessage", "ContactFilter"} & found


def test_the_mark_is_on_a_copy_and_reaches_inline_objects() -> None:
    marked = mark_response_models(SPEC)
    schemas = marked["components"]["schemas"]
    assert schemas["Contact"][MARK] is True
    assert schemas["ContactChannel"]["properties"]["meta"][MARK] is True
    assert MARK not in schemas["ContactFields"]
    assert MARK not in SPEC["components"]["schemas"]["Contact"]


def test_absent_and_null_both_read_none_in_a_response_model() -> None:
    assert Contact.__annotations__["email"] == "None | str"  # the generated annotation
    absent = Contact.from_dict({"id": 1, "firstName": "Aisha"})
    null = Contact.from_dict({"id": 1, "firstName": "Aisha", "email": None, "tags": None})
    for contact in (absent, null):
        assert contact.email is None
        assert contact.tags is None
        assert contact.to_dict() == {"id": 1, "firstName": "Aisha"}
    present = Contact.from_dict({"id": 1, "firstName": "A", "email": "a@b.co", "tags": ["vip"]})
    assert (present.email, present.tags) == ("a@b.co", ["vip"])
    assert present.to_dict() == {"id": 1, "firstName": "A", "email": "a@b.co", "tags": ["vip"]}
    page = ContactPage.from_dict({"items": []})
    assert page.pagination is None
    message = MessageRecord.from_dict(
        {"messageId": 1, "contactId": 2, "channelId": 3, "traffic": "outgoing",
         "message": {"type": "text", "text": "hi"}}
    )  # fmt: skip
    assert message.sender is None
    assert message.status is None


def test_request_models_keep_unset_apart_from_null() -> None:
    assert ContactFields().email is UNSET
    assert ContactFields().to_dict() == {}
    assert CustomFieldValue(name="plan", value=None).to_dict() == {"name": "plan", "value": None}
    assert CustomFieldValue(name="plan").to_dict() == {"name": "plan"}
    body = SendMessageRequest(message=TextMessage(text="hi"))
    assert body.channel_id is UNSET
    assert (
        SendMessageRequest(message=TextMessage(text="hi"), channel_id=None).to_dict()["channelId"]
        is None
    )
