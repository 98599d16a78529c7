"""The public surface of ``chatapi`` is what ``__all__`` says, and nothing moves by accident.

As httpx's ``tests/test_exported_members.py`` does: the exported names are pinned, each one
resolves, and what they name is what users expect (classes that do the work, errors under
the one root).
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Protocol

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
    "RequestNotSentError",
    "RequestProcessedError",
    "APIResponseValidationError",
    "PaginationError",
    "ClientClosedError",
    "ResponseTooLargeError",
    "RequestPathError",
    "InvalidRequestError",
    "ClientStateError",
    "RequestInfo",
    # contact identifiers and filters
    "contact_id",
    "contact_email",
    "contact_phone",
    "all_contacts",
    "all_of",
    "any_of",
    "tag_is_any_of",
    "field_equals",
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
    "FailoverStore",
    "RateLimitStoreError",
    "RateLimitStoreEvent",
    # the installed version
    "__version__",
]


def test_all_is_pinned() -> None:
    assert sorted(chatapi.__all__) == sorted(PUBLIC)
    assert len(set(chatapi.__all__)) == len(chatapi.__all__)


def test_every_public_name_resolves() -> None:
    for name in chatapi.__all__:
        assert getattr(chatapi, name) is not None


OUTSIDE_THE_ROOT = {"ChatAPIError", "RequestProcessedError"}
"""RequestProcessedError must escape ``except ChatAPIError``: the call was processed."""


def test_every_error_derives_from_the_root() -> None:
    errors = [getattr(chatapi, n) for n in PUBLIC if n.endswith("Error")]
    assert errors
    assert all(
        issubclass(error, chatapi.ChatAPIError) != (error.__name__ in OUTSIDE_THE_ROOT)
        or error is chatapi.ChatAPIError
        for error in errors
    )


def test_the_machinery_stays_private() -> None:
    for name in ("ErrorTransport", "RetryTransport", "RateLimitTransport", "SplitTransport"):
        assert name not in chatapi.__all__
        assert not hasattr(chatapi, name), name


def test_the_version_is_the_distributions() -> None:
    assert chatapi.__version__ == version("chatapi")


def test_the_pagers_are_the_classes_that_page_not_protocols() -> None:
    for pager in (chatapi.Pager, chatapi.AsyncPager):
        assert inspect.isclass(pager)
        assert Protocol not in pager.__mro__, pager
        assert pager.__module__.startswith("chatapi."), pager
    with chatapi.ChatAPI("t", rate_limit=False) as client:
        assert isinstance(client.messaging.list("id:1"), chatapi.Pager)


def test_no_exported_name_is_a_protocol_of_the_generated_layer() -> None:
    for name in chatapi.__all__:
        value = getattr(chatapi, name)
        assert not getattr(value, "_is_protocol", False) or name.endswith("Store"), name
