"""Handlers of the ``conversation`` tag: assign a contact's conversation, open or close it."""

from __future__ import annotations

from typing import Any

from .._state import Workspace
from ._call import ApiError, Call, Handler, Reply

__all__ = ["HANDLERS"]


def _user_id(workspace: Workspace, assignee: Any) -> int:
    """The id of the user given by id or email address; raises ApiError(404) if unknown."""
    if isinstance(assignee, str) and assignee.isdigit():
        assignee = int(assignee)
    for user in workspace.users.values():
        if assignee == user["id"] or (
            isinstance(assignee, str) and assignee.lower() == str(user["email"]).lower()
        ):
            return int(user["id"])
    raise ApiError(404, "User not found.")


def assign_conversation(call: Call) -> Reply:
    """Assign the conversation to a user, or unassign it with null."""
    contact = call.contact()
    assignee = call.body["assignee"]
    user_id = None if assignee is None else _user_id(call.workspace, assignee)
    # As the API does: a closed conversation keeps no assignee, and that is not an error.
    contact.assignee_id = None if contact.status == "close" else user_id
    return Reply({"contactId": contact.id})


def update_conversation_status(call: Call) -> Reply:
    """Open or close the conversation."""
    contact = call.contact()
    contact.status = call.body["status"]
    return Reply({"contactId": contact.id})


HANDLERS: dict[str, Handler] = {
    "assignConversation": assign_conversation,
    "updateConversationStatus": update_conversation_status,
}
