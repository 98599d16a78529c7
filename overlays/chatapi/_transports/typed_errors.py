"""ErrorTransport: the outermost overlay, turning every failed outcome into a typed error.

Generated code must never see what it cannot handle: a status Python's ``HTTPStatus`` does
not know (449, 520) makes it raise ``ValueError``, and an HTML 502 page makes it raise
``JSONDecodeError``. Errors raised in a transport leave ``httpx.Client.send()`` unchanged.
They are raised ``from None``: an httpx exception's text may quote the request, and a
chained exception would print it in every traceback.
"""

from __future__ import annotations

import math
from typing import Any

import httpx

from chatapi_description import Operation

from .._body import DEFAULT_MAX_RESPONSE_SIZE, BodyTooLargeError, aread_body, read_body
from .._clock import SYSTEM_CLOCK, Clock
from .._error_mapping import (
    error_from_decoding,
    error_from_exception,
    error_from_non_json,
    error_from_problem,
    error_from_response,
    error_from_too_large,
)
from .._errors import (
    APIResponseValidationError,
    ChatAPIError,
    RequestProcessedError,
)
from .._options import deadline_of
from .._preflight import LoopBinding, check_route, closed_error
from .._redact import credential_of, redact_document
from .._request_check import check_request
from .._response_check import NOT_JSON, ParsedResponse, ResponseCheck, parse_json
from .base import DualTransport, Layer, operation_of
from .retry import processed_unusable

__all__ = ["ErrorTransport"]

_WITHHELD = "not quoted: the problem lies in a value echoing the credential"
_READ_FAILURES = (httpx.TransportError, httpx.DecodingError, BodyTooLargeError)
"""What reading a body may raise; ``_read_error`` maps each to its typed error."""


class ErrorTransport(Layer):
    """Raises typed errors for non-2xx answers, unusable 2xx bodies and transport failures.

    Returns only 2xx responses whose body is empty or JSON, already read (a JSON one as a
    ``ParsedResponse``, so generated code does not parse it again). Raises an
    ``APIStatusError`` subclass for any other status (``error_from_response``), an
    ``APIResponseValidationError`` for a 2xx body that is not JSON, cannot be decoded or,
    given ``response_check``, does not fit its operation's documented schema or status
    (requests matched with their raw path less ``base_path``), and an
    ``APIConnectionError`` or ``APITimeoutError`` for an httpx transport exception. Redirects
    are not followed by the API's clients, so a 3xx is an error too (``APIStatusError``).

    Before sending, it refuses (``ClientStateError``) a request through transports it has
    closed, and an async request from another event loop than its first one
    (``LoopBinding``); given ``response_check``, it refuses (``RequestPathError``) a request
    whose path reaches another operation than its generated function names
    (``check_route``), and (``InvalidRequestError``) a path parameter or body field that
    misses its pattern or format, or a contact filter that is empty or matches nothing
    (``check_request``). Nothing is sent in any of these cases.
    """

    def __init__(
        self,
        inner: DualTransport,
        *,
        clock: Clock = SYSTEM_CLOCK,
        response_check: ResponseCheck | None = None,
        base_path: str = "",
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        super().__init__(inner)
        self._clock = clock
        self._check = response_check
        self._base_path = base_path
        self._max_size = max_response_size
        self._loop = LoopBinding()
        self._closed = False
        self._aclosed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; return a usable success or raise a ``ChatAPIError``."""
        if self._closed:
            raise closed_error(request)
        self._preflight(request)
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as exc:
            raise error_from_exception(exc, request) from None
        # The body was read by the retry layer when there is one; else read it here.
        try:
            response = read_body(
                response, limit=self._max_size, deadline=self._deadline(request), clock=self._clock
            )
        except _READ_FAILURES as exc:
            raise self._read_error(exc, request, response) from None
        return self._checked(response, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; return a usable success or raise a ``ChatAPIError``."""
        if self._aclosed:
            raise closed_error(request)
        self._loop.check(request)
        self._preflight(request)
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            raise error_from_exception(exc, request) from None
        try:
            response = await aread_body(
                response, limit=self._max_size, deadline=self._deadline(request), clock=self._clock
            )
        except _READ_FAILURES as exc:
            raise self._read_error(exc, request, response) from None
        return self._checked(response, request)

    def close(self) -> None:
        """Close the sync half; later sync requests raise ``ClientStateError``."""
        self._closed = True
        super().close()

    async def aclose(self) -> None:
        """Close the async half; later async requests raise ``ClientStateError``."""
        self._aclosed = True
        await super().aclose()

    def _preflight(self, request: httpx.Request) -> None:
        if self._check is not None:
            check_route(request, self._check.index, self._base_path)
            operation = operation_of(request, self._check.index, self._base_path)
            check_request(
                request, operation, self._check.index, self._check.schemas, self._base_path
            )

    def _deadline(self, request: httpx.Request) -> float:
        return deadline_of(request, self._clock, math.inf)

    def _read_error(
        self,
        exc: httpx.TransportError | httpx.DecodingError | BodyTooLargeError,
        request: httpx.Request,
        response: httpx.Response,
    ) -> ChatAPIError:
        """The typed error for a failure of reading ``response``'s body (``_READ_FAILURES``)."""
        if isinstance(exc, httpx.TransportError):
            return error_from_exception(exc, request)
        if isinstance(exc, httpx.DecodingError):
            return error_from_decoding(exc, request, response)
        return error_from_too_large(response, request, self._max_size)

    def _checked(self, response: httpx.Response, request: httpx.Request) -> httpx.Response:
        try:
            return self._usable(response, request)
        except APIResponseValidationError as error:
            operation = (
                None
                if self._check is None
                else operation_of(request, self._check.index, self._base_path)
            )
            if processed_unusable(request, response.status_code, operation):
                raise RequestProcessedError(error) from None
            raise

    def _usable(self, response: httpx.Response, request: httpx.Request) -> httpx.Response:
        if not response.is_success:
            raise error_from_response(response, request, now=self._clock.time())
        document = parse_json(response.content)
        if document is NOT_JSON:
            raise error_from_non_json(response, request)
        if self._check is not None:
            operation = operation_of(request, self._check.index, self._base_path)
            problem = self._check.problem(operation, response.status_code, document)
            if problem is not None:
                raise error_from_problem(
                    self._redacted_problem(operation, response, request, document) or problem,
                    response,
                    request,
                )
        return response if document is None else ParsedResponse.parsed(response, document)

    def _redacted_problem(
        self,
        operation: Operation | None,
        response: httpx.Response,
        request: httpx.Request,
        document: Any,
    ) -> str | None:
        """The problem found again on a copy of ``document`` whose credentials are redacted.

        A problem quotes values shortened, which can cut a credential in two where the
        error's redaction no longer finds it; redacting the document first avoids that.
        None when the body holds no credential. If the redacted copy fits, the problem
        was in the credential itself, and is not quoted.
        """
        credential = credential_of(request)
        if not credential:
            return None
        if self._check is None:
            return None
        try:
            redacted = redact_document(document, credential)
        except RecursionError:
            return f"the body does not fit the spec ({_WITHHELD})"
        if redacted == document:
            return None
        problem = self._check.problem(operation, response.status_code, redacted)
        return problem or f"the body does not fit the spec ({_WITHHELD})"
