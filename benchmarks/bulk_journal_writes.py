"""What a bulk send costs in journal writes when its rate-limit slot is granted at once.

Runs a ``Broadcast`` over ITEMS items, one at a time, through the real client and rate
limiter (a fake clock that moves on past each send, so no send waits for its slot) and an
``httpx.MockTransport``, on a journal file in a temporary folder. Prints, per round, the
wall time per send (the journal's writes wait for the disk: ``synchronous=FULL``) and the
journal writes per send (taking the item, the mark, the outcome...).

    .venv/bin/python benchmarks/bulk_journal_writes.py --items 200 --rounds 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx

import chatapi
from chatapi.bulk import Broadcast, Journal, run

ORGANIZATION = "bench"


class CountingJournal(Journal):
    """A journal that counts its writes of an item's state (one commit each)."""

    writes = 0

    def start(self, key: str) -> None:
        """Count, then take the item."""
        self.writes += 1
        super().start(key)

    def sending(self, key: str, operation_id: str) -> None:
        """Count, then mark the send."""
        self.writes += 1
        super().sending(key, operation_id)

    def waiting(self, key: str) -> None:
        """Count, then clear the mark."""
        self.writes += 1
        super().waiting(key)

    def done(self, key: str, outcome: str) -> None:
        """Count, then record the outcome."""
        self.writes += 1
        super().done(key, outcome)


class StepClock:
    """Time that moves only when told: each answer moves it past the send's window."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        """The fake time."""
        return self.now

    def time(self) -> float:
        """The fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Move on at once."""
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """Move on at once."""
        self.now += seconds


def one_round(folder: Path, items: int) -> tuple[float, float]:
    """(seconds per send, journal writes per send) of one run over ``items`` items."""
    clock = StepClock()

    def answer(request: httpx.Request) -> httpx.Response:
        clock.now += 10.0  # the next send finds its slot free
        return httpx.Response(200, json={"messageId": 7, "contactId": 1})

    limiter = chatapi.RateLimiter(chatapi.InMemoryRateLimitStore(), clock=clock)
    client = chatapi.ChatAPI(
        "bench-token",
        base_url="https://api.test/v2",
        organization=ORGANIZATION,
        transport=httpx.MockTransport(answer),
        rate_limit=limiter,
        clock=clock,
    )
    journal = CountingJournal(folder / "journal.db")
    with journal, client:
        journal.add((f"id:{i}", {"identifier": f"id:{i}"}) for i in range(items))
        started = time.perf_counter()
        summary = run(journal, Broadcast("hi").handler(client), concurrency=1)
        took = time.perf_counter() - started
    if summary.outcomes != {"sent": items}:
        raise SystemExit(f"the run did not send every item: {summary}")
    return took / items, journal.writes / items


def main() -> None:
    """Run the rounds and print each one's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for n in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            seconds, writes = one_round(Path(folder), args.items)
        print(  # noqa: T201
            f"round {n + 1}: {seconds * 1000:.2f} ms per send, {writes:.1f} journal writes"
        )


if __name__ == "__main__":
    main()
