"""Handlers of the ``messaging`` tag: send, read and list a contact's messages."""

from __future__ import annotations

import copy

from .._seed import FIRST_IDS
from .._state import JSONObject, Message
from ._call import ApiError, Call, Handler, Reply

__all__ = ["HANDLERS"]


def send_message(call: Call) -> Reply:
    """Store an outgoing message on the given channel, or on the contact's last one."""
    contact = call.contact()
    workspace = call.workspace
    channel_id = call.body.get("channelId")
    if channel_id is None:
        last = workspace.last_message_of(contact.id)
        channel_id = last.channel_id if last is not None else min(workspace.channels)
    elif channel_id not in workspace.channels:
        raise ApiError(404, f"Channel {channel_id} not found.")
    content = call.body["message"]
    if content["type"] in ("whatsapp_template", "facebook_template"):
        wanted = content["template"]
        templates = [
            t
            for t in workspace.templates.values()
            if t["channelId"] == channel_id
            and t["name"] == wanted["name"]
            and t["languageCode"] == wanted["languageCode"]
        ]
        if not templates:
            # What the API answers for a template approved by Meta but not synced yet.
            raise ApiError(404, f"Template {wanted['name']} ({wanted['languageCode']}) not found.")
        if templates[0]["status"] != "approved":
            raise ApiError(400, f"Template {wanted['name']} is {templates[0]['status']}.")
    message_id = workspace.next_id("message", FIRST_IDS["message"])
    workspace.add_message(
        Message(
            id=message_id,
            contact_id=contact.id,
            channel_id=channel_id,
            traffic="outgoing",
            content=_as_recorded(content),
            created_at=call.now,
            status=[{"value": "sent", "timestamp": call.now}],
            sender={"source": "api"},
        )
    )
    call.tally.messages_stored += 1
    return Reply({"messageId": message_id, "contactId": contact.id})


def _as_recorded(content: JSONObject) -> JSONObject:
    """The message as the server records it: a WhatsApp template's coordinates as numbers.

    ``OutgoingTemplateLocation`` takes a latitude or longitude as a number or a numeric
    string (the request validator has checked the string's digits); ``getMessage`` answers
    the ``TemplateLocation`` of a ``WhatsAppTemplateMessage``, whose coordinates are numbers.
    """
    if content["type"] != "whatsapp_template":
        return content
    recorded = copy.deepcopy(content)
    for component in recorded["template"].get("components") or ():
        for parameter in component.get("parameters") or ():
            location = parameter.get("location")
            if not isinstance(location, dict):
                continue
            for key in ("latitude", "longitude"):
                if isinstance(location.get(key), str):
                    location[key] = float(location[key])
    return recorded


def get_message(call: Call) -> Reply:
    """One message of the contact."""
    contact = call.contact()
    message = call.workspace.messages.get(call.path["messageId"])
    if message is None or message.contact_id != contact.id:
        raise ApiError(404, "Message not found.")
    return Reply(message.to_json())


def list_messages(call: Call) -> Reply:
    """The contact's messages, newest first."""
    contact = call.contact()
    messages = call.workspace.messages_of(contact.id)[::-1]
    return Reply(call.page(messages, lambda m: m.id, Message.to_json, descending=True))


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "getMessage": get_message,
    "listMessages": list_messages,
}
