"""What a shared store does when its backend fails: fall back to the process, or fail closed.

The server enforces the limits anyway, so a shared store that cannot be reached costs at
worst some 429s (which the retry layer waits out), never a lost or doubled message: by
default a store that fails switches to an in-process store at once, logs it once on the
``chatapi`` logger, reports a ``RateLimitStoreEvent``, and tries its backend again every
``probe_interval`` seconds (one caller probes, the others keep using the fallback). With
``fail_closed=True`` a failure raises ``RateLimitStoreError`` instead, and nothing is sent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from .._errors import ChatAPIError
from .store import InMemoryRateLimitStore

__all__ = ["DEFAULT_PROBE_INTERVAL", "Failover", "RateLimitStoreError", "RateLimitStoreEvent"]

logger = logging.getLogger("chatapi")

DEFAULT_PROBE_INTERVAL = 5.0
"""Seconds between attempts to reach a failed backend again."""

T = TypeVar("T")


class RateLimitStoreError(ChatAPIError):
    """The shared rate-limit store failed and the store is set to fail closed.

    Nothing was sent. ``store`` names the store without its password.
    """

    def __init__(self, message: str, *, store: str) -> None:
        super().__init__(message)
        self.store = store

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process pools: keep the type, the text and the store's name.
        return (_rebuild_store_error, (str(self), self.store))


def _rebuild_store_error(message: str, store: str) -> RateLimitStoreError:
    return RateLimitStoreError(message, store=store)


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
    """Runs a store's backend calls, falling back to an in-process store when they fail.

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
        self.fallback = InMemoryRateLimitStore()
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
        """Whether budgets are kept in this process because the backend failed."""
        return self._failed

    def call(self, primary: Callable[[], T], fallback: Callable[[], T]) -> T:
        """``primary()``, or ``fallback()`` while the backend is down (see the module)."""
        if not self._should_try():
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

    async def acall(self, primary: Callable[[], Awaitable[T]], fallback: Callable[[], T]) -> T:
        """``call`` for a coroutine backend; the fallback is local and synchronous."""
        if not self._should_try():
            return fallback()
        try:
            result = await primary()
        except self._errors as error:
            self._failure(error)
            return fallback()
        except BaseException:
            self._interrupted()
            raise
        self._success()
        return result

    def _should_try(self) -> bool:
        """Whether this caller talks to the backend: always when healthy, else one prober."""
        if self._fail_closed:
            return True  # every call asks the backend, and raises if it fails
        with self._lock:
            if not self._failed:
                return True
            if self._probing or self._monotonic() < self._next_probe:
                return False
            self._probing = True
            return True

    def _failure(self, error: BaseException) -> None:
        # The description has no password; an error's text from redis-py or sqlite3 names
        # hosts and files, never credentials.
        problem = f"{type(error).__name__}: {error}"
        with self._lock:
            first = not self._failed
            self._failed = True
            self._probing = False
            self._next_probe = self._monotonic() + self._probe_interval
        if self._fail_closed:
            raise RateLimitStoreError(
                f"the rate-limit store {self.description} failed ({problem}); nothing was sent",
                store=self.description,
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

    def replaced(self, problem: str) -> None:
        """The backend was swapped under the store (a deleted SQLite file): say so."""
        logger.warning("rate-limit store %s: %s; reopened it", self.description, problem)
        self._emit(RateLimitStoreEvent(self.description, "replaced", problem))

    def _emit(self, event: RateLimitStoreEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)
