"""ChatAPI v2 for Python: the generated ``chatapi_client``, with retries, rate limits and errors.

``connect()`` returns the generated ``AuthenticatedClient`` with the overlay transports
installed, outermost first: errors -> retry -> rate limit -> httpx. Use it with the
generated operation functions::

    import chatapi
    from chatapi_client.api.messaging import send_message

    client = chatapi.connect()  # token from CHATAPI_TOKEN
    result = send_message.sync("id:42", client=client, body=...)

Failures raise a ``ChatAPIError`` (see ``chatapi._errors`` for the tree); per-call options
go in ``with chatapi.request_options(...)``; ``RateLimiter`` and the stores say where the
organization's budgets are kept.
"""

from typing import TYPE_CHECKING

from ._client import AsyncChatAPI, ChatAPI
from ._connect import connect
from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChatAPIError,
    ClientClosedError,
    LocalRateLimitError,
    NotFoundError,
    OutcomeUnknownError,
    PaginationError,
    RateLimitError,
    RequestInfo,
    ServerError,
)
from ._events import RetryEvent, ThrottleEvent
from ._options import RequestOptions, request_options
from ._ratelimit import (
    AsyncRateLimitStore,
    InMemoryRateLimitStore,
    RateLimiter,
    RateLimitStore,
    RateLimitStoreError,
    RateLimitStoreEvent,
    SqliteRateLimitStore,
)

if TYPE_CHECKING:
    from ._ratelimit.redis_store import RedisRateLimitStore

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChatAPI",
    "AsyncRateLimitStore",
    "AuthenticationError",
    "BadRequestError",
    "ChatAPI",
    "ChatAPIError",
    "ClientClosedError",
    "InMemoryRateLimitStore",
    "LocalRateLimitError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaginationError",
    "RateLimitError",
    "RateLimitStore",
    "RateLimitStoreError",
    "RateLimitStoreEvent",
    "RateLimiter",
    "RedisRateLimitStore",
    "RequestInfo",
    "RequestOptions",
    "RetryEvent",
    "ServerError",
    "SqliteRateLimitStore",
    "ThrottleEvent",
    "connect",
    "request_options",
]


def __getattr__(name: str) -> object:
    # The Redis store needs the optional redis-py (chatapi[redis]): import it on first use.
    if name == "RedisRateLimitStore":
        from ._ratelimit.redis_store import RedisRateLimitStore

        return RedisRateLimitStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
