"""The public surface of ``chatapi`` is what ``__all__`` says, and nothing moves by accident."""

from __future__ import annotations

import chatapi

PUBLIC = [
    # the clients, connect() and per-call options
    "ChatAPI",
    "AsyncChatAPI",
    "connect",
    # what list methods and raw responses return, and a page's next cursor
    "Pager",
    "AsyncPager",
    "RawResponse",
    "next_cursor",
    "RequestOptions",
    "request_options",
    # errors
    "ChatAPIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "NotFoundError",
    "RateLimitError",
    "LocalRateLimitError",
    "ServerError",
    "OutcomeUnknownError",
    "APIResponseValidationError",
    "PaginationError",
    "ClientClosedError",
    "ResponseTooLargeError",
    "RequestPathError",
    "ClientStateError",
    "RequestInfo",
    # callbacks
    "RetryEvent",
    "ThrottleEvent",
    # where the organization's budgets live
    "RateLimiter",
    "RateLimitStore",
    "InMemoryRateLimitStore",
    "AsyncRateLimitStore",
    "SqliteRateLimitStore",
    "RedisRateLimitStore",
    "RateLimitStoreError",
    "RateLimitStoreEvent",
]


def test_all_is_pinned() -> None:
    assert sorted(chatapi.__all__) == sorted(PUBLIC)
    assert len(set(chatapi.__all__)) == len(chatapi.__all__)


def test_every_public_name_resolves() -> None:
    for name in chatapi.__all__:
        assert getattr(chatapi, name) is not None


def test_every_error_derives_from_the_root() -> None:
    errors = [getattr(chatapi, n) for n in PUBLIC if n.endswith("Error") and n != "ChatAPIError"]
    assert errors
    assert all(issubclass(error, chatapi.ChatAPIError) for error in errors)


def test_the_machinery_stays_private() -> None:
    for name in ("ErrorTransport", "RetryTransport", "RateLimitTransport", "SplitTransport"):
        assert name not in chatapi.__all__
        assert not hasattr(chatapi, name), name
