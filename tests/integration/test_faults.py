"""Injected faults through the whole stack: what is retried, what is raised, what the server did.

Every test calls a generated operation function with a client from ``chatapi.connect()``
against the sandbox, injects a fault with ``sandbox.inject``, and checks three things: the
attempts the client made (``on_retry`` events and the sandbox's request counter), the
outcome (a result or a typed ``chatapi`` error), and the sandbox's counters proving that no
message was lost or sent twice, except where a caller asked for that.

Waits are real: a retry sleeps the overlays' backoff (0.5 s less up to 25 % jitter for the
first) or the server's ``Retry-After``, so faults that are retried state ``Retry-After: 0``
unless the header itself is under test.
"""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest

import chatapi
import chatapi_sandbox
from chatapi_client.api.contact import get_contact
from chatapi_client.api.space import get_user
from tests._timing import SchedulingProbe

from ._helpers import (
    CONTACT_ID,
    Connect,
    Events,
    StampingClock,
    Wire,
    afetch,
    asend,
    fetch,
    send,
    wait_for_counters,
)

Sandbox = chatapi_sandbox.Sandbox

FIRST_BACKOFF = (0.375, 0.5)
"""The first retry's backoff: 0.5 s (the overlays' default base) less up to 25 % jitter."""
HTML_502_MESSAGE = "502 Bad gateway. (injected fault)"
"""What the overlays make of the sandbox's HTML 502 page: its title."""
AMBIGUOUS = ["500", "502", "504", "drop"]
"""Failures after which a POST may or may not have been processed."""


def _sent(sandbox: Sandbox, *, requests: int, stored: int) -> None:
    counters = sandbox.counters()
    assert counters.requests_by_operation == {"sendMessage": requests}
    assert counters.messages_stored == stored


def _fetched(sandbox: Sandbox, *, requests: int) -> None:
    counters = sandbox.counters()
    assert counters.requests_by_operation == {"getContact": requests}
    assert counters.messages_stored == 0


def _retried_once(events: Events, reason: str) -> None:
    assert [(e.retry, e.reason) for e in events.retries] == [(1, reason)]


# --- sendMessage (POST, not idempotent) failing after it was processed -------------------


@pytest.mark.parametrize(
    ("kind", "body"),
    [("502", "html"), ("500", "json"), ("504", "json"), ("drop", None), ("truncate", None)],
)
def test_a_send_failing_after_processing_is_not_repeated(
    connect: Connect, sandbox: Sandbox, events: Events, kind: str, body: str | None
) -> None:
    sandbox.inject("sendMessage", kind, when="after", body=body)
    with connect() as client, pytest.raises(chatapi.OutcomeUnknownError) as caught:
        send(client)
    assert events.retries == []
    _sent(sandbox, requests=1, stored=1)  # it did go out, exactly once
    assert sandbox.counters().faults_by_kind == {kind: 1}
    error = caught.value.error
    if kind.isdigit():
        assert caught.value.status_code == int(kind)
        assert isinstance(error, chatapi.ServerError)
        assert error.status_code == int(kind)
    else:  # no answer, or half of one: the connection was closed under it
        assert caught.value.status_code is None
        assert type(error) is chatapi.APIConnectionError


def test_a_502_html_page_after_a_send_is_an_unknown_outcome_with_a_readable_message(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("sendMessage", "502", when="after", body="html")
    with connect() as client, pytest.raises(chatapi.OutcomeUnknownError) as caught:
        send(client)
    error = caught.value.error
    assert isinstance(error, chatapi.ServerError)
    assert error.code is None  # an HTML page has no Error body
    assert error.message == HTML_502_MESSAGE
    assert error.headers["content-type"].startswith("text/html")
    assert "may have been processed" in str(caught.value)
    assert events.retries == []
    _sent(sandbox, requests=1, stored=1)


def test_a_send_dropped_before_processing_is_an_unknown_outcome_too(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    """The client cannot tell a connection closed before processing from one closed after."""
    sandbox.inject("sendMessage", "drop", when="before")
    with connect() as client, pytest.raises(chatapi.OutcomeUnknownError):
        send(client)
    assert events.retries == []
    _sent(sandbox, requests=1, stored=0)


@pytest.mark.parametrize("kind", AMBIGUOUS)
def test_a_send_marked_safe_to_repeat_is_retried_and_the_message_is_stored_twice(
    connect: Connect, sandbox: Sandbox, events: Events, kind: str
) -> None:
    """``safe_to_repeat=True`` trades the unknown outcome for a duplicate: the cost, counted."""
    sandbox.inject("sendMessage", kind, when="after")
    with connect() as client, chatapi.request_options(safe_to_repeat=True):
        send(client)
    _retried_once(events, "RemoteProtocolError" if kind == "drop" else f"status {kind}")
    _sent(sandbox, requests=2, stored=2)  # the first copy went out too


# --- sendMessage refused before processing: retried, stored once ------------------------


@pytest.mark.parametrize("kind", ["503", "449"])
def test_a_send_refused_before_processing_is_retried_and_stored_once(
    connect: Connect, sandbox: Sandbox, events: Events, kind: str
) -> None:
    sandbox.inject("sendMessage", kind, retry_after=0)
    with connect() as client:
        send(client)
    _retried_once(events, f"status {kind}")
    assert FIRST_BACKOFF[0] <= events.retries[0].wait <= FIRST_BACKOFF[1]
    _sent(sandbox, requests=2, stored=1)
    assert sandbox.counters().responses_by_status == {int(kind): 1, 200: 1}


def test_a_429_with_retry_after_seconds_is_waited_out_in_real_time(
    connect: Connect, sandbox: Sandbox, events: Events, clock: StampingClock
) -> None:
    sandbox.inject("sendMessage", "429", retry_after=1, retry_after_form="seconds")
    started = time.monotonic()
    with connect() as client:
        send(client)
    elapsed = time.monotonic() - started
    assert elapsed >= 1.0, f"the retry came {elapsed:.3f} s after the call began"
    assert len(clock.stamps) == 2
    assert clock.stamps[1] - clock.stamps[0] >= 1.0  # as the sandbox saw the two attempts
    _retried_once(events, "status 429")
    assert events.retries[0].wait == 1.0  # longer than the backoff: the server's word wins
    _sent(sandbox, requests=2, stored=1)
    counters = sandbox.counters()
    assert counters.responses_by_status == {429: 1, 200: 1}
    assert counters.rate_limited == 0  # the 429 was the injected one, not the limiter's


def test_a_429_with_an_http_date_is_not_retried_before_that_date(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    # The sandbox writes now + 1 s as an HTTP-date, which has whole seconds: up to 1 s away.
    sandbox.inject("sendMessage", "429", retry_after=1, retry_after_form="http-date")
    wire = Wire()
    with connect(transport=wire) as client:
        send(client)
    refused, accepted = wire.attempts
    assert (refused.status_code, accepted.status_code) == (429, 200)
    not_before = email.utils.parsedate_to_datetime(refused.headers["Retry-After"]).timestamp()
    assert accepted.started >= not_before
    _retried_once(events, "status 429")
    _sent(sandbox, requests=2, stored=1)


def test_a_429_with_retry_after_ms_is_waited_out_to_the_millisecond(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("sendMessage", "429", retry_after=0.7, retry_after_form="ms")
    wire = Wire()
    with connect(transport=wire) as client:
        send(client)
    refused, accepted = wire.attempts
    assert refused.headers["retry-after-ms"] == "700"
    assert "Retry-After" not in refused.headers
    assert accepted.started - refused.received >= 0.7
    _retried_once(events, "status 429")
    assert events.retries[0].wait == pytest.approx(0.7)  # above the backoff: the server's
    _sent(sandbox, requests=2, stored=1)


def test_a_429_with_garbage_retry_after_falls_back_to_backoff_and_a_paused_bucket(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    """Unparsable ``Retry-After``: the retry sleeps its backoff, the limiter pauses a window."""
    sandbox.inject("sendMessage", "429", retry_after_form="garbage")
    wire = Wire()
    with connect(transport=wire) as client:
        send(client)
    refused, accepted = wire.attempts
    assert refused.headers["Retry-After"] == "soon"
    _retried_once(events, "status 429")
    assert FIRST_BACKOFF[0] <= events.retries[0].wait <= FIRST_BACKOFF[1]
    # The 429 paused the send-message budget for one window (1.05 s): longer than the backoff.
    assert [(t.bucket, t.reason) for t in events.throttles] == [("send-message", "cooling down")]
    assert accepted.started - refused.received >= 1.0
    _sent(sandbox, requests=2, stored=1)


# --- getContact (GET, idempotent): every one of these is retried ------------------------


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("502", "status 502"),
        ("500", "status 500"),
        ("504", "status 504"),
        ("drop", "RemoteProtocolError"),
        ("truncate", "RemoteProtocolError"),
    ],
)
def test_a_get_failing_after_processing_is_retried_and_succeeds(
    connect: Connect, sandbox: Sandbox, events: Events, kind: str, reason: str
) -> None:
    sandbox.inject("getContact", kind, when="after")
    with connect() as client:
        contact = fetch(client)
    assert contact.id == CONTACT_ID
    assert contact.phone == "+60123456789"
    _retried_once(events, reason)
    _fetched(sandbox, requests=2)
    assert sandbox.counters().faults_by_kind == {kind: 1}


def test_a_get_gives_up_after_its_retries_with_the_last_status(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("getContact", "503", times=5, retry_after=0)
    with connect(max_retries=2) as client, pytest.raises(chatapi.ServerError) as caught:
        fetch(client)
    assert caught.value.status_code == 503
    assert caught.value.code == 503
    assert [(e.retry, e.reason) for e in events.retries] == [(1, "status 503"), (2, "status 503")]
    _fetched(sandbox, requests=3)
    assert sandbox.faults()[0]["times"] == 2  # the fourth attempt never came


# --- statuses that are raised at once ----------------------------------------------------


@pytest.mark.parametrize(("when", "stored"), [("before", 0), ("after", 1)])
def test_a_520_on_a_send_is_an_unknown_outcome_whether_or_not_it_was_processed(
    connect: Connect, sandbox: Sandbox, events: Events, when: str, stored: int
) -> None:
    """A gateway's 520 says nothing about the origin: like a 502, the send is not repeated."""
    sandbox.inject("sendMessage", "520", when=when)
    with connect() as client, pytest.raises(chatapi.OutcomeUnknownError) as caught:
        send(client)
    assert caught.value.status_code == 520
    assert isinstance(caught.value.error, chatapi.ServerError)
    assert "520 Web server returned an unknown error" in str(caught.value)
    assert events.retries == []
    _sent(sandbox, requests=1, stored=stored)


def test_a_520_on_a_get_is_retried(connect: Connect, sandbox: Sandbox, events: Events) -> None:
    sandbox.inject("getContact", "520")
    with connect() as client:
        fetch(client)
    _retried_once(events, "status 520")
    _fetched(sandbox, requests=2)


def test_an_unknown_contact_is_not_found(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    with connect() as client, pytest.raises(chatapi.NotFoundError) as caught:
        fetch(client, "id:999999")
    assert caught.value.status_code == 404
    assert caught.value.code == 404
    assert caught.value.message == "Contact not found."
    assert events.retries == []
    _fetched(sandbox, requests=1)


def test_a_malformed_identifier_is_refused_before_sending(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    with connect() as client, pytest.raises(chatapi.InvalidRequestError) as caught:
        get_contact.sync("nobody", client=client)
    assert caught.value.field == "identifier"
    assert '"nobody"' in str(caught.value)
    assert "use e.g. id:123" in str(caught.value)
    assert events.retries == []
    assert sandbox.counters().requests_by_operation == {}  # no rate-limited call spent


def test_a_request_the_server_refuses_is_a_bad_request(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    with connect() as client, pytest.raises(chatapi.BadRequestError) as caught:
        get_user.sync(0, client=client)  # below the id's minimum: not checked locally
    assert caught.value.status_code == 400
    assert caught.value.code == 400
    assert "'id'" in caught.value.message
    assert events.retries == []
    assert sandbox.counters().requests_by_operation == {"getUser": 1}


# --- a server slower than the client's timeout -------------------------------------------


def test_a_slow_get_times_out_after_retrying_within_the_deadline(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("getContact", "delay", delay=0.5, times=2)
    with SchedulingProbe() as probe, connect(timeout=0.3, deadline=1.0) as client:
        started = time.monotonic()  # the call's time, not the client's construction
        with pytest.raises(chatapi.APITimeoutError, match="ReadTimeout"):
            fetch(client)
        ended = time.monotonic()
    elapsed = ended - started
    # Attempt 1 times out at 0.3 s; attempt 2 starts about 0.75 s in and gets only what is
    # left of the deadline; a second backoff would pass it, so the call ends there: by the
    # deadline plus 0.3 s, plus however long this process was kept from running.
    assert elapsed >= 0.9, elapsed
    assert elapsed < 1.3 + probe.lag(started, ended), probe.describe(started, ended)
    _retried_once(events, "ReadTimeout")
    _fetched(sandbox, requests=2)
    assert sandbox.faults() == []
    # The server answered both once their delay was over; nobody was listening any more.
    late = wait_for_counters(sandbox, lambda c: c.responses_by_status.get(200) == 2)
    assert late.responses_by_status == {200: 2}


def test_a_slow_get_with_no_retries_times_out_once(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("getContact", "delay", delay=0.5)
    with SchedulingProbe() as probe, connect(timeout=0.3) as client:
        started = time.monotonic()  # the call's time, not the client's construction
        with chatapi.request_options(max_retries=0), pytest.raises(chatapi.APITimeoutError):
            fetch(client)
        ended = time.monotonic()
    # Before the server's 0.5 s delay is over, unless this process was kept from running.
    assert ended - started < 0.5 + probe.lag(started, ended), probe.describe(started, ended)
    assert events.retries == []
    _fetched(sandbox, requests=1)
    wait_for_counters(sandbox, lambda c: c.responses_by_status.get(200) == 1)


def test_a_slow_send_times_out_as_an_unknown_outcome_and_was_in_fact_sent(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("sendMessage", "delay", delay=0.5)
    with connect(timeout=0.3) as client, pytest.raises(chatapi.OutcomeUnknownError) as caught:
        send(client)
    assert isinstance(caught.value.error, chatapi.APITimeoutError)
    assert caught.value.status_code is None
    assert events.retries == []
    _sent(sandbox, requests=1, stored=0)  # still in the server's hands
    late = wait_for_counters(sandbox, lambda c: c.messages_stored == 1)
    assert late.messages_stored == 1  # repeating it would have sent it twice
    assert late.requests_by_operation == {"sendMessage": 1}


# --- the same stack, with the generated functions' asyncio variants ----------------------


def test_async_a_502_after_a_send_is_an_unknown_outcome(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("sendMessage", "502", when="after")

    async def main() -> None:
        async with connect() as client:
            with pytest.raises(chatapi.OutcomeUnknownError) as caught:
                await asend(client)
            assert isinstance(caught.value.error, chatapi.ServerError)
            assert caught.value.error.message == HTML_502_MESSAGE

    asyncio.run(main())
    assert events.retries == []
    _sent(sandbox, requests=1, stored=1)


def test_async_a_503_before_a_send_is_retried_and_stored_once(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("sendMessage", "503", retry_after=0)

    async def main() -> None:
        async with connect() as client:
            await asend(client)

    asyncio.run(main())
    _retried_once(events, "status 503")
    _sent(sandbox, requests=2, stored=1)


def test_async_a_504_after_a_send_marked_safe_to_repeat_is_stored_twice(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("sendMessage", "504", when="after")

    async def main() -> None:
        async with connect() as client:
            with chatapi.request_options(safe_to_repeat=True):
                await asend(client)

    asyncio.run(main())
    _retried_once(events, "status 504")
    _sent(sandbox, requests=2, stored=2)


def test_async_a_dropped_get_is_retried_and_succeeds(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("getContact", "drop", when="after")

    async def main() -> int:
        async with connect() as client:
            return (await afetch(client)).id

    assert asyncio.run(main()) == CONTACT_ID
    _retried_once(events, "RemoteProtocolError")
    _fetched(sandbox, requests=2)


def test_async_a_slow_send_times_out_as_an_unknown_outcome(
    connect: Connect, sandbox: Sandbox, events: Events
) -> None:
    sandbox.inject("sendMessage", "delay", delay=0.5)

    async def main() -> None:
        async with connect(timeout=0.3) as client:
            with pytest.raises(chatapi.OutcomeUnknownError) as caught:
                await asend(client)
            assert isinstance(caught.value.error, chatapi.APITimeoutError)

    asyncio.run(main())
    assert events.retries == []
    late = wait_for_counters(sandbox, lambda c: c.messages_stored == 1)
    assert late.requests_by_operation == {"sendMessage": 1}
    assert late.messages_stored == 1
