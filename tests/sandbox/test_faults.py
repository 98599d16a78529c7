"""Injected faults: each kind, before or after processing, proven by the counters."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable

import httpx
import pytest

import chatapi_sandbox
from tests._timing import SchedulingProbe

from ._helpers import TEXT, assert_conforms, error_message

Sandbox = chatapi_sandbox.Sandbox


def _is_http_date(value: str) -> bool:
    return email.utils.parsedate_to_datetime(value).tzinfo is not None


@pytest.mark.parametrize(
    ("form", "seconds", "check"),
    [
        ("seconds", 2.5, lambda h: h["Retry-After"] == "3"),  # whole seconds, rounded up
        ("http-date", 1.0, lambda h: _is_http_date(h["Retry-After"])),
        ("ms", 2.5, lambda h: h["retry-after-ms"] == "2500" and "Retry-After" not in h),
        ("garbage", 1.0, lambda h: h["Retry-After"] == "soon"),
        ("none", 1.0, lambda h: "Retry-After" not in h and "retry-after-ms" not in h),
    ],
)
def test_an_injected_429_states_retry_after_in_the_chosen_form(
    api: httpx.Client,
    sandbox: Sandbox,
    form: str,
    seconds: float,
    check: Callable[[httpx.Headers], bool],
) -> None:
    sandbox.inject("sendMessage", "429", retry_after=seconds, retry_after_form=form)
    response = api.post("/contact/id:123/message", json=TEXT)
    assert response.status_code == 429
    assert check(response.headers)
    assert error_message(response) == "Too many requests. (injected fault)"
    assert response.headers["X-RateLimit-Limit"] == "10"
    assert sandbox.counters().messages_stored == 0
    assert api.post("/contact/id:123/message", json=TEXT).status_code == 200


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("449", "application/json"),
        ("500", "application/json"),
        ("502", "text/html"),
        ("503", "application/json"),
        ("504", "application/json"),
        ("520", "text/html"),
    ],
)
def test_status_faults_before_processing_store_nothing(
    api: httpx.Client, sandbox: Sandbox, kind: str, content_type: str
) -> None:
    sandbox.inject("sendMessage", kind)
    response = api.post("/contact/id:123/message", json=TEXT)
    assert response.status_code == int(kind)
    assert response.headers["content-type"].startswith(content_type)
    assert "X-RateLimit-Remaining" in response.headers
    if content_type == "application/json":
        assert error_message(response).endswith("(injected fault)")
        assert_conforms("sendMessage", response)
    else:
        assert response.text.startswith("<html>")
    assert ("Retry-After" in response.headers) == (kind in ("449", "503"))
    counters = sandbox.counters()
    assert counters.messages_stored == 0
    assert counters.faults_by_kind == {kind: 1}
    assert counters.faults_by_operation == {"sendMessage": 1}


def test_a_fault_after_processing_hides_a_stored_message(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.inject("sendMessage", "504", when="after", body="html")
    response = api.post("/contact/id:123/message", json=TEXT)
    assert response.status_code == 504
    assert response.headers["content-type"].startswith("text/html")
    assert sandbox.counters().messages_stored == 1
    listed = api.get("/contact/id:123/message/list", params={"limit": 1}).json()
    assert listed["items"][0]["message"] == TEXT["message"]


def test_faults_strike_the_next_n_requests_in_order(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("getContact", "503", times=2)
    sandbox.inject("getContact", "500")
    assert len(sandbox.faults()) == 2
    codes = [api.get("/contact/id:123").status_code for _ in range(4)]
    assert codes == [503, 503, 500, 200]
    assert sandbox.faults() == []
    assert api.get("/space/user").status_code == 200  # other operations are untouched


def test_a_drop_before_processing_closes_without_answer(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.inject("sendMessage", "drop")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        api.post("/contact/id:123/message", json=TEXT)
    counters = sandbox.counters()
    assert counters.messages_stored == 0
    assert counters.faults_by_kind == {"drop": 1}
    assert 200 not in counters.responses_by_status
    assert api.post("/contact/id:123/message", json=TEXT).status_code == 200  # new connection


def test_a_drop_after_processing_is_an_ambiguous_outcome(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.inject("sendMessage", "drop", when="after")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/contact/id:123/message", json=TEXT)
    assert sandbox.counters().messages_stored == 1


def test_truncate_cuts_the_processed_answer_short(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("getContact", "truncate")
    with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
        api.get("/contact/id:123")
    with httpx.stream("GET", f"{sandbox.base_url}/contact/id:123", headers=api.headers) as response:
        assert response.status_code == 200  # the fault has been used up


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_delay_outlasting_the_client_timeout(
    api: httpx.Client, sandbox: Sandbox, when: str
) -> None:
    sandbox.inject("sendMessage", "delay", delay=0.3, when=when)
    with SchedulingProbe() as probe:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            api.post("/contact/id:123/message", json=TEXT, timeout=0.1)
        ended = time.monotonic()
    # Given up before the 0.3 s delay was over, unless this process was kept from running.
    assert ended - started < 0.3 + probe.lag(started, ended), probe.describe(started, ended)
    time.sleep(0.3)  # let the server finish the delayed request
    # Before: the request was still processed once the delay ended (the client gave up).
    assert sandbox.counters().messages_stored == 1


def test_a_delay_that_the_client_waits_out(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("listUsers", "delay", delay=0.1)
    started = time.monotonic()
    assert api.get("/space/user").status_code == 200
    assert time.monotonic() - started >= 0.1


@pytest.mark.parametrize(
    "fault",
    [
        {"operation_id": "noSuchOperation", "kind": "500"},
        {"operation_id": "sendMessage", "kind": "418"},
        {"operation_id": "sendMessage", "kind": "500", "times": 0},
        {"operation_id": "sendMessage", "kind": "500", "times": "2"},
        {"operation_id": "sendMessage", "kind": "truncate", "when": "before"},
        {"operation_id": "sendMessage", "kind": "429", "retry_after_form": "weeks"},
        {"operation_id": "sendMessage", "kind": "502", "body": "xml"},
        {"operation_id": "sendMessage", "kind": "500", "colour": "red"},
        {"kind": "500"},
    ],
)
def test_invalid_faults_are_refused(sandbox: Sandbox, fault: dict[str, object]) -> None:
    response = httpx.post(
        f"{sandbox.origin}/_sandbox/faults", json=fault, headers={"X-Sandbox-Admin": "1"}
    )
    assert response.status_code == 400
    assert error_message(response).startswith("Invalid fault: ")
    assert sandbox.faults() == []


def test_the_python_helper_reports_a_refused_fault(sandbox: Sandbox) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        sandbox.inject("sendMessage", "teapot")


def test_faults_need_an_authenticated_request_to_strike(sandbox: Sandbox) -> None:
    sandbox.inject("listUsers", "503")
    assert httpx.get(f"{sandbox.base_url}/space/user").status_code == 401
    assert len(sandbox.faults()) == 1
