"""The journal of a bulk job: one SQLite file recording every item's state, crash-safe.

States: ``pending`` → ``in_flight`` → ``done`` / ``failed`` (with the error) / ``unknown``.
An item's non-repeatable call is recorded (``sending``) and committed to disk before it
leaves; after a crash, ``recover`` turns an item caught in flight into ``pending`` when
nothing non-repeatable may have left, else into ``unknown``, which is never sent again
automatically.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "DONE",
    "FAILED",
    "IN_FLIGHT",
    "PENDING",
    "STATES",
    "UNKNOWN",
    "Journal",
    "JournalBusyError",
    "JournalError",
    "JournalItem",
]

PENDING: Final = "pending"
IN_FLIGHT: Final = "in_flight"
DONE: Final = "done"
FAILED: Final = "failed"
UNKNOWN: Final = "unknown"
STATES: Final = (PENDING, IN_FLIGHT, DONE, FAILED, UNKNOWN)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    error TEXT,
    sending TEXT,
    sent_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS items_state ON items (state, seq);
"""


class JournalError(Exception):
    """The journal cannot be used: not a journal, another job's, or unreadable."""


class JournalBusyError(JournalError):
    """Another process is running a job on this journal right now."""


@dataclass(frozen=True)
class JournalItem:
    """One item as the journal holds it.

    Attributes:
        key: Its name, unique in the journal (``row 12``, ``id:42``).
        payload: What the job needs to do it (JSON data).
        state: One of ``STATES``.
        outcome: What was done (``created``, ``updated``, ``kept``, ``sent``), when done.
        error: Why it failed or why its outcome is unknown.
        sending: The operationId of the non-repeatable call that left or was about to
            leave, if any.
        sent_at: Wall-clock seconds when that call left (the window reconcile searches).
        attempts: How many times a run took the item.
    """

    key: str
    payload: Mapping[str, Any]
    state: str
    outcome: str | None
    error: str | None
    sending: str | None
    sent_at: float | None
    attempts: int


class Journal:
    """An SQLite journal of one bulk job; safe to share between threads of one process.

    ``Journal(path)`` creates the file if needed. Only one process may run a job on a
    journal at a time (``JournalBusyError`` otherwise); reading one another process is
    running is allowed with ``lock=False``. ``read_only=True`` (``journal show``) opens an
    existing journal that nothing through it can change, and refuses any other file.
    ``close()`` it, or use it as a context manager.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, lock: bool = True, read_only: bool = False
    ) -> None:
        self.path = Path(path)
        self._lock_file: int | None = None
        self._mutex = threading.Lock()
        if read_only:
            self._db = _open_read_only(self.path)
            return
        if lock:
            self._lock_file = _exclusive(self.path)
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed "sending" mark survives a power cut, not only a kill.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            self._release()
            raise JournalError(f"{self.path} is not a usable journal: {error}") from None

    # --- metadata -------------------------------------------------------------------------

    def meta(self, name: str) -> str | None:
        """A value the job stored (its kind, its input's fingerprint, its command)."""
        with self._mutex:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        """Store ``value`` under ``name``."""
        with self._mutex:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def claim(self, name: str, value: str) -> None:
        """Tie the journal to a job: store ``value``, or check it matches the stored one.

        Raises:
            JournalError: the journal was made for something else (another file, text).
        """
        stored = self.meta(name)
        if stored is None:
            self.set_meta(name, value)
        elif stored != value:
            raise JournalError(
                f"{self.path} belongs to another job ({name} differs); "
                "use another --journal file or the original input"
            )

    # --- items ------------------------------------------------------------------------------

    def add(self, items: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
        """Add items as ``pending``; keys already journaled are left as they are.

        Returns how many were new.
        """
        now = time.time()
        added = 0
        with self._mutex, self._transaction():
            seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM items").fetchone()[0]
            for key, payload in items:
                seq += 1
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO items (key, seq, payload, state, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, seq, json.dumps(payload, sort_keys=True), PENDING, now),
                )
                added += cursor.rowcount
        return added

    def recover(self) -> tuple[int, int]:
        """Settle what a killed run left in flight; returns (back to pending, unknown).

        An item whose non-repeatable call may have left becomes ``unknown``; any other
        item in flight ran repeatable calls only and goes back to ``pending``.
        """
        with self._mutex, self._transaction():
            unknown = self._db.execute(
                "UPDATE items SET state = ?, error = ?, updated_at = ? "
                "WHERE state = ? AND sending IS NOT NULL",
                (
                    UNKNOWN,
                    "the run stopped while this item's call was on its way; it may have "
                    "been processed",
                    time.time(),
                    IN_FLIGHT,
                ),
            ).rowcount
            pending = self._db.execute(
                "UPDATE items SET state = ?, updated_at = ? WHERE state = ?",
                (PENDING, time.time(), IN_FLIGHT),
            ).rowcount
        return pending, unknown

    def pending(self) -> list[JournalItem]:
        """The items still to do, in the order they were added."""
        return self.items(PENDING)

    def items(self, state: str | None = None) -> list[JournalItem]:
        """Every item, or those in ``state``, in the order they were added."""
        query = "SELECT * FROM items"
        args: tuple[str, ...] = ()
        if state is not None:
            query += " WHERE state = ?"
            args = (state,)
        with self._mutex:
            rows = self._db.execute(query + " ORDER BY seq", args).fetchall()
        return [_item(row) for row in rows]

    def get(self, key: str) -> JournalItem | None:
        """The item named ``key``, if journaled."""
        with self._mutex:
            row = self._db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        return None if row is None else _item(row)

    def counts(self) -> dict[str, int]:
        """How many items are in each state (every state named, zeros included)."""
        with self._mutex:
            rows = self._db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall()
        found = dict.fromkeys(STATES, 0)
        found.update({str(state): int(n) for state, n in rows})
        return found

    def outcomes(self) -> dict[str, int]:
        """How many done items had each outcome (``created``, ``sent``...)."""
        with self._mutex:
            rows = self._db.execute(
                "SELECT outcome, COUNT(*) FROM items WHERE state = ? GROUP BY outcome", (DONE,)
            ).fetchall()
        return {str(outcome): int(n) for outcome, n in rows}

    # --- transitions ------------------------------------------------------------------------

    def start(self, key: str) -> None:
        """Mark the item ``in_flight`` (a run took it)."""
        self._set(key, "state = ?, attempts = attempts + 1", IN_FLIGHT)

    def sending(self, key: str, operation_id: str) -> None:
        """Record, on disk, that the item's non-repeatable call is about to leave."""
        self._set(key, "sending = ?, sent_at = ?", operation_id, time.time())

    def waiting(self, key: str) -> None:
        """Record, on disk, that the item's call waits for its rate-limit slot: not sent.

        Clears a ``sending`` mark made before the call was handed to the client; the
        client marks it again (``sending``) once the slot is granted.
        """
        self._set(key, "sending = NULL, sent_at = NULL")

    def done(self, key: str, outcome: str) -> None:
        """Mark the item ``done`` with what was done."""
        self._set(key, "state = ?, outcome = ?, error = NULL", DONE, outcome)

    def fail(self, key: str, error: str) -> None:
        """Mark the item ``failed``: it was surely not processed, or it was refused."""
        self._set(key, "state = ?, error = ?, sending = NULL", FAILED, error)

    def unknown(self, key: str, error: str) -> None:
        """Mark the item ``unknown``: its non-repeatable call may have been processed."""
        self._set(key, "state = ?, error = ?", UNKNOWN, error)

    def release(self, key: str) -> None:
        """Put an item taken by a stopped run back: ``unknown`` if its call may have left."""
        item = self.get(key)
        if item is None or item.state != IN_FLIGHT:
            return
        if item.sending is None:
            self._set(key, "state = ?", PENDING)
        else:
            self.unknown(key, "the run was stopped while this item's call was on its way")

    def release_unsent(self, key: str) -> None:
        """Put the item back to ``pending``: its call surely did not reach the server."""
        self._set(key, "state = ?, sending = NULL, sent_at = NULL", PENDING)

    def retry(self, states: Iterable[str]) -> int:
        """Put every item in ``states`` back to ``pending``; returns how many.

        ``failed`` items were surely not processed; resending an ``unknown`` one may
        deliver it twice, so only a person should ask for it.
        """
        changed = 0
        with self._mutex, self._transaction():
            for state in states:
                changed += self._db.execute(
                    "UPDATE items SET state = ?, error = NULL, sending = NULL, sent_at = NULL, "
                    "updated_at = ? WHERE state = ?",
                    (PENDING, time.time(), state),
                ).rowcount
        return changed

    # --- plumbing ---------------------------------------------------------------------------

    def _set(self, key: str, assignments: str, *values: Any) -> None:
        with self._mutex:
            self._db.execute(
                f"UPDATE items SET {assignments}, updated_at = ? WHERE key = ?",  # noqa: S608
                (*values, time.time(), key),
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the database and let another process use the journal."""
        self._db.close()
        self._release()

    def _release(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change ``path``, refused unless it holds a journal's tables."""
    try:
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False, timeout=30
        )
    except sqlite3.Error as error:
        raise JournalError(f"{path} is not a usable journal: {error}") from None
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        db.close()
        raise JournalError(f"{path} is not a usable journal: {error}") from None
    if not {"meta", "items"} <= tables:
        db.close()
        raise JournalError(f"{path} is not a journal: it has no meta and items tables")
    return db


def _exclusive(path: Path) -> int:
    """Hold an exclusive lock on ``<journal>.lock`` for as long as the journal is open.

    The kernel drops it when the process dies, so a killed run never leaves it held.
    """
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    if sys.platform == "win32":  # no flock: keeping to one run at a time is the caller's care
        return fd
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalBusyError(f"another run is using the journal {path}") from None
    return fd


def _item(row: tuple[Any, ...]) -> JournalItem:
    key, _seq, payload, state, outcome, error, sending, sent_at, attempts, _updated = row
    return JournalItem(
        key=key,
        payload=json.loads(payload),
        state=state,
        outcome=outcome,
        error=error,
        sending=sending,
        sent_at=sent_at,
        attempts=attempts,
    )
