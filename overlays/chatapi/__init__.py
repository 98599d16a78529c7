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

from ._connect import connect
from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChatAPIError,
    LocalRateLimitError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    RequestInfo,
    ServerError,
)
from ._events import RetryEvent, ThrottleEvent
from ._options import RequestOptions, request_options
from ._ratelimit import InMemoryRateLimitStore, RateLimiter, RateLimitStore

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatAPIError",
    "InMemoryRateLimitStore",
    "LocalRateLimitError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitError",
    "RateLimitStore",
    "RateLimiter",
    "RequestInfo",
    "RequestOptions",
    "RetryEvent",
    "ServerError",
    "ThrottleEvent",
    "connect",
    "request_options",
]
