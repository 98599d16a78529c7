"""Hooks into the sockets under httpx: a deadline on every wait, news of an unwritten request.

httpx's transports hand each socket read the same ``read`` timeout for a whole phase, so a
server sending one byte of headers, body or ``100 Continue`` lines every 0.5 s never trips
it; and httpcore swallows a failed write (hoping the server answered early) and reports the
read after it instead. httpx exposes neither, so ``bound_by_deadline`` wraps the network
backend of httpx's connection pool (``transport._pool._network_backend``; httpx and httpcore
are pinned, and ``tests/overlays`` fail if that attribute moves). The wrapped streams:

- cut every connect, read and write timeout to the time left before the call's deadline
  (``call_deadline``), and time out at once past it;
- mark the attempt (``watch_writes``) when a write fails, or a read fails because a write
  did (asyncio reports a refused send only at the next read).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from contextvars import ContextVar

from .._clock import Clock

__all__ = ["WriteWatch", "bound_by_deadline", "call_deadline", "watch_writes"]

_DEADLINE: ContextVar[tuple[Clock, float] | None] = ContextVar("chatapi_deadline", default=None)
_WATCH: ContextVar[WriteWatch | None] = ContextVar("chatapi_write_watch", default=None)


class WriteWatch:
    """Whether a write to the socket failed during one attempt, and whether one began.

    ``began`` stays False when no byte of the request can have left: the deadline passed
    before the first write reached the socket (``_cut`` refused it).
    """

    __slots__ = ("began", "failed")

    def __init__(self) -> None:
        self.failed = False
        self.began = False


class call_deadline:  # noqa: N801 - used as a context manager, named like one
    """``with call_deadline(clock, deadline):`` bounds every socket wait inside the block.

    ``deadline`` is on ``clock.monotonic()``; an infinite one bounds nothing. A class rather
    than a generator-based context manager: it runs once per call, on the happy path.
    """

    __slots__ = ("_token", "_value")

    def __init__(self, clock: Clock, deadline: float) -> None:
        self._value = (clock, deadline) if math.isfinite(deadline) else None

    def __enter__(self) -> None:
        self._token = _DEADLINE.set(self._value)

    def __exit__(self, *exc: object) -> None:
        _DEADLINE.reset(self._token)


@contextlib.contextmanager
def watch_writes() -> Iterator[WriteWatch]:
    """Record, in the yielded watch, whether a socket write fails inside the block."""
    watch = WriteWatch()
    token = _WATCH.set(watch)
    try:
        yield watch
    finally:
        _WATCH.reset(token)


def _cut(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to the time left; ``error`` at once if none is left."""
    bound = _DEADLINE.get()
    if bound is None:
        return timeout
    clock, deadline = bound
    left = deadline - clock.monotonic()
    if left <= 0:
        raise error("the call's deadline has passed")
    return left if timeout is None else min(timeout, left)


def _write_begins() -> None:
    watch = _WATCH.get()
    if watch is not None:
        watch.began = True


def _write_failed() -> None:
    watch = _WATCH.get()
    if watch is not None:
        watch.failed = True


def _read_failed(exc: BaseException) -> None:
    """Note a failed write that surfaces as a failed read.

    asyncio's transports do not raise from ``write()``: a send refused with EPIPE closes the
    transport, and the next read raises ``BrokenResourceError`` caused by that
    ``BrokenPipeError``. EPIPE comes from sends only, so it proves a write failed.
    """
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 8:
        if isinstance(cause, BrokenPipeError):
            _write_failed()
            return
        cause = cause.__cause__ or cause.__context__
        seen += 1


def bound_by_deadline(transport: object) -> bool:
    """Wrap the network backend of an httpx ``HTTPTransport`` or ``AsyncHTTPTransport``.

    Returns whether it did: False for any other transport (a ``MockTransport``), or an
    httpx whose pool no longer keeps its backend where this expects it. Call it before the
    transport's first request: connections already open keep their streams.
    """
    from .httpcore_sockets import wrap

    return wrap(transport)
