"""FailoverStore around any store: fallback, probing, recovery, fair share, fail closed.

The primary here is an in-process store that can be switched down (its calls raise
``RateLimitStoreError``, as a backend's do) and told how many peers it saw. Probe timing
runs on a fake clock: no test sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from chatapi import FailoverStore, RateLimitStoreError, RateLimitStoreEvent
from chatapi._ratelimit.failover import CountsPeers
from chatapi._ratelimit.store import Admission, InMemoryRateLimitStore

from .fakes import FakeClock

PROBE = 5.0


class FlakyStore(InMemoryRateLimitStore):
    """An in-process store whose backend can go down, and that counts ``peers``."""

    def __init__(self, peers: int | None = None) -> None:
        super().__init__()
        self.down = False
        self.calls = 0
        self.seen_peers = peers

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise RateLimitStoreError(
                "the rate-limit store test://flaky failed (OSError: down); nothing was sent",
                store="test://flaky",
                problem="OSError: down",
            )

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        self._check()
        return super().try_acquire(key, limit, window, now, headroom=headroom)

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        self._check()
        super().cool_down(key, seconds, now)

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        self._check()
        super().mark_spent(key, limit, window, now)

    def report_limit(self, key: str, limit: int) -> None:
        self._check()
        super().report_limit(key, limit)

    def peers(self, key: str) -> int | None:
        return self.seen_peers


class HangingAsyncStore:
    """An asyncio twin whose tries wait until released: a probe stuck on a slow backend."""

    def __init__(self, inner: FlakyStore) -> None:
        self.inner = inner
        self.entered = asyncio.Event()
        self.hang = True

    async def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        self.inner._check()
        if self.hang:
            self.entered.set()
            await asyncio.Event().wait()  # never set: only a cancellation ends it
        return self.inner.try_acquire(key, limit, window, now, headroom=headroom)

    async def cool_down(self, key: str, seconds: float, now: float) -> None:
        self.inner.cool_down(key, seconds, now)

    async def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        self.inner.mark_spent(key, limit, window, now)

    async def report_limit(self, key: str, limit: int) -> None:
        self.inner.report_limit(key, limit)


class FlakyStoreWithTwin(FlakyStore):
    """A ``FlakyStore`` that serves asyncio callers through a ``HangingAsyncStore``."""

    def __init__(self) -> None:
        super().__init__()
        self.twin = HangingAsyncStore(self)

    @property
    def asynchronous(self) -> HangingAsyncStore:
        return self.twin


def _wrapped(
    primary: FlakyStore, clock: FakeClock, events: list[RateLimitStoreEvent] | None = None
) -> FailoverStore:
    return FailoverStore(
        primary,
        probe_interval=PROBE,
        on_event=None if events is None else events.append,
        monotonic=clock.monotonic,
    )


def _fallen(store: FailoverStore) -> bool:
    """Read afresh (a type checker would keep an earlier assert's answer)."""
    return store.fallen_back


def test_a_failing_primary_falls_back_then_recovers_within_one_probe_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, primary = FakeClock(), FlakyStore()
    events: list[RateLimitStoreEvent] = []
    store = _wrapped(primary, clock, events)
    caplog.set_level(logging.INFO, logger="chatapi")
    assert store.try_acquire("acme/b", 2, 1.0, clock.now).wait == 0
    assert not _fallen(store)

    primary.down = True
    assert store.try_acquire("acme/b", 2, 1.0, clock.now).wait == 0  # from the fallback
    assert _fallen(store)
    calls = primary.calls
    for _ in range(5):  # the others use the fallback, without touching the primary
        store.try_acquire("acme/b", 2, 1.0, clock.now)
    assert primary.calls == calls

    primary.down = False  # the backend answers again...
    clock.advance(PROBE - 0.01)
    store.try_acquire("acme/b", 2, 1.0, clock.now)
    assert _fallen(store)  # ... and is not asked before the interval is up
    clock.advance(0.01)
    assert store.try_acquire("acme/other", 2, 1.0, clock.now).wait == 0  # the probe
    assert not _fallen(store)
    assert primary.calls == calls + 1
    assert [(e.store, e.state, e.error) for e in events] == [
        ("FlakyStore", "fallback", "OSError: down"),
        ("FlakyStore", "recovered", ""),
    ]
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1


def test_the_async_twin_falls_back_and_recovers_on_the_same_state() -> None:
    clock, primary = FakeClock(), FlakyStore()
    store = _wrapped(primary, clock)
    twin = store.asynchronous

    async def main() -> list[float]:
        primary.down = True
        waits = [(await twin.try_acquire("acme/b", 1, 1.0, clock.now)).wait for _ in range(2)]
        assert store.fallen_back  # one state for sync and asyncio callers
        primary.down = False
        clock.advance(PROBE)
        await twin.cool_down("acme/c", 3.0, clock.now)  # the probe: reaches the primary
        return waits

    waits = asyncio.run(main())
    assert waits[0] == 0
    assert waits[1] > 0  # the fallback keeps its own window
    assert not store.fallen_back
    assert primary.try_acquire("acme/c", 5, 1.0, clock.now).reason == "cooling down"


def test_reported_limits_never_count_as_a_probe() -> None:
    """A store may skip writing a limit it holds: that answer proves nothing about it."""
    clock, primary = FakeClock(), FlakyStore()
    events: list[RateLimitStoreEvent] = []
    store = _wrapped(primary, clock, events)
    primary.down = True
    store.try_acquire("acme/b", 10, 1.0, clock.now)
    clock.advance(PROBE)
    primary.down = False
    calls = primary.calls
    store.report_limit("acme/b", 4)
    asyncio.run(store.asynchronous.report_limit("acme/b", 4))
    assert primary.calls == calls  # kept in the fallback meanwhile
    assert store.fallen_back
    assert store.reported_limit("acme/b") == 4
    assert [e.state for e in events] == ["fallback"]


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, asyncio.CancelledError])
def test_an_interrupted_sync_probe_does_not_wedge_the_store(
    interruption: type[BaseException],
) -> None:
    clock, primary = FakeClock(), FlakyStore()
    store = _wrapped(primary, clock)
    primary.down = True
    store.try_acquire("acme/b", 10, 1.0, clock.now)
    clock.advance(PROBE)
    primary.down = False
    real = primary.try_acquire

    def interrupted(*args: object, **kwargs: object) -> Admission:
        raise interruption

    primary.try_acquire = interrupted  # type: ignore[method-assign]
    with pytest.raises(interruption):
        store.try_acquire("acme/b", 10, 1.0, clock.now)
    primary.try_acquire = real  # type: ignore[method-assign]
    store.try_acquire("acme/b", 10, 1.0, clock.now)
    assert store.fallen_back  # not probed again at once...
    clock.advance(PROBE)
    store.try_acquire("acme/b", 10, 1.0, clock.now)
    assert not store.fallen_back  # ... but within one interval


def test_a_cancelled_async_probe_does_not_wedge_the_store() -> None:
    clock, primary = FakeClock(), FlakyStoreWithTwin()
    store = _wrapped(primary, clock)
    twin = store.asynchronous

    async def main() -> None:
        primary.down = True
        await twin.try_acquire("acme/b", 10, 1.0, clock.now)
        assert store.fallen_back
        primary.down = False
        clock.advance(PROBE)
        probe = asyncio.create_task(twin.try_acquire("acme/b", 10, 1.0, clock.now))
        await primary.twin.entered.wait()  # the probe is waiting on the backend
        # Meanwhile the others keep to the fallback: one prober at a time.
        assert (await twin.try_acquire("acme/b", 10, 1.0, clock.now)).wait == 0
        probe.cancel()  # its caller's timeout
        with pytest.raises(asyncio.CancelledError):
            await probe
        primary.twin.hang = False
        await twin.try_acquire("acme/b", 10, 1.0, clock.now)
        assert store.fallen_back  # the cancelled probe used up this interval...
        clock.advance(PROBE)
        await twin.try_acquire("acme/b", 10, 1.0, clock.now)

    asyncio.run(main())
    assert not store.fallen_back  # ... and the next one probes: back within one interval


def test_one_caller_probes_while_the_others_use_the_fallback() -> None:
    clock, primary = FakeClock(), FlakyStore()
    store = _wrapped(primary, clock)
    primary.down = True
    store.try_acquire("acme/b", 10, 1.0, clock.now)
    primary.down = False
    clock.advance(PROBE)
    entered, release = threading.Event(), threading.Event()
    real = primary.try_acquire

    def slow(*args: object, **kwargs: object) -> Admission:
        entered.set()
        release.wait(5)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    primary.try_acquire = slow  # type: ignore[method-assign]
    prober = threading.Thread(target=store.try_acquire, args=("acme/b", 10, 1.0, clock.now))
    prober.start()
    assert entered.wait(5)
    calls = primary.calls
    store.cool_down("acme/b", 1.0, clock.now)  # another caller, meanwhile: the fallback
    assert primary.calls == calls
    release.set()
    prober.join()
    assert not store.fallen_back


@pytest.mark.parametrize("peers", [1, 2, 4, 15])
def test_while_down_the_process_keeps_to_its_share_of_the_peers_last_reported(
    peers: int,
) -> None:
    clock, primary = FakeClock(), FlakyStore(peers=peers)
    assert isinstance(primary, CountsPeers)
    store = _wrapped(primary, clock)
    store.report_limit("acme/b", 12)  # the server lowered the budget from 20 to 12
    assert store.try_acquire("acme/b", 20, 1.0, clock.now).wait == 0  # the primary counts peers
    primary.down = True
    admitted = sum(store.try_acquire("acme/b", 20, 1.0, clock.now).wait == 0 for _ in range(30))
    assert store.fallen_back
    assert admitted == max(1, 12 // peers)
    clock.advance(1.0)  # the next window: the same share again
    assert sum(store.try_acquire("acme/b", 20, 1.0, clock.now).wait == 0 for _ in range(30)) == (
        max(1, 12 // peers)
    )


def test_a_store_that_counts_no_peers_falls_back_to_the_whole_budget() -> None:
    clock, primary = FakeClock(), FlakyStore(peers=None)
    store = _wrapped(primary, clock)
    primary.down = True
    assert sum(store.try_acquire("acme/b", 6, 1.0, clock.now).wait == 0 for _ in range(9)) == 6


def test_fail_closed_raises_the_primarys_error_and_never_falls_back() -> None:
    clock, primary = FakeClock(), FlakyStore()
    store = FailoverStore(primary, fail_closed=True, monotonic=clock.monotonic)
    primary.down = True
    for _ in range(2):
        with pytest.raises(RateLimitStoreError, match="nothing was sent") as caught:
            store.try_acquire("acme/b", 2, 1.0, clock.now)
        assert caught.value.store == "test://flaky"
        assert caught.value.problem == "OSError: down"
    primary.down = False
    assert store.try_acquire("acme/b", 2, 1.0, clock.now).wait == 0


def test_a_given_fallback_serves_while_the_primary_is_down() -> None:
    clock, primary, fallback = FakeClock(), FlakyStore(), InMemoryRateLimitStore()
    store = FailoverStore(primary, fallback, monotonic=clock.monotonic, description="test://x")
    primary.down = True
    store.cool_down("acme/b", 2.0, clock.now)
    assert fallback.try_acquire("acme/b", 5, 1.0, clock.now).reason == "cooling down"
    assert repr(store) == "FailoverStore('test://x')"


def test_other_errors_of_the_primary_propagate_and_do_not_fall_back() -> None:
    clock, primary = FakeClock(), FlakyStore()
    store = _wrapped(primary, clock)

    def broken(*args: object, **kwargs: object) -> Admission:
        raise TypeError("a bug, not a failed backend")

    primary.try_acquire = broken  # type: ignore[method-assign]
    with pytest.raises(TypeError, match="a bug"):
        store.try_acquire("acme/b", 2, 1.0, clock.now)
    assert not store.fallen_back
