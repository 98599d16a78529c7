"""RetryTransport: every row of the retry table, Retry-After, the deadline and per-call options."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from chatapi import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ChatAPIError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    RequestOptions,
    RetryEvent,
    ServerError,
    request_options,
)
from chatapi._retry_policy import MAX_WAIT, RetryPolicy
from chatapi._transports.retry import RetryTransport
from chatapi._transports.typed_errors import ErrorTransport

from .fakes import BASE, FakeClock, Outcome, Script, broken_body

PATH = "/contact/id%3A42"  # as the generated code quotes it


def _status(code: int, **headers: str) -> Callable[[], Outcome]:
    return lambda: httpx.Response(code, headers=headers, json={"code": code, "message": "m"})


def _raise(exception: type[httpx.TransportError]) -> Callable[[], Outcome]:
    return lambda: exception(f"simulated {exception.__name__}")


NOT_SENT = {
    "ConnectError": _raise(httpx.ConnectError),
    "ConnectTimeout": _raise(httpx.ConnectTimeout),
    "PoolTimeout": _raise(httpx.PoolTimeout),
}
NOT_PROCESSED = {"429": _status(429), "449": _status(449), "503": _status(503)}
MAYBE_PROCESSED = {
    "500": _status(500),
    "502": _status(502),
    "504": _status(504),
    "ReadTimeout": _raise(httpx.ReadTimeout),
    "WriteTimeout": _raise(httpx.WriteTimeout),
    "ReadError": _raise(httpx.ReadError),
    "WriteError": _raise(httpx.WriteError),
    "RemoteProtocolError": _raise(httpx.RemoteProtocolError),
    "dropped mid-body": broken_body,
}
FINAL = {
    "400": _status(400),
    "401": _status(401),
    "404": _status(404),
    "403": _status(403),
    "422": _status(422),
    "501": _status(501),
    "505": _status(505),
}
ALWAYS_RETRIED = {**NOT_SENT, **NOT_PROCESSED}


def _client(script: Script, clock: FakeClock, **retry_args: Any) -> httpx.Client:
    retry = RetryTransport(script.transport(), clock=clock, random=lambda: 0.0, **retry_args)
    return httpx.Client(transport=ErrorTransport(retry, clock=clock), base_url=BASE)


def _send(
    method: str, *outcomes: Outcome, clock: FakeClock | None = None, **kwargs: Any
) -> tuple[httpx.Response | ChatAPIError, Script, FakeClock]:
    clock = FakeClock() if clock is None else clock
    script = Script(*outcomes, clock=clock)
    with _client(script, clock) as client:
        try:
            return client.request(method, PATH, **kwargs), script, clock
        except ChatAPIError as error:
            return error, script, clock


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST"])
@pytest.mark.parametrize("failure", ALWAYS_RETRIED.values(), ids=ALWAYS_RETRIED.keys())
def test_always_retried(method: str, failure: Callable[[], Outcome]) -> None:
    result, script, clock = _send(method, failure())
    assert isinstance(result, httpx.Response)
    assert result.status_code == 200
    assert script.attempts == 2
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("failure", MAYBE_PROCESSED.values(), ids=MAYBE_PROCESSED.keys())
def test_maybe_processed_is_retried_when_idempotent(
    method: str, failure: Callable[[], Outcome]
) -> None:
    result, script, clock = _send(method, failure())
    assert isinstance(result, httpx.Response)
    assert script.attempts == 2
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize("failure", MAYBE_PROCESSED.values(), ids=MAYBE_PROCESSED.keys())
def test_maybe_processed_post_is_outcome_unknown(failure: Callable[[], Outcome]) -> None:
    result, script, clock = _send("POST", failure())
    assert isinstance(result, OutcomeUnknownError)
    assert script.attempts == 1
    assert clock.sleeps == []
    assert str(result.request) == "POST /v2/contact/id%3A42"
    assert isinstance(result.error, ServerError | APIConnectionError)


def test_outcome_unknown_keeps_the_status_error() -> None:
    result, _, _ = _send("POST", _status(502)())
    assert isinstance(result, OutcomeUnknownError)
    assert result.status_code == 502
    assert isinstance(result.error, ServerError)
    assert result.__cause__ is result.error


def test_outcome_unknown_after_a_read_timeout_keeps_the_timeout() -> None:
    result, _, _ = _send("POST", httpx.ReadTimeout("slow"))
    assert isinstance(result, OutcomeUnknownError)
    assert result.status_code is None
    assert isinstance(result.error, APITimeoutError)
    # The raw httpx exception is not chained: its text may quote the request's credentials.
    assert result.__cause__ is None
    assert result.__suppress_context__


@pytest.mark.parametrize("failure", MAYBE_PROCESSED.values(), ids=MAYBE_PROCESSED.keys())
def test_post_marked_safe_to_repeat_is_retried(failure: Callable[[], Outcome]) -> None:
    options = RequestOptions(safe_to_repeat=True).extensions()
    result, script, _ = _send("POST", failure(), extensions=options)
    assert isinstance(result, httpx.Response)
    assert script.attempts == 2


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST"])
@pytest.mark.parametrize("failure", FINAL.values(), ids=FINAL.keys())
def test_other_statuses_raise_at_once(method: str, failure: Callable[[], Outcome]) -> None:
    result, script, clock = _send(method, failure())
    assert isinstance(result, ChatAPIError)
    assert not isinstance(result, OutcomeUnknownError)
    assert script.attempts == 1
    assert clock.sleeps == []


def test_local_failures_are_not_retried() -> None:
    result, script, _ = _send("GET", httpx.UnsupportedProtocol("ftp"))
    assert type(result) is APIConnectionError
    assert script.attempts == 1


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (_status(503), ServerError),
        (_status(449), APIStatusError),
        (_status(429), RateLimitError),
        (_raise(httpx.ConnectError), APIConnectionError),
        (_raise(httpx.ReadTimeout), APITimeoutError),
    ],
)
def test_retries_run_out(failure: Callable[[], Outcome], error: type[ChatAPIError]) -> None:
    result, script, clock = _send("GET", *(failure() for _ in range(4)))
    assert type(result) is error
    assert script.attempts == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_unsent_post_that_keeps_failing_is_a_connection_error_not_unknown() -> None:
    result, script, _ = _send("POST", *(httpx.ConnectError("refused") for _ in range(4)))
    assert type(result) is APIConnectionError
    assert script.attempts == 4


def _retry_after(value: str) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": value})


def _http_date(clock: FakeClock, seconds_ahead: float) -> str:
    return email.utils.formatdate(clock.time() + seconds_ahead, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected_sleep"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"Retry-After": "1.25"}, 1.25),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "0"}, 0.5),  # never a tight loop: the backoff still applies
        ({"Retry-After": "0.1"}, 0.5),  # longer than asked is allowed, sooner is not
        ({"Retry-After": "-4"}, 0.5),
        ({"Retry-After": "garbage"}, 0.5),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.5),  # a date in the past
    ],
)
def test_retry_after_forms(headers: dict[str, str], expected_sleep: float) -> None:
    result, script, clock = _send("POST", httpx.Response(429, headers=headers))
    assert isinstance(result, httpx.Response)
    assert script.attempts == 2
    assert clock.sleeps == [expected_sleep]


def test_retry_after_as_http_date_uses_the_wall_clock() -> None:
    clock = FakeClock()
    response = httpx.Response(503, headers={"Retry-After": _http_date(clock, 3)})
    result, _, _ = _send("GET", response, clock=clock)
    assert isinstance(result, httpx.Response)
    assert clock.sleeps == [3.0]


def test_retry_after_beyond_the_deadline_stops_at_once_with_rate_limit_error() -> None:
    result, script, clock = _send("GET", _retry_after("3600"))
    assert isinstance(result, RateLimitError)
    assert result.retry_after == 3600.0
    assert script.attempts == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [503, 449])
def test_503_or_449_asking_beyond_the_deadline_stops_with_a_rate_limit_error(status: int) -> None:
    """The policy: a Retry-After past the deadline ends retries with a RateLimitError."""
    response = httpx.Response(status, headers={"Retry-After": "3600"})
    result, script, clock = _send("POST", response)
    assert type(result) is RateLimitError
    assert result.status_code == status
    assert result.retry_after == 3600.0
    assert script.attempts == 1
    assert clock.sleeps == []


def test_deadline_runs_out_during_the_waits() -> None:
    outcomes = [httpx.Response(503, headers={"Retry-After": "2"}) for _ in range(4)]
    with request_options(deadline=5.0):
        result, script, clock = _send("GET", *outcomes)
    # Attempts at t=0, 2 and 4; a third 2 s wait would end at t=6, past the deadline.
    assert type(result) is RateLimitError
    assert result.status_code == 503
    assert result.retry_after == 2.0
    assert script.attempts == 3
    assert clock.sleeps == [2.0, 2.0]


def test_deadline_bounds_the_attempts_too() -> None:
    clock = FakeClock()
    start = clock.now

    def slow_server(request: httpx.Request) -> httpx.Response:
        # Takes 4 s to answer 503, or times out first if the attempt's timeout is shorter.
        read_timeout = request.extensions["timeout"]["read"]
        if read_timeout < 4.0:
            clock.advance(read_timeout)
            raise httpx.ReadTimeout("timed out")
        clock.advance(4.0)
        return httpx.Response(503)

    transport = RetryTransport(
        httpx.MockTransport(slow_server),
        policy=RetryPolicy(deadline=10.0),
        clock=clock,
        random=lambda: 0.0,
    )
    with (
        httpx.Client(transport=ErrorTransport(transport, clock=clock)) as client,
        pytest.raises(APITimeoutError),
    ):
        client.get(BASE + PATH)
    # 4 s attempt, 0.5 s sleep, 4 s attempt, 1 s sleep, then 0.5 s left for the last attempt.
    assert clock.sleeps == [0.5, 1.0]
    assert clock.now - start == pytest.approx(10.0)


def test_each_attempt_timeout_is_cut_to_the_time_left() -> None:
    clock = FakeClock()
    script = Script(httpx.Response(503, headers={"Retry-After": "3"}), clock=clock)
    timeouts: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(dict(request.extensions["timeout"]))
        return script(request)

    transport = RetryTransport(
        httpx.MockTransport(handler), policy=RetryPolicy(deadline=5.0), clock=clock
    )
    with httpx.Client(transport=transport, timeout=httpx.Timeout(10.0, connect=2.0)) as client:
        client.get(BASE + PATH)
    assert timeouts == [
        {"connect": 2.0, "read": 5.0, "write": 5.0, "pool": 5.0},
        {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0},
    ]


def test_no_deadline() -> None:
    outcomes = [httpx.Response(429, headers={"Retry-After": "3000"})]
    with request_options(deadline=math.inf):
        result, _, clock = _send("GET", *outcomes)
    assert isinstance(result, httpx.Response)
    assert clock.sleeps == [3000.0]


@pytest.mark.parametrize("value", ["86400", "1" + "0" * 20, "9" * 400])
def test_no_deadline_still_caps_a_single_wait(value: str) -> None:
    """Past MAX_WAIT (an hour) even a call without deadline stops; inf is no number at all."""
    outcomes = [httpx.Response(429, headers={"Retry-After": value})] * 4
    with request_options(deadline=math.inf):
        result, script, clock = _send("GET", *outcomes)
    assert isinstance(result, RateLimitError)
    assert all(wait <= MAX_WAIT for wait in clock.sleeps)
    if value == "9" * 400:  # overflows to inf: unusable, so the backoff applies
        assert result.retry_after is None
        assert script.attempts == 4
    else:
        assert result.retry_after == float(value)
        assert script.attempts == 1


# Per-call options: extensions, dicts and the context manager.


def test_max_retries_per_call_by_extension() -> None:
    options = RequestOptions(max_retries=0).extensions()
    result, script, _ = _send("GET", httpx.Response(503), extensions=options)
    assert type(result) is ServerError
    assert script.attempts == 1


def test_options_as_a_plain_dict() -> None:
    extensions = {"chatapi": {"max_retries": 1, "safe_to_repeat": True}}
    outcomes = [httpx.Response(502), httpx.Response(502)]
    result, script, _ = _send("POST", *outcomes, extensions=extensions)
    assert type(result) is ServerError
    assert script.attempts == 2


def test_context_manager_marks_calls_safe_and_nests() -> None:
    with request_options(safe_to_repeat=True, max_retries=5):
        with request_options(max_retries=1):
            result, script, _ = _send("POST", httpx.Response(502), httpx.Response(502))
        assert type(result) is ServerError
        assert script.attempts == 2
        result, script, _ = _send("POST", httpx.Response(502), httpx.Response(502))
        assert isinstance(result, httpx.Response)
        assert script.attempts == 3
    result, script, _ = _send("POST", httpx.Response(502))
    assert isinstance(result, OutcomeUnknownError)


def test_extension_overrides_the_context() -> None:
    with request_options(max_retries=0):
        options = RequestOptions(max_retries=2).extensions()
        result, script, _ = _send("GET", httpx.Response(503), extensions=options)
    assert isinstance(result, httpx.Response)
    assert script.attempts == 2


def test_a_reused_extensions_dict_is_not_mutated() -> None:
    extensions = RequestOptions(deadline=5.0).extensions()
    for _ in range(2):
        result, _, _ = _send("GET", httpx.Response(503), extensions=extensions)
        assert isinstance(result, httpx.Response)
    assert list(extensions) == ["chatapi"]


def test_bad_options_are_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RequestOptions(max_retries=-1)
    with pytest.raises(ValueError, match="deadline"), request_options(deadline=-1):
        pass
    with pytest.raises(TypeError, match="RequestOptions"):
        _send("GET", extensions={"chatapi": 3})


# Reporting: a log line and a callback per retry.


def test_one_log_line_per_retry_without_bodies(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="chatapi")
    body = {"message": "SECRET-BODY"}
    outcomes: list[Outcome] = [httpx.Response(503, json=body), httpx.ConnectError("refused")]
    result, _, _ = _send("GET", *outcomes)
    assert isinstance(result, httpx.Response)
    retries = [r for r in caplog.records if r.levelno == logging.INFO]
    assert [r.getMessage() for r in retries] == [
        "retrying GET /v2/contact/id%3A42 in 0.500 s after status 503 (retry 1 of 3)",
        "retrying GET /v2/contact/id%3A42 in 1.000 s after ConnectError (retry 2 of 3)",
    ]
    assert "SECRET-BODY" not in caplog.text


def test_on_retry_receives_events() -> None:
    events: list[RetryEvent] = []
    clock = FakeClock()
    script = Script(httpx.Response(449), httpx.Response(429, headers={"Retry-After": "4"}))
    with _client(script, clock, on_retry=events.append) as client:
        client.post(PATH)
    assert [(e.retry, e.wait, e.reason) for e in events] == [
        (1, 0.5, "status 449"),
        (2, 4.0, "status 429"),
    ]
    assert str(events[0].request) == "POST /v2/contact/id%3A42"


def test_jitter_only_shortens_the_backoff() -> None:
    clock = FakeClock()
    script = Script(httpx.Response(503), httpx.Response(503))
    transport = RetryTransport(script.transport(), clock=clock, random=lambda: 1.0)
    with httpx.Client(transport=transport) as client:
        client.get(BASE + PATH)
    assert clock.sleeps == [0.375, 0.75]


# Async: the same loop, awaiting the clock.


async def _async_request(script: Script, clock: FakeClock, method: str = "GET") -> httpx.Response:
    retry = RetryTransport(script.transport(), clock=clock, random=lambda: 0.0)
    async with httpx.AsyncClient(
        transport=ErrorTransport(retry, clock=clock), base_url=BASE
    ) as client:
        return await client.request(method, PATH)


@pytest.mark.parametrize(
    "failure",
    [*ALWAYS_RETRIED.values(), *MAYBE_PROCESSED.values()],
    ids=[*ALWAYS_RETRIED.keys(), *MAYBE_PROCESSED.keys()],
)
def test_async_get_is_retried(failure: Callable[[], Outcome]) -> None:
    clock = FakeClock()
    script = Script(failure(), clock=clock)
    assert asyncio.run(_async_request(script, clock)).status_code == 200
    assert script.attempts == 2
    assert clock.sleeps == [0.5]


def test_async_post_outcome_unknown_and_context_options() -> None:
    clock = FakeClock()
    with pytest.raises(OutcomeUnknownError):
        asyncio.run(_async_request(Script(broken_body()), clock, "POST"))

    async def marked_safe() -> httpx.Response:
        with request_options(safe_to_repeat=True):
            return await _async_request(Script(httpx.Response(504)), clock, "POST")

    assert asyncio.run(marked_safe()).status_code == 200


def test_async_final_status_raises_at_once() -> None:
    script = Script(httpx.Response(404, json={"code": "404", "message": "Contact not found"}))
    with pytest.raises(NotFoundError, match="Contact not found"):
        asyncio.run(_async_request(script, FakeClock()))
    assert script.attempts == 1
