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
  When the wall clock steps back (NTP), the budget's recorded times move back with it:
  the starts keep their spacing, so a step opens no extra slot and stalls nothing.

Measured on the project's 2-core machines (docs/design/shared-limits.md, 8 processes x 4
threads, one budget of 10/s for 15 s): never more than 10 starts in any second, shortest
span of 11 starts 1044 ms, about 119 us per admitted try and 10 us per refused one.

The asyncio twin runs each call in a worker thread (``anyio.to_thread``): ``BEGIN
IMMEDIATE`` waits, in SQLite's busy handler, for another process's transaction to end, and
that wait must not freeze the event loop. The thread hop costs tens of microseconds per
try, nothing next to a rate of a few requests per second.

``SqliteBackend`` is the store itself: a failing database (unwritable, locked past
``busy_timeout`` or the call's deadline) raises ``RateLimitStoreError``. Every try records
this process in the file, so the backend can tell how many processes share a budget
(``peers``). ``SqliteRateLimitStore`` wraps it in a ``FailoverStore``: budgets fall back to
this process's fair share, or with ``fail_closed`` the call raises.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio.to_thread

from .failover import (
    DEFAULT_PROBE_INTERVAL,
    FailoverStore,
    RateLimitStoreEvent,
    backend_failure,
)
from .store import (
    _SLACK,
    PEER_MEMORY,
    SHARED_WINDOW_MEMORY,
    Admission,
    AsyncRateLimitStore,
    effective_limit,
    time_left,
)

__all__ = ["SqliteBackend", "SqliteRateLimitStore"]

logger = logging.getLogger("chatapi")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chatapi_starts (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS chatapi_starts_key_at ON chatapi_starts (key, at);
CREATE TABLE IF NOT EXISTS chatapi_budgets (
    key TEXT PRIMARY KEY,
    cooldown_until REAL,
    reported_limit INTEGER
);
CREATE TABLE IF NOT EXISTS chatapi_clock (id INTEGER PRIMARY KEY CHECK (id = 0), seen REAL);
CREATE TABLE IF NOT EXISTS chatapi_windows (
    key TEXT PRIMARY KEY,
    seconds REAL NOT NULL,
    until REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chatapi_peers (
    key TEXT NOT NULL,
    peer TEXT NOT NULL,
    seen REAL NOT NULL,
    PRIMARY KEY (key, peer)
);
"""

_SET_UP_PAUSE = 0.005
"""Seconds between tries to set up a database another process is setting up."""

DEFAULT_BUSY_TIMEOUT = 1.0
"""Seconds a call waits for another process's transaction before the store is deemed
failed; transactions here last a fraction of a millisecond."""

_BACKENDS: weakref.WeakSet[SqliteBackend] = weakref.WeakSet()
"""Every backend alive, to be made usable in a child process after a fork."""
_INHERITED: list[sqlite3.Connection] = []
"""The parent's connections in a forked child: never used, and never closed either (closing
one would roll back, in the memory the processes share, a transaction the parent is in)."""


def _after_fork_in_child() -> None:
    for backend in list(_BACKENDS):
        backend._forked()


class SqliteBackend:
    """A ``RateLimitStore`` in an SQLite file, shared by the processes of one machine.

    Without failover: when the database fails, a call raises ``RateLimitStoreError`` (wrap
    it in a ``FailoverStore``, as ``SqliteRateLimitStore`` does, to fall back instead). The
    ``now`` the limiter passes is ignored: the store reads the machine's wall clock (see the
    module). Thread-safe: each thread (and each process after a fork) opens its own
    connection. ``asynchronous`` is the asyncio twin over the same file.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        on_event: Callable[[RateLimitStoreEvent], None] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Use (and create if needed) the database at ``path``.

        Args:
            path: The database file; its folder must exist.
            busy_timeout: Seconds to wait for another process's transaction.
            on_event: Called when the file was deleted or replaced under the store.
            wall_clock: The shared clock (tests replace it).
        """
        self._path = Path(path)
        self._busy_timeout = busy_timeout
        self._wall = wall_clock
        self._on_event = on_event
        self._local = threading.local()
        self._handles: weakref.WeakSet[_Handle] = weakref.WeakSet()
        """Every thread's handle while the thread lives (``release`` closes them)."""
        self._handles_lock = threading.Lock()
        self._instance = uuid.uuid4().hex[:12]
        self._reported: dict[str, int | None] = {}
        self._peers: dict[str, int] = {}
        self.description = f"sqlite:///{self._path.as_posix().lstrip('/')}"
        """The store's name in logs, events and errors."""
        self._async = _AsyncSqliteStore(self)
        _BACKENDS.add(self)

    def __repr__(self) -> str:
        return f"SqliteBackend({self.description!r})"

    @property
    def asynchronous(self) -> AsyncRateLimitStore:
        """The asyncio twin: the same budgets, each call in a worker thread."""
        return self._async

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``; ``now`` is replaced by the wall clock."""
        with self._failures():
            return self._try_acquire(key, limit, window, headroom)

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        with self._failures():
            self._cool_down(key, seconds)

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        with self._failures():
            self._mark_spent(key, limit, window)

    def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``.

        Writes only when the value differs from the one this process last read or wrote:
        the API repeats ``X-RateLimit-Limit`` on every answer.
        """
        if self._reported.get(key) == limit:
            return
        with self._failures():
            self._report_limit(key, limit)

    def reported_limit(self, key: str) -> int | None:
        """See ``RateLimitStore.reported_limit``: as of this process's last contact."""
        return self._reported.get(key)

    def peers(self, key: str) -> int | None:
        """Processes that tried ``key`` lately (``PEER_MEMORY``); None before a try.

        As of this process's last try: no transaction.
        """
        return self._peers.get(key)

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """Turn the database's failures into ``RateLimitStoreError``."""
        try:
            yield
        except (sqlite3.Error, OSError) as error:
            # What was cached may no longer hold: the next report is written.
            self._reported.clear()
            raise backend_failure(self.description, error) from None

    # -- the transactions -------------------------------------------------------------

    def _try_acquire(self, key: str, limit: int, window: float, headroom: int) -> Admission:
        with self._transaction() as (db, now):
            row = db.execute(
                "SELECT cooldown_until, reported_limit FROM chatapi_budgets WHERE key = ?", (key,)
            ).fetchone()
            cooldown_until, reported = (None, None) if row is None else row
            self._reported[key] = reported
            self._peers[key] = self._count_peers(db, key, now)
            (last,) = db.execute(
                "SELECT max(at) FROM chatapi_starts WHERE key = ?", (key,)
            ).fetchone()
            if last is not None and now < last:
                now = last  # never before a recorded start (see _transaction for steps)
            if cooldown_until is not None and now < cooldown_until:
                return Admission(cooldown_until - now + _SLACK, "cooling down")
            window = self._shared_window(db, key, window, now)
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

    def _count_peers(self, db: sqlite3.Connection, key: str, now: float) -> int:
        """Record this process as a user of ``key``; how many used it lately."""
        db.execute(
            "INSERT INTO chatapi_peers (key, peer, seen) VALUES (?, ?, ?) "
            "ON CONFLICT (key, peer) DO UPDATE SET seen = excluded.seen",
            (key, f"{os.getpid()}:{self._instance}", now),
        )
        db.execute("DELETE FROM chatapi_peers WHERE key = ? AND seen < ?", (key, now - PEER_MEMORY))
        (count,) = db.execute("SELECT count(*) FROM chatapi_peers WHERE key = ?", (key,)).fetchone()
        return int(count)

    def _shared_window(self, db: sqlite3.Connection, key: str, window: float, now: float) -> float:
        """The widest window asked for recently, ``window`` included; remembers ``window``."""
        row = db.execute(
            "SELECT seconds, until FROM chatapi_windows WHERE key = ?", (key,)
        ).fetchone()
        # An `until` too far ahead is left by a wall clock that stepped back: forget it.
        if row is not None and window < row[0] and now < row[1] <= now + SHARED_WINDOW_MEMORY:
            return float(row[0])
        db.execute(
            "INSERT INTO chatapi_windows (key, seconds, until) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET seconds = excluded.seconds, until = excluded.until",
            (key, window, now + SHARED_WINDOW_MEMORY),
        )
        return window

    def _cool_down(self, key: str, seconds: float) -> None:
        with self._transaction() as (db, now):
            until = now + seconds
            db.execute(
                "INSERT INTO chatapi_budgets (key, cooldown_until) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET cooldown_until = "
                "max(coalesce(cooldown_until, excluded.cooldown_until), excluded.cooldown_until)",
                (key, until),
            )

    def _mark_spent(self, key: str, limit: int, window: float) -> None:
        with self._transaction() as (db, now):
            (recent,) = db.execute(
                "SELECT count(*) FROM chatapi_starts WHERE key = ? AND at > ?", (key, now - window)
            ).fetchone()
        if recent < limit:
            self._cool_down(key, window)

    def _report_limit(self, key: str, limit: int) -> None:
        with self._transaction() as (db, _):
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
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, float]]:
        """A write transaction, and the wall clock read inside it.

        The file remembers the latest time any process read. When the clock reads earlier
        (NTP stepped it back), every recorded time moves back by the step: the starts keep
        their spacing, so no slot opens and no budget waits out the step.
        """
        handle = self._handle()
        # Held while in use, so ``release`` leaves the connection open.
        with handle.lock, self._begun(handle) as begun:
            yield begun

    @contextmanager
    def _begun(self, handle: _Handle) -> Iterator[tuple[sqlite3.Connection, float]]:
        db = self._connection(handle)
        self._bound_wait(handle, db)
        db.execute("BEGIN IMMEDIATE")
        try:
            now = self._wall()
            row = db.execute("SELECT seen FROM chatapi_clock WHERE id = 0").fetchone()
            if row is not None and now < row[0]:
                step = row[0] - now
                db.execute("UPDATE chatapi_starts SET at = at - ?", (step,))
                db.execute(
                    "UPDATE chatapi_budgets SET cooldown_until = cooldown_until - ?", (step,)
                )
                db.execute("UPDATE chatapi_windows SET until = until - ?", (step,))
                db.execute("UPDATE chatapi_peers SET seen = seen - ?", (step,))
            db.execute(
                "INSERT INTO chatapi_clock (id, seen) VALUES (0, ?) "
                "ON CONFLICT (id) DO UPDATE SET seen = excluded.seen",
                (now,),
            )
            yield db, now
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _bound_wait(self, handle: _Handle, db: sqlite3.Connection) -> None:
        """Wait for another process's lock no longer than the call's deadline allows.

        Past it, the database counts as failed (``RateLimitStoreError``): a caller is never
        held on a locked file beyond its deadline.
        """
        left = time_left(self._busy_timeout)
        if left <= 0:
            raise sqlite3.OperationalError("database is locked: the call's deadline has passed")
        millis = max(1, int(left * 1000))
        if handle.busy != millis:
            db.execute(f"PRAGMA busy_timeout = {millis}")
            handle.busy = millis

    def release(self) -> None:
        """Close every thread's connection that no call is using; later calls reopen one.

        What a client that opened the store does when it closes (threads that served an
        event loop keep theirs otherwise until they end).
        """
        pid = os.getpid()
        with self._handles_lock:
            handles = list(self._handles)
        for handle in handles:
            if handle.pid == pid and handle.lock.acquire(blocking=False):
                try:
                    handle.close()
                finally:
                    handle.lock.release()

    def close(self) -> None:
        """``release``: a closed store still serves, on new connections."""
        self.release()

    def _forked(self) -> None:
        """In a child just forked: fresh locks, and none of the parent's connections.

        A lock the fork copied may be held by a parent's thread (``release``, a call) that
        does not exist here: nothing would ever release it.
        """
        self._handles_lock = threading.Lock()
        for handle in list(self._handles):
            handle.forked()

    def _handle(self) -> _Handle:
        """This thread's connection handle, registered so that ``release`` finds it."""
        handle: _Handle | None = getattr(self._local, "handle", None)
        if handle is None:
            handle = self._local.handle = _Handle()
            with self._handles_lock:
                self._handles.add(handle)
        return handle

    def _connection(self, handle: _Handle) -> sqlite3.Connection:
        pid = os.getpid()
        db = handle.db
        if db is not None and handle.pid == pid:
            if self._file_id() == handle.file:
                return db
            # Deleted or replaced under us: a connection to the old inode would keep a
            # budget nobody else sees. Open the path again, and say so.
            handle.close()
            self._replaced("the database file was deleted or replaced")
        # A connection inherited through fork must not be used: open one of our own.
        # Any thread may close it (``release``), never while it is in use (``handle.lock``).
        db = sqlite3.connect(
            self._path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self._set_up(db)
        except BaseException:
            db.close()
            raise
        handle.db = db
        handle.pid = pid
        handle.busy = None
        handle.file = self._file_id()
        return db

    def _replaced(self, problem: str) -> None:
        """The file was swapped under the store: say so (the old budgets are lost)."""
        logger.warning("rate-limit store %s: %s; reopened it", self.description, problem)
        if self._on_event is not None:
            self._on_event(RateLimitStoreEvent(self.description, "replaced", problem))

    def _file_id(self) -> tuple[int, int] | None:
        """The database file's device and inode, or None when it is gone."""
        try:
            info = self._path.stat()
        except FileNotFoundError:
            return None
        return info.st_dev, info.st_ino


class _Handle:
    """One thread's connection to the file; ``lock`` is held while a call uses it."""

    __slots__ = ("__weakref__", "busy", "db", "file", "lock", "pid")

    def __init__(self) -> None:
        self.db: sqlite3.Connection | None = None
        self.pid = 0
        self.file: tuple[int, int] | None = None
        self.busy: int | None = None
        self.lock = threading.Lock()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def forked(self) -> None:
        """In a forked child: a fresh lock; the parent's connection is dropped, not used."""
        self.lock = threading.Lock()
        if self.db is not None:
            _INHERITED.append(self.db)
            self.db = None


class SqliteRateLimitStore(FailoverStore):
    """An ``SqliteBackend`` that falls back to this process when the database fails.

    What ``sqlite:///path`` opens: ``FailoverStore(SqliteBackend(path))``. The wrapper's
    ``asynchronous`` twin runs the backend's calls in worker threads.
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
            on_event: Called when the store falls back to the process, when it recovers,
                and when the file was deleted or replaced.
            wall_clock: The shared clock (tests replace it).
        """
        backend = SqliteBackend(
            path, busy_timeout=busy_timeout, on_event=on_event, wall_clock=wall_clock
        )
        super().__init__(
            backend, fail_closed=fail_closed, probe_interval=probe_interval, on_event=on_event
        )
        self.primary: SqliteBackend = backend


class _AsyncSqliteStore:
    """The asyncio twin of a ``SqliteBackend``: each call in a worker thread."""

    def __init__(self, store: SqliteBackend) -> None:
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


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
