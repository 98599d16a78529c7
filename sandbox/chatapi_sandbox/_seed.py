"""What a new workspace holds: a few channels, users, templates, closing notes, fields, tags.

The records echo the description's examples (contact 123, channel 5501, user 42, message
987654), so an example copied from the docs works against a fresh sandbox. Ids of records
created later start well above the seeded ones.

Everything listed can be sent back: template components are in lower case, as
``sendMessage`` takes them (and as the vendor's n8n integration reads them), and where the
description allows two forms both are served (a template's ``components`` as a list and as
a JSON string). The records have what the vendor's clients type as always there: a
template's ``botId``, a user's last name, a field's ``description`` (``""`` when none); a
list field's values come as ``{"listValues": [...]}``, the form the n8n node offers
values from, and other fields have no ``allowedValues``.
"""

from __future__ import annotations

from ._state import Contact, JSONObject, Message, Workspace

__all__ = ["FIRST_IDS", "seed"]

FIRST_IDS = {"contact": 1001, "message": 1_000_001, "custom_field": 401, "tag": 101}
"""The first id handed out for each kind of record created through the API."""

_CREATED = 1_700_000_000  # when the seeded workspace was set up, in Unix seconds
_PHOTO = "https://files.example.com/parcel-sample.jpg"
_TRACKING = "https://track.example.com/"
_WHATSAPP_ACCOUNT = 1_234_567_890  # the platform account the seeded templates belong to


def _by_id(*records: JSONObject) -> dict[int, JSONObject]:
    return {int(record["id"]): record for record in records}


def seed(workspace: Workspace) -> None:
    """Fill an empty ``workspace`` with the seed records."""
    workspace.channels = _by_id(
        {"id": 5501, "name": "Support WhatsApp", "source": "whatsapp_cloud"},
        {"id": 5502, "name": "Website chat", "source": "custom_channel"},
        {"id": 5503, "name": "Support email", "source": "gmail"},
    )
    for offset, channel in enumerate(workspace.channels.values()):
        channel["created_at"] = _CREATED + 100 * offset
    workspace.templates = _by_id(
        {
            "id": 901,
            "name": "order_update",
            "channelId": 5501,
            "languageCode": "en",
            "category": "UTILITY",
            "status": "approved",
            "components": [{"type": "body", "text": "Your order {{1}} has shipped."}],
        },
        {
            "id": 902,
            "name": "order_update",
            "channelId": 5501,
            "languageCode": "pt_BR",
            "category": "UTILITY",
            "status": "approved",
            "components": [{"type": "body", "text": "Seu pedido {{1}} foi enviado."}],
        },
        {
            "id": 903,
            "name": "spring_sale",
            "channelId": 5501,
            "languageCode": "en",
            "category": "MARKETING",
            "status": "pending",
            # Some real answers carry the components JSON-encoded; keep one like that.
            "components": '[{"type": "body", "text": "Spring sale: {{1}} off."}]',
        },
        {
            "id": 904,
            "name": "delivery_photo",
            "channelId": 5501,
            "languageCode": "en",
            "category": "UTILITY",
            "status": "approved",
            "components": [
                {"type": "header", "format": "image", "example": {"header_handle": [_PHOTO]}},
                {"type": "body", "text": "Hi {{1}}, your parcel {{2}} has arrived."},
                {"type": "footer", "text": "Reply STOP to opt out."},
                {
                    "type": "buttons",
                    "buttons": [
                        {"type": "url", "text": "Track parcel", "url": _TRACKING + "{{1}}"}
                    ],
                },
            ],
        },
        {
            "id": 905,
            "name": "spring_catalog",
            "channelId": 5501,
            "languageCode": "en",
            "category": "MARKETING",
            "status": "approved",
            "components": [
                {"type": "body", "text": "Our spring collection is here."},
                {"type": "buttons", "buttons": [{"type": "catalog", "text": "View catalog"}]},
            ],
            "catalogProducts": [
                {
                    "id": "7001",
                    "retailer_id": "SKU-RAIN-01",
                    "name": "Rain jacket",
                    "description": "Light and waterproof.",
                    "price": "129.00",
                    "currency": "MYR",
                    "availability": "in stock",
                    "image_url": "https://shop.example.com/rain-jacket.jpg",
                }
            ],
        },
    )
    for template in workspace.templates.values():
        template.setdefault("namespace", "b1c2d3e4_5f6a_7b8c")
        template.setdefault("botId", _WHATSAPP_ACCOUNT)
    team = {"id": 7, "name": "Support"}
    workspace.users = _by_id(
        {
            "id": 42,
            "firstName": "Lee",
            "lastName": "Wong",
            "email": "lee@example.com",
            "role": "agent",
            "team": team,
            "restrictions": ["restrict_data_export"],
        },
        {
            "id": 43,
            "firstName": "Nur",
            "lastName": "Aziz",
            "email": "nur@example.com",
            "role": "manager",
            "team": None,
            "restrictions": [],
        },
        {
            "id": 44,
            "firstName": "Sam",
            "lastName": "Tan",
            "email": "sam@example.com",
            "role": "owner",
            "team": None,
            "restrictions": [],
        },
    )
    workspace.closing_notes = [
        {"category": "Resolved", "description": "The customer's request was handled."},
        {"category": "Spam", "description": None},
        {"category": "No response", "description": "The customer stopped answering."},
    ]
    workspace.custom_fields = _by_id(
        {
            "id": 301,
            "name": "Order count",
            "slug": "order_count",
            "description": "",
            "dataType": "number",
        },
        {
            "id": 302,
            "name": "Plan",
            "slug": "plan",
            "description": "The customer's subscription plan.",
            "dataType": "list",
            "allowedValues": {"listValues": ["free", "pro"]},
        },
        {
            "id": 303,
            "name": "Source",
            "slug": "source",
            "description": "Where the contact first came from.",
            "dataType": "list",
            "allowedValues": {"listValues": ["website", "referral", "event"]},
        },
        {
            "id": 304,
            "name": "Newsletter",
            "slug": "newsletter",
            "description": "",
            "dataType": "checkbox",
        },
        {
            "id": 305,
            "name": "Birthday",
            "slug": "birthday",
            "description": "",
            "dataType": "date",
        },
    )
    workspace.tags = {
        "vip": {
            "id": 77,
            "name": "vip",
            "description": "High-value customers",
            "colorCode": "#FF5733",
            "emoji": "⭐",
        }
    }
    workspace.add_contact(
        Contact(
            id=123,
            first_name="Aisha",
            last_name="Rahman",
            phone="+60123456789",
            email="aisha@example.com",
            language="en",
            country_code="MY",
            tags=["vip"],
            assignee_id=42,
            lifecycle="Customer",
            created_at=_CREATED + 1000,
            custom_fields={"order_count": 3},
        )
    )
    for message in (
        Message(
            id=987654,
            contact_id=123,
            channel_id=5501,
            traffic="outgoing",
            content={"type": "text", "text": "Your order has shipped."},
            created_at=_CREATED + 2000,
            status=[
                {"value": "sent", "timestamp": _CREATED + 2000},
                {"value": "delivered", "timestamp": _CREATED + 2002},
            ],
            sender={"source": "api"},
        ),
        Message(
            id=987655,
            contact_id=123,
            channel_id=5501,
            traffic="incoming",
            content={"type": "text", "text": "Thanks!"},
            created_at=_CREATED + 2100,
        ),
    ):
        workspace.add_message(message)
