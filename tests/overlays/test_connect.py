"""connect(): the generated client with the overlays, driven through generated functions."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest

import chatapi
from chatapi import (
    APIStatusError,
    AuthenticationError,
    ChatAPIError,
    InMemoryRateLimitStore,
    NotFoundError,
    OutcomeUnknownError,
    RateLimiter,
    RateLimitError,
    RetryEvent,
    ServerError,
    ThrottleEvent,
)
from chatapi._connect import organization_for
from chatapi_client import AuthenticatedClient
from chatapi_client.api.contact import get_contact
from chatapi_client.api.messaging import send_message
from chatapi_client.models import Contact, SendMessageResult

from .fakes import BODY, CONTACT, OK, TOKEN, FakeClock, Outcome, Script, connect_scripted

HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def _connect(*outcomes: Outcome, **kwargs: Any) -> tuple[AuthenticatedClient, Script]:
    return connect_scripted(TOKEN, *outcomes, then=OK, **kwargs)


def test_a_generated_call_goes_through_the_overlays() -> None:
    client, script = _connect(httpx.Response(449), httpx.Response(200, json={"messageId": 7}))
    with client:
        result = send_message.sync("id:42", client=client, body=BODY)
    assert isinstance(result, SendMessageResult)
    assert result.message_id == 7
    assert script.attempts == 2
    request = script.requests[0]
    assert request.url == "https://api.chatapi.net/v2/contact/id%3A42/message"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_async_generated_call() -> None:
    client, script = _connect(httpx.Response(503), httpx.Response(200, json=CONTACT))

    async def fetch() -> Contact | None:
        async with client:
            result = await get_contact.asyncio("id:42", client=client)
        assert result is None or isinstance(result, Contact)
        return result

    contact = asyncio.run(fetch())
    assert contact is not None
    assert contact.first_name == "Ada"
    assert script.attempts == 2


@pytest.mark.parametrize(
    ("outcomes", "error"),
    [
        ([httpx.Response(502, text=HTML_502)] * 4, ServerError),
        ([httpx.Response(520)] * 4, ServerError),
        ([httpx.Response(449)] * 4, APIStatusError),
        ([httpx.Response(200, text=HTML_502)], chatapi.APIResponseValidationError),
        ([httpx.Response(401, json={"code": 401, "message": "bad token"})], AuthenticationError),
    ],
    ids=["html-502", "520", "449", "html-200", "401"],
)
def test_generated_code_never_sees_what_it_cannot_parse(
    outcomes: list[Outcome], error: type[ChatAPIError]
) -> None:
    client, _ = _connect(*outcomes)
    with client, pytest.raises(error):
        get_contact.sync("id:42", client=client)


def test_error_body_with_string_code() -> None:
    client, _ = _connect(httpx.Response(404, json={"code": "404", "message": "Contact not found"}))
    with client, pytest.raises(NotFoundError) as caught:
        get_contact.sync("id:42", client=client)
    assert (caught.value.code, caught.value.message) == (404, "Contact not found")
    assert str(caught.value) == "404 Not Found: Contact not found (GET /v2/contact/id%3A42)"


def test_send_message_that_got_a_502_is_not_sent_twice() -> None:
    client, script = _connect(httpx.Response(502, text=HTML_502), httpx.Response(502))
    with client:
        with pytest.raises(OutcomeUnknownError) as caught:
            send_message.sync("id:42", client=client, body=BODY)
        assert script.attempts == 1
        assert caught.value.status_code == 502
        with chatapi.request_options(safe_to_repeat=True):
            send_message.sync("id:42", client=client, body=BODY)  # marked safe: retried
    assert script.attempts == 3


def test_requests_draw_from_their_operation_bucket() -> None:
    events: list[ThrottleEvent] = []
    client, _ = _connect(
        httpx.Response(429, headers={"Retry-After": "2"}), max_retries=0, on_throttle=events.append
    )
    with client:
        with pytest.raises(RateLimitError):
            send_message.sync("id:42", client=client, body=BODY)
        send_message.sync("id:42", client=client, body=BODY)
        get_contact.sync("id:42", client=client)  # another bucket: no wait
    assert [(e.bucket, e.reason) for e in events] == [("send-message", "cooling down")]
    assert events[0].organization == organization_for(TOKEN)


def test_clients_of_one_organization_share_budgets() -> None:
    clock = FakeClock()
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock)
    first, _ = _connect(
        httpx.Response(429, headers={"Retry-After": "3"}),
        clock=clock,
        rate_limit=limiter,
        max_retries=0,
        organization="acme",
    )
    with first, pytest.raises(RateLimitError):
        get_contact.sync("id:1", client=first)
    other_org, _ = _connect(clock=clock, rate_limit=limiter, organization="globex")
    with other_org:
        get_contact.sync("id:1", client=other_org)
    assert clock.sleeps == []
    second = chatapi.connect(
        "another-token",
        organization="acme",
        rate_limit=limiter,
        clock=clock,
        transport=Script(then=OK).transport(),
    )
    with second:
        get_contact.sync("id:1", client=second)
    assert clock.sleeps == [pytest.approx(3.0, abs=1e-5)]


def test_limiter_and_clock_must_agree() -> None:
    with pytest.raises(ValueError, match="another clock"):
        chatapi.connect(TOKEN, rate_limit=RateLimiter(clock=FakeClock()), clock=FakeClock())
    clock = FakeClock()
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock)
    script = Script(httpx.Response(503), then=OK)
    with chatapi.connect(TOKEN, rate_limit=limiter, transport=script.transport()) as client:
        get_contact.sync("id:1", client=client)
    assert len(clock.sleeps) == 1  # the retry layer slept on the limiter's clock


def test_rate_limiting_can_be_switched_off() -> None:
    clock = FakeClock()
    client, _ = _connect(*[httpx.Response(200, json=CONTACT)] * 20, clock=clock, rate_limit=False)
    with client:
        for _ in range(20):
            get_contact.sync("id:1", client=client)
    assert clock.sleeps == []


def test_token_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATAPI_TOKEN", TOKEN)
    monkeypatch.setenv("CHATAPI_BASE_URL", "http://127.0.0.1:8080/v2/")
    script = Script(httpx.Response(200, json=CONTACT))
    with chatapi.connect(transport=script.transport(), clock=FakeClock()) as client:
        get_contact.sync("id:1", client=client)
    assert str(script.requests[0].url) == "http://127.0.0.1:8080/v2/contact/id%3A1"
    assert script.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATAPI_TOKEN", raising=False)
    with pytest.raises(ValueError, match="CHATAPI_TOKEN"):
        chatapi.connect()
    with pytest.raises(ValueError, match="no API token"):
        chatapi.connect("   ")


@pytest.mark.parametrize("token", ["two words", "line\nbreak", "tab\there", "ünïcode"])
def test_unusable_token_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(ValueError, match="API token contains") as caught:
        chatapi.connect(token)
    assert token not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.chatapi.net/v2",
        "http://127.0.0.1:4010/v2",
        "http://127.8.9.10/v2",
        "http://localhost:8000/v2",
        "http://[::1]:8000/v2",
    ],
)
def test_https_or_loopback_base_urls_are_accepted(url: str) -> None:
    chatapi.connect(TOKEN, base_url=url)


@pytest.mark.parametrize(
    "url",
    ["http://api.chatapi.net/v2", "http://10.0.0.5/v2", "http://localhost.evil.test/v2", "ftp://x"],
)
def test_plain_http_to_other_hosts_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="https://"):
        chatapi.connect(TOKEN, base_url=url)


def test_redirects_are_not_followed_so_the_token_stays_home() -> None:
    elsewhere = httpx.Response(307, headers={"Location": "https://evil.test/v2/contact/id%3A1"})
    client, script = _connect(elsewhere)
    client = attrs.evolve(client, follow_redirects=True)  # even when a user turns them on
    with client, pytest.raises(APIStatusError, match="307"):
        get_contact.sync("id:1", client=client)
    assert [r.url.host for r in script.requests] == ["api.chatapi.net"]


def test_httpx_itself_strips_authorization_on_cross_origin_redirects() -> None:
    """Second line of defence, should someone build their own client on our transports."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.chatapi.net":
            return httpx.Response(302, headers={"Location": "https://evil.test/x"})
        return httpx.Response(200)

    headers = {"Authorization": f"Bearer {TOKEN}"}
    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport, headers=headers, follow_redirects=True) as client:
        client.get("https://api.chatapi.net/v2/contact/id%3A1")
    assert [("authorization" in r.headers, r.url.host) for r in seen] == [
        (True, "api.chatapi.net"),
        (False, "evil.test"),
    ]


def test_the_token_appears_in_no_repr_log_or_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's, httpcore's
    retries: list[RetryEvent] = []
    throttles: list[ThrottleEvent] = []
    echo = {"code": 401, "message": f"token {TOKEN} is revoked"}
    client, _ = _connect(
        httpx.Response(503, headers={"Retry-After": "1"}),
        httpx.ConnectError(f"refused while sending Bearer {TOKEN}"),
        httpx.Response(200, json=CONTACT),
        httpx.Response(429, headers={"Retry-After": "99"}),
        httpx.Response(401, json=echo),
        httpx.Response(502, text=HTML_502),
        httpx.Response(200, text=f"<html>{TOKEN}</html>"),
        on_retry=retries.append,
        on_throttle=throttles.append,
    )
    errors: list[ChatAPIError] = []
    texts = [repr(client)]
    with client:
        get_contact.sync("id:1", client=client)
        texts += [repr(client), repr(client.get_httpx_client())]
        calls: list[tuple[Callable[[], object], float]] = [
            (lambda: get_contact.sync("id:1", client=client), 30),  # 429 beyond the deadline
            (lambda: get_contact.sync("id:1", client=client), 30),  # cool-down, too long
            (lambda: get_contact.sync("id:1", client=client), 300),  # 401 echoing the token
            (lambda: send_message.sync("id:1", client=client, body=BODY), 300),  # POST 502
            (lambda: get_contact.sync("id:1", client=client), 300),  # HTML with a 200
        ]
        for call, deadline in calls:
            with pytest.raises(ChatAPIError) as caught, chatapi.request_options(deadline=deadline):
                call()
            errors.append(caught.value)
    assert [type(e).__name__ for e in errors] == [
        "RateLimitError",
        "LocalRateLimitError",
        "AuthenticationError",
        "OutcomeUnknownError",
        "APIResponseValidationError",
    ]
    for error in errors:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        texts += [repr(vars(error))]
    texts += [repr(event) for event in [*retries, *throttles]]
    texts.append(caplog.text)
    assert retries
    assert all(TOKEN not in text for text in texts)
    assert TOKEN not in organization_for(TOKEN)
