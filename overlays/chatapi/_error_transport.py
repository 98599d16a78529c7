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
    error_from_body,
    error_from_decoding,
    error_from_exception,
    error_from_problem,
    error_from_response,
)
from ._layer import DualTransport, Layer, relative_path
from ._response_schemas import ResponseSchemas

__all__ = ["ErrorTransport"]


class ErrorTransport(Layer):
    """Raises typed errors for non-2xx answers, unusable 2xx bodies and transport failures.

    Returns only 2xx responses whose body is empty or JSON, already read. Raises an
    ``APIStatusError`` subclass for any other status (``error_from_response``), an
    ``APIResponseValidationError`` for a 2xx body that is not JSON, cannot be decoded or,
    given ``response_schemas``, does not fit its operation's documented schema or status
    (requests matched with their raw path less ``base_path``), and an
    ``APIConnectionError`` or ``APITimeoutError`` for an httpx transport exception. Redirects
    are not followed by the API's clients, so a 3xx is an error too (``ServerError``).
    """

    def __init__(
        self,
        inner: DualTransport,
        *,
        clock: Clock = SYSTEM_CLOCK,
        response_schemas: ResponseSchemas | None = None,
        base_path: str = "",
    ) -> None:
        super().__init__(inner)
        self._clock = clock
        self._schemas = response_schemas
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
        error = error_from_body(response, request)
        if error is not None:
            raise error
        if self._schemas is not None:
            problem = self._schemas.problem(
                request.method,
                relative_path(request, self._base_path),
                response.status_code,
                response.content,
            )
            if problem is not None:
                raise error_from_problem(problem, response, request)
        return response
