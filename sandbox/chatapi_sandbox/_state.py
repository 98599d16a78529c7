"""The in-memory workspace of one organization: contacts, messages and workspace settings.

Records keep the API's own field names where they are plain JSON (channels, users, ...);
contacts and messages, which handlers change, are small dataclasses that render their JSON.
Contacts are indexed by email address and phone number, messages by contact, so that no
lookup scans the whole workspace: contacts and messages are therefore read from the dicts
but changed only through the workspace's methods, which keep the indexes true.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._numbers import bounded_int

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
    # Fields the description declares that no attribute above holds, by their API names:
    # stored and answered back as written, so a new field needs no change here.
    extra: JSONObject = field(default_factory=dict)


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
        self._messages_of: dict[int, dict[int, Message]] = {}  # by contact id, then id
        self._by_email: dict[str, int] = {}  # lower-cased address to contact id
        self._by_phone: dict[str, int] = {}
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

    def _index(self, contact: Contact) -> None:
        if contact.email:
            self._by_email[contact.email.lower()] = contact.id
        if contact.phone:
            self._by_phone[contact.phone] = contact.id

    def _unindex(self, contact: Contact) -> None:
        # Only entries that point to this contact: during a merge, the kept contact may
        # already have taken over the merged one's address.
        if contact.email and self._by_email.get(contact.email.lower()) == contact.id:
            del self._by_email[contact.email.lower()]
        if contact.phone and self._by_phone.get(contact.phone) == contact.id:
            del self._by_phone[contact.phone]

    def add_contact(self, contact: Contact) -> None:
        """Store a new contact."""
        self.contacts[contact.id] = contact
        self._index(contact)

    def change_contact(self, contact: Contact, changes: Mapping[str, Any]) -> None:
        """Set the contact's attributes (our names, e.g. ``email``) to the given values.

        ``extra`` holds other fields by their API names; they are merged into ``Contact.extra``.
        """
        self._unindex(contact)
        for attribute, value in changes.items():
            if attribute == "extra":
                contact.extra.update(value)
            else:
                setattr(contact, attribute, value)
        self._index(contact)

    def remove_contact(self, contact: Contact) -> None:
        """Forget the contact, leaving its messages and comments where they are."""
        self._unindex(contact)
        del self.contacts[contact.id]

    def find_contact(self, identifier: str) -> Contact | None:
        """The contact addressed as ``id:<n>``, ``email:<address>`` or ``phone:+<digits>``."""
        kind, _, value = identifier.partition(":")
        found: int | None = None
        if kind == "id":
            found = bounded_int(value)  # None for anything but plain, not absurdly long digits
        elif kind == "email":
            found = self._by_email.get(value.lower())
        elif kind == "phone":
            found = self._by_phone.get(value)
        return None if found is None else self.contacts.get(found)

    def owner_of(self, attribute: str, value: str | None) -> int | None:
        """The id of the contact whose ``email`` or ``phone`` is ``value``, if any."""
        if value is None:
            return None
        if attribute == "email":
            return self._by_email.get(value.lower())
        return self._by_phone.get(value)

    # Messages ----------------------------------------------------------------------------

    def add_message(self, message: Message) -> None:
        """Store a message."""
        self.messages[message.id] = message
        self._messages_of.setdefault(message.contact_id, {})[message.id] = message

    def messages_of(self, contact_id: int) -> list[Message]:
        """The contact's messages, oldest (lowest id) first."""
        return sorted(self._messages_of.get(contact_id, {}).values(), key=lambda m: m.id)

    def last_message_of(self, contact_id: int) -> Message | None:
        """The contact's newest (highest id) message, if any."""
        own = self._messages_of.get(contact_id)
        return own[max(own)] if own else None

    def move_messages(self, from_contact: int, to_contact: int) -> None:
        """Give every message of one contact to another (a merge)."""
        moved = self._messages_of.pop(from_contact, {})
        for message in moved.values():
            message.contact_id = to_contact
        self._messages_of.setdefault(to_contact, {}).update(moved)

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
            **contact.extra,
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
        for message in self.messages_of(contact.id):
            if message.channel_id not in self.channels:
                continue
            channel = self.channels[message.channel_id]
            entry = found.setdefault(
                channel["id"],
                {
                    "id": channel["id"],
                    "contactChannelId": contact.id * 100_000 + channel["id"],
                    "name": channel["name"],
                    "source": channel["source"],
                    "created_at": message.created_at,
                },
            )
            entry["lastMessageTime"] = message.created_at
            if message.traffic == "incoming":
                entry["lastIncomingMessageTime"] = message.created_at
        return [found[key] for key in sorted(found)]

    def delete_contact(self, contact: Contact) -> None:
        """Remove the contact with its messages and comments."""
        self.remove_contact(contact)
        for message_id in self._messages_of.pop(contact.id, {}):
            del self.messages[message_id]
        self.comments = [c for c in self.comments if c["contactId"] != contact.id]
