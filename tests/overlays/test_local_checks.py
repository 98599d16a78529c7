"""What the client refuses before a rate-limited call, and the sentences that say what to do.

A mock transport counts what would have gone out: a refusal must send nothing.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest

import chatapi
from chatapi import InvalidRequestError, OutcomeUnknownError, ServerError
from chatapi._errors import RequestInfo
from chatapi._outcome import check_call
from chatapi_client.models import (
    ContactFields,
    ContactFilter,
    ContactListRequest,
    FilterCondition,
    SendMessageRequest,
    TextMessage,
)
from chatapi_client.operations import INDEX

from .fakes import TOKEN, FakeClock

PAGE = {"items": [], "pagination": {"next": "", "previous": ""}}


class Recorder:
    """A transport answering every request with ``answer``, keeping what it was sent."""

    def __init__(self, answer: Any) -> None:
        self.sent: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(200, json=self.answer)


def client_for(recorder: Recorder) -> chatapi.ChatAPI:
    return chatapi.ChatAPI(TOKEN, transport=httpx.MockTransport(recorder), clock=FakeClock())


def listing(contact_filter: ContactFilter) -> ContactListRequest:
    return ContactListRequest(filter_=contact_filter)


# --- contact filters ------------------------------------------------------------------


def test_the_helpers_build_the_filters_the_api_documents() -> None:
    assert chatapi.all_contacts().to_dict() == {"$and": []}
    vip = chatapi.tag_is_any_of("vip", "gold")
    named = chatapi.field_equals("firstName", "Aisha")
    tag = {"category": "contactTag", "field": "tags", "operator": "hasAnyOf"}
    field = {"category": "contactField", "field": "firstName", "operator": "isEqualTo"}
    assert chatapi.all_of(vip, named).to_dict() == {
        "$and": [{**tag, "value": ["vip", "gold"]}, {**field, "value": "Aisha"}]
    }
    assert chatapi.any_of(vip).to_dict()["$or"][0]["value"] == ["vip", "gold"]


@pytest.mark.parametrize(
    "build",
    [lambda: chatapi.tag_is_any_of(), lambda: chatapi.tag_is_any_of(" "), lambda: chatapi.any_of()],
)
def test_a_helper_refuses_what_would_match_nothing(build: Any) -> None:
    with pytest.raises(ValueError, match=r"e\.g\.|all_contacts"):
        build()


def test_an_empty_filter_is_refused_locally_with_what_to_write() -> None:
    recorder = Recorder(PAGE)
    with client_for(recorder) as client, pytest.raises(InvalidRequestError) as caught:
        client.contacts.list(body=listing(ContactFilter())).first_page()
    assert recorder.sent == []
    assert "chatapi.all_contacts()" in str(caught.value)
    assert "ContactFilter(and_=[])" in str(caught.value)
    assert "nothing was sent" in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("value", ["unset", None, [], ""])
def test_a_tag_condition_without_a_value_is_refused(value: Any) -> None:
    condition = FilterCondition(category="contactTag", field="tags", operator="hasAnyOf")
    if value != "unset":
        condition.value = value
    recorder = Recorder(PAGE)
    with client_for(recorder) as client, pytest.raises(InvalidRequestError) as caught:
        client.contacts.list(body=listing(ContactFilter(or_=[condition]))).first_page()
    assert recorder.sent == []
    assert "would match no contact" in str(caught.value)
    assert 'chatapi.tag_is_any_of("vip")' in str(caught.value)


@pytest.mark.parametrize(
    "contact_filter",
    [
        chatapi.all_contacts(),
        chatapi.all_of(chatapi.tag_is_any_of("vip")),
        ContactFilter(and_=[FilterCondition(category="contactTag", operator="exists")]),
    ],
)
def test_filters_the_api_accepts_go_out_as_built(contact_filter: ContactFilter) -> None:
    recorder = Recorder(PAGE)
    with client_for(recorder) as client:
        client.contacts.list(body=listing(contact_filter)).first_page()
    (request,) = recorder.sent
    assert json.loads(request.content)["filter"] == contact_filter.to_dict()


# --- identifiers and patterned fields -------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "example"),
    [
        ("phone:60123456789", "phone:+60123456789"),  # no +: not E.164
        ("phone:+60 12345", "phone:+60123456789"),
        ("email:aisha", "email:aisha@example.com"),
        ("id:abc", "id:123"),
        ("60123456789", "id:123"),
    ],
)
def test_a_bad_identifier_is_refused_with_an_example_of_its_kind(
    identifier: str, example: str
) -> None:
    recorder = Recorder({"messageId": 1})
    body = SendMessageRequest(message=TextMessage(text="hi"))
    with client_for(recorder) as client, pytest.raises(InvalidRequestError) as caught:
        client.messaging.send(identifier, body=body)
    assert recorder.sent == []
    assert caught.value.field == "identifier"
    assert f"use e.g. {example}" in str(caught.value)
    assert "(E.164)" in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        (ContactFields(phone="0123456789"), "$.phone", "E.164 form, e.g. `+60123456789`"),
        (ContactFields(email="aisha.example.com"), "$.email", "e.g. `aisha@example.com`"),
        (ContactFields(country_code="my"), "$.countryCode", "such as `MY`"),
    ],
)
def test_a_patterned_body_field_is_refused_with_its_description(
    fields: ContactFields, field: str, words: str
) -> None:
    recorder = Recorder({"contactId": 1})
    with client_for(recorder) as client, pytest.raises(InvalidRequestError) as caught:
        client.contacts.update("id:123", body=fields)
    assert recorder.sent == []
    assert caught.value.field == field
    assert words in str(caught.value)


def _template_at(latitude: Any, longitude: Any = "101.6869") -> SendMessageRequest:
    """A WhatsApp template message whose one header parameter is a location."""
    location = {"latitude": latitude, "longitude": longitude, "name": "KL", "address": "KL"}
    parameter: dict[str, Any] = {"type": "location", "location": location}
    template = {"name": "order_update", "languageCode": "en"}
    template["components"] = [{"type": "header", "parameters": [parameter]}]  # type: ignore[assignment]
    return SendMessageRequest.from_dict(
        {"message": {"type": "whatsapp_template", "template": template}}
    )


def test_a_pattern_inside_a_union_is_refused_with_its_description() -> None:
    # The message is a oneOf of kinds, the coordinate a oneOf of a number and a decimal
    # string: the one branch the value meant fails only on its pattern.
    recorder = Recorder({"messageId": 1})
    with client_for(recorder) as client, pytest.raises(InvalidRequestError) as caught:
        client.messaging.send("id:123", body=_template_at("north"))
    assert recorder.sent == []
    where = "$.message.template.components[0].parameters[0].location.latitude"
    assert caught.value.field == where
    assert '"north" is not accepted by the API: Latitude in degrees' in str(caught.value)
    assert "use e.g. 3.139" in str(caught.value)


@pytest.mark.parametrize("latitude", [3.139, "3.139", "-0.5"])
def test_coordinates_as_numbers_or_decimal_strings_go_out(latitude: Any) -> None:
    recorder = Recorder({"messageId": 1})
    with client_for(recorder) as client:
        client.messaging.send("id:123", body=_template_at(latitude))
    assert (
        json.loads(recorder.sent[0].content)["message"]["template"]["components"][0]["parameters"][
            0
        ]["location"]["latitude"]
        == latitude
    )


def test_a_union_whose_shape_is_wrong_is_left_to_the_server() -> None:
    # Beside the bad latitude, a longitude of the wrong type (neither branch of its union
    # fits): the message's shape is wrong, not only a pattern, so the local check has no
    # sentence to add and the server's 400 says what is wrong.
    recorder = Recorder({"messageId": 1})
    with client_for(recorder) as client:
        client.messaging.send("id:123", body=_template_at("north", longitude=True))
    assert len(recorder.sent) == 1


@pytest.mark.parametrize("limit", [0, 101, 500])
def test_a_limit_out_of_range_is_refused_with_the_range(limit: int) -> None:
    recorder = Recorder(PAGE)
    with client_for(recorder) as client, pytest.raises(InvalidRequestError) as caught:
        client.messaging.list("id:123", limit=limit).first_page()
    assert recorder.sent == []
    assert caught.value.field == "limit"
    assert f"limit {limit} is not accepted" in str(caught.value)
    assert "1 to 100" in str(caught.value)


def test_a_limit_in_range_goes_out() -> None:
    recorder = Recorder(PAGE)
    with client_for(recorder) as client:
        client.messaging.list("id:123", limit=100).first_page()
    assert recorder.sent[0].url.params["limit"] == "100"


def test_valid_identifiers_and_fields_go_out() -> None:
    recorder = Recorder({"contactId": 1})
    fields = ContactFields(phone="+60123456789", email="aisha@example.com", country_code="MY")
    with client_for(recorder) as client:
        for identifier in ("id:123", "email:aisha@example.com", "phone:+60123456789"):
            client.contacts.update(identifier, body=fields)
    assert len(recorder.sent) == 3


def test_identifier_helpers_build_what_the_api_accepts() -> None:
    assert chatapi.contact_phone("+60 12-345 6789") == "phone:+60123456789"
    assert chatapi.contact_phone("(+60) 123.456.789") == "phone:+60123456789"
    assert chatapi.contact_email(" aisha@example.com ") == "email:aisha@example.com"
    assert chatapi.contact_id(123) == "id:123"
    with pytest.raises(ValueError, match=r"E\.164 .*use e\.g\. phone:\+60123456789"):
        chatapi.contact_phone("0123 456 789")
    with pytest.raises(ValueError, match=r"use e\.g\. email:aisha@example\.com"):
        chatapi.contact_email("aisha")
    with pytest.raises(ValueError, match=r"use e\.g\. id:123"):
        chatapi.contact_id(-1)
    with pytest.raises(TypeError):
        chatapi.contact_id(True)


# --- errors that say the next step -----------------------------------------------------------


def _unknown(method: str, path: str) -> OutcomeUnknownError:
    request = httpx.Request(method, f"https://api.chatapi.net/v2{path}")
    info = RequestInfo.of(request)
    return OutcomeUnknownError(ServerError(502, "bad gateway", request=info))


def test_outcome_unknown_names_the_call_that_tells() -> None:
    error = _unknown("POST", "/contact/phone%3A%2B60123456789/message")
    assert "Call client.messaging.list('phone:+60123456789') to see whether it took effect" in str(
        error
    )
    tags = _unknown("POST", "/contact/id%3A7/tag")
    assert "client.contacts.get('id:7')" in str(tags)
    field = _unknown("POST", "/space/custom_field")
    assert "client.space.list_custom_fields()" in str(field)


def test_outcome_unknown_without_a_read_still_says_what_to_do() -> None:
    error = _unknown("POST", "/contact/merge")
    assert "Check whether it took effect before sending it again." in str(error)


def test_every_write_that_can_be_read_back_names_a_method_of_the_client() -> None:
    client = chatapi.ChatAPI(TOKEN)
    named = 0
    for operation in INDEX.operations:
        if operation.method == "GET":
            continue
        path = operation.path.replace("{identifier}", "id%3A1")
        call = check_call(operation.method, "/v2" + path)
        if call is None:
            continue
        resource, method = call.split("(")[0].split(".")[1:]
        assert callable(getattr(getattr(client, resource), method)), call
        named += 1
    assert named >= 10


@pytest.mark.parametrize(
    ("make", "caller"),
    [
        (lambda: chatapi.ChatAPI(), "chatapi.ChatAPI(token=...)"),
        (lambda: chatapi.AsyncChatAPI(), "chatapi.AsyncChatAPI(token=...)"),
        (lambda: chatapi.connect(), "chatapi.connect(token=...)"),
    ],
)
def test_the_missing_token_error_names_what_was_called(
    make: Any, caller: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHATAPI_TOKEN", raising=False)
    assert "CHATAPI_TOKEN" not in os.environ
    with pytest.raises(ValueError, match="no API token") as caught:
        make()
    assert caller in str(caught.value)
    assert "CHATAPI_TOKEN" in str(caught.value)
