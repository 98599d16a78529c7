"""The retry policy as data: the table of overlay-policy.md, backoff and Retry-After parsing."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from chatapi._retry_policy import (
    Decision,
    FailureKind,
    RetryPolicy,
    backoff,
    failure_kind,
    retry_after,
    should_retry,
)

IDEMPOTENT = ["GET", "PUT", "DELETE"]
NOW = 1_700_000_000.0

RETRY, STOP, UNKNOWN = Decision.RETRY, Decision.STOP, Decision.OUTCOME_UNKNOWN


@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
@pytest.mark.parametrize("status", [429, 449, 503])
def test_not_processed_statuses_are_retried_for_every_method(method: str, status: int) -> None:
    assert should_retry(method, status, None, safe_to_repeat=False) is RETRY


@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
def test_unsent_requests_are_retried_for_every_method(method: str) -> None:
    assert should_retry(method, None, FailureKind.NOT_SENT, safe_to_repeat=False) is RETRY


@pytest.mark.parametrize("status", [500, 502, 504])
def test_maybe_processed_statuses_retry_only_idempotent_methods(status: int) -> None:
    for method in IDEMPOTENT:
        assert should_retry(method, status, None, safe_to_repeat=False) is RETRY
    assert should_retry("POST", status, None, safe_to_repeat=False) is UNKNOWN
    assert should_retry("PATCH", status, None, safe_to_repeat=False) is UNKNOWN
    assert should_retry("POST", status, None, safe_to_repeat=True) is RETRY


def test_maybe_processed_failures_retry_only_idempotent_methods() -> None:
    kind = FailureKind.MAYBE_PROCESSED
    for method in IDEMPOTENT:
        assert should_retry(method, None, kind, safe_to_repeat=False) is RETRY
    assert should_retry("post", None, kind, safe_to_repeat=False) is UNKNOWN
    assert should_retry("POST", None, kind, safe_to_repeat=True) is RETRY


@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
@pytest.mark.parametrize("status", [200, 201, 204, 302, 400, 401, 403, 404, 409, 422, 501, 505])
def test_other_statuses_stop(method: str, status: int) -> None:
    assert should_retry(method, status, None, safe_to_repeat=True) is STOP


@pytest.mark.parametrize("status", [507, 520, 522, 599])
def test_undocumented_5xx_are_as_ambiguous_as_a_500(status: int) -> None:
    for method in IDEMPOTENT:
        assert should_retry(method, status, None, safe_to_repeat=False) is RETRY
    assert should_retry("POST", status, None, safe_to_repeat=False) is UNKNOWN
    assert should_retry("POST", status, None, safe_to_repeat=True) is RETRY


@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
def test_local_failures_stop(method: str) -> None:
    assert should_retry(method, None, FailureKind.LOCAL, safe_to_repeat=True) is STOP


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        (httpx.ConnectError, FailureKind.NOT_SENT),
        (httpx.ConnectTimeout, FailureKind.NOT_SENT),
        (httpx.PoolTimeout, FailureKind.NOT_SENT),
        (httpx.ReadTimeout, FailureKind.MAYBE_PROCESSED),
        (httpx.WriteTimeout, FailureKind.MAYBE_PROCESSED),
        (httpx.ReadError, FailureKind.MAYBE_PROCESSED),
        (httpx.WriteError, FailureKind.MAYBE_PROCESSED),
        (httpx.RemoteProtocolError, FailureKind.MAYBE_PROCESSED),
        (httpx.CloseError, FailureKind.MAYBE_PROCESSED),
        (httpx.UnsupportedProtocol, FailureKind.LOCAL),
        (httpx.LocalProtocolError, FailureKind.LOCAL),
        (httpx.ProxyError, FailureKind.LOCAL),
    ],
)
def test_only_connect_failures_count_as_surely_unsent(
    exception: type[httpx.TransportError], kind: FailureKind
) -> None:
    assert failure_kind(exception("x")) is kind


def test_backoff_doubles_up_to_the_cap_and_jitter_only_shortens() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=8.0)
    assert [backoff(n, policy, lambda: 0.0) for n in range(7)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert backoff(0, policy, lambda: 1.0) == 0.375
    assert backoff(10, policy, lambda: 0.5) == 7.0


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline=0)


def _http_date(at: float) -> str:
    return email.utils.formatdate(at, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Retry-After": "2"}, 2.0),
        ({"Retry-After": " 7 "}, 7.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": _http_date(NOW + 30)}, 30.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 -0000"}, None),  # in the past
        ({"Retry-After": "-3"}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "1_000"}, None),
        ({"Retry-After": ""}, None),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "-5", "Retry-After": "9"}, 9.0),
        ({"retry-after-ms": "nope"}, None),
        ({"Retry-After": "86400"}, 86400.0),
    ],
)
def test_retry_after_forms(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after(httpx.Headers(headers), NOW) == expected
