"""The rate limiter and its transport: windows, shared budgets, server feedback, deadlines."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import httpx
import pytest

from chatapi import (
    InMemoryRateLimitStore,
    LocalRateLimitError,
    RateLimiter,
    RateLimitError,
    RequestOptions,
    ThrottleEvent,
    request_options,
)
from chatapi._transports.rate_limit import RateLimitTransport
from chatapi._transports.retry import RetryTransport
from chatapi._transports.typed_errors import ErrorTransport
from chatapi_description import Operation, OperationIndex, RateLimit

from .fakes import BASE, CONTACT_INDEX, SLACK, FakeClock, Script, TaskVirtualClock, index


def _limiter(clock: FakeClock, **kwargs: Any) -> RateLimiter:
    return RateLimiter(InMemoryRateLimitStore(), clock=clock, window=1.0, **kwargs)


def _transport(
    limiter: RateLimiter,
    script: Script,
    organization: str = "acme",
    table: OperationIndex = CONTACT_INDEX,
    **kwargs: Any,
) -> RateLimitTransport:
    return RateLimitTransport(
        script.transport(),
        limiter=limiter,
        organization=organization,
        index=table,
        base_path="/v2",
        **kwargs,
    )


def _get(transport: httpx.BaseTransport, path: str = "/contact/id%3A1", **kwargs: Any) -> None:
    with httpx.Client(transport=transport, base_url=BASE) as client:
        client.get(path, **kwargs)


# The limiter alone.


def test_at_most_n_starts_in_any_window_and_no_more_waiting_than_needed() -> None:
    clock = FakeClock(start=0.0)
    limiter = _limiter(clock)
    starts = []
    for _ in range(10):
        limiter.acquire("acme", "b", 3)
        starts.append(clock.now)
    assert starts == pytest.approx([0, 0, 0, 1, 1, 1, 2, 2, 2, 3], abs=1e-5)
    assert all(later - earlier >= 1.0 for earlier, later in zip(starts, starts[3:], strict=False))


def test_default_window_keeps_a_margin_for_jitter() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock)
    limiter.acquire("acme", "b", 1)
    limiter.acquire("acme", "b", 1)
    assert clock.now == pytest.approx(1.05)


def test_headroom_keeps_requests_back_but_never_all() -> None:
    clock = FakeClock()
    assert _limiter(clock, headroom=1).budget("acme", "b", 5) == 4
    assert _limiter(clock, headroom=3).budget("acme", "b", 2) == 1
    with pytest.raises(ValueError, match="headroom"):
        _limiter(clock, headroom=-1)


def test_budgets_are_per_organization_and_bucket() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    for organization, bucket in [("acme", "a"), ("acme", "b"), ("other", "a")]:
        assert limiter.acquire(organization, bucket, 1) == 0.0
    assert limiter.acquire("acme", "a", 1) == pytest.approx(1.0 + SLACK)


def test_limiters_built_without_a_store_share_the_process_budget() -> None:
    clock = FakeClock()
    organization = f"test-{uuid.uuid4()}"  # the process store outlives this test
    RateLimiter(clock=clock).acquire(organization, "b", 1)
    assert RateLimiter(clock=clock).acquire(organization, "b", 1) > 0


def test_a_wait_beyond_the_deadline_raises_without_waiting() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    limiter.acquire("acme", "b", 1)
    with pytest.raises(LocalRateLimitError) as caught:
        limiter.acquire("acme", "b", 1, deadline=clock.now + 0.5)
    assert caught.value.retry_after == pytest.approx(1.0 + SLACK)
    assert caught.value.bucket == "b"
    assert clock.sleeps == []


def test_store_keeps_starts_ordered_when_clock_readings_arrive_late() -> None:
    store = InMemoryRateLimitStore()
    assert store.try_acquire("k", 2, 1.0, now=5.3).wait == 0
    assert store.try_acquire("k", 2, 1.0, now=5.0).wait == 0  # read before, recorded after
    assert store.try_acquire("k", 2, 1.0, now=5.0).wait == pytest.approx(1.0 + SLACK)


# Server feedback, through the transport.


def test_a_429_pauses_the_bucket_for_every_client_of_the_organization() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    first = Script(httpx.Response(429, headers={"Retry-After": "5"}))
    _get(_transport(limiter, first))
    second = Script(clock=clock)
    _get(_transport(limiter, second))  # another client, same organization
    assert clock.sleeps == [pytest.approx(5.0 + SLACK)]
    other = Script(clock=clock)
    _get(_transport(limiter, other, organization="other"))
    _get(_transport(limiter, Script(), organization="acme"), "/contact/list", extensions={})
    assert len(clock.sleeps) == 1  # other organizations and other buckets: no wait


def test_two_limiters_on_one_store_share_the_cooldown() -> None:
    clock = FakeClock()
    store = InMemoryRateLimitStore()
    one = RateLimiter(store, clock=clock)
    two = RateLimiter(store, clock=clock)
    _get(_transport(one, Script(httpx.Response(429, headers={"Retry-After": "3"}))))
    _get(_transport(two, Script()))
    assert clock.sleeps == [pytest.approx(3.0 + SLACK)]


def test_a_429_without_retry_after_pauses_one_window() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    _get(_transport(limiter, Script(httpx.Response(429))))
    _get(_transport(limiter, Script()))
    assert clock.sleeps == [pytest.approx(1.0 + SLACK)]


def test_remaining_zero_makes_the_next_caller_wait_for_the_window() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    spent = httpx.Response(200, json={}, headers={"X-RateLimit-Remaining": "0"})
    _get(_transport(limiter, Script(spent)))
    _get(_transport(limiter, Script()))
    assert clock.sleeps == [pytest.approx(1.0 + SLACK)]


def test_remaining_zero_after_our_own_full_window_adds_no_extra_pause() -> None:
    """Our own starts explain the spent budget: wait for the oldest to leave, no longer."""
    clock = FakeClock(start=0.0)
    limiter = _limiter(clock)
    responses = [httpx.Response(200, json={}) for _ in range(9)]
    spent = httpx.Response(200, json={}, headers={"X-RateLimit-Remaining": "0"})
    transport = _transport(limiter, Script(*responses, spent))
    for _ in range(10):
        _get(transport)
        clock.advance(0.09)  # ten starts spread over 0.9 s; the last answer says "spent"
    _get(transport)
    assert clock.sleeps == [pytest.approx(1.0 - 0.9 + SLACK)]


def test_a_lower_reported_limit_lowers_the_budget() -> None:
    clock = FakeClock(start=0.0)
    limiter = _limiter(clock)
    lowered = httpx.Response(200, json={}, headers={"X-RateLimit-Limit": "2"})
    transport = _transport(limiter, Script(lowered, clock=clock))
    for _ in range(3):
        _get(transport)  # table says 10 per second for get-contact; the server says 2
    assert clock.sleeps == [pytest.approx(1.0 + SLACK)]
    assert limiter.budget("acme", "get-contact", 10) == 2


def test_a_higher_reported_limit_does_not_raise_the_table_limit() -> None:
    limiter = _limiter(FakeClock())
    raised = httpx.Response(200, json={}, headers={"X-RateLimit-Limit": "50"})
    _get(_transport(limiter, Script(raised)))
    assert limiter.budget("acme", "get-contact", 10) == 10


@pytest.mark.parametrize("value", [b"", b"lots", b"-1", "²".encode(), b"1.5"])
def test_malformed_rate_limit_headers_are_ignored(value: bytes) -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    headers = [(b"X-RateLimit-Limit", value), (b"X-RateLimit-Remaining", value)]
    _get(_transport(limiter, Script(httpx.Response(200, json={}, headers=headers))))
    _get(_transport(limiter, Script()))
    assert clock.sleeps == []
    assert limiter.budget("acme", "get-contact", 10) == 10


# Buckets from the table.


class RecordingIndex(OperationIndex):
    """Records what the transport asks the index."""

    asked: list[tuple[str, str]]

    def operation_for(self, method: str, path: str) -> Operation | None:
        self.asked.append((method, path))
        return super().operation_for(method, path)


@pytest.mark.parametrize(
    ("method", "url", "asked", "bucket"),
    [
        ("POST", "/contact/id%3A1/message", "/contact/id%3A1/message", "send-message"),
        ("GET", "/contact/email%3Aa%40b.c", "/contact/email%3Aa%40b.c", "get-contact"),
        ("PUT", "/contact/id%3A1", "/contact/id%3A1", "contact-write"),
        ("DELETE", "/contact/id%3A1", "/contact/id%3A1", "contact-write"),
        ("POST", "/contact/list?limit=5", "/contact/list", "list-contacts"),
        ("GET", "/space/user", "/space/user", "default"),
        ("GET", "https://api.test/other/contact/id%3A1", None, "default"),
        ("GET", "https://api.test/v2x/contact/id%3A1", None, "default"),
    ],
)
def test_requests_map_to_buckets_without_the_base_path(
    method: str, url: str, asked: str | None, bucket: str
) -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    table = RecordingIndex(
        CONTACT_INDEX.base_path, RateLimit("default", 2), CONTACT_INDEX.operations
    )
    object.__setattr__(table, "asked", [])
    transport = _transport(limiter, Script(), table=table)
    with httpx.Client(transport=transport, base_url=BASE) as client:
        client.request(method, url)
    # A path outside the client's base URL is no operation's: the index is not even asked.
    assert table.asked == ([] if asked is None else [(method, asked)])
    operation = None if asked is None else table.operation_for(method, asked)
    found = table.default_rate_limit if operation is None else operation.rate_limit
    assert found.bucket == bucket


def test_put_and_delete_share_their_bucket() -> None:
    clock = FakeClock(start=0.0)
    limiter = _limiter(clock)
    transport = _transport(limiter, Script())
    with httpx.Client(transport=transport, base_url=BASE) as client:
        for _ in range(3):
            client.put("/contact/id%3A1")
            client.delete("/contact/id%3A1")
    assert clock.sleeps == [pytest.approx(1.0 + SLACK)]  # 5 per second for contact-write


# With the retry transport outside it.


def _stack(limiter: RateLimiter, script: Script, clock: FakeClock) -> httpx.Client:
    retry = RetryTransport(_transport(limiter, script), clock=clock, random=lambda: 0.0)
    return httpx.Client(transport=ErrorTransport(retry, clock=clock), base_url=BASE)


def test_every_retry_takes_a_fresh_slot() -> None:
    clock = FakeClock(start=0.0)
    limiter = _limiter(clock)
    one_per_second = index(default=1)
    script = Script(httpx.Response(503), httpx.Response(503), clock=clock)
    retry = RetryTransport(
        _transport(limiter, script, table=one_per_second), clock=clock, random=lambda: 0.0
    )
    with httpx.Client(transport=retry, base_url=BASE) as client:
        assert client.get("/x").status_code == 200
    # Backoffs of 0.5 and 1 s; the first retry still waits for its slot until t=1.
    assert script.times == pytest.approx([0.0, 1.0, 2.0], abs=1e-5)


def test_local_wait_beyond_the_deadline_sends_nothing_and_is_not_retried() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    script = Script(httpx.Response(429, headers={"Retry-After": "30"}), clock=clock)
    deadline = RequestOptions(deadline=20).extensions()
    with _stack(limiter, script, clock) as client:
        # The server asks for 30 s, beyond the deadline: the retry layer gives up at once.
        with pytest.raises(RateLimitError) as server_says:
            client.get("/contact/id%3A1", extensions=deadline)
        # The next call meets the bucket's cool-down, 30 s long: it is refused unsent.
        with pytest.raises(LocalRateLimitError) as limiter_says:
            client.get("/contact/id%3A2", extensions=deadline)
    assert type(server_says.value) is RateLimitError
    assert server_says.value.retry_after == 30.0
    assert script.attempts == 1
    assert clock.sleeps == []
    assert limiter_says.value.retry_after == pytest.approx(30.0 + SLACK)
    assert str(limiter_says.value.request) == "GET /v2/contact/id%3A2"


def test_rate_limit_wait_counts_against_the_deadline_and_cuts_timeouts() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    limiter.observe("acme", "get-contact", 10, 429, httpx.Headers({"Retry-After": "2"}))
    timeouts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, json={})

    transport = RateLimitTransport(
        httpx.MockTransport(handler),
        limiter=limiter,
        organization="acme",
        index=CONTACT_INDEX,
        base_path="/v2",
    )
    retry = RetryTransport(transport, clock=clock)
    with request_options(deadline=5.0), httpx.Client(transport=retry, base_url=BASE) as client:
        client.get("/contact/id%3A1")
    assert timeouts == [pytest.approx(3.0)]


# Reporting.


def test_throttle_waits_are_logged_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="chatapi")
    clock = FakeClock()
    limiter = _limiter(clock)
    events: list[ThrottleEvent] = []
    _get(_transport(limiter, Script(httpx.Response(429, headers={"Retry-After": "2"}))))
    _get(_transport(limiter, Script(), on_throttle=events.append))
    assert [(e.organization, e.bucket, e.reason) for e in events] == [
        ("acme", "get-contact", "cooling down")
    ]
    assert events[0].wait == pytest.approx(2.0 + SLACK)
    assert str(events[0].request) == "GET /v2/contact/id%3A1"
    messages = [r.getMessage() for r in caplog.records]
    assert "429 on bucket 'get-contact': pausing it 2.000 s for every sharer" in messages
    assert "waiting 2.000 s for a slot of bucket 'get-contact' (cooling down)" in messages


# Async: waiting suspends the task, never the event loop.


def test_async_acquire_suspends_only_the_waiting_task() -> None:
    clock = TaskVirtualClock(participants=2)
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock, window=1.0)
    timeline: list[tuple[str, float]] = []

    async def waiter() -> None:
        for _ in range(2):  # the second acquire must wait 1 s
            await limiter.aacquire("acme", "b", 1)
            timeline.append(("waiter", clock.monotonic()))
        clock.finish()

    async def other() -> None:
        await clock.asleep(0.25)
        timeline.append(("other", clock.monotonic()))
        clock.finish()

    async def main() -> None:
        await asyncio.gather(waiter(), other())

    asyncio.run(main())  # TaskVirtualClock.sleep raises: a blocking wait would fail here
    assert timeline == [
        ("waiter", 0.0),
        ("other", 0.25),
        ("waiter", pytest.approx(1.0)),
    ]


def test_async_transport_feeds_back_and_waits() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    transport = _transport(limiter, Script(httpx.Response(429, headers={"Retry-After": "2"})))

    async def twice() -> None:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            await client.get("/contact/id%3A1")
            await client.get("/contact/id%3A1")

    asyncio.run(twice())
    assert clock.sleeps == [pytest.approx(2.0 + SLACK)]
