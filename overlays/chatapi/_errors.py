"""Typed errors: everything the client raises for a call that did not succeed.

::

    ChatAPIError                      root: catch this to catch everything below
    ├── APIConnectionError            no usable answer: connect failure, dropped connection
    │   └── APITimeoutError           ... because a timeout expired
    ├── APIStatusError                the server answered with a non-2xx status
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── NotFoundError             404
    │   ├── RateLimitError            429, with ``retry_after``
    │   │   └── LocalRateLimitError   not sent: the local limiter's wait outlasts the deadline
    │   └── ServerError               5xx, and any status the API does not document
    ├── OutcomeUnknownError           a non-idempotent call may have been processed
    ├── APIResponseValidationError    a body that is not JSON on a 2xx, or cannot be decoded
    ├── PaginationError               a list's next page cannot be found, or was already read
    └── ClientClosedError             the client was closed: nothing was sent

Errors keep the method and URL of the request, never its headers, so the token cannot leak
through them; a token the server echoes back in a message is redacted as well.
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass

import httpx

from ._policy import retry_after as _retry_after

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatAPIError",
    "ClientClosedError",
    "LocalRateLimitError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaginationError",
    "RateLimitError",
    "RequestInfo",
    "ServerError",
    "error_from_decoding",
    "error_from_exception",
    "error_from_non_json",
    "error_from_problem",
    "error_from_response",
]

_SNIPPET_LENGTH = 200
_SNIPPET_SCAN = 4096
"""Bytes of a body searched for a title or text: an error page's title comes early."""
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_INTEGER = re.compile(r"[+-]?[0-9]+")


_INFO = "chatapi.request_info"
"""Key of ``request.extensions`` caching the request's ``RequestInfo``."""


@dataclass(frozen=True)
class RequestInfo:
    """The method and URL of a request, without credentials: what errors and events keep.

    Attributes:
        method: The HTTP method.
        url: The full URL, less any user info.
        path: The raw (percent-encoded) path and query, as ``str()`` shows it.
    """

    method: str
    url: str
    path: str

    @classmethod
    def of(cls, request: httpx.Request) -> RequestInfo:
        """Describe ``request``; user info in the URL is dropped and headers are not read.

        Described once per request: the overlays of one call share the description.
        """
        cached = request.extensions.get(_INFO)
        if isinstance(cached, RequestInfo):
            return cached
        info = cls._describe(request)
        request.extensions = {**request.extensions, _INFO: info}
        return info

    @classmethod
    def _describe(cls, request: httpx.Request) -> RequestInfo:
        url = request.url
        if url.userinfo:  # rare, and copy_with re-parses the whole URL
            url = url.copy_with(username=None, password=None)
        return cls(request.method, str(url), url.raw_path.decode("ascii", "replace"))

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class ChatAPIError(Exception):
    """Root of every error raised by the ChatAPI client."""


class APIConnectionError(ChatAPIError):
    """No usable answer arrived: the connection failed, or broke before the response ended."""

    def __init__(self, message: str, *, request: RequestInfo) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""


class APIStatusError(ChatAPIError):
    """The server answered with a status that is not a success.

    Attributes:
        status_code: The HTTP status.
        code: The ``code`` of the API's error body as an int, when it has one.
        message: The body's ``message``, else a short snippet of the body, else the reason.
        headers: The response headers (``Retry-After``, ``X-RateLimit-*`` ...).
        request: The method and URL of the request.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: int | None = None,
        headers: httpx.Headers | None = None,
        request: RequestInfo | None = None,
        reason: str = "",
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = httpx.Headers() if headers is None else headers
        self.request = request
        self.reason = reason
        super().__init__(self._describe())

    def _describe(self) -> str:
        status = f"{self.status_code} {self.reason}".rstrip()
        where = f" ({self.request})" if self.request is not None else ""
        return f"{status}: {self.message}{where}"


class BadRequestError(APIStatusError):
    """400: the API rejected the request as invalid (identifier, field, value ...)."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, invalid or revoked."""


class NotFoundError(APIStatusError):
    """404: the contact, message, user or field does not exist for this token."""


class RateLimitError(APIStatusError):
    """429: too many requests, and retrying within the call's deadline was not possible.

    Attributes:
        retry_after: Seconds the server (or the local limiter) asked to wait, if known.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        retry_after: float | None = None,
        code: int | None = None,
        headers: httpx.Headers | None = None,
        request: RequestInfo | None = None,
        reason: str = "",
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            status_code, message, code=code, headers=headers, request=request, reason=reason
        )


class LocalRateLimitError(RateLimitError):
    """Raised before sending: waiting for a rate-limit slot would outlast the call's deadline.

    Nothing was sent. ``status_code`` is 429, what the server would have answered.
    """

    def __init__(self, bucket: str, retry_after: float, *, request: RequestInfo | None) -> None:
        self.bucket = bucket
        super().__init__(
            429,
            f"the next {bucket!r} slot is {retry_after:.3f} s away, past the call's deadline;"
            " nothing was sent",
            retry_after=retry_after,
            request=request,
            reason="Too Many Requests",
        )


class ServerError(APIStatusError):
    """The server did not complete a valid request.

    Any 5xx, and any status the API does not document (3xx, 403, 520 ...), including 449
    ("queued, retry later") once retries ran out.
    """


class OutcomeUnknownError(ChatAPIError):
    """A non-idempotent call (POST) failed in a way that may come after it was processed.

    It got a 5xx other than 503 (500, 502, 504, a gateway's 520 ...), a read timeout, or lost
    the connection mid-response, and it was
    not retried because repeating it could, say, send a message twice. Check the outcome
    before sending again, or mark such calls ``safe_to_repeat`` (see ``request_options``).

    Attributes:
        error: The failure itself: a ``ServerError`` or an ``APIConnectionError``.
        status_code: The status, when the failure was a response.
        request: The method and URL of the request.
    """

    def __init__(self, error: APIStatusError | APIConnectionError) -> None:
        self.error = error
        self.status_code = error.status_code if isinstance(error, APIStatusError) else None
        self.request = error.request
        super().__init__(
            f"the outcome is unknown, the request may have been processed: {error}."
            " It was not repeated because it is not idempotent."
        )


class APIResponseValidationError(ChatAPIError):
    """A body the client cannot use: not JSON on a success (an HTML page ...), or undecodable.

    Attributes:
        status_code: The status, when the response got that far.
        headers: The response headers, likewise.
        request: The method and URL of the request.
    """

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status_code: int | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = httpx.Headers() if headers is None else headers
        self.request = request
        status = "" if status_code is None else f"{status_code}: "
        super().__init__(f"{status}{message} ({request})")


class PaginationError(ChatAPIError):
    """A page's ``next`` link has no cursor, or leads to a page already read (a loop)."""


class ClientClosedError(ChatAPIError):
    """The client (or the one it was copied from) was closed; the call was not sent."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
}


def error_from_response(
    response: httpx.Response,
    request: httpx.Request | None = None,
    *,
    now: float | None = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """The typed error for a non-2xx ``response``; never raises, whatever the body holds.

    ``request`` defaults to ``response.request``; ``now`` (wall-clock seconds) reads a
    ``Retry-After`` HTTP-date and defaults to the current time. Given ``retry_after`` (the
    server's wait, too long for the call), the error is a ``RateLimitError`` carrying it,
    whatever the status (a 503 or 449 with ``Retry-After`` too). The body must have been
    read; an unread body counts as empty.
    """
    if request is None:
        request = _request_of(response)
    code, message = _code_and_message(response)
    message = _redact(message, request) or response.reason_phrase or "no message"
    info = RequestInfo.of(request) if request is not None else None
    status = response.status_code
    reason = response.reason_phrase
    if status == 429 or retry_after is not None:
        if retry_after is None:
            retry_after = _retry_after(response.headers, time.time() if now is None else now)
        return RateLimitError(
            status,
            message,
            retry_after=retry_after,
            code=code,
            headers=response.headers,
            request=info,
            reason=reason,
        )
    cls = _STATUS_ERRORS.get(status, ServerError)
    return cls(status, message, code=code, headers=response.headers, request=info, reason=reason)


def error_from_exception(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    """The typed error for an httpx transport failure (``APITimeoutError`` for timeouts)."""
    info = RequestInfo.of(request)
    detail = _redact(str(exc), request)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{type(exc).__name__}: {detail} ({info})", request=info)
    return APIConnectionError(f"{type(exc).__name__}: {detail} ({info})", request=info)


def error_from_decoding(
    exc: httpx.DecodingError, request: httpx.Request
) -> APIResponseValidationError:
    """The typed error for a body httpx could not decode (a broken gzip stream ...)."""
    detail = _redact(str(exc), request)
    return APIResponseValidationError(
        f"the response body could not be decoded: {detail}", request=RequestInfo.of(request)
    )


def error_from_non_json(
    response: httpx.Response, request: httpx.Request
) -> APIResponseValidationError:
    """The error for a success whose body is not JSON (an HTML page ...)."""
    kind = response.headers.get("content-type", "no content type")
    return APIResponseValidationError(
        f"expected a JSON body, got {kind}: {_redact(_snippet(_content(response)), request)!r}",
        request=RequestInfo.of(request),
        status_code=response.status_code,
        headers=response.headers,
    )


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built by a transport has no request attached yet
        return None


def _content(response: httpx.Response) -> bytes:
    try:
        return response.content
    except httpx.ResponseNotRead:
        return b""


def _code_and_message(response: httpx.Response) -> tuple[int | None, str]:
    body = _content(response)
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None, _snippet(body)
    if not isinstance(document, dict):
        return None, _snippet(body)
    message = document.get("message")
    text = message.strip() if isinstance(message, str) else ""
    return _as_int(document.get("code")), text or _snippet(body)


def _as_int(value: object) -> int | None:
    """The API sends ``code`` as an int or as a numeric string ("404"); anything else is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def _snippet(body: bytes) -> str:
    """A short one-line text for a body: an HTML page's title, else its text, truncated."""
    # The patterns below backtrack: bound their input, or a hostile page costs seconds.
    body = body[:_SNIPPET_SCAN]
    title = _TITLE.search(body)
    text = (title.group(1) if title else body).decode("utf-8", "replace")
    text = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    if len(text) > _SNIPPET_LENGTH:
        text = text[: _SNIPPET_LENGTH - 1] + "…"
    return text


def error_from_problem(
    problem: str, response: httpx.Response, request: httpx.Request
) -> APIResponseValidationError:
    """The error for a success that does not fit the spec (``ResponseCheck.problem``).

    The problem may quote the body, so it is redacted like any text from the server.
    """
    return APIResponseValidationError(
        _redact(problem, request),
        request=RequestInfo.of(request),
        status_code=response.status_code,
        headers=response.headers,
    )


def _redact(text: str, request: httpx.Request | None) -> str:
    """``text`` without the request's credential, in case the server echoed it."""
    if request is None:
        return text
    authorization = request.headers.get("authorization", "")
    credential = authorization.split(" ", 1)[-1].strip()
    if len(credential) < 4:  # nothing worth hiding, and replacing tiny strings garbles text
        return text
    return text.replace(credential, "[redacted]")
