"""Typed errors: everything the client raises for a call that did not succeed.

::

    ChatAPIError                      root: catch this to catch everything below
    ├── APIConnectionError            no usable answer: connect failure, dropped connection
    │   ├── APITimeoutError           ... because a timeout expired
    │   └── RequestNotSentError       not sent: the request was not written (whole)
    ├── APIStatusError                a non-2xx status with no class below (3xx, 403, 409, 449)
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── NotFoundError             404
    │   ├── RateLimitError            429, with ``retry_after``
    │   │   └── LocalRateLimitError   not sent: the local limiter's wait outlasts the deadline
    │   └── ServerError               5xx
    ├── OutcomeUnknownError           a non-idempotent call may have been processed
    ├── APIResponseValidationError    a body that is not JSON on a 2xx, or cannot be decoded
    │   └── ResponseTooLargeError     a body over the client's size limit (decoded size)
    ├── PaginationError               a list's next page cannot be found, or was already read
    ├── RequestPathError              not sent: a path parameter would address another endpoint
    ├── RateLimitStoreError           not sent: a shared rate-limit store failed (fail_closed)
    └── ClientStateError              not sent: the client cannot send from here
        └── ClientClosedError         ... because it was closed

``RequestProcessedError`` stands apart, not below ``ChatAPIError``: a call that is not safe
to repeat was processed (2xx) but its answer cannot be used. Code that resends on failure
must not resend it.

Errors keep the method and URL of the request, never its headers, so the token cannot leak
through them. ``_error_mapping`` builds them from failed outcomes, the server's text redacted
first (``_redact``). Every error pickles with its type, attributes and text (they cross
process pools).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatAPIError",
    "ClientClosedError",
    "ClientStateError",
    "LocalRateLimitError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaginationError",
    "RateLimitError",
    "RequestInfo",
    "RequestNotSentError",
    "RequestPathError",
    "RequestProcessedError",
    "ResponseTooLargeError",
    "ServerError",
    "status_error_class",
]

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
    """Root of every error raised by the ChatAPI client.

    Pickles with its type, ``args`` (the text) and attributes, whatever its constructor
    takes: the default exception pickling calls the class with ``args`` alone, which the
    keyword-only constructors below refuse.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[ChatAPIError], args: tuple[Any, ...], state: dict[str, Any]) -> ChatAPIError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class RequestPathError(ChatAPIError, ValueError):
    """Not sent: the request's path would reach another endpoint than the call names.

    A path parameter of ``.``, ``..`` or empty is removed or collapsed on the way (httpx
    removes dot segments), and one equal to a literal segment (``create_contact("list")``)
    lands on a sibling operation (``listContacts``); either way the request would address
    another operation than the generated function targets. Nothing was sent.

    Attributes:
        request: The method and URL of the request as it would have gone out.
        expected: The path template the call targets, when known.
        matched: The ``operationId`` the request would reach, or None for none.
    """

    def __init__(
        self, message: str, *, request: RequestInfo, expected: str | None, matched: str | None
    ) -> None:
        super().__init__(f"{message}; nothing was sent ({request})")
        self.request = request
        self.expected = expected
        self.matched = matched


class ClientStateError(ChatAPIError, RuntimeError):
    """Not sent: the client cannot send from here.

    Its transports were closed (``ClientClosedError``: ``with client:`` ended, ``close()``),
    or its async
    connections belong to another event loop than the running one (one client used in two
    ``asyncio.run()`` calls): such a connection can write a request and then fail to read
    the answer, so the call is refused before anything is written. Create the client inside
    the event loop that uses it. A ``RuntimeError`` too, as httpx's own "client has been
    closed" is.
    """


class APIConnectionError(ChatAPIError):
    """No usable answer arrived: the connection failed, or broke before the response ended."""

    def __init__(self, message: str, *, request: RequestInfo) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""


class RequestNotSentError(APIConnectionError):
    """Not sent: no byte of the request reached the server, or not all of it.

    The connection failed (or the call's deadline passed) before the request was written
    whole, so the server cannot have acted on it: sending it again is safe, whatever the
    method.
    """


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
    """A 5xx: the server did not complete a valid request (500, 502, 503, a gateway's 520 ...).

    A status with no class of its own (a 3xx, 403, 409, or 449 "queued, retry later" once
    retries ran out) is an ``APIStatusError`` itself: not the server's fault, or not a failure.
    """


class OutcomeUnknownError(ChatAPIError):
    """A non-idempotent call (POST) failed in a way that may come after it was processed.

    It got a 5xx other than 503 (500, 502, 504, a gateway's 520 ...), a read timeout, or lost
    the connection mid-response, and it was
    not retried because repeating it could, say, send a message twice. Check the outcome
    before sending again, or mark such calls ``safe_to_repeat`` (see ``request_options``).

    Attributes:
        error: The failure itself: a ``ServerError``, an ``APIConnectionError``, or an
            ``APIResponseValidationError`` for a 5xx whose body could not be read.
        status_code: The status, when the failure was a response.
        request: The method and URL of the request.
    """

    def __init__(
        self, error: APIStatusError | APIConnectionError | APIResponseValidationError
    ) -> None:
        self.error = error
        self.status_code = error.status_code if not isinstance(error, APIConnectionError) else None
        self.request = error.request
        super().__init__(
            f"the outcome is unknown, the request may have been processed: {error}."
            " It was not repeated because it is not idempotent. " + _next_step(error.request)
        )


def _next_step(request: RequestInfo | None) -> str:
    """The sentence saying which call tells whether ``request`` was processed."""
    from ._outcome import check_call  # the operation index, loaded when first needed

    call = None if request is None else check_call(request.method, request.path)
    if call is None:
        return "Check whether it took effect before sending it again."
    return f"Call {call} to see whether it took effect before sending it again."


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


class RequestProcessedError(Exception):
    """The request WAS processed (the server answered 2xx), but its answer cannot be used.

    Raised for a call that is not safe to repeat (a POST such as sendMessage) whose success
    came with a body the client cannot read: not JSON, empty, not fitting the description,
    undecodable or too large. Not a ``ChatAPIError``, on purpose: handling written for
    failures (``except ChatAPIError``: log it, send again later) must not catch it, since
    sending again would repeat what the server already did. Catch it by name to carry on
    without the result; never resend.

    Attributes:
        error: What is wrong with the answer (an ``APIResponseValidationError``).
        status_code: The success status the server answered.
        headers: The response headers.
        request: The method and URL of the request.
    """

    def __init__(self, error: APIResponseValidationError) -> None:
        self.error = error
        self.status_code = error.status_code
        self.headers = error.headers
        self.request = error.request
        super().__init__(
            f"the request was processed (the server answered {error.status_code}), but its "
            f"answer cannot be used: {error}. Do not send it again."
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.error,))


class PaginationError(ChatAPIError):
    """A page's ``next`` link has no cursor, or leads to a page already read (a loop)."""


class ClientClosedError(ClientStateError):
    """The client (or the one it was copied from) was closed; the call was not sent."""


class ResponseTooLargeError(APIResponseValidationError):
    """The body (decoded, as it would be held in memory) exceeds the client's size limit.

    Reading stopped at the limit; the call is not retried, so a hostile body is not fetched
    again. A POST answered with a status after which it may have been processed raises
    ``OutcomeUnknownError`` wrapping this error instead.

    Attributes:
        limit: The limit in bytes (``connect(max_response_size=...)``).
    """

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        limit: int,
        status_code: int | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(message, request=request, status_code=status_code, headers=headers)
        self.limit = limit


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The class of the error for a non-2xx ``status`` (429 aside: ``RateLimitError``)."""
    return ServerError if 500 <= status <= 599 else _STATUS_ERRORS.get(status, APIStatusError)
