"""Hostile or broken answers still end in a ChatAPIError, fast, without locking a budget.

Each case here once escaped as something else (OverflowError, ValueError, RecursionError),
paused a bucket forever, or leaked the token through an exception chain.
"""

from __future__ import annotations

import math
import traceback

import httpx
import pytest

import chatapi
from chatapi import (
    APIResponseValidationError,
    ChatAPIError,
    InMemoryRateLimitStore,
    RateLimiter,
    RateLimitError,
    request_options,
)
from chatapi._redact import snippet
from chatapi._retry_policy import MAX_WAIT
from chatapi_client import AuthenticatedClient
from chatapi_client.api.contact import get_contact

from .fakes import CONTACT, TOKEN, FakeClock, Outcome, Script


def connected(
    *outcomes: Outcome, clock: FakeClock | None = None, rate_limit: RateLimiter | bool = True
) -> AuthenticatedClient:
    clock = FakeClock() if clock is None else clock
    script = Script(*outcomes, clock=clock, then=CONTACT)
    return chatapi.connect(TOKEN, transport=script.transport(), clock=clock, rate_limit=rate_limit)


def call(client: AuthenticatedClient) -> object:
    with client:
        return get_contact.sync("id:42", client=client)


def shared_limiter(clock: FakeClock) -> RateLimiter:
    """One budget store for several clients, as connect() shares one without a test clock."""
    return RateLimiter(InMemoryRateLimitStore(), clock=clock)


def test_an_overflowing_retry_after_does_not_pause_the_bucket_forever() -> None:
    clock = FakeClock()
    limiter = shared_limiter(clock)
    huge = httpx.Response(429, headers={"Retry-After": "9" * 400})
    assert call(connected(huge, clock=clock, rate_limit=limiter)) is not None  # backoff instead
    assert all(math.isfinite(wait) and wait <= 1.1 for wait in clock.sleeps)
    # Another client of the same organization is not locked out either.
    assert call(connected(clock=clock, rate_limit=limiter)) is not None


def test_a_far_future_retry_after_date_pauses_the_bucket_at_most_max_wait() -> None:
    clock = FakeClock()
    limiter = shared_limiter(clock)
    far = httpx.Response(429, headers={"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"})
    with pytest.raises(RateLimitError):
        call(connected(far, clock=clock, rate_limit=limiter))
    with pytest.raises(chatapi.LocalRateLimitError) as caught:
        call(connected(clock=clock, rate_limit=limiter))
    assert caught.value.retry_after is not None
    assert caught.value.retry_after <= MAX_WAIT + 1


def test_no_deadline_and_a_huge_finite_retry_after_raise_a_rate_limit_error() -> None:
    clock = FakeClock()
    huge = httpx.Response(503, headers={"Retry-After": "10000000000"})
    with request_options(deadline=math.inf), pytest.raises(RateLimitError) as caught:
        call(connected(huge, clock=clock))
    assert caught.value.status_code == 503
    assert caught.value.retry_after == 1e10
    assert clock.sleeps == []


@pytest.mark.parametrize("name", ["X-RateLimit-Limit", "X-RateLimit-Remaining"])
def test_absurd_rate_limit_headers_are_ignored(name: str) -> None:
    answer = httpx.Response(200, json=CONTACT, headers={name: "7" * 5000})
    assert call(connected(answer)) is not None


@pytest.mark.parametrize("status", [200, 400, 502])
def test_a_deeply_nested_body_is_a_typed_error(status: int) -> None:
    deep = httpx.Response(status, content=b"[" * 5000 + b"]" * 5000)
    with pytest.raises(ChatAPIError):
        call(connected(*[deep] * 4))


def test_a_deep_but_readable_body_that_does_not_fit_is_a_typed_error() -> None:
    nested: object = "leaf"
    for _ in range(600):
        nested = {"a": nested}
    answer = httpx.Response(200, json={**CONTACT, "extra": nested, "tags": "not-a-list"})
    with pytest.raises(APIResponseValidationError):
        call(connected(answer))


def test_a_failed_connection_quoting_the_token_leaks_nothing_through_the_chain() -> None:
    failure = httpx.ConnectError(f"refused while sending Authorization: Bearer {TOKEN}")
    with pytest.raises(chatapi.APIConnectionError) as caught:
        call(connected(*[failure] * 4))
    text = "".join(traceback.format_exception(caught.value))
    assert TOKEN not in text
    assert "[redacted]" in text


def test_a_validation_message_quoting_the_token_is_redacted() -> None:
    answer = httpx.Response(200, json={"id": f"Bearer {TOKEN}", "firstName": "Ada"})
    with pytest.raises(APIResponseValidationError) as caught:
        call(connected(answer))
    assert TOKEN not in str(caught.value)
    assert "[redacted]" in str(caught.value)


def test_error_page_snippets_read_only_the_head_of_a_body() -> None:
    # A title closed beyond the scanned head is not looked for; the text snippet is used.
    late_title = b"<title>" + b"x" * 5000 + b"FAR</title>"
    assert "FAR" not in snippet(late_title)
    assert snippet(b"<html><title>502 Bad Gateway</title>" + b"<" * 100_000) == "502 Bad Gateway"
