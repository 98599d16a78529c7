"""Bulk work that survives a crash: import contacts, broadcast a message, journaled.

A job's items live in a journal (an SQLite file, ``Journal``): pending, in flight, done,
failed (with the error) or unknown. ``run`` (threads, ``ChatAPI``) and ``arun`` (asyncio,
``AsyncChatAPI``) do every pending item through the client's retries and rate limits, a
few at a time. The rules:

- a done item is never done again; running the same job on the same journal resumes it;
- an item's calls that the description marks ``x-idempotent: true`` are simply redone
  after a crash or a failure;
- a call marked ``x-idempotent: false`` (``sendMessage``) is journaled before it leaves;
  if it may have been processed (a 502, a lost answer, a killed run), the item becomes
  ``unknown`` and is never sent again automatically. ``reconcile`` settles it with
  evidence (the message in the contact's history); ``Journal.retry(["unknown"])`` resends
  only when you decide to;
- failed items (refused by the API, or never sent) are resent by ``Journal.retry(["failed"])``.

Example::

    with chatapi.ChatAPI() as client, Journal("import.journal") as journal:
        journal.add((f"row {r.line}", r.payload()) for r in read_contact_rows("c.csv")
                    if isinstance(r, ContactRow))
        summary = run(journal, ContactImport().handler(client))
"""

from ._engine import (
    AsyncHandler,
    AsyncSteps,
    Handler,
    ItemEvent,
    StepOrderError,
    Steps,
    Summary,
    arun,
    items_per_second,
    run,
    summarize,
)
from ._jobs import Broadcast, ContactImport, Reconciled, areconcile, contact_filter, reconcile
from ._journal import (
    DONE,
    FAILED,
    IN_FLIGHT,
    PENDING,
    STATES,
    UNKNOWN,
    Journal,
    JournalBusyError,
    JournalError,
    JournalItem,
)
from ._rows import (
    CONTACT_FIELDS,
    ContactRow,
    RowProblem,
    RowSettings,
    file_fingerprint,
    read_contact_rows,
)

__all__ = [
    "CONTACT_FIELDS",
    "DONE",
    "FAILED",
    "IN_FLIGHT",
    "PENDING",
    "STATES",
    "UNKNOWN",
    "AsyncHandler",
    "AsyncSteps",
    "Broadcast",
    "ContactImport",
    "ContactRow",
    "Handler",
    "ItemEvent",
    "Journal",
    "JournalBusyError",
    "JournalError",
    "JournalItem",
    "Reconciled",
    "RowProblem",
    "RowSettings",
    "StepOrderError",
    "Steps",
    "Summary",
    "areconcile",
    "arun",
    "contact_filter",
    "file_fingerprint",
    "items_per_second",
    "read_contact_rows",
    "reconcile",
    "run",
    "summarize",
]
