"""An item whose send still waits for its rate-limit slot has not left: a killed run resumes it.

So does one waiting to retry after a 429; a send granted its slot at once writes its mark once.

The real client, its rate limiter on a fake clock whose sleeps (the waits for a slot) hold
until the test lets them go, and a mock transport. A kill is the journal file as it stands
at that moment, copied aside and recovered the way the next run recovers it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

import chatapi
from chatapi.bulk import Broadcast, Journal, Summary, arun, run
from chatapi_client.operations import INDEX
from tests.overlays.fakes import FakeClock

BASE = "https://api.test/v2"
ORGANIZATION = "acme"
COOL_DOWN = 2.0
"""Seconds the send budget is paused when the run starts: every item waits for a slot."""
ITEMS = 3


class GatedClock(FakeClock):
    """Fake time whose sleeps block until ``gate`` opens; ``waiting`` counts the sleepers."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.waiting = threading.Semaphore(0)
        self.async_gate: asyncio.Event | None = None
        self.async_waiting = 0

    def sleep(self, seconds: float) -> None:
        self.waiting.release()
        assert self.gate.wait(10), "the test never opened the gate"
        super().sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        assert self.async_gate is not None
        self.async_waiting += 1
        await self.async_gate.wait()
        self.sleeps.append(seconds)
        self.now += seconds


def _limiter(clock: FakeClock) -> chatapi.RateLimiter:
    """A limiter whose send budget cools down for ``COOL_DOWN`` seconds from the start."""
    store = chatapi.InMemoryRateLimitStore()
    bucket = INDEX["sendMessage"].rate_limit.bucket
    store.cool_down(f"{ORGANIZATION}/{bucket}", COOL_DOWN, clock.now)
    return chatapi.RateLimiter(store, clock=clock)


def _route(path: Path, marks: list[str | None]) -> httpx.MockTransport:
    """The API: notes what the journal on disk says of the item as its send arrives."""

    def answer(request: httpx.Request) -> httpx.Response:
        key = request.url.raw_path.decode().split("/")[-2].replace("%3A", ":")
        with Journal(path, lock=False) as other:  # another connection: what a crash leaves
            item = other.get(key)
            marks.append(None if item is None else item.sending)
        return httpx.Response(200, json={"messageId": 7, "contactId": 1})

    return httpx.MockTransport(answer)


def _killed_now(path: Path, copy: Path) -> Journal:
    """The journal as a kill at this moment would leave it on disk."""
    source, target = sqlite3.connect(path), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return Journal(copy)


def _check_resumed_as_not_sent(killed: Journal) -> None:
    with killed:
        assert [item.state for item in killed.items()] == ["in_flight"] * ITEMS
        assert [item.sending for item in killed.items()] == [None] * ITEMS
        assert killed.recover() == (ITEMS, 0)  # back to pending, none unknown
        assert len(killed.pending()) == ITEMS


def _async_run_cancelled_while_waiting(
    path: Path,
    clock: GatedClock,
    transport: httpx.MockTransport,
    limiter: chatapi.RateLimiter,
    items: int,
    at_the_wait: Callable[[], None],
) -> Summary:
    """An asyncio broadcast to ``items`` contacts, cancelled once every send waits on ``clock``.

    ``at_the_wait`` runs while they wait, before the cancellation (Ctrl-C, or the caller's
    timeout); the run's summary is returned.
    """

    async def main() -> Summary:
        clock.async_gate = asyncio.Event()  # never opened: the waits end by cancellation
        async with chatapi.AsyncChatAPI(
            "token",
            base_url=BASE,
            organization=ORGANIZATION,
            transport=transport,
            rate_limit=limiter,
            clock=clock,
        ) as client:
            with Journal(path) as journal:
                journal.add((f"id:{i}", {"identifier": f"id:{i}"}) for i in range(1, items + 1))
                handler = Broadcast("hi").async_handler(client)
                task = asyncio.create_task(arun(journal, handler, concurrency=items))
                for _ in range(1000):  # let the workers run up to their waits
                    if clock.async_waiting == items:
                        break
                    await asyncio.sleep(0)
                assert clock.async_waiting == items
                at_the_wait()
                task.cancel()
                return await task

    return asyncio.run(main())


def _run_killed_while_waiting(
    tmp_path: Path,
    clock: GatedClock,
    transport: httpx.MockTransport,
    limiter: chatapi.RateLimiter,
    items: int,
    at_the_wait: Callable[[], None] = lambda: None,
) -> tuple[Journal, Summary]:
    """A broadcast to ``items`` contacts in a thread, "killed" once every send waits on ``clock``.

    The kill is the journal as it stands then, copied aside (returned, to be recovered);
    ``at_the_wait`` runs just before. The waits are then let go and the run's summary is
    returned beside it.
    """
    path = tmp_path / "j.db"
    summaries: list[Summary] = []
    client = chatapi.ChatAPI(
        "token",
        base_url=BASE,
        organization=ORGANIZATION,
        transport=transport,
        rate_limit=limiter,
        clock=clock,
    )
    with Journal(path) as journal, client:
        journal.add((f"id:{i}", {"identifier": f"id:{i}"}) for i in range(1, items + 1))
        job = Broadcast("hi").handler(client)
        runner = threading.Thread(
            target=lambda: summaries.append(run(journal, job, concurrency=items))
        )
        runner.start()
        try:
            for _ in range(items):  # every item's send is waiting
                assert clock.waiting.acquire(timeout=10)
            at_the_wait()
            killed = _killed_now(path, tmp_path / "killed.db")
        finally:
            clock.gate.set()
            runner.join(10)
    return killed, summaries[0]


def test_a_run_killed_while_items_wait_for_a_slot_resumes_them_as_not_sent(
    tmp_path: Path,
) -> None:
    path, clock = tmp_path / "j.db", GatedClock()
    marks: list[str | None] = []
    killed, summary = _run_killed_while_waiting(
        tmp_path, clock, _route(path, marks), _limiter(clock), ITEMS
    )
    _check_resumed_as_not_sent(killed)
    # Once granted, each send was marked on disk before it left, as before.
    assert marks == ["sendMessage"] * ITEMS
    assert summary.outcomes == {"sent": ITEMS}


def test_an_async_run_cancelled_while_items_wait_for_a_slot_leaves_them_pending(
    tmp_path: Path,
) -> None:
    path, clock = tmp_path / "j.db", GatedClock()
    marks: list[str | None] = []

    def at_the_wait() -> None:
        _check_resumed_as_not_sent(_killed_now(path, tmp_path / "killed.db"))

    summary = _async_run_cancelled_while_waiting(
        path, clock, _route(path, marks), _limiter(clock), ITEMS, at_the_wait
    )
    assert summary.interrupted
    assert summary.counts["pending"] == ITEMS  # none left unknown: none had left
    assert summary.counts["unknown"] == 0
    assert marks == []


class CountingJournal(Journal):
    """A journal that notes each change of an item (one committed write each)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writes: list[str] = []

    def start(self, key: str) -> None:
        self.writes.append("start")
        super().start(key)

    def sending(self, key: str, operation_id: str) -> None:
        self.writes.append("sending")
        super().sending(key, operation_id)

    def waiting(self, key: str) -> None:
        self.writes.append("waiting")
        super().waiting(key)

    def done(self, key: str, outcome: str) -> None:
        self.writes.append("done")
        super().done(key, outcome)


def _free_limiter(clock: FakeClock) -> chatapi.RateLimiter:
    """A limiter whose send budget is free: every slot is granted at once."""
    return chatapi.RateLimiter(chatapi.InMemoryRateLimitStore(), clock=clock)


def test_a_send_granted_its_slot_at_once_writes_its_mark_once(tmp_path: Path) -> None:
    path, clock = tmp_path / "j.db", GatedClock()
    marks: list[str | None] = []
    client = chatapi.ChatAPI(
        "token",
        base_url=BASE,
        organization=ORGANIZATION,
        transport=_route(path, marks),
        rate_limit=_free_limiter(clock),
        clock=clock,
    )
    journal = CountingJournal(path)
    with journal, client:
        journal.add([("id:1", {"identifier": "id:1"})])
        summary = run(journal, Broadcast("hi").handler(client), concurrency=1)
    assert summary.outcomes == {"sent": 1}
    assert clock.sleeps == []  # no wait for a slot
    assert journal.writes == ["start", "sending", "done"]  # one write for the mark
    assert marks == ["sendMessage"]  # on disk before the request left


def test_an_async_send_granted_its_slot_at_once_writes_its_mark_once(tmp_path: Path) -> None:
    path, clock = tmp_path / "j.db", GatedClock()
    marks: list[str | None] = []

    async def main(journal: CountingJournal) -> Summary:
        async with chatapi.AsyncChatAPI(
            "token",
            base_url=BASE,
            organization=ORGANIZATION,
            transport=_route(path, marks),
            rate_limit=_free_limiter(clock),
            clock=clock,
        ) as client:
            return await arun(journal, Broadcast("hi").async_handler(client), concurrency=1)

    journal = CountingJournal(path)
    with journal:
        journal.add([("id:1", {"identifier": "id:1"})])
        summary = asyncio.run(main(journal))
    assert summary.outcomes == {"sent": 1}
    assert clock.sleeps == []
    assert journal.writes == ["start", "sending", "done"]
    assert marks == ["sendMessage"]


def _rate_limited_once(path: Path, marks: list[str | None]) -> httpx.MockTransport:
    """The API: answers each item's first send 429 (come back in 1 s), then accepts it."""
    seen: set[str] = set()
    lock = threading.Lock()
    accept = _route(path, marks)

    def answer(request: httpx.Request) -> httpx.Response:
        key = request.url.raw_path.decode().split("/")[-2]
        response = accept.handle_request(request)  # notes the mark on disk as it arrives
        with lock:
            first = key not in seen
            seen.add(key)
        if first:
            return httpx.Response(429, headers={"Retry-After": "1"}, json={"error": "slow down"})
        return response

    return httpx.MockTransport(answer)


def test_a_run_killed_while_its_item_waits_to_retry_after_a_429_resumes_it_as_not_sent(
    tmp_path: Path,
) -> None:
    path, clock = tmp_path / "j.db", GatedClock()
    marks: list[str | None] = []

    def at_the_wait() -> None:  # answered 429, the send waits to try again
        assert marks == ["sendMessage"]  # the first attempt left marked

    transport = _rate_limited_once(path, marks)
    killed, summary = _run_killed_while_waiting(
        tmp_path, clock, transport, _free_limiter(clock), 1, at_the_wait
    )
    with killed:
        assert [(item.state, item.sending) for item in killed.items()] == [("in_flight", None)]
        assert killed.recover() == (1, 0)  # back to pending: a 429 proves nothing was done
    # The retry was marked on disk again before it left.
    assert marks == ["sendMessage", "sendMessage"]
    assert summary.outcomes == {"sent": 1}


def test_an_async_run_cancelled_while_its_item_waits_to_retry_after_a_429_leaves_it_pending(
    tmp_path: Path,
) -> None:
    path, clock = tmp_path / "j.db", GatedClock()
    marks: list[str | None] = []

    def at_the_wait() -> None:  # answered 429, the send waits to try again
        assert marks == ["sendMessage"]  # the first attempt left marked

    transport = _rate_limited_once(path, marks)
    summary = _async_run_cancelled_while_waiting(
        path, clock, transport, _free_limiter(clock), 1, at_the_wait
    )
    assert summary.interrupted
    assert (summary.counts["pending"], summary.counts["unknown"]) == (1, 0)
    assert marks == ["sendMessage"]
