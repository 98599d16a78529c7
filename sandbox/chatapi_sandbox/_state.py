"""The in-memory workspace of one organization: contacts, messages and workspace settings.

Records keep the API's own field names where they are plain JSON (channels, users, ...);
contacts and messages, which handlers change, are small dataclasses that render their JSON.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["WRITABLE_FIELDS", "Contact", "JSONObject", "Message", "Workspace"]

JSONObject = dict[str, Any]

WRITABLE_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "phone": "phone",
    "email": "email",
    "language": "language",
    "profilePic": "profile_pic",
    "countryCode": "country_code",
}
"""The writable contact fields: the API's name (as ``ContactFields`` spells it) to ours."""


@dataclass
class Contact:
    """A contact; ``custom_fields`` maps a field's slug to its value."""

    id: int
    first_name: str
    created_at: int
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    language: str | None = None
    profile_pic: str | None = None
    country_code: str | None = None
    status: str = "open"
    tags: list[str] = field(default_factory=list)
    assignee_id: int | None = None
    lifecycle: str | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Message:
    """A message exchanged with a contact; ``content`` is the message object as sent."""

    id: int
    contact_id: int
    channel_id: int
    traffic: str
    content: JSONObject
    created_at: int
    status: list[JSONObject] | None = None
    sender: JSONObject | None = None

    def to_json(self) -> JSONObject:
        """The message as ``getMessage`` answers it."""
        data: JSONObject = {
            "messageId": self.id,
            "channelMessageId": f"sandbox.{self.id}",
            "contactId": self.contact_id,
            "channelId": self.channel_id,
            "traffic": self.traffic,
            "message": self.content,
        }
        if self.status is not None:
            data["status"] = self.status
        if self.sender is not None:
            data["sender"] = self.sender
        return data


class Workspace:
    """Everything one organization's tokens see and change."""

    def __init__(self) -> None:
        """An empty workspace; ``_seed.seed`` fills it."""
        self.contacts: dict[int, Contact] = {}
        self.messages: dict[int, Message] = {}
        self.comments: list[JSONObject] = []
        self.channels: dict[int, JSONObject] = {}
        self.templates: dict[int, JSONObject] = {}
        self.users: dict[int, JSONObject] = {}
        self.closing_notes: list[JSONObject] = []
        self.custom_fields: dict[int, JSONObject] = {}
        self.tags: dict[str, JSONObject] = {}
        self._ids: dict[str, Iterator[int]] = {}

    def next_id(self, kind: str, start: int) -> int:
        """A new id for a record of ``kind``; the first one is ``start``."""
        return next(self._ids.setdefault(kind, itertools.count(start)))

    # Contacts ----------------------------------------------------------------------------

    def find_contact(self, identifier: str) -> Contact | None:
        """The contact addressed as ``id:<n>``, ``email:<address>`` or ``phone:+<digits>``."""
        kind, _, value = identifier.partition(":")
        if kind == "id":
            return self.contacts.get(int(value)) if value.isdigit() else None
        for contact in self.contacts.values():
            if kind == "email" and (contact.email or "").lower() == value.lower():
                return contact
            if kind == "phone" and contact.phone == value:
                return contact
        return None

    def owner_of(self, attribute: str, value: str | None) -> int | None:
        """The id of the contact whose ``email`` or ``phone`` is ``value``, if any."""
        if value is None:
            return None
        for contact in self.contacts.values():
            current = getattr(contact, attribute)
            if attribute == "email":
                current, value = (current or "").lower(), value.lower()
            if current == value:
                return contact.id
        return None

    def custom_field_slug(self, name: str) -> str | None:
        """The slug of the custom field called ``name`` (by slug or display name)."""
        for definition in self.custom_fields.values():
            if name in (definition["slug"], definition["name"]):
                return str(definition["slug"])
        return None

    def contact_json(self, contact: Contact) -> JSONObject:
        """The contact as ``getContact`` answers it."""
        assignee = None
        if contact.assignee_id is not None:
            user = self.users.get(contact.assignee_id, {"id": contact.assignee_id})
            assignee = {
                "id": user["id"],
                "firstName": user.get("firstName"),
                "lastName": user.get("lastName"),
                "email": user.get("email"),
            }
        return {
            "id": contact.id,
            "firstName": contact.first_name,
            "lastName": contact.last_name,
            "phone": contact.phone,
            "email": contact.email,
            "language": contact.language,
            "profilePic": contact.profile_pic,
            "countryCode": contact.country_code,
            "status": contact.status,
            "tags": list(contact.tags),
            "assignee": assignee,
            "lifecycle": contact.lifecycle,
            "created_at": contact.created_at,
            "custom_fields": [
                {"name": slug, "value": value} for slug, value in contact.custom_fields.items()
            ],
        }

    def contact_channels(self, contact: Contact) -> list[JSONObject]:
        """The channels the contact has messages on, by channel id, as ContactChannel."""
        found: dict[int, JSONObject] = {}
        for message in sorted(self.messages.values(), key=lambda m: m.id):
            if message.contact_id != contact.id or message.channel_id not in self.channels:
                continue
            channel = self.channels[message.channel_id]
            entry = found.setdefault(
                channel["id"],
                {
                    "id": channel["id"],
                    "contactChannelId": contact.id * 100_000 + channel["id"],
                    "name": channel["name"],
                    "source": channel["source"],
                    "meta": None,
                    "created_at": message.created_at,
                },
            )
            entry["lastMessageTime"] = message.created_at
            if message.traffic == "incoming":
                entry["lastIncomingMessageTime"] = message.created_at
        return [found[key] for key in sorted(found)]

    def delete_contact(self, contact: Contact) -> None:
        """Remove the contact with its messages and comments."""
        del self.contacts[contact.id]
        self.messages = {k: m for k, m in self.messages.items() if m.contact_id != contact.id}
        self.comments = [c for c in self.comments if c["contactId"] != contact.id]
