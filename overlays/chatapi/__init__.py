"""ChatAPI v2 for Python: the generated ``chatapi_client``, with retries, rate limits and errors.

``connect()`` returns the generated ``AuthenticatedClient`` with the overlay transports
installed, outermost first: errors -> retry -> rate limit -> httpx. Use it with the
generated operation functions::

    import chatapi
    from chatapi_client.api.messaging import send_message

    client = chatapi.connect()  # token from CHATAPI_TOKEN
    result = send_message.sync("id:42", client=client, body=...)

Failures raise a ``ChatAPIError`` (see ``chatapi._errors`` for the tree); per-call options
go in ``with chatapi.request_options(...)``.
"""

from ._clock import Clock, SystemClock
from ._connect import connect
from ._error_transport import ErrorTransport
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
    error_from_response,
)
from ._events import RetryEvent, ThrottleEvent
from ._layer import DualTransport, SplitTransport
from ._options import RequestOptions, request_options
from ._policy import RetryPolicy
from ._ratelimit import (
    InMemoryRateLimitStore,
    RateLimiter,
    RateLimitStore,
    RateLimitTable,
    RateLimitTransport,
)
from ._retry import RetryTransport

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatAPIError",
    "Clock",
    "DualTransport",
    "ErrorTransport",
    "InMemoryRateLimitStore",
    "LocalRateLimitError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitError",
    "RateLimitStore",
    "RateLimitTable",
    "RateLimitTransport",
    "RateLimiter",
    "RequestInfo",
    "RequestOptions",
    "RetryEvent",
    "RetryPolicy",
    "RetryTransport",
    "ServerError",
    "SplitTransport",
    "SystemClock",
    "ThrottleEvent",
    "connect",
    "error_from_response",
    "request_options",
]
