"""Handlers of the ``space`` tag: the workspace's channels, templates, users, fields and tags."""

from __future__ import annotations

import re
from typing import Any

from .._seed import FIRST_IDS
from .._state import JSONObject
from ._call import ApiError, Call, Handler, Reply

__all__ = ["HANDLERS"]

_NOT_SLUG = re.compile(r"[^A-Za-z0-9_]+")


def _by_id(record: JSONObject) -> int:
    return int(record["id"])


def _sorted(records: dict[int, JSONObject]) -> list[JSONObject]:
    return [records[key] for key in sorted(records)]


def _listed(call: Call, records: dict[int, JSONObject]) -> Reply:
    """One page of ``records``, by id."""
    return Reply(call.page(_sorted(records), _by_id, dict))


def _one(records: dict[int, JSONObject], record_id: int, missing: str) -> JSONObject:
    """The record of ``record_id``; raises ApiError(404) with ``missing`` when there is none."""
    record = records.get(record_id)
    if record is None:
        raise ApiError(404, missing)
    return record


def list_channels(call: Call) -> Reply:
    """The workspace's channels."""
    return _listed(call, call.workspace.channels)


def _channel_templates(call: Call) -> list[JSONObject]:
    """The templates of the path's channel, by id; raises ApiError(404) for no such channel."""
    channel_id = call.path["channelId"]
    if channel_id not in call.workspace.channels:
        raise ApiError(404, "Channel not found.")
    return [t for t in _sorted(call.workspace.templates) if t["channelId"] == channel_id]


def list_templates(call: Call) -> Reply:
    """The message templates of one channel."""
    return Reply(call.page(_channel_templates(call), _by_id, dict))


def list_whatsapp_templates(call: Call) -> Reply:
    """The WhatsApp templates of one channel, from the template manager (none elsewhere)."""
    templates = _channel_templates(call)
    if "whatsapp" not in str(call.workspace.channels[call.path["channelId"]]["source"]):
        templates = []
    return Reply(call.page(templates, _by_id, dict))


def get_message_template(call: Call) -> Reply:
    """One template with its catalog's products, wrapped as ``{status, message, data}``."""
    template = _one(call.workspace.templates, call.path["templateId"], "Template not found.")
    data = {**template, "catalogProducts": list(template.get("catalogProducts", []))}
    return Reply({"status": "success", "message": "Template found.", "data": data})


def list_closing_notes(call: Call) -> Reply:
    """The closing notes; they have no id, so the cursor is the position (from 1)."""
    notes = list(enumerate(call.workspace.closing_notes, start=1))
    return Reply(call.page(notes, lambda entry: entry[0], lambda entry: dict(entry[1])))


def list_users(call: Call) -> Reply:
    """The workspace's users."""
    return _listed(call, call.workspace.users)


def get_user(call: Call) -> Reply:
    """One user."""
    return Reply(_one(call.workspace.users, call.path["id"], "User not found."))


def create_custom_field(call: Call) -> Reply:
    """Create a custom field; names and slugs are unique, lists need allowed values."""
    body: dict[str, Any] = call.body
    workspace = call.workspace
    if body["dataType"] == "list" and not body.get("allowedValues"):
        raise ApiError(400, "allowedValues is required for a list field.")
    field_id = workspace.next_id("custom_field", FIRST_IDS["custom_field"])
    slug = body.get("slug") or _NOT_SLUG.sub("_", body["name"]).strip("_").lower()
    slug = slug or f"field_{field_id}"
    for existing in workspace.custom_fields.values():
        if existing["name"].lower() == body["name"].lower() or existing["slug"] == slug:
            raise ApiError(400, f"A custom field named {body['name']!r} or {slug!r} exists.")
    # As the vendor's clients read a field: a description always ("" when none), and the
    # values of a list field wrapped as the n8n node reads them; other fields have none.
    definition = {
        **body,  # every declared field, answered back as written; the rules below win
        "id": field_id,
        "name": body["name"],
        "slug": slug,
        "description": body.get("description") or "",
        "dataType": body["dataType"],
    }
    if body["dataType"] == "list":
        definition["allowedValues"] = {"listValues": list(body["allowedValues"])}
    else:
        definition.pop("allowedValues", None)  # null or given for a non-list field: none
    workspace.custom_fields[field_id] = definition
    return Reply(dict(definition))


def get_custom_field(call: Call) -> Reply:
    """One custom field."""
    fields = call.workspace.custom_fields
    return Reply(_one(fields, call.path["id"], "Custom field not found."))


def list_custom_fields(call: Call) -> Reply:
    """The workspace's custom fields."""
    return _listed(call, call.workspace.custom_fields)


_TAG_DETAILS = ("description", "colorCode", "emoji")


def create_tag(call: Call) -> Reply:
    """Create a workspace tag; names are unique."""
    name = call.body["name"]
    if name in call.workspace.tags:
        raise ApiError(400, f"Tag {name!r} already exists.")
    tag: JSONObject = {"id": call.workspace.next_id("tag", FIRST_IDS["tag"]), "name": name}
    tag.update({key: call.body[key] for key in _TAG_DETAILS if key in call.body})
    call.workspace.tags[name] = tag
    return Reply(dict(tag))


def update_tag(call: Call) -> Reply:
    """Rename a tag (on every contact too) or change its details."""
    tags = call.workspace.tags
    current, new = call.body["currentName"], call.body.get("name", call.body["currentName"])
    tag = tags.get(current)
    if tag is None:
        raise ApiError(404, "Tag not found.")
    if new != current:
        if new in tags:
            raise ApiError(400, f"Tag {new!r} already exists.")
        del tags[current]
        tags[new] = tag
        tag["name"] = new
        for contact in call.workspace.contacts.values():
            contact.tags = [new if t == current else t for t in contact.tags]
    tag.update({key: call.body[key] for key in _TAG_DETAILS if key in call.body})
    return Reply(dict(tag))


def delete_tag(call: Call) -> Reply:
    """Delete a tag and remove it from every contact."""
    name = call.body["name"]
    if call.workspace.tags.pop(name, None) is None:
        raise ApiError(404, "Tag not found.")
    for contact in call.workspace.contacts.values():
        contact.tags = [t for t in contact.tags if t != name]
    return Reply({"code": 200, "message": "Tag deleted successfully!"})


HANDLERS: dict[str, Handler] = {
    "listChannels": list_channels,
    "listTemplates": list_templates,
    "listWhatsappTemplates": list_whatsapp_templates,
    "getMessageTemplate": get_message_template,
    "listClosingNotes": list_closing_notes,
    "listUsers": list_users,
    "getUser": get_user,
    "createCustomField": create_custom_field,
    "getCustomField": get_custom_field,
    "listCustomFields": list_custom_fields,
    "createTag": create_tag,
    "updateTag": update_tag,
    "deleteTag": delete_tag,
}
