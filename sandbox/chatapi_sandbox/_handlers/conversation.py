"""Handlers of the ``conversation`` tag: assign a contact's conversation, open or close it."""

from __future__ import annotations

from typing import Any

from .._numbers import ascii_digits, bounded_int
from .._state import Workspace
from ._call import ApiError, Call, Handler, Reply

__all__ = ["HANDLERS"]


def _user_id(workspace: Workspace, assignee: Any) -> int:
    """The id of the user given by id or email address.

    A string of ASCII digits is an id; any other string without ``@`` that holds a digit
    (``"\u00b9"``, full-width ``"\uff14\uff12"``) is neither an id nor an address.

    Raises:
        ApiError: 400 for such a string, 404 for a user that does not exist.
    """
    if isinstance(assignee, str):
        if ascii_digits(assignee):
            assignee = bounded_int(assignee)  # None (no such user) when absurdly long
        elif "@" not in assignee and any(c.isdigit() or c.isnumeric() for c in assignee):
            raise ApiError(400, "assignee must be a user id in ASCII digits or an email address.")
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
