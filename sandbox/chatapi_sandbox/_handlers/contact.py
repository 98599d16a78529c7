"""Handlers of the ``contact`` tag: create, read, update, merge, tag and delete contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._seed import FIRST_IDS
from .._state import WRITABLE_FIELDS, Contact, Workspace
from ._call import ApiError, Call, Handler, Reply
from ._filters import matches

__all__ = ["HANDLERS"]

# Request fields that say what to do rather than what the contact is.
_NOT_CONTACT_FIELDS = frozenset({"custom_fields", "contactIds"})


def _changes(
    workspace: Workspace, fields: Mapping[str, Any], *, contact_ids: tuple[int, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The attribute and custom-field changes ``fields`` asks for, checked before any is made.

    Raises:
        ApiError: 400 for an unknown custom field, or an email address or phone number that
            belongs to a contact other than ``contact_ids``.
    """
    changes: dict[str, Any] = {
        ours: fields[api] for api, ours in WRITABLE_FIELDS.items() if api in fields
    }
    # Any other field the request declares is kept under its own name and answered back.
    extra = {
        api: value
        for api, value in fields.items()
        if api not in WRITABLE_FIELDS and api not in _NOT_CONTACT_FIELDS
    }
    if extra:
        changes["extra"] = extra
    for attribute in ("email", "phone"):
        owner = workspace.owner_of(attribute, changes.get(attribute))
        if owner is not None and owner not in contact_ids:
            raise ApiError(400, f"Another contact (id:{owner}) already has this {attribute}.")
    custom: dict[str, Any] = {}
    for entry in fields.get("custom_fields") or ():
        slug = workspace.custom_field_slug(entry["name"])
        if slug is None:
            raise ApiError(400, f"Unknown custom field {entry['name']!r}.")
        custom[slug] = entry.get("value")
    return changes, custom


def _apply(
    workspace: Workspace, contact: Contact, changes: Mapping[str, Any], custom: Mapping[str, Any]
) -> None:
    workspace.change_contact(contact, changes)
    for slug, value in custom.items():
        if value is None:
            contact.custom_fields.pop(slug, None)  # null clears the field
        else:
            contact.custom_fields[slug] = value


def _create(call: Call, identifier: str, fields: Mapping[str, Any]) -> Contact:
    """A new contact addressed by ``email:`` or ``phone:``; the identifier wins over the body."""
    kind, _, value = identifier.partition(":")
    fields = {**fields, kind: value}
    changes, custom = _changes(call.workspace, fields)
    contact_id = call.workspace.next_id("contact", FIRST_IDS["contact"])
    contact = Contact(id=contact_id, first_name=fields["firstName"], created_at=call.now)
    call.workspace.add_contact(contact)
    _apply(call.workspace, contact, changes, custom)
    call.tally.contacts_created += 1
    return contact


def get_contact(call: Call) -> Reply:
    """The contact."""
    return Reply(call.workspace.contact_json(call.contact()))


def create_contact(call: Call) -> Reply:
    """Create a contact; 400 if the address or number is taken."""
    identifier = call.path["identifier"]
    if call.workspace.find_contact(identifier) is not None:
        raise ApiError(400, f"A contact with {identifier} already exists.")
    _create(call, identifier, call.body)
    # A string, as the vendor's SDK fixtures show createContact's answer.
    return Reply({"code": "200", "message": "Contact added successfully!"})


def update_contact(call: Call) -> Reply:
    """Change the given fields; all or nothing."""
    contact = call.contact()
    changes, custom = _changes(call.workspace, call.body, contact_ids=(contact.id,))
    _apply(call.workspace, contact, changes, custom)
    return Reply({"contactId": contact.id})


def delete_contact(call: Call) -> Reply:
    """Delete the contact with its messages and comments."""
    contact = call.contact()
    call.workspace.delete_contact(contact)
    call.tally.contacts_deleted += 1
    return Reply({"contactId": contact.id})


def merge_contacts(call: Call) -> Reply:
    """Merge the second contact into the first: fill its gaps, move its history, delete it."""
    kept_id, merged_id = call.body["contactIds"]
    if kept_id == merged_id:
        raise ApiError(400, "contactIds must name two different contacts.")
    workspace = call.workspace
    kept, merged = workspace.contacts.get(kept_id), workspace.contacts.get(merged_id)
    if kept is None or merged is None:
        raise ApiError(404, f"Contact {kept_id if kept is None else merged_id} not found.")
    changes, custom = _changes(workspace, call.body, contact_ids=(kept_id, merged_id))
    gaps = {
        attribute: getattr(merged, attribute)
        for attribute in WRITABLE_FIELDS.values()
        if getattr(kept, attribute) is None
    }
    workspace.change_contact(kept, gaps)
    kept.extra = {**merged.extra, **kept.extra}
    kept.tags += [tag for tag in merged.tags if tag not in kept.tags]
    kept.custom_fields = {**merged.custom_fields, **kept.custom_fields}
    kept.lifecycle = kept.lifecycle or merged.lifecycle
    kept.assignee_id = kept.assignee_id or merged.assignee_id
    workspace.move_messages(merged_id, kept_id)
    for comment in workspace.comments:
        if comment["contactId"] == merged_id:
            comment["contactId"] = kept_id
    workspace.remove_contact(merged)
    # The merged contact's address is free only now, so overrides are applied last.
    _apply(workspace, kept, changes, custom)
    call.tally.contacts_deleted += 1
    return Reply({"contactId": kept_id})


def create_or_update_contact(call: Call) -> Reply:
    """Update the contact if it exists (keeping its first name and email), else create it.

    Creating needs ``firstName``; updating does not (the vendor's n8n node leaves it out).
    """
    identifier = call.path["identifier"]
    contact = call.workspace.find_contact(identifier)
    if contact is None:
        if identifier.startswith("id:"):
            raise ApiError(404, "Contact not found.")
        if "firstName" not in call.body:
            raise ApiError(400, "firstName is required to create a contact.")
        contact = _create(call, identifier, call.body)
        return Reply({"contactId": contact.id})
    changes, custom = _changes(call.workspace, call.body, contact_ids=(contact.id,))
    # The API keeps some existing values rather than overwriting them.
    for attribute in ("first_name", "email"):
        if getattr(contact, attribute) is not None:
            changes.pop(attribute, None)
    _apply(call.workspace, contact, changes, custom)
    return Reply({"contactId": contact.id})


def add_tags(call: Call) -> Reply:
    """Add tags to the contact, creating workspace tags that do not exist yet."""
    contact = call.contact()
    workspace = call.workspace
    for name in call.body:
        if name not in workspace.tags:
            tag_id = workspace.next_id("tag", FIRST_IDS["tag"])
            workspace.tags[name] = {"id": tag_id, "name": name}
        if name not in contact.tags:
            contact.tags.append(name)
    return Reply({"contactId": contact.id})


def remove_tags(call: Call) -> Reply:
    """Remove tags from the contact; tags it does not carry are ignored."""
    contact = call.contact()
    contact.tags = [tag for tag in contact.tags if tag not in call.body]
    return Reply({"contactId": contact.id})


def list_contact_channels(call: Call) -> Reply:
    """The channels the contact has messages on."""
    channels = call.workspace.contact_channels(call.contact())
    return Reply(call.page(channels, lambda c: int(c["id"]), dict))


def get_contact_channel(call: Call) -> Reply:
    """One channel the contact has messages on."""
    for channel in call.workspace.contact_channels(call.contact()):
        if channel["id"] == call.path["channelId"]:
            return Reply(channel)
    raise ApiError(404, "Channel not found for this contact.")


def list_contacts(call: Call) -> Reply:
    """The contacts matching the search and filter, by id."""
    workspace = call.workspace
    found = [c for _, c in sorted(workspace.contacts.items()) if matches(c, call.body)]
    return Reply(call.page(found, lambda c: c.id, workspace.contact_json))


def update_contact_lifecycle(call: Call) -> Reply:
    """Set the contact's lifecycle stage, or clear it with null."""
    contact = call.contact()
    contact.lifecycle = call.body["name"]
    return Reply({"code": 200, "message": "Lifecycle updated successfully!"})


HANDLERS: dict[str, Handler] = {
    "getContact": get_contact,
    "createContact": create_contact,
    "updateContact": update_contact,
    "deleteContact": delete_contact,
    "mergeContacts": merge_contacts,
    "createOrUpdateContact": create_or_update_contact,
    "addTags": add_tags,
    "removeTags": remove_tags,
    "listContactChannels": list_contact_channels,
    "getContactChannel": get_contact_channel,
    "listContacts": list_contacts,
    "updateContactLifecycle": update_contact_lifecycle,
}
