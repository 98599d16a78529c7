"""The Redis store against a real redis-server: atomicity, sharing, skew, failures, secrets.

Each test gets its own ``redis-server`` (about 20 ms to start), on a unix socket in a
temporary folder with persistence off, stopped by PID. Waits are real but short: windows
of a fraction of a second, and Redis killed or paused for a few hundred milliseconds.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import multiprocessing
import pickle
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import pytest

import chatapi
from chatapi import RateLimiter, RateLimitStoreError, RateLimitStoreEvent, RedisRateLimitStore
from chatapi._ratelimit import open_store, redis_store
from chatapi._ratelimit.redis_store import DEFAULT_TIMEOUT
from chatapi._ratelimit.store import PEER_MEMORY, SHARED_WINDOW_MEMORY, calls_within
from tests._race import admitted_by_racing_threads
from tests._timing import SchedulingProbe
from tests.overlays.fakes import FakeClock

from ._redis import RedisServer
from ._store_workers import acquire_for, first_try, hammer, share_while_down, warm_up

SPAWN = multiprocessing.get_context("spawn")
"""Children start clean: no copy of this process's threads, sandbox or connections."""
FAILURE_BOUND = DEFAULT_TIMEOUT + 1.0
"""How long one call may take while Redis is dead or hung: the timeout, plus scheduling
noise on a busy 2-core machine (without the timeouts a call hung for more than 12 s)."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as running:
        yield running


@pytest.fixture
def store(server: RedisServer) -> Iterator[RedisRateLimitStore]:
    opened = RedisRateLimitStore.from_url(server.unix_url, probe_interval=0.2)
    yield opened
    opened.close()


def _fallen(store: RedisRateLimitStore) -> bool:
    """Read afresh (a type checker would keep an earlier assert's answer)."""
    return store.fallen_back


def busiest(times: list[float], window: float = 1.0) -> int:
    """The most ``times`` within any ``[t, t + window)``."""
    ordered = sorted(times)
    return max(bisect.bisect_left(ordered, t + window) - i for i, t in enumerate(ordered))


# -- atomicity ------------------------------------------------------------------------------


def test_racing_threads_get_exactly_the_limit(store: RedisRateLimitStore) -> None:
    def admit() -> bool:
        return store.try_acquire("acme/b", 7, 60.0, 0.0).wait == 0

    assert admitted_by_racing_threads(admit, threads=8, tries=30) == 7
    assert not store.fallen_back


def test_racing_tasks_get_exactly_the_limit(store: RedisRateLimitStore) -> None:
    twin = store.asynchronous

    async def main() -> list[chatapi._ratelimit.Admission]:
        try:
            return await asyncio.gather(
                *(twin.try_acquire("acme/b", 7, 60.0, 0.0) for _ in range(40))
            )
        finally:
            await twin.aclose()  # type: ignore[attr-defined]

    admissions = asyncio.run(main())
    assert sum(a.wait == 0 for a in admissions) == 7
    assert {a.reason for a in admissions if a.wait} == {"window full"}


@pytest.mark.parametrize("kind", ["redis", "sqlite"])
def test_racing_processes_get_exactly_the_limit(
    kind: str, server: RedisServer, tmp_path: Path
) -> None:
    url = server.unix_url if kind == "redis" else f"sqlite://{tmp_path / 'limits.db'}"
    start_at = time.time() + 1.5  # time for the children to import chatapi
    with ProcessPoolExecutor(4, mp_context=SPAWN) as pool:
        counts = list(
            pool.map(hammer, [url] * 4, ["acme/b"] * 4, [9] * 4, [60] * 4, [start_at] * 4)
        )
    assert sum(counts) == 9
    assert max(counts) < 9 or counts.count(0) == 3  # numbers add up whoever won


# -- sharing between processes --------------------------------------------------------------


def test_a_429_seen_by_one_process_pauses_every_process(server: RedisServer) -> None:
    one = RedisRateLimitStore.from_url(server.unix_url)
    two = RedisRateLimitStore.from_url(server.unix_url)  # its own connections, as elsewhere
    RateLimiter(one).observe("acme", "b", 10, 429, httpx.Headers({"retry-after": "2"}))
    paused = two.try_acquire("acme/b", 10, 1.05, 0.0)
    assert paused.reason == "cooling down"
    assert 1.9 < paused.wait <= 2.0 + 1e-3
    one.close()
    two.close()


def test_a_lower_limit_reported_to_one_process_binds_every_process(server: RedisServer) -> None:
    one = RedisRateLimitStore.from_url(server.unix_url)
    two = RedisRateLimitStore.from_url(server.unix_url)
    headers = httpx.Headers({"x-ratelimit-limit": "3", "x-ratelimit-remaining": "2"})
    RateLimiter(one).observe("acme", "b", 10, 200, headers)
    admitted = [two.try_acquire("acme/b", 10, 1.05, 0.0).wait == 0 for _ in range(5)]
    assert admitted == [True, True, True, False, False]
    assert two.reported_limit("acme/b") == 3
    assert RateLimiter(two, headroom=1).budget("acme", "b", 10) == 2
    one.close()
    two.close()


def test_spent_budget_pauses_others_for_a_window(store: RedisRateLimitStore) -> None:
    store.mark_spent("acme/b", 5, 0.5, 0.0)  # the server says spent; no start of ours
    paused = store.try_acquire("acme/b", 5, 0.5, 0.0)
    assert paused.reason == "cooling down"
    assert 0.4 < paused.wait <= 0.5 + 1e-3


def test_keys_are_hash_tagged_per_budget_and_expire(
    server: RedisServer, store: RedisRateLimitStore
) -> None:
    import redis

    store.try_acquire("acme/send-message", 5, 1.05, 0.0)
    store.cool_down("acme/send-message", 0.5, 0.0)
    store.report_limit("acme/send-message", 4)
    raw = redis.Redis(unix_socket_path=str(server.socket_path))
    keys = sorted(k.decode() if isinstance(k, bytes) else k for k in raw.keys("*"))
    assert keys == [
        "chatapi:{acme/send-message}:cool",
        "chatapi:{acme/send-message}:limit",
        "chatapi:{acme/send-message}:peers",
        "chatapi:{acme/send-message}:starts",
        "chatapi:{acme/send-message}:window",
    ]
    assert 0 < raw.pttl("chatapi:{acme/send-message}:starts") <= 1050 + 1000
    assert 0 < raw.pttl("chatapi:{acme/send-message}:cool") <= 500 + 1000
    assert 0 < raw.ttl("chatapi:{acme/send-message}:limit") <= 600
    assert 0 < raw.pttl("chatapi:{acme/send-message}:window") <= SHARED_WINDOW_MEMORY * 1000
    assert 0 < raw.pttl("chatapi:{acme/send-message}:peers") <= PEER_MEMORY * 1000
    raw.close()


def test_the_widest_recent_window_binds_every_process(server: RedisServer) -> None:
    slow = RedisRateLimitStore.from_url(server.unix_url)
    prompt = RedisRateLimitStore.from_url(server.unix_url)
    assert slow.try_acquire("acme/b", 1, 1.6, 0.0).wait == 0  # a process with jitter
    # The prompt process asks for 1.05 s; the slow one's 1.6 s is in force for it too.
    waiting = prompt.try_acquire("acme/b", 1, 1.05, 0.0)
    assert waiting.reason == "window full"
    assert 1.5 < waiting.wait <= 1.6 + 1e-3
    slow.close()
    prompt.close()


def test_a_redis_clock_stepping_back_stalls_nothing_and_opens_no_slot(
    server: RedisServer, store: RedisRateLimitStore
) -> None:
    import redis

    raw = redis.Redis(unix_socket_path=str(server.socket_path))
    seconds, micros = raw.time()
    # A start recorded an hour ahead of Redis's clock: what a step back of 1 h leaves.
    ahead = seconds * 1_000_000 + micros + 3600 * 1_000_000
    raw.zadd("chatapi:{acme/b}:starts", {"before-the-step": ahead})
    assert store.try_acquire("acme/b", 2, 0.3, 0.0).wait == 0
    refused = store.try_acquire("acme/b", 2, 0.3, 0.0)
    assert refused.reason == "window full"  # the start before the step still counts
    assert refused.wait <= 0.3 + 1e-3  # ... for one window, not for the hour
    time.sleep(refused.wait)
    assert store.try_acquire("acme/b", 2, 0.3, 0.0).wait == 0
    raw.close()


def test_a_lower_reported_limit_holds_under_steady_traffic(
    server: RedisServer, store: RedisRateLimitStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scaled down: the limit lives 1 s in Redis (600 s in use), refreshed after 0.3 s (60 s).
    monkeypatch.setattr(redis_store, "REPORTED_LIMIT_TTL", 1)
    monkeypatch.setattr(redis_store, "_REFRESH_REPORTED", 0.3)
    limiter = RateLimiter(store, window=0.05)
    headers = httpx.Headers({"x-ratelimit-limit": "3"})
    limiter.observe("acme", "b", 10, 200, headers)
    end = time.monotonic() + 2.5
    while time.monotonic() < end:  # every answer re-reports the lower limit
        limiter.acquire("acme", "b", 10)
        assert store.reported_limit("acme/b") == 3  # as the try read it from Redis
        limiter.observe("acme", "b", 10, 200, headers)
        time.sleep(0.05)


def test_skewed_client_clocks_change_nothing_redis_time_decides(server: RedisServer) -> None:
    offsets = [-0.5, 0.0, 0.5]
    with ProcessPoolExecutor(3, mp_context=SPAWN) as pool:
        # Every child started and imported before the common start: a busy machine takes
        # seconds to spawn three interpreters.
        list(pool.map(warm_up, [server.unix_url] * 3))
        start_at = time.time() + 0.5
        runs = list(
            pool.map(
                acquire_for, [server.unix_url] * 3, [5] * 3, offsets, [start_at] * 3, [2.2] * 3
            )
        )
    starts = [t for run in runs for t in run]
    # Never more than 5 in any second, whatever each process believes the time is.
    assert busiest(starts) <= 5
    # And the budget was used: from the first start, batches at 0, 1.05 and 2.1 s (the
    # children may start late on a busy machine, so time is counted from the first start).
    assert busiest(starts, window=2.2) >= 10
    # A clock 0.5 s ahead wins nothing: every process gets a share.
    assert min(len(run) for run in runs) >= 2, [len(run) for run in runs]


# -- failures -----------------------------------------------------------------------------


def _calls_during(store: RedisRateLimitStore, seconds: float, threads: int = 4) -> list[float]:
    """Durations of try_acquire calls made in a loop by ``threads`` threads for ``seconds``."""
    durations: list[float] = []
    end = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < end:
            started = time.monotonic()
            store.try_acquire("acme/b", 1000, 1.05, time.monotonic())
            durations.append(time.monotonic() - started)
            time.sleep(0.01)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return durations


@pytest.mark.parametrize("failure", ["killed", "paused"])
def test_redis_down_mid_run_falls_back_within_bounds_and_recovers(
    failure: str, server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[RateLimitStoreEvent] = []
    store = RedisRateLimitStore.from_url(
        server.unix_url, probe_interval=0.3, on_event=events.append
    )
    caplog.set_level(logging.INFO, logger="chatapi")
    assert max(_calls_during(store, 0.2)) < FAILURE_BOUND
    if failure == "killed":
        server.stop()
    else:
        server.pause()
    durations = _calls_during(store, 0.8)
    assert store.fallen_back
    assert max(durations) < FAILURE_BOUND, max(durations)
    assert len(durations) > 20  # the callers kept going on the fallback
    if failure == "killed":
        server.start()  # a fresh Redis on the same socket: history lost, nothing else
    else:
        server.resume()
    _calls_during(store, 0.6)
    assert not _fallen(store)
    assert [e.state for e in events] == ["fallback", "recovered"]
    warnings = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert len(warnings) == 1, warnings  # logged once, not once per call
    store.close()


def test_while_redis_is_down_each_process_keeps_to_its_share(server: RedisServer) -> None:
    fleet = [RedisRateLimitStore.from_url(server.unix_url) for _ in range(4)]
    for store in fleet * 2:  # four processes use the budget of 10 (and saw each other)
        assert store.try_acquire("acme/b", 10, 1.05, 0.0).wait == 0
    server.stop()
    admitted = [
        sum(store.try_acquire("acme/b", 10, 1.05, 0.0).wait == 0 for _ in range(12))
        for store in fleet
    ]
    assert all(_fallen(store) for store in fleet)
    # Each keeps to 10 // 4 in this window, not the whole budget: 8 together, not 40.
    assert admitted == [2, 2, 2, 2]
    for store in fleet:
        store.close()


def test_while_the_sqlite_file_is_locked_each_process_keeps_to_its_share(tmp_path: Path) -> None:
    """Two processes on one SQLite file, which another holds locked: 5 each, not 10 each."""
    import sqlite3

    path = tmp_path / "limits.db"
    with multiprocessing.Manager() as manager, ProcessPoolExecutor(2, mp_context=SPAWN) as pool:
        gate, locked = manager.Barrier(3), manager.Event()
        runs = [
            pool.submit(share_while_down, f"sqlite://{path}", "acme/b", 10, gate, locked)
            for _ in range(2)
        ]
        gate.wait(60)  # both have used the file once...
        gate.wait(60)  # ... and then seen each other in it
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the file is unwritable to them from now on
        try:
            locked.set()
            results = [run.result(timeout=60) for run in runs]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    # Each falls back to 10 // 2 in its window, not the whole budget: 10 together, not 20.
    assert results == [(5, True), (5, True)]


def test_async_callers_never_block_the_loop_on_a_hung_redis(server: RedisServer) -> None:
    store = RedisRateLimitStore.from_url(server.unix_url, probe_interval=0.2)
    twin = store.asynchronous
    gaps: list[tuple[float, float]] = []  # (loop tick due, tick ran)
    calls: list[tuple[float, float]] = []  # (call started, call ended)

    async def ticker(stop: asyncio.Event) -> None:
        while not stop.is_set():
            due = time.monotonic() + 0.01
            await asyncio.sleep(0.01)
            gaps.append((due, time.monotonic()))

    async def caller() -> None:
        for _ in range(20):
            started = time.monotonic()
            await twin.try_acquire("acme/b", 1000, 1.05, 0.0)
            calls.append((started, time.monotonic()))
            await asyncio.sleep(0.02)

    async def main() -> None:
        await twin.try_acquire("acme/b", 1000, 1.05, 0.0)  # connected before the pause
        stop = asyncio.Event()
        tick = asyncio.create_task(ticker(stop))
        server.pause()
        try:
            await asyncio.gather(*(caller() for _ in range(4)))
        finally:
            server.resume()
            stop.set()
            await tick
            await twin.aclose()  # type: ignore[attr-defined]

    # A thread beside the loop measures how long the process itself was kept from running:
    # a blocking round trip would stall the loop while the thread (the GIL released in the
    # socket wait) woke on time, so only a busy machine stretches the bounds below.
    with SchedulingProbe() as probe:
        asyncio.run(main())
    assert store.fallen_back
    for started, ended in calls:
        assert ended - started < FAILURE_BOUND + probe.lag(started, ended), probe.describe(
            started, ended
        )
    # The timed-out round trips happened while other tasks ran: the loop never froze for a
    # whole round trip (a blocking call would leave a late tick of DEFAULT_TIMEOUT or more).
    for due, ran in gaps:
        assert ran - due < DEFAULT_TIMEOUT * 0.8 + probe.lag(due, ran), probe.describe(due, ran)
    store.close()


def test_many_event_loops_leave_no_connection_behind(server: RedisServer) -> None:
    import redis

    store = RedisRateLimitStore.from_url(server.unix_url)

    async def one_call() -> None:
        await store.asynchronous.try_acquire("acme/b", 10**6, 1.05, 0.0)

    for _ in range(60):  # a script calling asyncio.run() per job, as many do
        asyncio.run(one_call())
    raw = redis.Redis(unix_socket_path=str(server.socket_path))
    clients = int(raw.info("clients")["connected_clients"])
    raw.close()
    assert clients <= 3, clients  # the store's pool and this probe, not one per loop
    store.close()


def test_an_async_caller_on_a_sync_client_reports_recovery_only_when_redis_answers(
    server: RedisServer,
) -> None:
    import redis

    events: list[RateLimitStoreEvent] = []
    client = redis.Redis(unix_socket_path=str(server.socket_path), socket_timeout=0.25)
    store = RedisRateLimitStore(client, probe_interval=0.05, on_event=events.append)
    twin = store.asynchronous

    async def feedback() -> None:
        for limit in range(3, 23):  # a new limit each time, so each one is written
            await twin.report_limit("acme/b", limit)
            await asyncio.sleep(0.01)

    server.stop()
    asyncio.run(feedback())
    assert [e.state for e in events] == ["fallback"]  # Redis never answered: no "recovered"
    client.close()


def test_fail_closed_raises_within_bounds_and_keeps_the_password_out(tmp_path: Path) -> None:
    with RedisServer(tmp_path, tcp=True, password="hunter2-secret") as server:
        store = RedisRateLimitStore.from_url(server.tcp_url, fail_closed=True)
        assert store.try_acquire("acme/b", 5, 1.05, 0.0).wait == 0  # the password works
        server.pause()
        started = time.monotonic()
        with pytest.raises(RateLimitStoreError) as caught:
            store.try_acquire("acme/b", 5, 1.05, 0.0)
        assert time.monotonic() - started < FAILURE_BOUND
        server.resume()
        store.close()
    error = caught.value
    for text in (
        str(error),
        repr(error),
        error.store,
        repr(store),
        pickle.dumps(error).decode("latin-1"),
    ):
        assert "hunter2" not in text
    assert "127.0.0.1" in str(error)
    assert type(pickle.loads(pickle.dumps(error))) is RateLimitStoreError  # noqa: S301
    with pytest.raises(TypeError, match="cannot be pickled") as refused:
        pickle.dumps(store)
    assert "hunter2" not in str(refused.value)


def test_the_password_stays_out_of_logs_and_events(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[RateLimitStoreEvent] = []
    caplog.set_level(logging.DEBUG)
    with RedisServer(tmp_path, tcp=True, password="hunter2-secret") as server:
        url = server.tcp_url.replace("hunter2-secret", "wrong-hunter2")
        store = RedisRateLimitStore.from_url(url, on_event=events.append)
        assert store.try_acquire("acme/b", 5, 1.05, 0.0).wait == 0  # refused by Redis: fallback
        assert store.fallen_back
        store.close()
    assert events
    assert "AuthenticationError" in events[0].error
    assert "hunter2" not in caplog.text
    assert all("hunter2" not in repr(event) for event in events)


# -- through connect() --------------------------------------------------------------------


def test_connect_opens_one_redis_store_per_url_and_accepts_clients(server: RedisServer) -> None:
    import redis
    import redis.asyncio

    store = open_store(server.unix_url)
    assert isinstance(store, RedisRateLimitStore)
    assert open_store(server.unix_url) is store
    client = redis.Redis(unix_socket_path=str(server.socket_path))
    wrapped = open_store(client)
    assert isinstance(wrapped, RedisRateLimitStore)
    assert wrapped.try_acquire("acme/b", 1, 1.05, 0.0).wait == 0
    assert store.try_acquire("acme/b", 1, 1.05, 0.0).reason == "window full"  # same budget
    only_async = open_store(redis.asyncio.Redis(unix_socket_path=str(server.socket_path)))
    with pytest.raises(TypeError, match="asyncio client"):
        only_async.try_acquire("acme/b", 1, 1.05, 0.0)
    client.close()
    assert chatapi.connect("t", base_url="http://127.0.0.1:1/v2", rate_limit_store=store)


@pytest.mark.parametrize("mode", ["fallback", "fail closed", "asyncio"])
def test_a_paused_redis_holds_no_call_past_its_deadline(mode: str, server: RedisServer) -> None:
    store = RedisRateLimitStore.from_url(server.unix_url, fail_closed=mode == "fail closed")
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(store, clock=clock)
    limiter.acquire("acme", "b", 10)  # connected and the script loaded, before the pause
    # A call with a deadline of 0.3 s that an earlier attempt left 0.1 s of: less than one
    # socket timeout (DEFAULT_TIMEOUT), which the store waited out whatever the deadline.
    clock.advance(0.2)
    left = 0.1
    server.pause()
    try:
        with SchedulingProbe() as probe:
            started = time.monotonic()
            if mode == "fail closed":
                with pytest.raises(RateLimitStoreError, match="nothing was sent"):
                    limiter.acquire("acme", "b", 10, deadline=0.3)
            elif mode == "asyncio":
                asyncio.run(limiter.aacquire("acme", "b", 10, deadline=0.3))
            else:
                limiter.acquire("acme", "b", 10, deadline=0.3)
            ended = time.monotonic()
    finally:
        server.resume()
    assert ended - started < left + 0.05 + probe.lag(started, ended), probe.describe(started, ended)
    assert store.fallen_back  # past the deadline the paused Redis counts as failed
    store.close()


class SlowProxy:
    """A unix socket in front of Redis that holds each answer ``delay`` seconds: alive, slow."""

    def __init__(self, upstream: Path, path: Path, delay: float) -> None:
        self.path = path
        self._upstream = upstream
        self._delay = delay
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(str(path))
        self._listener.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.socket(socket.AF_UNIX)
            server.connect(str(self._upstream))
            threading.Thread(target=self._pipe, args=(client, server, 0.0), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(server, client, self._delay), daemon=True
            ).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket, delay: float) -> None:
        with source, target:
            while True:
                try:
                    data = source.recv(65536)
                    if not data:
                        return
                    time.sleep(delay)  # the test's stand-in for a slow server, not a unit wait
                    target.sendall(data)
                except OSError:
                    return

    def close(self) -> None:
        self._listener.close()


def test_a_slow_redis_counts_as_failed_once_the_call_has_no_time_left(
    server: RedisServer, tmp_path: Path
) -> None:
    proxy = SlowProxy(server.socket_path, tmp_path / "slow.sock", delay=0.2)
    store = RedisRateLimitStore.from_url(f"unix://{proxy.path}")
    assert store.try_acquire("acme/b", 10, 1.05, 0.0).wait == 0  # alive: 0.2 s, within 0.25
    assert not store.fallen_back
    left = 0.1  # what the call has left: less than one round trip
    with SchedulingProbe() as probe:
        started = time.monotonic()
        with calls_within(left):
            assert store.try_acquire("acme/b", 10, 1.05, 0.0).wait == 0  # from the fallback
        ended = time.monotonic()
    assert ended - started < left + 0.05 + probe.lag(started, ended), probe.describe(started, ended)
    assert _fallen(store)  # the slow Redis counts as failed once the call's time is spent
    store.close()
    proxy.close()


def test_a_locked_sqlite_file_holds_no_call_past_its_deadline(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "limits.db"
    store = chatapi.SqliteRateLimitStore(path, busy_timeout=3.0)
    store.try_acquire("acme/b", 10, 1.05, 0.0)  # set up
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    limiter = RateLimiter(store)
    started = time.monotonic()
    limiter.acquire("acme", "b", 10, deadline=started + 0.5)
    took = time.monotonic() - started
    holder.execute("ROLLBACK")
    holder.close()
    # The lock is waited on until the deadline, not for the store's 3 s busy timeout; then
    # the store counts as failed and the process's own budget answers.
    assert took < 2.0, took
    assert store.fallen_back


def test_processes_setting_up_a_new_database_at_once_all_reach_it(tmp_path: Path) -> None:
    """Switching a new file to WAL races; no process may fall back to its own budgets."""
    with ProcessPoolExecutor(6, mp_context=SPAWN) as pool:
        list(pool.map(first_try, [f"sqlite://{tmp_path / 'warm.db'}"] * 6, [0.0] * 6))  # imports
        for trial in range(8):
            url = f"sqlite://{tmp_path / f'race-{trial}.db'}"
            start_at = time.time() + 0.2
            reached = list(pool.map(first_try, [url] * 6, [start_at] * 6))
            assert all(reached), f"trial {trial}: {reached}"
