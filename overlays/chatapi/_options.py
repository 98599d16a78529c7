"""Per-call options, and the one deadline every overlay of a call measures against.

``RequestOptions`` (defined with the generated resources, whose methods take it as
``options=``) holds every per-call setting. A call's options come from these places, the
later overriding the earlier field by field: the transport's own defaults (``connect()``'s
arguments), the client's (``with_options``), the innermost ``with request_options(...)``
block around the call, the method's ``options=``, and ``request.extensions["chatapi"]`` on
the request itself (for plain httpx calls through the overlays).

Example::

    with chatapi.request_options(safe_to_repeat=True, deadline=10):
        send_message.sync(identifier, client=client, body=body)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

from chatapi_client.resources import OPTIONS_EXTENSION, RequestOptions

from ._clock import Clock

__all__ = [
    "EXTENSION",
    "RequestOptions",
    "call_options",
    "clamp_timeouts",
    "deadline_of",
    "options_for",
    "request_options",
    "with_extension",
]

EXTENSION = OPTIONS_EXTENSION
"""Key of ``request.extensions`` holding a ``RequestOptions`` (or a dict of its fields)."""
_DEADLINE_AT = "chatapi.deadline_at"
"""Key of ``request.extensions`` holding the call's deadline on the overlays' monotonic clock,
set by the first overlay that sees the request and read by the ones inside it."""


_current: ContextVar[RequestOptions] = ContextVar("chatapi_request_options")
_NONE = RequestOptions()


@contextmanager
def request_options(
    *,
    safe_to_repeat: bool | None = None,
    max_retries: int | None = None,
    deadline: float | None = None,
    timeout: httpx.Timeout | float | None = None,
) -> Iterator[RequestOptions]:
    """Apply options to every call made inside the block, sync or async; blocks nest.

    The fields are ``RequestOptions``'s. The options live in a context variable: asyncio
    tasks created inside the block inherit them, threads started inside it do not (run them
    with ``contextvars.copy_context()``).
    """
    options = RequestOptions(
        safe_to_repeat=safe_to_repeat, max_retries=max_retries, deadline=deadline, timeout=timeout
    ).over(_current.get(_NONE))
    token = _current.set(options)
    try:
        yield options
    finally:
        _current.reset(token)


@contextmanager
def call_options(client: RequestOptions, call: RequestOptions | None) -> Iterator[None]:
    """Apply a client's options under the ``request_options`` block, and a call's over it."""
    options = _current.get(_NONE).over(client)
    token = _current.set(options if call is None else call.over(options))
    try:
        yield
    finally:
        _current.reset(token)


def options_for(request: httpx.Request) -> RequestOptions:
    """The options of the ``with`` block around the call, overridden by the request's own."""
    options = _current.get(_NONE)
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
    stored on the request, so overlays further in (the rate limiter) share it. The same
    overlay puts the options' ``timeout``, if any, on the request: httpx's transports read
    each request's own timeouts, so one client serves calls with different timeouts.
    """
    stamped = request.extensions.get(_DEADLINE_AT)
    if isinstance(stamped, float):
        return stamped
    options = options_for(request)
    seconds = options.deadline
    deadline = float(clock.monotonic() + (default if seconds is None else seconds))
    extensions = {**request.extensions, _DEADLINE_AT: deadline}
    if options.timeout is not None:
        extensions["timeout"] = httpx.Timeout(options.timeout).as_dict()
    request.extensions = extensions
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
