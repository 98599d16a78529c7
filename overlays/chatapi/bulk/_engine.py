"""The bulk engine: run a handler over every pending item of a journal, a few at a time.

A handler does one item through the client, each call wrapped in ``steps.call(operationId,
...)``. A call the description marks ``x-idempotent: false`` is recorded in the journal
before it leaves and must be the item's last call; everything before it is repeatable, so
an item caught by a crash is simply done again unless that last call may have left.

The mark is made before the call is handed to the client, so a client of any kind leaves
it in place; the client's rate-limit overlay then clears it only if the request has to
wait for its slot, and makes it again once the slot is granted; the retry overlay clears
it while the call waits to retry an attempt that surely was not processed (a 429)
(``SendHook``): an item killed while waiting resumes as not sent. A send granted its slot
at once costs one journal write for its mark.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from chatapi_client.operations import INDEX

from .._errors import (
    APIConnectionError,
    AuthenticationError,
    ChatAPIError,
    OutcomeUnknownError,
    RequestProcessedError,
)
from .._sending import SendHook, watch_sending
from ._journal import DONE, FAILED, PENDING, UNKNOWN, Journal, JournalItem

__all__ = [
    "AsyncHandler",
    "AsyncSteps",
    "Handler",
    "ItemEvent",
    "StepOrderError",
    "Steps",
    "Summary",
    "arun",
    "items_per_second",
    "run",
    "summarize",
]

T = TypeVar("T")

PROCESSED_UNREADABLE = "sent (answer unreadable)"
"""The outcome of an item whose last call the server processed (2xx) with an answer the
client could not read: done, never to be sent again."""

DEFAULT_CONCURRENCY = 8
"""Items in flight at once: enough to keep every bucket busy while calls wait for answers;
the client's rate limiter, not this number, sets the pace."""


class StepOrderError(RuntimeError):
    """A handler made a call after its item's non-repeatable call."""


class Steps:
    """The calls of one item (sync); ``call`` journals a non-repeatable one before it leaves."""

    def __init__(self, journal: Journal, key: str) -> None:
        self._journal = journal
        self._key = key
        self._last: str | None = None

    def call(self, operation_id: str, send: Callable[[], T]) -> T:
        """Run ``send`` (one call of ``operation_id``) and return what it returns.

        Raises:
            StepOrderError: a call after the item's non-repeatable call.
        """
        _before(self._journal, self._key, operation_id, self._last)
        if INDEX[operation_id].idempotent:
            return send()
        self._last = operation_id
        with watch_sending(_hook(self._journal, self._key, operation_id)):
            return send()


class AsyncSteps:
    """The calls of one item (asyncio); see ``Steps``."""

    def __init__(self, journal: Journal, key: str) -> None:
        self._journal = journal
        self._key = key
        self._last: str | None = None

    async def call(self, operation_id: str, send: Callable[[], Awaitable[T]]) -> T:
        """Await ``send()`` (one call of ``operation_id``) and return its result.

        Raises:
            StepOrderError: a call after the item's non-repeatable call.
        """
        _before(self._journal, self._key, operation_id, self._last)
        if INDEX[operation_id].idempotent:
            return await send()
        self._last = operation_id
        with watch_sending(_hook(self._journal, self._key, operation_id)):
            return await send()


def _before(journal: Journal, key: str, operation_id: str, last: str | None) -> None:
    if last is not None:
        raise StepOrderError(
            f"{operation_id} called after {last}, which is not safe to repeat: "
            "a non-repeatable call must be an item's last"
        )
    if not INDEX[operation_id].idempotent:
        journal.sending(key, operation_id)  # on disk before the request leaves


def _hook(journal: Journal, key: str, operation_id: str) -> SendHook:
    """Unmark the item while its call waits (slot, retry after a 429); mark it once granted."""
    return SendHook(
        lambda: journal.waiting(key), lambda: journal.sending(key, operation_id), marked=True
    )


Handler = Callable[[JournalItem, Steps], str]
"""Does one item with the sync client; returns its outcome (``created``, ``sent``...)."""
AsyncHandler = Callable[[JournalItem, AsyncSteps], Awaitable[str]]
"""Does one item with the async client; returns its outcome."""


@dataclass(frozen=True)
class ItemEvent:
    """One item finished (or was put back); what progress displays receive.

    Attributes:
        key: The item.
        state: Its new state.
        outcome: What was done, when done.
        error: Why it failed or is unknown.
    """

    key: str
    state: str
    outcome: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Summary:
    """What a run left in the journal.

    Attributes:
        counts: Items per state, all of the journal (earlier runs included).
        outcomes: Done items per outcome.
        reasons: Failed and unknown items per error, most frequent first (the request an
            error names is left out, so one reason groups every item it struck).
        processed: Items this run finished, whatever their state.
        interrupted: The run was stopped before every pending item was taken.
        recovered: Items a killed earlier run left in flight: (back to pending, unknown).
    """

    counts: dict[str, int]
    outcomes: dict[str, int]
    reasons: list[tuple[str, int]]
    processed: int = 0
    interrupted: bool = False
    recovered: tuple[int, int] = (0, 0)

    @property
    def complete(self) -> bool:
        """Every item is done: nothing failed, unknown or left to do."""
        return all(n == 0 for state, n in self.counts.items() if state != DONE)


_REQUEST = re.compile(r" \((GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) /[^)]*\)")
"""The request an error names (``(POST /v2/contact/id%3A7/message)``): one per item, so
left out when reasons are grouped."""


def summarize(
    journal: Journal, *, processed: int = 0, interrupted: bool = False, recovered: tuple[int, int]
) -> Summary:
    """The ``Summary`` of ``journal`` as it stands."""
    reasons = Counter(
        _REQUEST.sub("", item.error or "no reason recorded")
        for item in journal.items()
        if item.state in (FAILED, UNKNOWN)
    )
    return Summary(
        counts=journal.counts(),
        outcomes=journal.outcomes(),
        reasons=reasons.most_common(),
        processed=processed,
        interrupted=interrupted,
        recovered=recovered,
    )


@dataclass
class _Run:
    """State shared by the workers of one run."""

    journal: Journal
    items: Iterator[JournalItem]
    on_item: Callable[[ItemEvent], None] | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    abort: BaseException | None = None
    processed: int = 0

    def next(self, stopped: Callable[[], bool]) -> JournalItem | None:
        with self.lock:
            if stopped() or self.abort is not None:
                return None
            item = next(self.items, None)
        if item is not None:
            self.journal.start(item.key)
        return item

    def finish(self, key: str, outcome: str) -> None:
        self.journal.done(key, outcome)
        self._report(ItemEvent(key, DONE, outcome=outcome))

    def failed(self, key: str, error: BaseException) -> None:
        """Journal the item after ``error``; remember errors that end the whole run."""
        if isinstance(error, RequestProcessedError):
            # The server did it (2xx); only its answer is unusable: done, so no retry resends.
            self.finish(key, PROCESSED_UNREADABLE)
        elif isinstance(error, OutcomeUnknownError):
            self.journal.unknown(key, _reason(error))
            self._report(ItemEvent(key, UNKNOWN, error=_reason(error)))
        elif isinstance(error, AuthenticationError | APIConnectionError):
            # Every item would fail alike; nothing was processed: stop and keep it to do.
            self.journal.release_unsent(key)
            with self.lock:
                self.abort = self.abort or error
            self._report(ItemEvent(key, PENDING, error=_reason(error)))
        else:
            self.journal.fail(key, _reason(error))
            self._report(ItemEvent(key, FAILED, error=_reason(error)))

    def _report(self, event: ItemEvent) -> None:
        with self.lock:
            self.processed += event.state != PENDING
        if self.on_item is not None:
            self.on_item(event)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    if isinstance(error, ChatAPIError | ValueError):
        return text or type(error).__name__
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def run(
    journal: Journal,
    handler: Handler,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    stop: threading.Event | None = None,
    on_item: Callable[[ItemEvent], None] | None = None,
) -> Summary:
    """Do every pending item with ``handler`` on ``concurrency`` threads; return the summary.

    First settles what a killed run left in flight (``Journal.recover``). Setting ``stop``
    (or Ctrl-C in the calling thread) stops taking items; those in flight finish. An
    authentication or connection error stops the run and is raised once in-flight items
    are journaled.
    """
    recovered = journal.recover()
    state = _Run(journal, iter(journal.pending()), on_item)
    stop = threading.Event() if stop is None else stop

    def work() -> None:
        while (item := state.next(stop.is_set)) is not None:
            try:
                outcome = handler(item, Steps(journal, item.key))
            except Exception as error:  # noqa: BLE001 - every error is journaled
                state.failed(item.key, error)
            else:
                state.finish(item.key, outcome)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, concurrency))]
    for thread in threads:
        thread.start()
    interrupted = False
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)  # short joins: Ctrl-C reaches this thread
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        for thread in threads:
            thread.join()
    interrupted = interrupted or (stop.is_set() and bool(journal.pending()))
    if state.abort is not None:
        raise state.abort
    return summarize(
        journal, processed=state.processed, interrupted=interrupted, recovered=recovered
    )


async def arun(
    journal: Journal,
    handler: AsyncHandler,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    stop: asyncio.Event | None = None,
    on_item: Callable[[ItemEvent], None] | None = None,
) -> Summary:
    """Do every pending item with ``handler``, ``concurrency`` at a time; see ``run``.

    Setting ``stop`` stops taking items and lets those in flight finish. Cancelling the
    task journals the items in flight (``unknown`` if their non-repeatable call may have
    left, else back to ``pending``) and returns the summary instead of raising.
    """
    recovered = journal.recover()
    state = _Run(journal, iter(journal.pending()), on_item)
    stop = asyncio.Event() if stop is None else stop
    flying: set[str] = set()

    async def work() -> None:
        while (item := state.next(stop.is_set)) is not None:
            flying.add(item.key)
            try:
                outcome = await handler(item, AsyncSteps(journal, item.key))
            except asyncio.CancelledError:
                journal.release(item.key)
                raise
            except Exception as error:  # noqa: BLE001 - every error is journaled
                state.failed(item.key, error)
            else:
                state.finish(item.key, outcome)
            finally:
                flying.discard(item.key)

    workers = [asyncio.create_task(work()) for _ in range(max(1, concurrency))]
    interrupted = False
    try:
        await asyncio.gather(*workers)
    except asyncio.CancelledError:
        interrupted = True
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        for key in list(flying):
            journal.release(key)
    interrupted = interrupted or (stop.is_set() and bool(journal.pending()))
    if state.abort is not None:
        raise state.abort
    return summarize(
        journal, processed=state.processed, interrupted=interrupted, recovered=recovered
    )


def items_per_second(operation_ids: list[str]) -> float:
    """The most items a second a job making these calls per item can do: its bottleneck.

    Calls of one bucket add up (two calls per item in a 5/s bucket allow 2.5 items/s);
    the slowest bucket bounds the job.
    """
    limits = [INDEX[op].rate_limit for op in operation_ids]
    calls = Counter(limit.bucket for limit in limits)
    rates = {limit.bucket: limit.requests_per_second for limit in limits}
    return min(
        (rates[bucket] / n for bucket, n in calls.items()),
        default=float("inf"),
    )
