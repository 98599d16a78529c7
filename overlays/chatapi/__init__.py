"""ChatAPI v2 for Python: ``ChatAPI``/``AsyncChatAPI``, with retries, rate limits and errors.

::

    import chatapi

    with chatapi.ChatAPI() as client:  # token from CHATAPI_TOKEN
        contact = client.contacts.get("email:ada@example.com")
        for message in client.messaging.list(f"id:{contact.id}"):  # every page
            ...

Every operation is a method of a resource, generated from the description; a call returns
its success model or raises a ``ChatAPIError`` (see ``chatapi._errors`` for the tree).
``connect()`` gives the generated ``AuthenticatedClient`` with the same overlay transports,
for the generated operation functions. Per-call options go in ``with request_options(...)``;
``RateLimiter`` and the stores say where the organization's budgets are kept.
"""

from typing import TYPE_CHECKING

from chatapi_client.resources import RawResponse

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
    ClientStateError,
    LocalRateLimitError,
    NotFoundError,
    OutcomeUnknownError,
    PaginationError,
    RateLimitError,
    RequestInfo,
    RequestNotSentError,
    RequestPathError,
    RequestProcessedError,
    ResponseTooLargeError,
    ServerError,
)
from ._events import RetryEvent, ThrottleEvent
from ._filters import all_contacts, all_of, any_of, field_equals, tag_is_any_of
from ._identifiers import contact_email, contact_id, contact_phone
from ._options import RequestOptions, request_options
from ._paging import AsyncPager, Pager, next_cursor
from ._ratelimit import (
    AsyncRateLimitStore,
    FailoverStore,
    InMemoryRateLimitStore,
    RateLimiter,
    RateLimitStore,
    RateLimitStoreError,
    RateLimitStoreEvent,
    SqliteRateLimitStore,
)
from ._request_check import InvalidRequestError

if TYPE_CHECKING:
    from ._ratelimit.redis_store import RedisRateLimitStore

    __version__: str

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChatAPI",
    "AsyncPager",
    "AsyncRateLimitStore",
    "AuthenticationError",
    "BadRequestError",
    "ChatAPI",
    "ChatAPIError",
    "ClientClosedError",
    "ClientStateError",
    "FailoverStore",
    "InMemoryRateLimitStore",
    "InvalidRequestError",
    "LocalRateLimitError",
    "NotFoundError",
    "OutcomeUnknownError",
    "Pager",
    "PaginationError",
    "RateLimitError",
    "RateLimitStore",
    "RateLimitStoreError",
    "RateLimitStoreEvent",
    "RateLimiter",
    "RawResponse",
    "RedisRateLimitStore",
    "RequestInfo",
    "RequestNotSentError",
    "RequestOptions",
    "RequestPathError",
    "RequestProcessedError",
    "ResponseTooLargeError",
    "RetryEvent",
    "ServerError",
    "SqliteRateLimitStore",
    "ThrottleEvent",
    "__version__",
    "all_contacts",
    "all_of",
    "any_of",
    "connect",
    "contact_email",
    "contact_id",
    "contact_phone",
    "field_equals",
    "next_cursor",
    "request_options",
    "tag_is_any_of",
]


def __getattr__(name: str) -> object:
    # The version is read from the distribution's metadata on first use: importlib.metadata
    # costs more to import than the rest of the package.
    if name == "__version__":
        from importlib.metadata import version

        return version("chatapi")
    # The Redis store needs the optional redis-py (chatapi[redis]): import it on first use.
    if name == "RedisRateLimitStore":
        from ._ratelimit.redis_store import RedisRateLimitStore

        return RedisRateLimitStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
