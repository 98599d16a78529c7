"""ErrorTransport: the outermost overlay, turning every failed outcome into a typed error.

Generated code must never see what it cannot handle: a status Python's ``HTTPStatus`` does
not know (449, 520) makes it raise ``ValueError``, and an HTML 502 page makes it raise
``JSONDecodeError``. Errors raised in a transport leave ``httpx.Client.send()`` unchanged.
They are raised ``from None``: an httpx exception's text may quote the request, and a
chained exception would print it in every traceback.
"""

from __future__ import annotations

import httpx

from ._clock import SYSTEM_CLOCK, Clock
from ._errors import (
    error_from_decoding,
    error_from_exception,
    error_from_non_json,
    error_from_problem,
    error_from_response,
)
from ._layer import DualTransport, Layer, operation_of
from ._response_check import NOT_JSON, ParsedResponse, ResponseCheck, parse_json

__all__ = ["ErrorTransport"]


class ErrorTransport(Layer):
    """Raises typed errors for non-2xx answers, unusable 2xx bodies and transport failures.

    Returns only 2xx responses whose body is empty or JSON, already read (a JSON one as a
    ``ParsedResponse``, so generated code does not parse it again). Raises an
    ``APIStatusError`` subclass for any other status (``error_from_response``), an
    ``APIResponseValidationError`` for a 2xx body that is not JSON, cannot be decoded or,
    given ``response_check``, does not fit its operation's documented schema or status
    (requests matched with their raw path less ``base_path``), and an
    ``APIConnectionError`` or ``APITimeoutError`` for an httpx transport exception. Redirects
    are not followed by the API's clients, so a 3xx is an error too (``ServerError``).
    """

    def __init__(
        self,
        inner: DualTransport,
        *,
        clock: Clock = SYSTEM_CLOCK,
        response_check: ResponseCheck | None = None,
        base_path: str = "",
    ) -> None:
        super().__init__(inner)
        self._clock = clock
        self._check = response_check
        self._base_path = base_path

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; return a usable success or raise a ``ChatAPIError``."""
        try:
            response = self._inner.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.TransportError as exc:
            raise error_from_exception(exc, request) from None
        except httpx.DecodingError as exc:
            raise error_from_decoding(exc, request) from None
        return self._checked(response, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; return a usable success or raise a ``ChatAPIError``."""
        try:
            response = await self._inner.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise error_from_exception(exc, request) from None
        except httpx.DecodingError as exc:
            raise error_from_decoding(exc, request) from None
        return self._checked(response, request)

    def _checked(self, response: httpx.Response, request: httpx.Request) -> httpx.Response:
        if not response.is_success:
            raise error_from_response(response, request, now=self._clock.time())
        document = parse_json(response.content)
        if document is NOT_JSON:
            raise error_from_non_json(response, request)
        if self._check is not None:
            operation = operation_of(request, self._check.index, self._base_path)
            problem = self._check.problem(operation, response.status_code, document)
            if problem is not None:
                raise error_from_problem(problem, response, request)
        return response if document is None else ParsedResponse.parsed(response, document)
