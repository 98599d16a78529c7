"""Shared rate-limit stores without a server: the SQLite store, failover, choosing a store.

The SQLite store reads an injected wall clock here, so no test sleeps. The Redis store
against a real redis-server is tested in ``tests/integration/test_redis_store.py``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import sqlite3
import threading
import weakref
from pathlib import Path

import httpx
import pytest

import chatapi
from chatapi import (
    RateLimiter,
    RateLimitStoreError,
    RateLimitStoreEvent,
    SqliteRateLimitStore,
)
from chatapi._connect import RateLimitStoreSetting
from chatapi._ratelimit import open_store, sqlite_store
from chatapi._ratelimit.failover import Failover
from chatapi._ratelimit.lease import StoreLease
from chatapi._ratelimit.sqlite_store import SqliteBackend
from chatapi._ratelimit.store import DirectAsyncStore, InMemoryRateLimitStore, async_store_for
from chatapi._ratelimit.store_url import STORE_VARIABLE
from tests._race import admitted_by_racing_threads

from .fakes import SLACK, WALL_OFFSET, FakeClock


class Wall:
    """A wall clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = WALL_OFFSET

    def __call__(self) -> float:
        return self.now


def _sqlite(tmp_path: Path, wall: Wall, **kwargs: object) -> SqliteRateLimitStore:
    return SqliteRateLimitStore(tmp_path / "limits.db", wall_clock=wall, **kwargs)  # type: ignore[arg-type]


# -- SQLite: the contract ---------------------------------------------------------------


def test_sqlite_admits_the_limit_then_names_the_wait_on_its_own_clock(tmp_path: Path) -> None:
    wall = Wall()
    store = _sqlite(tmp_path, wall)
    # The caller's `now` (a monotonic reading) is ignored: processes share the wall clock.
    assert [store.try_acquire("acme/b", 3, 1.0, now=5.0).wait for _ in range(3)] == [0, 0, 0]
    wall.now += 0.25
    refused = store.try_acquire("acme/b", 3, 1.0, now=-100.0)
    assert refused.reason == "window full"
    assert refused.wait == pytest.approx(0.75 + SLACK)
    wall.now += 0.75
    assert store.try_acquire("acme/b", 3, 1.0, now=0.0).wait == 0
    assert store.try_acquire("acme/other", 3, 1.0, now=0.0).wait == 0
    assert not store.fallen_back  # all of it in the file, none in the fallback


def test_sqlite_budgets_are_shared_by_every_store_on_the_file(tmp_path: Path) -> None:
    wall = Wall()
    one, two = _sqlite(tmp_path, wall), _sqlite(tmp_path, wall)
    assert one.try_acquire("acme/b", 2, 1.0, 0.0).wait == 0
    assert two.try_acquire("acme/b", 2, 1.0, 0.0).wait == 0
    assert one.try_acquire("acme/b", 2, 1.0, 0.0).reason == "window full"

    one.cool_down("acme/c", 2.0, 0.0)
    paused = two.try_acquire("acme/c", 5, 1.0, 0.0)
    assert paused.reason == "cooling down"
    assert paused.wait == pytest.approx(2.0 + SLACK)
    one.cool_down("acme/c", 0.5, 0.0)  # a shorter cool-down does not cut the longer one
    assert two.try_acquire("acme/c", 5, 1.0, 0.0).wait == pytest.approx(2.0 + SLACK)

    one.report_limit("acme/d", 1)
    assert two.try_acquire("acme/d", 10, 1.0, 0.0).wait == 0
    assert two.try_acquire("acme/d", 10, 1.0, 0.0).reason == "window full"
    assert two.reported_limit("acme/d") == 1  # as of its last contact with the file


def test_sqlite_applies_headroom_to_the_reported_limit(tmp_path: Path) -> None:
    wall = Wall()
    store = _sqlite(tmp_path, wall)
    store.report_limit("acme/b", 4)
    admitted = [store.try_acquire("acme/b", 10, 1.0, 0.0, headroom=1).wait for _ in range(5)]
    assert admitted == [0, 0, 0, pytest.approx(1.0 + SLACK), pytest.approx(1.0 + SLACK)]


def test_sqlite_mark_spent_pauses_only_when_others_spent_the_budget(tmp_path: Path) -> None:
    wall = Wall()
    store = _sqlite(tmp_path, wall)
    for _ in range(2):
        store.try_acquire("acme/own", 2, 1.0, 0.0)
    store.mark_spent("acme/own", 2, 1.0, 0.0)  # our starts fill it: the window holds us back
    wall.now += 1.0
    assert store.try_acquire("acme/own", 2, 1.0, 0.0).wait == 0
    store.mark_spent("acme/others", 2, 1.0, 0.0)  # not ours: pause a whole window
    assert store.try_acquire("acme/others", 2, 1.0, 0.0).reason == "cooling down"


def test_sqlite_a_wall_clock_stepping_back_opens_no_slot(tmp_path: Path) -> None:
    wall = Wall()
    store = _sqlite(tmp_path, wall)
    assert store.try_acquire("acme/b", 1, 1.0, 0.0).wait == 0
    wall.now -= 30.0  # NTP stepped the clock back
    assert store.try_acquire("acme/b", 1, 1.0, 0.0).wait == pytest.approx(1.0 + SLACK)


def test_sqlite_a_wall_clock_stepping_back_stalls_nothing(tmp_path: Path) -> None:
    wall = Wall()
    store = _sqlite(tmp_path, wall)
    store.cool_down("acme/cool", 2.0, 0.0)
    assert store.try_acquire("acme/b", 1, 1.0, 0.0).wait == 0
    wall.now -= 3600.0  # NTP stepped the clock back an hour
    wait = store.try_acquire("acme/b", 1, 1.0, 0.0).wait
    assert wait == pytest.approx(1.0 + SLACK)
    wall.now += wait  # one window later, not an hour
    assert store.try_acquire("acme/b", 1, 1.0, 0.0).wait == 0
    # A cool-down set before the step ends when it was meant to, too.
    assert store.try_acquire("acme/cool", 1, 1.0, 0.0).wait <= 2.0


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_sqlite_notices_its_file_deleted_or_replaced(tmp_path: Path, how: str) -> None:
    wall = Wall()
    events: list[RateLimitStoreEvent] = []
    path = tmp_path / "limits.db"
    first = _sqlite(tmp_path, wall, on_event=events.append)
    assert first.try_acquire("acme/b", 1, 1.0, 0.0).wait == 0
    wall.now += 1.5
    for leftover in tmp_path.iterdir():  # the file, and its -wal and -shm companions
        leftover.unlink()
    if how == "replaced":  # a deploy put a fresh database where the old one was
        sqlite3.connect(path).close()
    second = _sqlite(tmp_path, wall)  # a process started since: it uses the new file
    assert second.try_acquire("acme/b", 1, 1.0, 0.0).wait == 0
    # The first process must join the new file, not keep a budget of its own in the old.
    assert first.try_acquire("acme/b", 1, 1.0, 0.0).reason == "window full"
    assert [(e.state, e.error) for e in events] == [
        ("replaced", "the database file was deleted or replaced")
    ]


def test_sqlite_admits_exactly_the_limit_to_racing_threads(tmp_path: Path) -> None:
    store = SqliteRateLimitStore(tmp_path / "limits.db")  # the real wall clock; no sleep

    def admit() -> bool:
        return store.try_acquire("acme/b", 7, 60.0, 0.0).wait == 0

    assert admitted_by_racing_threads(admit, threads=8, tries=40) == 7


def test_sqlite_twin_runs_off_the_event_loop(tmp_path: Path) -> None:
    store = SqliteRateLimitStore(tmp_path / "limits.db")
    loop_thread: list[int] = []
    calls: list[int] = []
    backend = store.primary  # the database's own calls, under the failover wrapper
    real = backend.try_acquire

    def spy(*args: object, **kwargs: object) -> chatapi._ratelimit.Admission:
        calls.append(threading.get_ident())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    backend.try_acquire = spy  # type: ignore[method-assign]

    async def main() -> None:
        loop_thread.append(threading.get_ident())
        limiter = RateLimiter(store, clock=FakeClock())
        await limiter.aacquire("acme", "b", 5)

    asyncio.run(main())
    assert calls
    assert calls[0] != loop_thread[0]


def test_a_store_without_a_twin_is_called_directly_from_async_code() -> None:
    store = InMemoryRateLimitStore()
    assert isinstance(async_store_for(store), DirectAsyncStore)
    assert async_store_for(SqliteRateLimitStore(":memory:")) is not None


# -- failover ---------------------------------------------------------------------------


def test_a_failing_database_falls_back_logs_once_reports_and_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[RateLimitStoreEvent] = []
    folder = tmp_path / "later"
    clock = FakeClock()
    store = SqliteRateLimitStore(folder / "limits.db", on_event=events.append, probe_interval=5)
    store._failover._monotonic = clock.monotonic  # probe timing on the fake clock
    caplog.set_level(logging.INFO, logger="chatapi")
    # No folder: every transaction fails; the budget lives in the process meanwhile.
    admitted = [store.try_acquire("acme/b", 2, 1.0, clock.now).wait == 0 for _ in range(3)]
    assert admitted == [True, True, False]
    assert store.fallen_back
    assert [e.state for e in events] == ["fallback"]
    assert "OperationalError" in events[0].error
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].levelno == logging.WARNING

    folder.mkdir()
    clock.advance(4.0)  # before the probe interval: still the fallback
    store.try_acquire("acme/b", 2, 1.0, clock.now)
    assert store.fallen_back
    clock.advance(1.5)
    assert store.try_acquire("acme/b", 2, 1.0, clock.now).wait == 0  # the probe succeeds
    assert not _fallen(store)
    assert [e.state for e in events] == ["fallback", "recovered"]


def test_fail_closed_raises_a_typed_error_that_pickles(tmp_path: Path) -> None:
    store = SqliteRateLimitStore(tmp_path / "missing" / "limits.db", fail_closed=True)
    with pytest.raises(RateLimitStoreError, match="nothing was sent") as caught:
        store.try_acquire("acme/b", 2, 1.0, 0.0)
    error = caught.value
    assert isinstance(error, chatapi.ChatAPIError)
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own pickle
    assert type(again) is RateLimitStoreError
    assert str(again) == str(error)
    assert again.store == error.store
    with pytest.raises(RateLimitStoreError):  # no silent fallback on the next call either
        store.try_acquire("acme/b", 2, 1.0, 0.0)


def test_a_probe_is_made_by_one_caller_while_the_others_use_the_fallback() -> None:
    clock = FakeClock()
    failover = Failover("test://", (OSError,), probe_interval=1.0, monotonic=clock.monotonic)
    failover.call(_raise, lambda: None)
    clock.advance(1.0)
    inside: list[str] = []
    entered, release = threading.Event(), threading.Event()

    def slow_probe() -> str:
        entered.set()
        release.wait(5)
        return "primary"

    prober = threading.Thread(target=lambda: inside.append(failover.call(slow_probe, str)))
    prober.start()
    assert entered.wait(5)
    assert failover.call(lambda: "primary", lambda: "fallback") == "fallback"
    release.set()
    prober.join()
    assert inside == ["primary"]
    assert not failover.fallen_back


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, asyncio.CancelledError])
def test_an_interrupted_probe_leaves_the_next_interval_free_to_probe(
    interruption: type[BaseException],
) -> None:
    clock = FakeClock()
    failover = Failover("test://", (OSError,), probe_interval=1.0, monotonic=clock.monotonic)
    failover.call(_raise, lambda: None)
    clock.advance(1.0)

    def interrupted() -> str:
        raise interruption

    with pytest.raises(interruption):
        failover.call(interrupted, lambda: "fallback")
    assert failover.call(lambda: "primary", lambda: "fallback") == "fallback"  # not yet
    clock.advance(1.0)  # the backend answers again: back within one probe interval
    assert failover.call(lambda: "primary", lambda: "fallback") == "primary"
    assert not failover.fallen_back


def test_a_cancelled_async_probe_leaves_the_next_interval_free_to_probe() -> None:
    clock = FakeClock()
    failover = Failover("test://", (OSError,), probe_interval=1.0, monotonic=clock.monotonic)
    failover.call(_raise, lambda: None)
    clock.advance(1.0)

    async def hung() -> str:
        await asyncio.sleep(3600)
        return "primary"

    async def answers() -> str:
        return "primary"

    async def main() -> list[str]:
        probe = asyncio.ensure_future(failover.acall(hung, lambda: "fallback"))
        await asyncio.sleep(0)  # the probe is under way, then its caller gives up
        probe.cancel()
        with pytest.raises(asyncio.CancelledError):
            await probe
        clock.advance(1.0)
        return [await failover.acall(answers, lambda: "fallback")]

    assert asyncio.run(main()) == ["primary"]


def _fallen(store: SqliteRateLimitStore) -> bool:
    """Read afresh (a type checker would keep an earlier assert's answer)."""
    return store.fallen_back


def _raise() -> None:
    raise OSError("down")


# -- choosing a store -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://host/limits",
        "sqlite://relative/limits.db",
        "sqlite:///",
        "redis://:hunter2@host:notaport/0",
        "redis://:hunt/er2@redis.internal:6379/0",  # a slash in the password
        "redis://user:hun?ter2@host:6379/0",
        "redis://:hunter2@/0",
        "redis://:hunter2@host:6379/zero",
        "unix://:hunter2@",
        "limits.db",
    ],
)
def test_a_bad_url_names_the_accepted_forms_and_never_the_password(url: str) -> None:
    with pytest.raises(ValueError, match=r"sqlite:///.*redis://.*rediss://.*unix://") as caught:
        open_store(url)
    # Any part of the password would do: check its halves around the odd character too.
    for part in ("hunter2", "hunt", "er2"):
        assert part not in str(caught.value)


HOSTILE_PASSWORDS = ["/secretpw", "sec/retpw", "sec?retpw", "sec#retpw", "/sec?re#tpw"]


def _every_text(error: BaseException) -> str:
    """The error's text and that of every exception chained to it."""
    texts: list[str] = []
    seen: BaseException | None = error
    while seen is not None:
        texts.append(f"{type(seen).__name__}: {seen}")
        seen = seen.__cause__ or seen.__context__
    return " | ".join(texts)


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
@pytest.mark.parametrize("scheme", ["unix", "redis", "rediss"])
def test_a_redis_password_with_url_delimiters_is_refused_without_being_shown(
    scheme: str, password: str
) -> None:
    from chatapi import RedisRateLimitStore

    where = "/var/run/redis.sock" if scheme == "unix" else "redis.internal:6379/0"
    url = f"{scheme}://:{password}@{where}"
    for opener in (open_store, RedisRateLimitStore.from_url):
        with pytest.raises(ValueError, match="percent-encode") as caught:
            opener(url)
        text = _every_text(caught.value)
        for part in ("secret", "retpw", "sec", "tpw"):
            assert part not in text, (opener, text)


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_a_percent_encoded_password_never_shows_in_the_store(password: str) -> None:
    from urllib.parse import quote

    from chatapi import RedisRateLimitStore

    url = f"unix://:{quote(password, safe='')}@/var/run/redis.sock"
    store = RedisRateLimitStore.from_url(url)
    shown = f"{store!r} {store._failover.description}"
    assert shown == "RedisRateLimitStore('unix:///var/run/redis.sock') unix:///var/run/redis.sock"
    store.close()


def test_something_that_is_no_store_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="rate_limit_store"):
        open_store(42)


def test_one_store_per_url_per_process(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'limits.db'}"
    store = open_store(url)
    assert isinstance(store, SqliteRateLimitStore)
    assert open_store(url) is store
    own = InMemoryRateLimitStore()
    assert open_store(own) is own


def _send_twice(client_store: RateLimitStoreSetting, clock: FakeClock) -> list[float]:
    """Two requests through a client on ``client_store``; the sleeps taken.

    The path matches no operation: it draws from the table's ``default`` bucket.
    """
    with chatapi.connect(
        "secret-token",
        base_url="https://api.test/v2",
        organization="acme",
        rate_limit_store=client_store,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})),
        clock=clock,
    ) as client:
        for _ in range(2):
            client.get_httpx_client().get("/unlisted")
    return clock.sleeps


def test_connect_uses_the_store_named_by_the_setting_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    store = SqliteRateLimitStore(tmp_path / "limits.db", wall_clock=clock.time)
    store.report_limit("acme/default", 1)  # another process learned a limit of 1
    # The table allows 5 per second, the store 1: the second request waits a whole window.
    assert _send_twice(store, clock) == [pytest.approx(1.05 + SLACK)]

    monkeypatch.setenv(STORE_VARIABLE, f"sqlite://{tmp_path / 'env.db'}")
    from_env = open_store(f"sqlite://{tmp_path / 'env.db'}")
    from_env.cool_down("acme/default", 3.0, 0.0)
    clock = FakeClock()
    client = chatapi.connect(
        "secret-token",
        base_url="https://api.test/v2",
        organization="acme",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})),
        clock=clock,
        deadline=1.0,
    )
    with client, pytest.raises(chatapi.LocalRateLimitError):  # the cool-down outlasts it
        client.get_httpx_client().get("/unlisted")


def test_connect_refuses_a_limiter_and_a_store_together(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rate_limit_store"):
        chatapi.connect(
            "secret-token",
            base_url="https://api.test/v2",
            rate_limit=RateLimiter(InMemoryRateLimitStore()),
            rate_limit_store=f"sqlite://{tmp_path / 'limits.db'}",
        )
    assert not (tmp_path / "limits.db").exists()  # refused before anything was opened


def test_connect_reports_a_bad_environment_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STORE_VARIABLE, "memcached://:hunter2@host")
    with pytest.raises(ValueError, match=r"accepted|use sqlite") as caught:
        chatapi.connect("secret-token", base_url="https://api.test/v2")
    assert "hunter2" not in str(caught.value)
    # Rate limiting off: the store is not needed, so it is not opened.
    chatapi.connect("secret-token", base_url="https://api.test/v2", rate_limit=False)


def test_sqlite_reports_the_database_error_kind(tmp_path: Path) -> None:
    # A directory where the file should be: sqlite3 refuses to open it.
    (tmp_path / "limits.db").mkdir()
    store = SqliteRateLimitStore(tmp_path / "limits.db")
    assert store.try_acquire("acme/b", 1, 1.0, 0.0).wait == 0
    assert store.fallen_back
    assert issubclass(sqlite3.OperationalError, sqlite3.Error)


class _FailsAfterSending(InMemoryRateLimitStore):
    """Admits, then fails (closed) when the answer's feedback is written."""

    def report_limit(self, key: str, limit: int) -> None:
        raise RateLimitStoreError("store down; nothing was sent", store="test://store")


def test_a_store_failing_after_the_send_keeps_the_answer(caplog: pytest.LogCaptureFixture) -> None:
    """Failing closed means sending nothing; a request already sent keeps its answer."""
    sent: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"messageId": 7}, headers={"X-RateLimit-Limit": "10"})

    client = chatapi.connect(
        "secret-token",
        base_url="https://api.test/v2",
        transport=httpx.MockTransport(server),
        rate_limit=RateLimiter(_FailsAfterSending()),
    )
    with client:
        answer = client.get_httpx_client().post("/contact/id%3A1/message", json={})
    assert answer.status_code == 200
    assert len(sent) == 1
    assert "its answer is kept" in caplog.text


class _ReleaseCounter:
    """A store that counts its releases, and signals each."""

    def __init__(self) -> None:
        self.releases = 0
        self.released = threading.Event()

    def release(self) -> None:
        self.releases += 1
        self.released.set()


def test_a_collected_lease_is_returned_and_holds_nothing_alive() -> None:
    store = _ReleaseCounter()
    lease = StoreLease(store)
    collected = weakref.ref(lease)
    del lease  # no cycle through the finalizer: reference counting frees it at once
    assert collected() is None
    assert store.released.wait(5)
    assert store.releases == 1


@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_sqlite_a_fork_while_a_release_holds_a_connection_leaves_the_child_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child forked while another thread of the parent closes this thread's connection.

    The parent's locks are copied held into the child, where no thread will ever release
    them: the child's first call must still be answered (exit code 0), not hang (3).
    """
    store = SqliteBackend(tmp_path / "limits.db")
    assert store.try_acquire("k", 10, 1.0, 0.0).wait == 0  # this thread's connection is open
    closing, forked = threading.Event(), threading.Event()
    close = sqlite_store._Handle.close

    def held_close(handle: sqlite_store._Handle) -> None:
        closing.set()
        forked.wait(5)
        close(handle)

    monkeypatch.setattr(sqlite_store._Handle, "close", held_close)
    releasing = threading.Thread(target=store.release)
    releasing.start()
    assert closing.wait(5)
    pid = os.fork()
    if pid == 0:  # the child: answer with the exit code, never return into pytest
        code = 2

        def give_up() -> None:
            forked.wait(5)  # never set in the child: 5 s
            os._exit(3)

        try:
            threading.Thread(target=give_up, daemon=True).start()
            code = 0 if store.try_acquire("k", 10, 1.0, 0.0).wait == 0 else 1
        finally:
            os._exit(code)
    forked.set()
    releasing.join(5)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
