"""From a failed outcome to its error in the tree of ``_errors``: statuses, failures, bodies.

Text from the server that an error quotes is redacted first (``_redact``); the functions
never raise, whatever the response holds.
"""

from __future__ import annotations

import json
import re
import time

import httpx

from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    RequestInfo,
    RequestNotSentError,
    ResponseTooLargeError,
    status_error_class,
)
from ._redact import SNIPPET_LENGTH, credential_of, redact_headers, server_text, snippet
from ._retry_policy import RequestNotWrittenError
from ._retry_policy import retry_after as _retry_after

__all__ = [
    "error_from_decoding",
    "error_from_exception",
    "error_from_non_json",
    "error_from_problem",
    "error_from_response",
    "error_from_too_large",
]

_INTEGER = re.compile(r"[+-]?[0-9]+")


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
    credential = credential_of(request)
    code, message = _code_and_message(response, credential)
    message = message or response.reason_phrase or "no message"
    info = RequestInfo.of(request) if request is not None else None
    status = response.status_code
    reason = server_text(response.reason_phrase, credential)
    headers = redact_headers(response.headers, credential)
    if status == 429 or retry_after is not None:
        if retry_after is None:
            retry_after = _retry_after(response.headers, time.time() if now is None else now)
        return RateLimitError(
            status,
            message,
            retry_after=retry_after,
            code=code,
            headers=headers,
            request=info,
            reason=reason,
        )
    cls = status_error_class(status)
    return cls(status, message, code=code, headers=headers, request=info, reason=reason)


def error_from_exception(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    """The typed error for an httpx transport failure (``APITimeoutError`` for timeouts)."""
    info = RequestInfo.of(request)
    detail = server_text(str(exc), credential_of(request))
    if isinstance(exc, RequestNotWrittenError):
        return RequestNotSentError(f"{detail}; nothing was sent ({info})", request=info)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{type(exc).__name__}: {detail} ({info})", request=info)
    return APIConnectionError(f"{type(exc).__name__}: {detail} ({info})", request=info)


def error_from_decoding(
    exc: httpx.DecodingError, request: httpx.Request, response: httpx.Response | None = None
) -> APIResponseValidationError:
    """The typed error for a body that could not be decoded (a broken gzip stream ...)."""
    credential = credential_of(request)
    return APIResponseValidationError(
        f"the response body could not be decoded: {server_text(str(exc), credential)}",
        request=RequestInfo.of(request),
        status_code=None if response is None else response.status_code,
        headers=None if response is None else redact_headers(response.headers, credential),
    )


def error_from_too_large(
    response: httpx.Response, request: httpx.Request, limit: int
) -> ResponseTooLargeError:
    """The typed error for a body over ``limit`` bytes once decoded."""
    return ResponseTooLargeError(
        f"the response body exceeds the {limit}-byte limit (decoded size); reading stopped",
        request=RequestInfo.of(request),
        limit=limit,
        status_code=response.status_code,
        headers=redact_headers(response.headers, credential_of(request)),
    )


def error_from_non_json(
    response: httpx.Response, request: httpx.Request
) -> APIResponseValidationError:
    """The error for a success whose body is not JSON (an HTML page ...)."""
    credential = credential_of(request)
    kind = server_text(response.headers.get("content-type", "no content type"), credential)
    return APIResponseValidationError(
        f"expected a JSON body, got {kind}: {snippet(_content(response), credential)!r}",
        request=RequestInfo.of(request),
        status_code=response.status_code,
        headers=redact_headers(response.headers, credential),
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


def _code_and_message(response: httpx.Response, credential: str = "") -> tuple[int | None, str]:
    body = _content(response)
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None, snippet(body, credential)
    if not isinstance(document, dict):
        return None, snippet(body, credential)
    message = document.get("message")
    text = server_text(message, credential) if isinstance(message, str) else ""
    return _as_int(document.get("code")), text or snippet(body, credential)


def _as_int(value: object) -> int | None:
    """The API sends ``code`` as an int or as a numeric string ("404"); anything else is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def error_from_problem(
    problem: str, response: httpx.Response, request: httpx.Request
) -> APIResponseValidationError:
    """The error for a success that does not fit the spec (``ResponseCheck.problem``).

    The problem may quote the body, so it is cleaned like any text from the server; the
    caller computes it on a document whose copies of the credential were already redacted,
    since the problem's own quotes of values may be shortened.
    """
    credential = credential_of(request)
    return APIResponseValidationError(
        server_text(problem, credential, limit=4 * SNIPPET_LENGTH),
        request=RequestInfo.of(request),
        status_code=response.status_code,
        headers=redact_headers(response.headers, credential),
    )
