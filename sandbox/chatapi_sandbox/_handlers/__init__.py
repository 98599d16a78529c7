"""The handlers, one module per tag of the description, keyed by operationId.

Which operations exist, and their paths, methods and limits, is the description's business:
the app refuses to start on a handler whose operation the description lacks, and answers an
operation without a handler from the description's examples ("example-only").
"""

from __future__ import annotations

from collections.abc import Mapping

from . import comment, contact, conversation, messaging, space
from ._call import ApiError, Call, Handler, Reply

__all__ = ["HANDLERS", "ApiError", "Call", "Handler", "Reply"]


def _merge(*tables: Mapping[str, Handler]) -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for table in tables:
        clash = merged.keys() & table.keys()
        if clash:
            raise RuntimeError(f"operationIds handled twice: {', '.join(sorted(clash))}")
        merged.update(table)
    return merged


HANDLERS: Mapping[str, Handler] = _merge(
    messaging.HANDLERS, comment.HANDLERS, contact.HANDLERS, conversation.HANDLERS, space.HANDLERS
)
