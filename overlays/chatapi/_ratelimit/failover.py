"""What a store does when its backend fails: fall back to another store, or fail closed.

A store's backend (an SQLite file, a Redis server) raises ``RateLimitStoreError`` when it
fails, and nothing more: ``FailoverStore`` wraps any ``RateLimitStore`` (the primary) and
decides what a failure means. The server enforces the limits anyway, so a primary that
cannot be reached costs at worst some 429s (which the retry layer waits out), never a lost
or doubled message: by default the wrapper switches to its fallback (an in-process store) at
once, logs it once on the ``chatapi`` logger, reports a ``RateLimitStoreEvent``, keeps to
this process's fair share of each budget, and tries the primary again every
``probe_interval`` seconds (one caller probes, the others keep using the fallback). With
``fail_closed=True`` a failure raises ``RateLimitStoreError`` instead, and nothing is sent.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar, cast, runtime_checkable

from .._errors import ChatAPIError
from .store import (
    Admission,
    AsyncRateLimitStore,
    InMemoryRateLimitStore,
    RateLimitStore,
    async_store_for,
    fair_share,
)

__all__ = [
    "DEFAULT_PROBE_INTERVAL",
    "CountsPeers",
    "Failover",
    "FailoverStore",
    "RateLimitStoreError",
    "RateLimitStoreEvent",
    "backend_failure",
]

logger = logging.getLogger("chatapi")

DEFAULT_PROBE_INTERVAL = 5.0
"""Seconds between attempts to reach a failed backend again."""

T = TypeVar("T")


class RateLimitStoreError(ChatAPIError):
    """The shared rate-limit store failed, and nothing stood in for it (``fail_closed``).

    Nothing was sent. A bare backend (``SqliteBackend``, ``RedisBackend``) raises it on any
    failure; a ``FailoverStore`` around it falls back instead, unless it fails closed.
    ``store`` names the store without its password; ``problem`` says what failed (the
    backend error's type and text), or is empty.
    """

    def __init__(self, message: str, *, store: str, problem: str = "") -> None:
        super().__init__(message)
        self.store = store
        self.problem = problem

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process pools: keep the type, the text and the store's name.
        return (_rebuild_store_error, (str(self), self.store, self.problem))


def _rebuild_store_error(message: str, store: str, problem: str = "") -> RateLimitStoreError:
    return RateLimitStoreError(message, store=store, problem=problem)


def backend_failure(description: str, error: BaseException) -> RateLimitStoreError:
    """The error a store raises when its backend (file, server) fails with ``error``.

    Raise it ``from None``: the description has no password, and the text of an error from
    redis-py or sqlite3 names hosts and files, never credentials.
    """
    problem = f"{type(error).__name__}: {error}"
    return RateLimitStoreError(
        f"the rate-limit store {description} failed ({problem}); nothing was sent",
        store=description,
        problem=problem,
    )


@dataclass(frozen=True)
class RateLimitStoreEvent:
    """A shared store changed state: it fell back to the process, or its backend came back.

    Attributes:
        store: The store's description, never with a password (``redis://host:6379/0``).
        state: ``"fallback"``: budgets are kept in this process only for now;
            ``"recovered"``: the shared backend serves again; ``"replaced"``: the SQLite
            file was deleted or replaced under the store, which reopened the path (the
            budgets recorded in the old file are lost).
        error: What failed (the exception's type and text), empty on recovery.
    """

    store: str
    state: Literal["fallback", "recovered", "replaced"]
    error: str = ""


class Failover:
    """The health of one backend: whether calls go to it, or to a fallback meanwhile.

    Thread-safe, and shared by a store's sync and asyncio paths. ``errors`` are the
    exception types that mean "the backend failed" (anything else is a bug and propagates).
    """

    def __init__(
        self,
        description: str,
        errors: tuple[type[BaseException], ...],
        *,
        fail_closed: bool = False,
        probe_interval: float = DEFAULT_PROBE_INTERVAL,
        on_event: Callable[[RateLimitStoreEvent], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not probe_interval > 0:
            raise ValueError(f"probe_interval must be > 0 seconds, not {probe_interval}")
        self.description = description
        self._errors = errors
        self._fail_closed = fail_closed
        self._probe_interval = probe_interval
        self._on_event = on_event
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._failed = False
        self._next_probe = 0.0
        self._probing = False

    @property
    def fallen_back(self) -> bool:
        """Whether calls go to the fallback because the backend failed."""
        return self._failed

    def call(self, primary: Callable[[], T], fallback: Callable[[], T], *, probe: bool = True) -> T:
        """``primary()``, or ``fallback()`` while the backend is down (see the module).

        ``probe=False`` for a call that may answer without reaching the backend (a cached
        value): while the backend is down it never counts as a probe, so it cannot report a
        recovery that did not happen.
        """
        if not self._should_try(probe):
            return fallback()
        try:
            result = primary()
        except self._errors as error:
            self._failure(error)
            return fallback()
        except BaseException:
            self._interrupted()
            raise
        self._success()
        return result

    async def acall(
        self,
        primary: Callable[[], Awaitable[T]],
        fallback: Callable[[], T | Awaitable[T]],
        *,
        probe: bool = True,
    ) -> T:
        """``call`` for a coroutine backend; the fallback may be a coroutine or not."""
        if not self._should_try(probe):
            return await _settled(fallback())
        try:
            result = await primary()
        except self._errors as error:
            self._failure(error)
            return await _settled(fallback())
        except BaseException:
            self._interrupted()
            raise
        self._success()
        return result

    def _should_try(self, probe: bool) -> bool:
        """Whether this caller talks to the backend: always when healthy, else one prober."""
        if self._fail_closed:
            return True  # every call asks the backend, and raises if it fails
        with self._lock:
            if not self._failed:
                return True
            if not probe or self._probing or self._monotonic() < self._next_probe:
                return False
            self._probing = True
            return True

    def _failure(self, error: BaseException) -> None:
        # The description has no password; an error's text from redis-py or sqlite3 names
        # hosts and files, never credentials.
        problem = getattr(error, "problem", "") or f"{type(error).__name__}: {error}"
        with self._lock:
            first = not self._failed
            self._failed = True
            self._probing = False
            self._next_probe = self._monotonic() + self._probe_interval
        if self._fail_closed:
            if isinstance(error, RateLimitStoreError):
                raise error
            raise RateLimitStoreError(
                f"the rate-limit store {self.description} failed ({problem}); nothing was sent",
                store=self.description,
                problem=problem,
            ) from None
        if first:
            logger.warning(
                "rate-limit store %s failed (%s): keeping budgets in this process, "
                "trying it again every %.1f s",
                self.description,
                problem,
                self._probe_interval,
            )
            self._emit(RateLimitStoreEvent(self.description, "fallback", problem))

    def _interrupted(self) -> None:
        """The call was cancelled (or interrupted) mid-way: it proved nothing either way.

        A probe ends here too, so another caller probes at the next interval; without
        this, a probe cancelled by its task's timeout left the store on the fallback for
        good.
        """
        with self._lock:
            if self._probing:
                self._probing = False
                self._next_probe = self._monotonic() + self._probe_interval

    def _success(self) -> None:
        with self._lock:
            recovered = self._failed
            self._failed = False
            self._probing = False
        if recovered:
            logger.warning(
                "rate-limit store %s is back: budgets are shared again", self.description
            )
            self._emit(RateLimitStoreEvent(self.description, "recovered"))

    def _emit(self, event: RateLimitStoreEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)


async def _settled(value: T | Awaitable[T]) -> T:
    """``value``, awaited first if it is awaitable."""
    if inspect.isawaitable(value):
        return cast(T, await value)
    return value


@runtime_checkable
class CountsPeers(Protocol):
    """A store that knows how many processes used a budget lately (see ``fair_share``)."""

    def peers(self, key: str) -> int | None:
        """Processes seen using ``key`` lately (``PEER_MEMORY``); None if unknown.

        As of this process's last contact with the backend: read while it is down.
        """
        ...


class FailoverStore:
    """A ``RateLimitStore`` around any other: the primary while it works, else a fallback.

    The primary signals a failed backend by raising ``RateLimitStoreError``. Then, unless
    ``fail_closed``, calls go to ``fallback`` (an ``InMemoryRateLimitStore`` by default),
    where each budget is this process's fair share: the budget divided by the processes
    the primary last saw using it (``CountsPeers``), so a fleet whose shared store fails
    keeps, together, to about the budget. Every ``probe_interval`` seconds one caller tries
    the primary again; a probe cancelled or interrupted mid-way frees the next interval.
    Sync and asyncio (``asynchronous``) callers share the state.
    """

    def __init__(
        self,
        primary: RateLimitStore,
        fallback: RateLimitStore | None = None,
        *,
        fail_closed: bool = False,
        probe_interval: float = DEFAULT_PROBE_INTERVAL,
        on_event: Callable[[RateLimitStoreEvent], None] | None = None,
        description: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Wrap ``primary``.

        Args:
            primary: The store to use while it works.
            fallback: Serves while the primary is down; default: a new in-process store.
            fail_closed: Raise ``RateLimitStoreError`` when the primary fails, instead.
            probe_interval: Seconds between attempts to use a failed primary again.
            on_event: Called when the store falls back and when the primary is back.
            description: Names the store in logs, events and errors (never a password);
                default: the primary's ``description``, else its type.
            monotonic: The clock timing the probes (tests replace it).
        """
        self.primary = primary
        self.fallback: RateLimitStore = InMemoryRateLimitStore() if fallback is None else fallback
        self._failover = Failover(
            description or _describe(primary),
            (RateLimitStoreError,),
            fail_closed=fail_closed,
            probe_interval=probe_interval,
            on_event=on_event,
            monotonic=monotonic,
        )
        self._seen: dict[str, tuple[int | None, int]] = {}
        """Per key, the limit the primary reported and the peers it counted, last time."""
        self._async = _AsyncFailoverStore(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"

    @property
    def description(self) -> str:
        """The store's name in logs, events and errors (never with a password)."""
        return self._failover.description

    @property
    def fallen_back(self) -> bool:
        """Whether budgets are kept in the fallback because the primary failed."""
        return self._failover.fallen_back

    @property
    def asynchronous(self) -> AsyncRateLimitStore:
        """The asyncio twin: the primary's twin (``async_store_for``), the same failover."""
        return self._async

    def close(self) -> None:
        """Close the primary's and the fallback's connections, where they have any."""
        for store in (self.primary, self.fallback):
            close = getattr(store, "close", None)
            if callable(close):
                close()

    def release(self) -> None:
        """Close the connections no call is using, where the stores can (``release``)."""
        for store in (self.primary, self.fallback):
            release = getattr(store, "release", None)
            if callable(release):
                release()

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``."""

        def primary() -> Admission:
            admission = self.primary.try_acquire(key, limit, window, now, headroom=headroom)
            self._remember(key)
            return admission

        return self._failover.call(
            primary,
            lambda: self.fallback.try_acquire(
                key, self._share(key, limit), window, now, headroom=headroom
            ),
        )

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        self._failover.call(
            lambda: self.primary.cool_down(key, seconds, now),
            lambda: self.fallback.cool_down(key, seconds, now),
        )

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        self._failover.call(
            lambda: self.primary.mark_spent(key, limit, window, now),
            lambda: self.fallback.mark_spent(key, self._share(key, limit), window, now),
        )

    def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``; never a probe (a store may skip the write)."""
        self._failover.call(
            lambda: self.primary.report_limit(key, limit),
            lambda: self.fallback.report_limit(key, limit),
            probe=False,
        )

    def reported_limit(self, key: str) -> int | None:
        """See ``RateLimitStore.reported_limit``."""
        if self._failover.fallen_back:
            own = self.fallback.reported_limit(key)
            return self._seen.get(key, (None, 1))[0] if own is None else own
        try:
            return self.primary.reported_limit(key)
        except RateLimitStoreError:
            return self._seen.get(key, (None, 1))[0]

    def _remember(self, key: str) -> None:
        """Note what the primary knows of ``key``, for the fair share should it fail."""
        peers = self.primary.peers(key) if isinstance(self.primary, CountsPeers) else None
        self._seen[key] = (self.primary.reported_limit(key), peers or 1)

    def _share(self, key: str, limit: int) -> int:
        """This process's share of ``limit`` while the primary is down (``fair_share``)."""
        reported, peers = self._seen.get(key, (None, 1))
        own = self.fallback.reported_limit(key)
        if own is not None:
            reported = own if reported is None else min(own, reported)
        return fair_share(limit, reported, peers)


class _AsyncFailoverStore:
    """The asyncio twin of a ``FailoverStore``: the same state, the stores' own twins."""

    def __init__(self, store: FailoverStore) -> None:
        self._store = store
        self._primary = async_store_for(store.primary)
        self._fallback = async_store_for(store.fallback)

    async def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``."""
        store = self._store

        async def primary() -> Admission:
            admission = await self._primary.try_acquire(key, limit, window, now, headroom=headroom)
            store._remember(key)
            return admission

        return await store._failover.acall(
            primary,
            lambda: self._fallback.try_acquire(
                key, store._share(key, limit), window, now, headroom=headroom
            ),
        )

    async def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        await self._store._failover.acall(
            lambda: self._primary.cool_down(key, seconds, now),
            lambda: self._fallback.cool_down(key, seconds, now),
        )

    async def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        share = self._store._share(key, limit)
        await self._store._failover.acall(
            lambda: self._primary.mark_spent(key, limit, window, now),
            lambda: self._fallback.mark_spent(key, share, window, now),
        )

    async def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``; never a probe."""
        await self._store._failover.acall(
            lambda: self._primary.report_limit(key, limit),
            lambda: self._fallback.report_limit(key, limit),
            probe=False,
        )

    async def aclose(self) -> None:
        """Close the connections the stores' twins opened, where they have any."""
        for twin in (self._primary, self._fallback):
            aclose = getattr(twin, "aclose", None)
            if callable(aclose):
                await aclose()


def _describe(store: object) -> str:
    description = getattr(store, "description", None)
    return description if isinstance(description, str) else type(store).__name__
