"""SqliteRateLimitStore: budgets shared by every process of one machine, in one SQLite file.

For several processes on one machine (web workers, a task queue) and no server to run. Not
for a network filesystem: SQLite's locking is unreliable there; use Redis across machines.

How it stays correct across processes:
- Every operation is one ``BEGIN IMMEDIATE`` transaction: it takes the database's write
  lock before reading, so "count the starts in the window, then record one" is atomic
  against every other process (a deferred transaction could read, lose the race to upgrade
  its lock, and fail with "database is locked" instead of waiting).
- WAL journal mode: readers never block the writer, and a commit does not fsync with
  ``synchronous=NORMAL`` (losing the last starts in a power cut costs nothing that matters).
- Time is the machine's wall clock (``time.time``), read inside the transaction: the
  processes share it, whereas each process's monotonic clock is its own to compare with.
  A start earlier than the last recorded one (the wall clock stepped back) is counted at
  the last one's time, so a step back never opens extra slots.

Measured on the project's 2-core machines (docs/design/shared-limits.md, 8 processes x 4
threads, one budget of 10/s for 15 s): never more than 10 starts in any second, shortest
span of 11 starts 1044 ms, about 119 us per admitted try and 10 us per refused one.

The asyncio twin runs each call in a worker thread (``anyio.to_thread``): ``BEGIN
IMMEDIATE`` waits, in SQLite's busy handler, for another process's transaction to end, and
that wait must not freeze the event loop. The thread hop costs tens of microseconds per
try, nothing next to a rate of a few requests per second.

A failing database (unwritable, locked past ``busy_timeout``) is handled by ``Failover``:
budgets fall back to this process, or with ``fail_closed`` the call raises.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio.to_thread

from .failover import DEFAULT_PROBE_INTERVAL, Failover, RateLimitStoreEvent
from .store import _SLACK, Admission, AsyncRateLimitStore, effective_limit

__all__ = ["SqliteRateLimitStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chatapi_starts (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS chatapi_starts_key_at ON chatapi_starts (key, at);
CREATE TABLE IF NOT EXISTS chatapi_budgets (
    key TEXT PRIMARY KEY,
    cooldown_until REAL,
    reported_limit INTEGER
);
"""

_SET_UP_PAUSE = 0.005
"""Seconds between tries to set up a database another process is setting up."""

DEFAULT_BUSY_TIMEOUT = 1.0
"""Seconds a call waits for another process's transaction before the store is deemed
failed; transactions here last a fraction of a millisecond."""


class SqliteRateLimitStore:
    """A ``RateLimitStore`` in an SQLite file, shared by the processes of one machine.

    The ``now`` the limiter passes is ignored: the store reads the machine's wall clock (see
    the module). Thread-safe: each thread (and each process after a fork) opens its own
    connection. ``asynchronous`` is the asyncio twin over the same file.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        fail_closed: bool = False,
        probe_interval: float = DEFAULT_PROBE_INTERVAL,
        on_event: Callable[[RateLimitStoreEvent], None] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Use (and create if needed) the database at ``path``.

        Args:
            path: The database file; its folder must exist.
            busy_timeout: Seconds to wait for another process's transaction.
            fail_closed: Raise ``RateLimitStoreError`` when the database fails, instead of
                keeping budgets in this process until it works again.
            probe_interval: Seconds between attempts to use a failed database again.
            on_event: Called when the store falls back to the process and when it recovers.
            wall_clock: The shared clock (tests replace it).
        """
        self._path = Path(path)
        self._busy_timeout = busy_timeout
        self._wall = wall_clock
        self._local = threading.local()
        self._reported: dict[str, int | None] = {}
        self._failover = Failover(
            f"sqlite:///{self._path.as_posix().lstrip('/')}",
            (sqlite3.Error, OSError),
            fail_closed=fail_closed,
            probe_interval=probe_interval,
            on_event=on_event,
        )
        self._async = _AsyncSqliteStore(self)

    def __repr__(self) -> str:
        return f"SqliteRateLimitStore({self._failover.description!r})"

    @property
    def asynchronous(self) -> AsyncRateLimitStore:
        """The asyncio twin: the same budgets, each call in a worker thread."""
        return self._async

    @property
    def fallen_back(self) -> bool:
        """Whether budgets are kept in this process because the database failed."""
        return self._failover.fallen_back

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``; ``now`` is replaced by the wall clock."""
        return self._failover.call(
            lambda: self._try_acquire(key, limit, window, headroom),
            lambda: self._failover.fallback.try_acquire(key, limit, window, now, headroom=headroom),
        )

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        self._failover.call(
            lambda: self._cool_down(key, seconds),
            lambda: self._failover.fallback.cool_down(key, seconds, now),
        )

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        self._failover.call(
            lambda: self._mark_spent(key, limit, window),
            lambda: self._failover.fallback.mark_spent(key, limit, window, now),
        )

    def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``.

        Writes only when the value differs from the one this process last read or wrote:
        the API repeats ``X-RateLimit-Limit`` on every answer.
        """
        if self._reported.get(key) == limit and not self._failover.fallen_back:
            return
        self._failover.call(
            lambda: self._report_limit(key, limit),
            lambda: self._failover.fallback.report_limit(key, limit),
        )

    def reported_limit(self, key: str) -> int | None:
        """See ``RateLimitStore.reported_limit``: as of this process's last contact."""
        if self._failover.fallen_back:
            return self._failover.fallback.reported_limit(key)
        return self._reported.get(key)

    # -- the transactions -------------------------------------------------------------

    def _try_acquire(self, key: str, limit: int, window: float, headroom: int) -> Admission:
        with self._transaction() as db:
            now = self._wall()
            row = db.execute(
                "SELECT cooldown_until, reported_limit FROM chatapi_budgets WHERE key = ?", (key,)
            ).fetchone()
            cooldown_until, reported = (None, None) if row is None else row
            self._reported[key] = reported
            (last,) = db.execute(
                "SELECT max(at) FROM chatapi_starts WHERE key = ?", (key,)
            ).fetchone()
            if last is not None and now < last:
                now = last
            if cooldown_until is not None and now < cooldown_until:
                return Admission(cooldown_until - now + _SLACK, "cooling down")
            db.execute("DELETE FROM chatapi_starts WHERE key = ? AND at <= ?", (key, now - window))
            allowed = effective_limit(limit, reported, headroom)
            (count,) = db.execute(
                "SELECT count(*) FROM chatapi_starts WHERE key = ?", (key,)
            ).fetchone()
            if count >= allowed:
                # The start `allowed` places back must leave the window before another begins.
                (oldest,) = db.execute(
                    "SELECT at FROM chatapi_starts WHERE key = ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                    (key, allowed - 1),
                ).fetchone()
                return Admission(window - (now - oldest) + _SLACK, "window full")
            db.execute("INSERT INTO chatapi_starts (key, at) VALUES (?, ?)", (key, now))
            return Admission(0.0)

    def _cool_down(self, key: str, seconds: float) -> None:
        with self._transaction() as db:
            until = self._wall() + seconds
            db.execute(
                "INSERT INTO chatapi_budgets (key, cooldown_until) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET cooldown_until = "
                "max(coalesce(cooldown_until, excluded.cooldown_until), excluded.cooldown_until)",
                (key, until),
            )

    def _mark_spent(self, key: str, limit: int, window: float) -> None:
        with self._transaction() as db:
            now = self._wall()
            (recent,) = db.execute(
                "SELECT count(*) FROM chatapi_starts WHERE key = ? AND at > ?", (key, now - window)
            ).fetchone()
        if recent < limit:
            self._cool_down(key, window)

    def _report_limit(self, key: str, limit: int) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO chatapi_budgets (key, reported_limit) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET reported_limit = excluded.reported_limit",
                (key, limit),
            )
        self._reported[key] = limit

    def _set_up(self, db: sqlite3.Connection) -> None:
        """WAL mode and the tables, retried while other processes set up the same file.

        Switching a new database to WAL needs it to itself, and SQLite answers "locked" at
        once, without its busy handler, to the processes that start at the same moment.
        """
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                # Each CREATE ... IF NOT EXISTS is atomic on its own: processes may race here.
                db.executescript(_SCHEMA)
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(_SET_UP_PAUSE)
            else:
                return

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        pid = os.getpid()
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and self._local.pid == pid:
            return db
        # A connection inherited through fork must not be used: open one of our own.
        db = sqlite3.connect(self._path, timeout=self._busy_timeout, isolation_level=None)
        try:
            self._set_up(db)
        except BaseException:
            db.close()
            raise
        self._local.db = db
        self._local.pid = pid
        return db


class _AsyncSqliteStore:
    """The asyncio twin of a ``SqliteRateLimitStore``: each call in a worker thread."""

    def __init__(self, store: SqliteRateLimitStore) -> None:
        self._store = store

    async def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``."""
        call = functools.partial(
            self._store.try_acquire, key, limit, window, now, headroom=headroom
        )
        return await anyio.to_thread.run_sync(call)

    async def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        await anyio.to_thread.run_sync(self._store.cool_down, key, seconds, now)

    async def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        await anyio.to_thread.run_sync(self._store.mark_spent, key, limit, window, now)

    async def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``."""
        await anyio.to_thread.run_sync(self._store.report_limit, key, limit)
