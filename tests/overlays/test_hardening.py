"""Misuse and hostile answers, scripted with MockTransport: each once escaped or leaked.

Path parameters that move a request to another endpoint, a token cut in two by a
shortened message, errors that did not pickle, unbounded (and twice-fetched) bodies, broken
gzip that skipped the retry rules, tokens echoed in headers, terminal escapes, non-ASCII
``Retry-After`` digits, base URLs without a host.
"""

from __future__ import annotations

import asyncio
import gzip
import pickle
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx
import pytest

import chatapi
from chatapi._retry_policy import retry_after
from chatapi_client import AuthenticatedClient
from chatapi_client.api.contact import create_contact, get_contact, remove_tags
from chatapi_client.api.messaging import send_message
from chatapi_client.models import NewContact

from .fakes import BODY, OK, TOKEN, FakeClock, Outcome, Script, connect_scripted

MiB = 1024 * 1024


def _connect(*outcomes: Outcome, **kwargs: Any) -> tuple[AuthenticatedClient, Script]:
    kwargs.setdefault("rate_limit", False)
    return connect_scripted(TOKEN, *outcomes, then=OK, **kwargs)


def _leaks(text: str, token: str = TOKEN, piece: int = 6) -> bool:
    """Whether ``text`` holds any ``piece`` consecutive characters of ``token``."""
    return any(token[i : i + piece] in text for i in range(len(token) - piece + 1))


def _all_text(error: BaseException) -> str:
    return " ".join([str(error), repr(error), repr(error.args), repr(vars(error))])


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body streamed in chunks, never held whole by httpx (as a socket's body is not)."""

    def __init__(self, data: bytes, size: int = 16 * 1024) -> None:
        self._data = data
        self._size = size

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self._data), self._size):
            yield self._data[start : start + self._size]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def streamed(status: int, data: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, headers={"content-type": "application/json", **headers}, stream=Chunks(data)
    )


# -- 3. path parameters never address another endpoint --------------------------------------

MOVED: list[tuple[str, Callable[[AuthenticatedClient], object]]] = [
    (".", lambda c: send_message.sync(".", client=c, body=BODY)),  # -> POST /contact/message
    ("..", lambda c: send_message.sync("..", client=c, body=BODY)),  # -> POST /message
    ("tag", lambda c: remove_tags.sync(".", client=c, body=["vip"])),  # -> DELETE /contact/tag
    ("list", lambda c: create_contact.sync("list", client=c, body=NewContact(first_name="A"))),
    ("merge", lambda c: create_contact.sync("merge", client=c, body=NewContact(first_name="A"))),
    ("empty", lambda c: get_contact.sync("", client=c)),  # -> GET /contact/
]


@pytest.mark.parametrize(("case", "call"), MOVED, ids=[case for case, _ in MOVED])
def test_a_path_parameter_that_moves_the_request_is_refused_before_sending(
    case: str, call: Callable[[AuthenticatedClient], object]
) -> None:
    client, script = _connect()
    with client, pytest.raises(chatapi.RequestPathError) as caught:
        call(client)
    assert script.attempts == 0
    assert isinstance(caught.value, ValueError)
    assert "nothing was sent" in str(caught.value)


def test_create_contact_named_list_names_the_operation_it_would_reach() -> None:
    client, script = _connect()
    with client, pytest.raises(chatapi.RequestPathError) as caught:
        create_contact.sync("list", client=client, body=NewContact(first_name="A"))
    assert caught.value.matched == "listContacts"
    assert caught.value.expected == "/contact/{identifier}"
    assert script.attempts == 0


def test_an_async_path_parameter_that_moves_the_request_is_refused() -> None:
    client, script = _connect()

    async def run() -> None:
        async with client:
            with pytest.raises(chatapi.RequestPathError):
                await send_message.asyncio(".", client=client, body=BODY)
            with pytest.raises(chatapi.RequestPathError):
                await create_contact.asyncio("list", client=client, body=NewContact(first_name="A"))

    asyncio.run(run())
    assert script.attempts == 0


@pytest.mark.parametrize("path", ["/contact/%2E/message", "/contact/%2e%2E/message", "/x//y"])
def test_a_raw_request_with_an_encoded_dot_segment_is_refused(path: str) -> None:
    client, script = _connect()
    with client, pytest.raises(chatapi.RequestPathError):
        client.get_httpx_client().post(path, json={})
    assert script.attempts == 0


def test_the_resource_client_refuses_a_moved_path_too() -> None:
    script = Script(then=OK)
    with chatapi.ChatAPI(TOKEN, transport=script.transport(), rate_limit=False) as api:
        with pytest.raises(chatapi.RequestPathError):
            api.messaging.send(".", body=BODY)
        with pytest.raises(chatapi.RequestPathError):
            api.contacts.remove_tags("..", body=["vip"])
    assert script.attempts == 0


def test_identifiers_with_dots_inside_still_go_out() -> None:
    client, script = _connect()
    with client:
        get_contact.sync("email:a.b@example.com", client=client)
    assert script.requests[0].url.raw_path == b"/v2/contact/email%3Aa.b%40example.com"


# -- 4 and 9. redact first, then shorten; headers; control characters ------------------------

OFFSETS = range(150, 215)
"""Where the token starts: around the 200-character cut of error text."""


@pytest.mark.parametrize("offset", OFFSETS)
def test_a_token_straddling_the_cut_of_a_message_never_survives_in_part(offset: int) -> None:
    message = "m" * offset + TOKEN + " tail"
    client, _ = _connect(httpx.Response(400, json={"code": 400, "message": message}))
    with client, pytest.raises(chatapi.BadRequestError) as caught:
        get_contact.sync("id:42", client=client)
    assert not _leaks(_all_text(caught.value))


@pytest.mark.parametrize("offset", OFFSETS)
def test_a_token_straddling_the_cut_of_an_html_title_never_survives_in_part(offset: int) -> None:
    page = f"<html><title>{'t' * offset}{TOKEN}</title></html>".encode()
    client, _ = _connect(httpx.Response(404, content=page, headers={"content-type": "text/html"}))
    with client, pytest.raises(chatapi.NotFoundError) as caught:
        get_contact.sync("id:42", client=client)
    assert not _leaks(_all_text(caught.value))


@pytest.mark.parametrize("offset", range(4080, 4100))
def test_a_token_straddling_the_scanned_head_of_a_page_never_survives_in_part(offset: int) -> None:
    # Tags are dropped from the text, so the end of the scanned head reaches the message.
    page = ("<b>" * (offset // 3) + "x" * (offset % 3) + TOKEN).encode()
    client, _ = _connect(httpx.Response(200, content=page, headers={"content-type": "text/html"}))
    with client, pytest.raises(chatapi.APIResponseValidationError) as caught:
        get_contact.sync("id:42", client=client)
    assert not _leaks(_all_text(caught.value))


@pytest.mark.parametrize("offset", range(0, 60, 3))
def test_a_token_in_a_schema_problem_never_survives_in_part(offset: int) -> None:
    # The problem quotes the value shortened: the cut must come after the redaction.
    answer = httpx.Response(200, json={"id": "v" * offset + TOKEN, "firstName": "Ada"})
    client, _ = _connect(answer)
    with client, pytest.raises(chatapi.APIResponseValidationError) as caught:
        get_contact.sync("id:42", client=client)
    assert not _leaks(_all_text(caught.value))
    assert "getContact" in str(caught.value)


def test_a_token_echoed_in_response_headers_is_redacted() -> None:
    answer = httpx.Response(
        401,
        headers=[
            ("WWW-Authenticate", f'Bearer realm="api", error="invalid_token {TOKEN}"'),
            ("Location", f"https://evil.example/?t={TOKEN}"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ],
        json={"code": 401, "message": "bad token"},
    )
    client, _ = _connect(answer)
    with client, pytest.raises(chatapi.AuthenticationError) as caught:
        get_contact.sync("id:42", client=client)
    headers = caught.value.headers
    assert not _leaks(repr(headers.multi_items()))
    assert "[redacted]" in headers["www-authenticate"]
    assert headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_terminal_escapes_and_control_characters_are_removed_from_messages() -> None:
    message = "bad\x1b[2J\x1b[31m red\x1b]0;pwned\x07 \x00\x08\r\nline\u202eevil\x9b"
    client, _ = _connect(httpx.Response(400, json={"code": 400, "message": message}))
    with client, pytest.raises(chatapi.BadRequestError) as caught:
        get_contact.sync("id:42", client=client)
    text = str(caught.value)
    assert text.isprintable()
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "bad red line evil" in caught.value.message


# -- 5. errors pickle ------------------------------------------------------------------------

INFO = chatapi.RequestInfo("POST", "https://api.chatapi.net/v2/contact/id%3A1/message", "/v2/x")
HEADERS = httpx.Headers({"retry-after": "3", "x-request-id": "r1"})


def _every_error() -> list[chatapi.ChatAPIError]:
    server = chatapi.ServerError(
        502, "bad gateway", headers=HEADERS, request=INFO, reason="Bad Gateway"
    )
    return [
        chatapi.ChatAPIError("root"),
        chatapi.APIConnectionError("refused", request=INFO),
        chatapi.APITimeoutError("timed out", request=INFO),
        chatapi.APIStatusError(418, "teapot", code=418, headers=HEADERS, request=INFO),
        chatapi.BadRequestError(400, "bad", code=400, request=INFO, reason="Bad Request"),
        chatapi.AuthenticationError(401, "who", request=INFO),
        chatapi.NotFoundError(404, "none", request=INFO),
        chatapi.RateLimitError(429, "slow", retry_after=2.5, headers=HEADERS, request=INFO),
        chatapi.LocalRateLimitError("send-message", 1.25, request=INFO),
        server,
        chatapi.OutcomeUnknownError(server),
        chatapi.OutcomeUnknownError(chatapi.APITimeoutError("timed out", request=INFO)),
        chatapi.APIResponseValidationError(
            "not json", request=INFO, status_code=200, headers=HEADERS
        ),
        chatapi.ResponseTooLargeError("big", request=INFO, limit=10, status_code=503),
        chatapi.RequestPathError(
            "moved", request=INFO, expected="/contact/{identifier}", matched=None
        ),
        chatapi.ClientStateError("another loop"),
        chatapi.ClientClosedError("closed"),
    ]


def _same(a: chatapi.ChatAPIError, b: chatapi.ChatAPIError) -> None:
    assert type(a) is type(b)
    assert str(a) == str(b)
    assert a.args == b.args
    assert vars(a).keys() == vars(b).keys()
    for name, value in vars(a).items():
        other = vars(b)[name]
        if isinstance(value, chatapi.ChatAPIError):
            _same(value, other)
        elif isinstance(value, httpx.Headers):
            assert value.multi_items() == other.multi_items()
        else:
            assert value == other, name


@pytest.mark.parametrize("error", _every_error(), ids=lambda e: type(e).__name__)
def test_every_error_round_trips_through_pickle(error: chatapi.ChatAPIError) -> None:
    _same(error, pickle.loads(pickle.dumps(error)))  # noqa: S301 - our own bytes


def _raise(index: int) -> None:
    raise _every_error()[index]


def test_errors_raised_in_a_process_pool_reach_the_caller_whole() -> None:
    errors = _every_error()
    with ProcessPoolExecutor(max_workers=1) as pool:
        futures = [pool.submit(_raise, i) for i in range(len(errors))]
        for expected, future in zip(errors, futures, strict=True):
            raised = future.exception(timeout=60)
            assert isinstance(raised, chatapi.ChatAPIError)
            _same(expected, raised)


# -- 6. response size limit, decoded size included ------------------------------------------


def _gzip_bomb(size: int) -> bytes:
    """Gzip of gzip of ``size`` zero bytes: a few KB that expand to ``size``."""
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MiB)
    parts = [inner.compress(block) for _ in range(size // MiB)]
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), 9)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _gzip_bomb(256 * MiB)


def test_a_gzip_in_gzip_bomb_is_a_typed_error_not_an_out_of_memory(bomb: bytes) -> None:
    client, _ = _connect(streamed(200, bomb, **{"content-encoding": "gzip, gzip"}))
    tracemalloc.start()
    try:
        with client, pytest.raises(chatapi.ResponseTooLargeError) as caught:
            get_contact.sync("id:42", client=client)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.limit == 16 * MiB
    assert peak < 40 * MiB


def test_a_bomb_on_a_503_is_not_downloaded_twice(bomb: bytes) -> None:
    client, script = _connect(streamed(503, bomb, **{"content-encoding": "gzip, gzip"}))
    with client, pytest.raises(chatapi.ResponseTooLargeError) as caught:
        get_contact.sync("id:42", client=client)
    assert script.attempts == 1
    assert caught.value.status_code == 503


def test_a_bomb_on_a_post_answered_502_leaves_the_outcome_unknown(bomb: bytes) -> None:
    client, script = _connect(streamed(502, bomb, **{"content-encoding": "gzip, gzip"}))
    with client, pytest.raises(chatapi.OutcomeUnknownError) as caught:
        send_message.sync("id:42", client=client, body=BODY)
    assert isinstance(caught.value.error, chatapi.ResponseTooLargeError)
    assert script.attempts == 1


def test_the_size_limit_is_configurable_and_counts_plain_bodies_too() -> None:
    big = b'{"id": 42, "firstName": "' + b"a" * 2048 + b'"}'
    client, _ = _connect(streamed(200, big), max_response_size=1024)
    with client, pytest.raises(chatapi.ResponseTooLargeError):
        get_contact.sync("id:42", client=client)
    announced = httpx.Response(200, headers={"content-length": "99999999"}, stream=Chunks(b""))
    client, _ = _connect(announced, max_response_size=1024)
    with client, pytest.raises(chatapi.ResponseTooLargeError):
        get_contact.sync("id:42", client=client)


def test_an_async_bomb_is_a_typed_error(bomb: bytes) -> None:
    client, script = _connect(streamed(503, bomb, **{"content-encoding": "gzip, gzip"}))

    async def run() -> None:
        async with client:
            await get_contact.asyncio("id:42", client=client)

    with pytest.raises(chatapi.ResponseTooLargeError):
        asyncio.run(run())
    assert script.attempts == 1


def test_a_gzip_body_within_the_limit_is_decoded() -> None:
    body = gzip.compress(b'{"id": 42, "firstName": "Ada"}')
    client, _ = _connect(streamed(200, body, **{"content-encoding": "gzip"}))
    with client:
        contact = get_contact.sync("id:42", client=client)
    assert contact is not None
    assert getattr(contact, "first_name", None) == "Ada"


# -- 7. undecodable bodies follow the retry rules of their status ----------------------------

BROKEN_GZIP = gzip.compress(b"")[:10] + b"\xff" * 20
"""A gzip header, then a deflate block of the reserved type 11: invalid at its first byte."""


@pytest.mark.parametrize(
    ("status", "error"),
    [
        pytest.param(502, chatapi.OutcomeUnknownError, id="502-outcome-unknown"),
        # Processed, then unreadable: a plain failure would invite sending it again.
        pytest.param(200, chatapi.RequestProcessedError, id="2xx-processed"),
    ],
)
def test_a_post_answered_with_broken_gzip_says_what_may_have_happened(
    status: int, error: type[chatapi.OutcomeUnknownError | chatapi.RequestProcessedError]
) -> None:
    client, script = _connect(streamed(status, BROKEN_GZIP, **{"content-encoding": "gzip"}))
    with client, pytest.raises(error) as caught:
        send_message.sync("id:42", client=client, body=BODY)
    raised = caught.value
    assert isinstance(
        raised, chatapi.OutcomeUnknownError | chatapi.RequestProcessedError
    )  # for the types
    assert isinstance(raised.error, chatapi.APIResponseValidationError)
    assert raised.status_code == status
    assert script.attempts == 1


def test_a_get_answered_503_with_broken_gzip_is_retried() -> None:
    client, script = _connect(streamed(503, BROKEN_GZIP, **{"content-encoding": "gzip"}))
    with client:
        contact = get_contact.sync("id:42", client=client)
    assert contact is not None
    assert script.attempts == 2


def test_an_async_get_answered_503_with_broken_gzip_is_retried() -> None:
    client, script = _connect(streamed(503, BROKEN_GZIP, **{"content-encoding": "gzip"}))

    async def run() -> object:
        async with client:
            return await get_contact.asyncio("id:42", client=client)

    assert asyncio.run(run()) is not None
    assert script.attempts == 2


def test_a_broken_gzip_success_is_a_validation_error_with_its_status() -> None:
    client, script = _connect(streamed(200, BROKEN_GZIP, **{"content-encoding": "gzip"}))
    with client, pytest.raises(chatapi.APIResponseValidationError) as caught:
        get_contact.sync("id:42", client=client)
    assert caught.value.status_code == 200
    assert script.attempts == 1


# -- 9. Retry-After in ASCII digits only; base URLs ------------------------------------------


@pytest.mark.parametrize("value", ["\u0663\u0660", "\uff13\uff10", "3\u0660"])
def test_retry_after_in_non_ascii_digits_is_refused(value: str) -> None:
    raw = value.encode()  # as it comes off the wire: httpx decodes it as UTF-8
    assert retry_after(httpx.Headers({b"Retry-After": raw}), 0.0) is None
    assert retry_after(httpx.Headers({b"retry-after-ms": raw}), 0.0) is None
    clock = FakeClock()
    client, script = _connect(httpx.Response(503, headers={b"Retry-After": raw}), clock=clock)
    with client:
        get_contact.sync("id:42", client=client)
    assert script.attempts == 2
    assert clock.sleeps[0] < 1.0  # the backoff, not 30 s


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https:///v2", "no host"),
        ("https://:443/v2", "no host"),
        ("https://api.chatapi.net:99999/v2", "1-65535"),
        ("https://api.chatapi.net:0/v2", "1-65535"),
    ],
)
def test_connect_refuses_a_base_url_without_a_host_or_a_bad_port(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        chatapi.connect(TOKEN, base_url=url)


# -- 1. a closed client refuses before sending -----------------------------------------------


def test_a_request_through_closed_transports_is_refused_before_sending() -> None:
    client, script = _connect()
    with client:
        get_contact.sync("id:42", client=client)
    # A client sharing the closed transports (with_headers, with_timeout ...) is refused.
    other = client.with_headers({"x-trace": "1"})
    with pytest.raises(chatapi.ClientClosedError) as caught:
        get_contact.sync("id:42", client=other)
    assert isinstance(caught.value, RuntimeError)
    assert script.attempts == 1


def test_an_async_request_through_closed_transports_is_refused_before_sending() -> None:
    client, script = _connect()

    async def run() -> None:
        async with client:
            await get_contact.asyncio("id:42", client=client)
        with pytest.raises(chatapi.ClientClosedError):
            await get_contact.asyncio("id:42", client=client.with_headers({"x": "1"}))

    asyncio.run(run())
    assert script.attempts == 1
