"""Handlers of the ``comment`` tag: internal notes on a contact's conversation."""

from __future__ import annotations

from ._call import Call, Handler, Reply

__all__ = ["HANDLERS"]


def create_comment(call: Call) -> Reply:
    """Store a comment on the contact's conversation and answer it back."""
    contact = call.contact()
    comment = {"contactId": contact.id, "text": call.body["text"], "created_at": call.now}
    call.workspace.comments.append(comment)
    call.tally.comments_created += 1
    return Reply(dict(comment))


HANDLERS: dict[str, Handler] = {"createComment": create_comment}
