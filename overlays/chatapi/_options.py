"""Per-call options, and the one deadline every overlay of a call measures against.

A call's options come from three places, the later overriding the earlier field by field:
the transport's own defaults, the innermost ``with request_options(...)`` block around the
call, and ``request.extensions["chatapi"]`` on the request itself. The generated operation
functions accept no extensions, so the ``with`` block is how most calls set options.

Example::

    with chatapi.request_options(safe_to_repeat=True, deadline=10):
        send_message.sync(identifier, client=client, body=body)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from typing import Any

import httpx

from ._clock import Clock

__all__ = [
    "EXTENSION",
    "RequestOptions",
    "clamp_timeouts",
    "client_defaults",
    "deadline_of",
    "options_for",
    "request_options",
    "with_extension",
]

EXTENSION = "chatapi"
"""Key of ``request.extensions`` holding a ``RequestOptions`` (or a dict of its fields)."""
_DEADLINE_AT = "chatapi.deadline_at"
"""Key of ``request.extensions`` holding the call's deadline on the overlays' monotonic clock,
set by the first overlay that sees the request and read by the ones inside it."""


@dataclass(frozen=True, kw_only=True)
class RequestOptions:
    """Options for one call; a field left None keeps the value from the enclosing scope.

    Attributes:
        safe_to_repeat: Retry this call even after a failure that may come after it was
            processed (a POST that got a 502): set it when repeating it does no harm.
        max_retries: Attempts after the first one.
        deadline: Seconds for the whole call, rate-limit waits and retries included;
            ``math.inf`` for none.
    """

    safe_to_repeat: bool | None = None
    max_retries: int | None = None
    deadline: float | None = None

    def __post_init__(self) -> None:
        if self.max_retries is not None and self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, not {self.max_retries}")
        if self.deadline is not None and not self.deadline > 0:
            raise ValueError(f"deadline must be > 0 seconds (math.inf for none): {self.deadline}")

    def extensions(self) -> dict[str, Any]:
        """These options as httpx request extensions: ``client.post(..., extensions=...)``."""
        return {EXTENSION: self}

    def over(self, base: RequestOptions) -> RequestOptions:
        """``base`` with the fields set here replacing its own."""
        changes = {f.name: getattr(self, f.name) for f in fields(self)}
        return replace(base, **{k: v for k, v in changes.items() if v is not None})


_current: ContextVar[RequestOptions] = ContextVar("chatapi_request_options")


@contextmanager
def request_options(
    *,
    safe_to_repeat: bool | None = None,
    max_retries: int | None = None,
    deadline: float | None = None,
) -> Iterator[RequestOptions]:
    """Apply options to every call made inside the block, sync or async; blocks nest.

    The options live in a context variable: asyncio tasks created inside the block inherit
    them, threads started inside it do not (run them with ``contextvars.copy_context()``).
    """
    options = RequestOptions(
        safe_to_repeat=safe_to_repeat, max_retries=max_retries, deadline=deadline
    ).over(_current.get(RequestOptions()))
    token = _current.set(options)
    try:
        yield options
    finally:
        _current.reset(token)


@contextmanager
def client_defaults(defaults: RequestOptions) -> Iterator[None]:
    """Apply a client's own options under the caller's: a ``request_options`` block wins."""
    current = _current.get(RequestOptions())
    token = _current.set(current.over(defaults))
    try:
        yield
    finally:
        _current.reset(token)


def options_for(request: httpx.Request) -> RequestOptions:
    """The options of the ``with`` block around the call, overridden by the request's own."""
    options = _current.get(RequestOptions())
    own = request.extensions.get(EXTENSION)
    if isinstance(own, RequestOptions):
        return own.over(options)
    if isinstance(own, Mapping):
        return RequestOptions(**own).over(options)
    if own is not None:
        raise TypeError(f"request.extensions[{EXTENSION!r}] must be RequestOptions or a dict")
    return options


def deadline_of(request: httpx.Request, clock: Clock, default: float) -> float:
    """The call's deadline on ``clock.monotonic()``, fixed by the first overlay that asks.

    ``default`` is the deadline in seconds when the call's options set none. The value is
    stored on the request, so overlays further in (the rate limiter) share it.
    """
    stamped = request.extensions.get(_DEADLINE_AT)
    if isinstance(stamped, float):
        return stamped
    seconds = options_for(request).deadline
    deadline = float(clock.monotonic() + (default if seconds is None else seconds))
    with_extension(request, _DEADLINE_AT, deadline)
    return deadline


def with_extension(request: httpx.Request, key: str, value: object) -> None:
    """Set one request extension without mutating the dict, which the caller may reuse."""
    request.extensions = {**request.extensions, key: value}


def clamp_timeouts(request: httpx.Request, deadline: float, clock: Clock) -> None:
    """Shorten the request's httpx timeouts to the time left before ``deadline``.

    Called before each attempt and again after a rate-limit wait, so that no attempt can
    outlast the call's deadline.
    """
    timeouts = request.extensions.get("timeout")
    if not math.isfinite(deadline) or not isinstance(timeouts, Mapping):
        return
    left = max(deadline - clock.monotonic(), 0.0)
    clamped = {name: left if t is None else min(t, left) for name, t in timeouts.items()}
    with_extension(request, "timeout", clamped)
