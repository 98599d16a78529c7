"""The error contract: every non-2xx answer becomes the right typed error, whatever its body."""

from __future__ import annotations

import httpx
import pytest

import chatapi
from chatapi._error_mapping import error_from_exception, error_from_response
from chatapi._transports.typed_errors import ErrorTransport

from .fakes import WALL_OFFSET, FakeClock, Script, broken_body

URL = "https://api.test/v2/contact/id%3A42"
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def _error(response: httpx.Response, method: str = "GET") -> chatapi.APIStatusError:
    request = httpx.Request(method, URL, headers={"Authorization": "Bearer sk-secret-token"})
    return error_from_response(response, request, now=WALL_OFFSET)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, chatapi.BadRequestError),
        (401, chatapi.AuthenticationError),
        (404, chatapi.NotFoundError),
        (429, chatapi.RateLimitError),
        (449, chatapi.APIStatusError),
        (500, chatapi.ServerError),
        (502, chatapi.ServerError),
        (503, chatapi.ServerError),
        (504, chatapi.ServerError),
        (520, chatapi.ServerError),
        (403, chatapi.APIStatusError),
        (409, chatapi.APIStatusError),
        (302, chatapi.APIStatusError),
        (418, chatapi.APIStatusError),
    ],
)
def test_each_status_has_its_class(status: int, cls: type[chatapi.APIStatusError]) -> None:
    error = _error(httpx.Response(status, json={"code": status, "message": "m"}))
    assert type(error) is cls
    assert error.status_code == status
    assert isinstance(error, chatapi.ChatAPIError)


def test_error_body_with_code_as_numeric_string() -> None:
    response = httpx.Response(404, json={"code": "404", "message": "Contact not found"})
    error = _error(response, "POST")
    assert isinstance(error, chatapi.NotFoundError)
    assert (error.status_code, error.code, error.message) == (404, 404, "Contact not found")
    assert str(error) == "404 Not Found: Contact not found (POST /v2/contact/id%3A42)"
    assert error.request is not None
    assert error.request.method == "POST"
    assert error.request.url == URL


@pytest.mark.parametrize(
    ("code", "expected"),
    [(400, 400), (" 12 ", 12), ("-1", -1), ("x1", None), (True, None), (1.5, None), (None, None)],
)
def test_code_is_normalised_to_int(code: object, expected: int | None) -> None:
    assert _error(httpx.Response(400, json={"code": code, "message": "bad"})).code == expected


def test_html_502_page_gives_its_title() -> None:
    response = httpx.Response(502, content=NGINX_502, headers={"content-type": "text/html"})
    error = _error(response)
    assert isinstance(error, chatapi.ServerError)
    assert error.code is None
    assert error.message == "502 Bad Gateway"
    assert str(error) == "502 Bad Gateway: 502 Bad Gateway (GET /v2/contact/id%3A42)"


def test_empty_body_falls_back_to_the_reason_phrase() -> None:
    error = _error(httpx.Response(503))
    assert error.message == "Service Unavailable"
    assert str(error) == "503 Service Unavailable: Service Unavailable (GET /v2/contact/id%3A42)"


def test_520_without_reason_or_body_still_reads_well() -> None:
    error = _error(httpx.Response(520))
    assert isinstance(error, chatapi.ServerError)
    assert str(error) == "520: no message (GET /v2/contact/id%3A42)"


def test_449_text_body() -> None:
    error = _error(httpx.Response(449, text="request queued, retry later"))
    assert type(error) is chatapi.APIStatusError
    assert error.message == "request queued, retry later"


def test_long_text_body_is_truncated_to_one_line() -> None:
    error = _error(httpx.Response(500, text="line one\n" + "x" * 5000))
    assert len(error.message) == 200
    assert "\n" not in error.message
    assert error.message.endswith("…")


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b'"just a string"', b"{not json", b"\xff\xfe\x00garbage", b'{"message": 5}'],
)
def test_malformed_bodies_never_raise(body: bytes) -> None:
    error = _error(httpx.Response(500, content=body))
    assert isinstance(error, chatapi.ServerError)
    assert error.message


def test_rate_limit_error_carries_retry_after() -> None:
    error = _error(httpx.Response(429, headers={"Retry-After": "12"}))
    assert isinstance(error, chatapi.RateLimitError)
    assert error.retry_after == 12.0
    assert error.headers["retry-after"] == "12"


def test_unread_body_counts_as_empty() -> None:
    response = httpx.Response(500, stream=httpx.ByteStream(b"{}"))
    assert _error(response).message == "Internal Server Error"


def test_echoed_token_is_redacted() -> None:
    error = _error(httpx.Response(401, json={"message": "invalid token sk-secret-token"}))
    assert "sk-secret-token" not in str(error)
    assert error.message == "invalid token [redacted]"


def test_user_info_is_dropped_from_the_url() -> None:
    request = httpx.Request("GET", "https://user:pw@api.test/v2/x")
    error = error_from_response(httpx.Response(404), request)
    assert error.request is not None
    assert error.request.url == "https://api.test/v2/x"
    assert "pw" not in str(error)


def test_transport_exceptions_map_to_connection_errors() -> None:
    request = httpx.Request("GET", URL)
    timeout = error_from_exception(httpx.ReadTimeout("timed out"), request)
    refused = error_from_exception(httpx.ConnectError("refused"), request)
    assert type(timeout) is chatapi.APITimeoutError
    assert type(refused) is chatapi.APIConnectionError
    assert str(refused) == "ConnectError: refused (GET /v2/contact/id%3A42)"


def test_outcome_unknown_wraps_the_failure() -> None:
    cause = _error(httpx.Response(502), "POST")
    error = chatapi.OutcomeUnknownError(cause)
    assert error.error is cause
    assert error.status_code == 502
    assert error.request == cause.request
    assert "may have been processed" in str(error)
    assert "POST /v2/contact/id%3A42" in str(error)


def test_local_rate_limit_error_is_a_rate_limit_error() -> None:
    error = chatapi.LocalRateLimitError("send-message", 2.5, request=None)
    assert isinstance(error, chatapi.RateLimitError)
    assert (error.status_code, error.retry_after, error.bucket) == (429, 2.5, "send-message")
    assert "nothing was sent" in str(error)


# ErrorTransport: the same contract, end to end through httpx.Client.send().


def _client(*outcomes: httpx.Response | Exception) -> httpx.Client:
    transport = ErrorTransport(Script(*outcomes).transport(), clock=FakeClock())
    return httpx.Client(transport=transport, base_url="https://api.test/v2")


def test_errors_leave_client_send_unchanged() -> None:
    with (
        _client(httpx.Response(404, json={"code": 404, "message": "nope"})) as client,
        pytest.raises(chatapi.NotFoundError) as caught,
    ):
        client.get("/contact/id:42")
    assert type(caught.value) is chatapi.NotFoundError
    assert caught.value.message == "nope"


def test_success_passes_through_read() -> None:
    with _client(httpx.Response(201, json={"contactId": 1})) as client:
        response = client.post("/contact/email:a@b.c", json={})
    assert response.json() == {"contactId": 1}


def test_empty_success_is_accepted() -> None:
    with _client(httpx.Response(204)) as client:
        assert client.delete("/contact/id:1").status_code == 204


@pytest.mark.parametrize(
    "body", [NGINX_502, b"not json", b"{truncated", b"\xff\xfe"], ids=["html", "text", "cut", "bin"]
)
def test_success_with_a_body_that_is_not_json_is_an_error(body: bytes) -> None:
    with (
        _client(httpx.Response(200, content=body)) as client,
        pytest.raises(chatapi.APIResponseValidationError, match="expected a JSON body") as caught,
    ):
        client.get("/contact/id:42")
    assert caught.value.status_code == 200


def test_transport_exceptions_become_typed() -> None:
    with _client(httpx.ConnectTimeout("slow")) as client, pytest.raises(chatapi.APITimeoutError):
        client.get("/contact/id:42")
    with (
        _client(httpx.RemoteProtocolError("hung up")) as client,
        pytest.raises(chatapi.APIConnectionError) as caught,
    ):
        client.get("/contact/id:42")
    assert "RemoteProtocolError: hung up" in str(caught.value)
    assert caught.value.__cause__ is None  # not chained: httpx's text may quote the request


@pytest.mark.parametrize("status", [200, 500])
def test_undecodable_body_is_a_validation_error(status: int) -> None:
    garbled = httpx.Response(
        status, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
    )
    with (
        _client(garbled) as client,
        pytest.raises(chatapi.APIResponseValidationError, match="decoded"),
    ):
        client.get("/contact/id:42")


def test_body_that_breaks_off_is_a_connection_error() -> None:
    with _client(broken_body()) as client, pytest.raises(chatapi.APIConnectionError):
        client.get("/contact/id:42")


def test_redirects_are_errors_not_followed() -> None:
    script = Script(httpx.Response(302, headers={"Location": "https://elsewhere.test/steal"}))
    transport = ErrorTransport(script.transport(), clock=FakeClock())
    with (
        httpx.Client(transport=transport, follow_redirects=True) as client,
        pytest.raises(chatapi.APIStatusError, match="302"),
    ):
        client.get("https://api.test/v2/contact/id:1", headers={"Authorization": "Bearer t"})
    assert [r.url.host for r in script.requests] == ["api.test"]


async def _async_get(transport: ErrorTransport) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport) as client:
        return await client.get("https://api.test/v2/contact/id:1")


def test_async_path_raises_the_same_errors() -> None:
    import asyncio

    transport = ErrorTransport(Script(httpx.Response(520)).transport(), clock=FakeClock())
    with pytest.raises(chatapi.ServerError, match="520"):
        asyncio.run(_async_get(transport))
    transport = ErrorTransport(Script(broken_body()).transport(), clock=FakeClock())
    with pytest.raises(chatapi.APIConnectionError):
        asyncio.run(_async_get(transport))
    transport = ErrorTransport(Script(httpx.Response(200, json=[1])).transport())
    assert asyncio.run(_async_get(transport)).json() == [1]
