"""The bulk jobs people run: import contacts, broadcast a message, reconcile unknown sends.

Each job gives a handler for the sync client and one for the async client; the engine
(``run`` / ``arun``) does the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from chatapi_client.models import (
    Contact,
    ContactFields,
    ContactListRequest,
    MessageRecord,
    SendMessageRequest,
    TextMessage,
)

from .._client import AsyncChatAPI, ChatAPI
from .._errors import NotFoundError
from ._engine import AsyncHandler, AsyncSteps, Handler, Steps, items_per_second
from ._journal import UNKNOWN, Journal, JournalItem
from ._rows import RowProblem, RowSettings, read_contact_rows

__all__ = [
    "Broadcast",
    "ContactImport",
    "Reconciled",
    "areconcile",
    "contact_filter",
    "reconcile",
]

OnExisting = Literal["update", "keep"]


@dataclass(frozen=True)
class ContactImport:
    """Create or update one contact per item, then add its tags.

    Every call is safe to repeat: ``getContact`` tells new from existing; a new contact is
    created with ``createOrUpdateContact`` (keyed by its identifier, so a repeat after a
    crash cannot make a second one); an existing one is updated with ``updateContact``,
    which overwrites every given field (``createOrUpdateContact`` would keep the old
    first name and email), or left alone with ``on_existing="keep"``; then ``addTags``,
    which keeps tags already there.

    Item payloads are ``ContactRow.payload()``: ``identifier``, ``fields``, ``tags``.
    """

    on_existing: OnExisting = "update"

    operations = ("getContact", "createOrUpdateContact", "addTags")
    """The calls of a typical item (a new contact with tags)."""

    @property
    def items_per_second(self) -> float:
        """The bottleneck of the job: the most items a second the limits allow."""
        return items_per_second(list(self.operations))

    def handler(self, client: ChatAPI) -> Handler:
        """The item handler for the sync client."""

        def handle(item: JournalItem, steps: Steps) -> str:
            ident, fields, tags = _parts(item)
            try:
                steps.call("getContact", lambda: client.contacts.get(ident))
                exists = True
            except NotFoundError:
                exists = False
            outcome = self._outcome(exists)
            if outcome == "created":
                body = ContactFields.from_dict(fields)
                steps.call(
                    "createOrUpdateContact",
                    lambda: client.contacts.create_or_update(ident, body=body),
                )
            elif outcome == "updated":
                body = ContactFields.from_dict(fields)
                steps.call("updateContact", lambda: client.contacts.update(ident, body=body))
            if tags and outcome != "kept":
                steps.call("addTags", lambda: client.contacts.add_tags(ident, body=tags))
            return outcome

        return handle

    def async_handler(self, client: AsyncChatAPI) -> AsyncHandler:
        """The item handler for the async client."""

        async def handle(item: JournalItem, steps: AsyncSteps) -> str:
            ident, fields, tags = _parts(item)
            try:
                await steps.call("getContact", lambda: client.contacts.get(ident))
                exists = True
            except NotFoundError:
                exists = False
            outcome = self._outcome(exists)
            body = ContactFields.from_dict(fields)
            if outcome == "created":
                await steps.call(
                    "createOrUpdateContact",
                    lambda: client.contacts.create_or_update(ident, body=body),
                )
            elif outcome == "updated":
                await steps.call("updateContact", lambda: client.contacts.update(ident, body=body))
            if tags and outcome != "kept":
                await steps.call("addTags", lambda: client.contacts.add_tags(ident, body=tags))
            return outcome

        return handle

    @staticmethod
    def load(
        journal: Journal,
        path: str | Path,
        settings: RowSettings | None = None,
        *,
        lines: Callable[[int], bool] | None = None,
    ) -> list[RowProblem]:
        """Journal the valid rows of the CSV file ``path`` (keyed ``line N``); return the rest.

        Rows already journaled keep their state, so loading the same file again resumes.
        ``lines``, if given, picks the rows by line number (a worker's share of a file).
        """
        problems: list[RowProblem] = []
        valid: list[tuple[str, dict[str, Any]]] = []
        for row in read_contact_rows(path, settings):
            if lines is not None and not lines(row.line):
                continue
            if isinstance(row, RowProblem):
                problems.append(row)
            else:
                valid.append((f"line {row.line}", row.payload()))
        journal.add(valid)
        return problems

    def _outcome(self, exists: bool) -> str:
        if not exists:
            return "created"
        return "updated" if self.on_existing == "update" else "kept"


def _parts(item: JournalItem) -> tuple[str, dict[str, Any], list[str]]:
    payload = item.payload
    return str(payload["identifier"]), dict(payload["fields"]), list(payload["tags"])


def contact_filter(
    *, tag: str | None = None, where: Iterable[tuple[str, str]] = (), search: str | None = None
) -> ContactListRequest:
    """The ``listContacts`` body for contacts with ``tag`` and fields equal to ``where``."""
    conditions: list[dict[str, Any]] = []
    if tag is not None:
        conditions.append({"category": "contactTag", "operator": "hasAnyOf", "value": [tag]})
    for name, value in where:
        conditions.append(
            {"category": "contactField", "field": name, "operator": "isEqualTo", "value": value}
        )
    body: dict[str, Any] = {"filter": {"$and": conditions}}
    if search:
        body["search"] = search
    return ContactListRequest.from_dict(body)


@dataclass(frozen=True)
class Broadcast:
    """Send one message to each item's contact, at most once: a text, or a WhatsApp template.

    ``sendMessage`` is not safe to repeat (``x-idempotent: false``): it is journaled before
    it leaves, and an item whose send may have been processed becomes ``unknown`` and is
    never sent again automatically; ``reconcile`` settles it with evidence.

    Attributes:
        text: The text to send (ignored when ``template`` is given).
        template: The name of an approved WhatsApp template to send instead.
        language: The template's language code.
        channel_id: The channel to send on; None for the contact's last channel.
    """

    text: str = ""
    template: str | None = None
    language: str = "en"
    channel_id: int | None = None

    operations = ("sendMessage",)

    @property
    def items_per_second(self) -> float:
        """The bottleneck of the job: the most items a second the limits allow."""
        return items_per_second(list(self.operations))

    @staticmethod
    def audience(contacts: Iterable[Contact]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Journal items, one per contact (keyed ``id:<id>``), from a contact listing."""
        for contact in contacts:
            yield f"id:{contact.id}", {"identifier": f"id:{contact.id}"}

    def message(self) -> dict[str, Any]:
        """The ``message`` this job sends, as JSON data."""
        if self.template is not None:
            reference = {"name": self.template, "languageCode": self.language}
            return {"type": "whatsapp_template", "template": reference}
        return {"type": "text", "text": self.text}

    def matches(self, sent: Any) -> bool:
        """Whether a message of a contact's history (JSON data) is this job's message."""
        if not isinstance(sent, dict) or sent.get("type") != self.message()["type"]:
            return False
        if self.template is None:
            return bool(sent.get("text") == self.text)
        reference = sent.get("template")
        return isinstance(reference, dict) and reference.get("name") == self.template

    def _body(self) -> SendMessageRequest:
        if self.template is None and self.channel_id is None:
            return SendMessageRequest(message=TextMessage(text=self.text))
        body: dict[str, Any] = {"message": self.message()}
        if self.channel_id is not None:
            body["channelId"] = self.channel_id
        return SendMessageRequest.from_dict(body)

    def handler(self, client: ChatAPI) -> Handler:
        """The item handler for the sync client."""

        def handle(item: JournalItem, steps: Steps) -> str:
            ident = str(item.payload["identifier"])
            steps.call("sendMessage", lambda: client.messaging.send(ident, body=self._body()))
            return "sent"

        return handle

    def async_handler(self, client: AsyncChatAPI) -> AsyncHandler:
        """The item handler for the async client."""

        async def handle(item: JournalItem, steps: AsyncSteps) -> str:
            ident = str(item.payload["identifier"])
            await steps.call("sendMessage", lambda: client.messaging.send(ident, body=self._body()))
            return "sent"

        return handle


@dataclass(frozen=True)
class Reconciled:
    """What reconcile did with the unknown items.

    Attributes:
        settled: Items found delivered (now ``done``, outcome ``sent``), with the message id.
        unsettled: Items with no evidence either way, with why; still ``unknown``.
    """

    settled: dict[str, int] = field(default_factory=dict)
    unsettled: dict[str, str] = field(default_factory=dict)


DEFAULT_WINDOW = 600.0
"""Seconds after a send's journaled time within which a matching message counts."""

CLOCK_SKEW = 5.0
"""Seconds a server's timestamp may run behind this machine's clock: a matching message
stamped earlier than the send's start minus this is an older copy, not this send."""


def _times(data: dict[str, Any]) -> list[float]:
    stamps = [s.get("timestamp") for s in data.get("status") or () if isinstance(s, dict)]
    return [t for t in stamps if isinstance(t, int | float)]


def _evidence(record: MessageRecord, job: Broadcast, sent_at: float, window: float) -> bool:
    """A matching outgoing message stamped from this send's start (less the skew) on."""
    data = record.to_dict()
    if data.get("traffic") != "outgoing" or not job.matches(data.get("message")):
        return False
    # No timestamp proves nothing: an older copy of the same text would look alike.
    return any(sent_at - CLOCK_SKEW <= t <= sent_at + window for t in _times(data))


def _too_old(record: MessageRecord, sent_at: float) -> bool:
    times = _times(record.to_dict())
    return bool(times) and max(times) < sent_at - CLOCK_SKEW


def reconcile(
    client: ChatAPI, journal: Journal, sent: str | Broadcast, *, window: float = DEFAULT_WINDOW
) -> Reconciled:
    """Settle unknown sends: a matching message in the contact's history means delivered.

    ``sent`` is the broadcast (or its text). A message matches when it is outgoing, is the
    broadcast's message (the same text, or the same template), and stamped no earlier than
    when the send left (less ``CLOCK_SKEW``) and at most ``window`` seconds after; a message
    without a timestamp is no evidence. Messages are read newest first and the search stops
    at the first one older than the send. What is not found stays ``unknown``:
    absence is no proof (delivery may lag), so nothing is resent here.
    """
    job = Broadcast(sent) if isinstance(sent, str) else sent
    result = Reconciled()
    for item in journal.items(UNKNOWN):
        ident = str(item.payload["identifier"])
        sent_at = item.sent_at if item.sent_at is not None else time.time()
        found: int | None = None
        try:
            for record in client.messaging.list(ident, limit=50):
                if _evidence(record, job, sent_at, window):
                    found = record.message_id
                    break
                if _too_old(record, sent_at):
                    break
        except Exception as error:  # noqa: BLE001 - reported per item, the rest go on
            result.unsettled[item.key] = f"could not read the history: {error}"
            continue
        _settle(journal, item, found, result)
    return result


async def areconcile(
    client: AsyncChatAPI, journal: Journal, sent: str | Broadcast, *, window: float = DEFAULT_WINDOW
) -> Reconciled:
    """``reconcile`` with the async client."""
    job = Broadcast(sent) if isinstance(sent, str) else sent
    result = Reconciled()
    for item in journal.items(UNKNOWN):
        ident = str(item.payload["identifier"])
        sent_at = item.sent_at if item.sent_at is not None else time.time()
        found: int | None = None
        try:
            async for record in client.messaging.list(ident, limit=50):
                if _evidence(record, job, sent_at, window):
                    found = record.message_id
                    break
                if _too_old(record, sent_at):
                    break
        except Exception as error:  # noqa: BLE001 - reported per item, the rest go on
            result.unsettled[item.key] = f"could not read the history: {error}"
            continue
        _settle(journal, item, found, result)
    return result


def _settle(journal: Journal, item: JournalItem, found: int | None, result: Reconciled) -> None:
    if found is not None:
        journal.done(item.key, "sent")
        result.settled[item.key] = found
    else:
        result.unsettled[item.key] = "no matching message in the contact's history"
