"""A WhatsApp template's location: coordinates sent as numbers or numeric strings, kept as numbers.

The vendor's TypeScript SDK types ``latitude`` and ``longitude`` as strings
(``src/types/message.ts``, ``TemplateParameter.location``); the description takes both on
requests (``OutgoingTemplateLocation``) and answers numbers (``TemplateLocation``). Both
forms go through the raw API and through the generated Python client.

The vendor's n8n node (1.3.6, pinned in package.json) asks for a location header's fields as
strings (``classMethods/resourceMapping.js``) but builds no location parameter from them: its
``getWhatsappTemplateMessage`` (``constants/actions/messages/index.js``) sends text, media and
button parameters only. So no n8n conformance scenario sends a location.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import chatapi
import chatapi_sandbox
from chatapi_client.models import (
    OutgoingTemplateComponent,
    OutgoingTemplateLocation,
    OutgoingTemplateParameter,
    OutgoingTemplateReference,
    OutgoingWhatsAppTemplateMessage,
    SendMessageRequest,
    TemplateLocation,
    WhatsAppTemplateMessage,
)

from ._helpers import ACME_1, SteppedClock, _schemas, assert_conforms, error_message

CONTACT = "id:123"
WHATSAPP_CHANNEL = 5501
TEMPLATE = "order_update"  # approved on the WhatsApp channel in the seed
RECORDED = "#/components/schemas/WhatsAppTemplateMessage"


def _template(latitude: Any, longitude: Any) -> dict[str, Any]:
    location = {"name": "Office", "latitude": latitude, "longitude": longitude}
    return {
        "type": "whatsapp_template",
        "template": {
            "name": TEMPLATE,
            "languageCode": "en",
            "components": [
                {
                    "type": "header",
                    "format": "location",
                    "parameters": [{"type": "location", "location": location}],
                }
            ],
        },
    }


def _location(message: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = message["template"]["components"][0]["parameters"][0]["location"]
    return location


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("3.139", "-101.6869"), (3.139, -101.6869), ("3", 101.6869)],
    ids=["strings", "numbers", "mixed"],
)
def test_coordinates_sent_either_way_are_answered_as_numbers(
    api: httpx.Client, latitude: Any, longitude: Any
) -> None:
    body = {"channelId": WHATSAPP_CHANNEL, "message": _template(latitude, longitude)}
    sent = api.post(f"/contact/{CONTACT}/message", json=body)
    assert sent.status_code == 200, sent.text
    assert_conforms("sendMessage", sent)

    fetched = api.get(f"/contact/{CONTACT}/message/{sent.json()['messageId']}")
    assert_conforms("getMessage", fetched)
    message = fetched.json()["message"]
    # A known WhatsApp template, not only the UnknownMessage catch-all.
    assert _schemas().problem(RECORDED, message, "the message") is None
    location = _location(message)
    assert location == {
        "name": "Office",
        "latitude": float(latitude),
        "longitude": float(longitude),
    }
    assert all(type(location[key]) is not str for key in ("latitude", "longitude"))


@pytest.mark.parametrize("latitude", ["north", "3,139", "1e3", "", " 3.1"])
def test_a_coordinate_string_that_is_not_a_decimal_is_refused(
    api: httpx.Client, latitude: str
) -> None:
    body = {"channelId": WHATSAPP_CHANNEL, "message": _template(latitude, 101.5)}
    refused = api.post(f"/contact/{CONTACT}/message", json=body)
    assert refused.status_code == 400, refused.text
    assert_conforms("sendMessage", refused)
    # A string is taken, so the refusal is about its form, not its type.
    assert "location.latitude does not match the pattern" in error_message(refused)


@pytest.fixture
def client(sandbox: chatapi_sandbox.Sandbox, clock: SteppedClock) -> Iterator[chatapi.ChatAPI]:
    """The Python client on the sandbox, its own limiter off; tests step the sandbox's clock."""
    with chatapi.ChatAPI(
        ACME_1,
        base_url=sandbox.base_url,
        rate_limit=False,
        max_retries=0,
    ) as api:
        yield api


def _python_message(latitude: float | str, longitude: float | str) -> SendMessageRequest:
    location = OutgoingTemplateLocation(latitude=latitude, longitude=longitude, name="Office")
    parameter = OutgoingTemplateParameter(type_="location", location=location)
    header = OutgoingTemplateComponent(type_="header", format_="location", parameters=[parameter])
    reference = OutgoingTemplateReference(name=TEMPLATE, language_code="en", components=[header])
    message = OutgoingWhatsAppTemplateMessage(template=reference)
    return SendMessageRequest(message=message, channel_id=WHATSAPP_CHANNEL)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("3.139", "-101.6869"), (3.139, -101.6869)],
    ids=["strings", "numbers"],
)
def test_the_python_client_sends_either_form_and_reads_numbers(
    client: chatapi.ChatAPI, clock: SteppedClock, latitude: float | str, longitude: float | str
) -> None:
    sent = client.messaging.send(CONTACT, body=_python_message(latitude, longitude))
    clock.advance(1.0)
    record = client.messaging.get(CONTACT, sent.message_id)
    assert isinstance(record.message, WhatsAppTemplateMessage)
    components = record.message.template.components
    assert isinstance(components, list)
    parameters = components[0].parameters
    assert isinstance(parameters, list)
    location = parameters[0].location
    assert isinstance(location, TemplateLocation)
    assert (location.latitude, location.longitude) == (3.139, -101.6869)
    assert isinstance(location.latitude, float)
