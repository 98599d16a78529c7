"""connect(): the generated client, with the overlay transports installed."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

import httpx

from chatapi_client import AuthenticatedClient
from chatapi_client.operations import INDEX

from ._body import DEFAULT_MAX_RESPONSE_SIZE
from ._clock import Clock
from ._events import RetryEvent, ThrottleEvent
from ._ratelimit import (
    InMemoryRateLimitStore,
    RateLimiter,
    RateLimitStore,
    open_store,
)
from ._ratelimit.lease import StoreLease
from ._ratelimit.store_url import environment_setting
from ._response_check import default_response_check
from ._retry_policy import DEFAULT_DEADLINE, DEFAULT_MAX_RETRIES, RetryPolicy
from ._transports.base import DualTransport, SplitTransport
from ._transports.rate_limit import RateLimitTransport
from ._transports.retry import RetryTransport
from ._transports.typed_errors import ErrorTransport

if TYPE_CHECKING:
    from redis import Redis
    from redis.asyncio import Redis as AsyncRedis

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "KEEPALIVE_EXPIRY",
    "RateLimitStoreSetting",
    "connect",
    "organization_for",
    "resolve_token",
]

RateLimitStoreSetting: TypeAlias = "str | RateLimitStore | Redis | AsyncRedis | None"
"""What ``rate_limit_store`` accepts: a store URL, a store, a redis-py client, or None."""

DEFAULT_BASE_URL = "https://api.chatapi.net/v2"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Per attempt; the call's ``deadline`` bounds the whole call."""
KEEPALIVE_EXPIRY = 4.0
"""Seconds an idle pooled connection is kept for reuse; httpx's default is 5.

Below the idle timeout of the common HTTP servers and their defaults (Node.js, uvicorn and
Apache close an idle keep-alive connection after 5 s; nginx after 75 s, load balancers
after 60 s): reusing a connection the server closes at the very moment the request goes
out can leave a POST's outcome unknown, and a fresh connection costs one handshake."""
TOKEN_VARIABLE = "CHATAPI_TOKEN"  # noqa: S105 - the variable's name, not a token
BASE_URL_VARIABLE = "CHATAPI_BASE_URL"


def connect(
    token: str | None = None,
    *,
    base_url: str | None = None,
    organization: str | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    rate_limit: bool | RateLimiter = True,
    rate_limit_store: RateLimitStoreSetting = None,
    on_retry: Callable[[RetryEvent], None] | None = None,
    on_throttle: Callable[[ThrottleEvent], None] | None = None,
    proxy: str | None = None,
    transport: DualTransport | None = None,
    clock: Clock | None = None,
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
) -> AuthenticatedClient:
    """A generated ``AuthenticatedClient`` whose requests pass through the overlays.

    The client serves the generated functions' ``sync`` and ``asyncio`` variants alike;
    ``with client:`` / ``async with client:`` close its connections. It does not follow
    redirects: a 3xx raises ``APIStatusError``, so the token is never sent elsewhere.

    Args:
        token: The API access token; default: the ``CHATAPI_TOKEN`` environment variable.
        base_url: Default: ``CHATAPI_BASE_URL``, else ``https://api.chatapi.net/v2``. Must be
            ``https://``, except to a loopback host (a local sandbox).
        organization: Names the rate-limit budgets this client draws from; clients naming
            the same organization in one process share them. Default: derived from the
            token (a hash of it, never the token itself).
        max_retries: Attempts after the first one, per call.
        timeout: httpx timeouts of each attempt.
        deadline: Seconds for a whole call, rate-limit waits and retries included
            (``math.inf`` for none).
        rate_limit: ``True`` throttles requests to the API's per-organization limits on the
            process-wide budget store (a private store if ``clock`` is given: budgets
            measured on different clocks cannot be shared); a ``RateLimiter`` is used
            instead; ``False`` switches limiting off.
        rate_limit_store: Where the budgets live, so that several processes or machines
            share them: ``"sqlite:///path/to/limits.db"`` (one machine),
            ``"redis://host:6379/0"``, ``"rediss://..."`` or ``"unix:///path/redis.sock"``
            (several machines; needs ``chatapi[redis]``), a ``RateLimitStore``, or a
            redis-py client. Default: the ``CHATAPI_RATE_LIMIT_STORE`` environment
            variable, else the process-wide in-memory store. Clients in one process naming
            the same URL share one store.
        on_retry: Called before each retry's sleep, e.g. for metrics.
        on_throttle: Called before each wait for a rate-limit slot.
        proxy: An HTTP(S) proxy URL. Proxy environment variables are not read.
        transport: Replaces the httpx transports at the bottom of the stack (tests).
        clock: Replaces the system clock (tests); default: the limiter's clock.
        max_response_size: Bytes a response body may hold once decoded; a larger one
            raises ``ResponseTooLargeError`` (default 16 MiB).

    Raises:
        ValueError: No token, a token or base URL that cannot be used safely (not https, no
            host, a port out of range), a
            ``RateLimiter`` on another clock than ``clock``, a ``RateLimiter`` together with
            ``rate_limit_store``, or a store URL of no accepted form.
    """
    token = resolve_token(token, "chatapi.connect")
    url = _base_url(base_url or os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL)
    # Raw, as requests go out: the overlays match raw request paths below it.
    base_path = url.raw_path.split(b"?", 1)[0].decode("ascii")
    # Validated before a store is opened or leased: a bad argument leaves nothing held.
    policy = RetryPolicy(max_retries=max_retries, deadline=deadline)
    opened = False  # whether the store is one this client opened (from a URL)
    if isinstance(rate_limit, RateLimiter):
        if rate_limit_store is not None:
            raise ValueError("give the store to the RateLimiter, or rate_limit_store alone")
        limiter = rate_limit
    elif (
        rate_limit is not False
        and (store_setting := rate_limit_store or environment_setting()) is not None
    ):
        # Shared stores read their own clock (wall clock, Redis TIME), so any `clock` works.
        store = open_store(store_setting)
        opened = isinstance(store_setting, str)
        limiter = RateLimiter(store) if clock is None else RateLimiter(store, clock=clock)
    elif clock is None:
        limiter = RateLimiter()
    else:
        limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock)
    if clock is not None and limiter.clock is not clock:
        # The retry layer fixes each call's deadline on its clock and the limiter waits
        # against it: two clocks would make that deadline meaningless.
        raise ValueError("the limiter measures time on another clock than `clock`")

    clock = limiter.clock
    with contextlib.ExitStack() as undo:
        # Closing the client releases the connections of a store it opened from a URL once
        # no other open client uses that store; a client that fails to build returns it.
        lease = StoreLease(limiter.store) if opened else None
        if lease is not None:
            undo.callback(lease.end)
        stack: DualTransport
        if transport is None:
            limits = httpx.Limits(
                max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_EXPIRY
            )
            stack = SplitTransport(
                httpx.HTTPTransport(proxy=proxy, limits=limits),
                httpx.AsyncHTTPTransport(proxy=proxy, limits=limits),
            )
        else:
            stack = transport
        if rate_limit is not False:
            stack = RateLimitTransport(
                stack,
                limiter=limiter,
                organization=organization or organization_for(token),
                index=INDEX,
                base_path=base_path,
                on_throttle=on_throttle,
                lease=lease,
            )
        stack = RetryTransport(
            stack,
            policy=policy,
            clock=clock,
            on_retry=on_retry,
            max_response_size=max_response_size,
            index=INDEX,
            base_path=base_path,
        )
        stack = ErrorTransport(
            stack,
            clock=clock,
            response_check=default_response_check(),
            base_path=base_path,
            max_response_size=max_response_size,
        )
        client = AuthenticatedClient(
            base_url=str(url),
            token=token,  # the generated client keeps it (and its headers) out of its repr
            timeout=httpx.Timeout(timeout),
            raise_on_unexpected_status=True,
            httpx_args={"transport": stack},
        )
        undo.pop_all()  # built: the lease is the client's now
        return client


def organization_for(token: str) -> str:
    """A stable name for the budgets of ``token``'s organization; does not reveal the token."""
    return "token-" + hashlib.sha256(token.encode()).hexdigest()[:16]


def resolve_token(token: str | None, caller: str) -> str:
    """``token``, else ``CHATAPI_TOKEN``; a ``ValueError`` naming ``caller`` when neither is set."""
    token = (os.environ.get(TOKEN_VARIABLE, "") if token is None else token).strip()
    if not token:
        raise ValueError(
            f"no API token: pass it as {caller}(token=...) or set the {TOKEN_VARIABLE}"
            " environment variable"
        )
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        # Never echo it: the message would put the token into logs and tracebacks.
        raise ValueError("the API token contains spaces, control or non-ASCII characters")
    return token


def _base_url(value: str) -> httpx.URL:
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ValueError(f"invalid base URL: {exc}") from None
    if not url.host:
        raise ValueError(f"the base URL names no host: {value!r}")
    if url.port is not None and not 0 < url.port < 65536:
        raise ValueError(f"the base URL's port must be 1-65535, not {url.port}")
    if url.scheme == "https" or (url.scheme == "http" and _is_loopback(url.host)):
        return url.copy_with(path=url.path.rstrip("/") or "/")
    raise ValueError(
        f"the base URL must use https:// (http:// only to a loopback host), not "
        f"{url.scheme}://{url.host}"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
