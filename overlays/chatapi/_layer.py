"""Building blocks shared by the overlay transports.

The generated client hands the same ``httpx_args`` to ``httpx.Client`` and to
``httpx.AsyncClient``, so one transport object must serve both: every overlay implements
the sync and the async half of httpx's transport API, and so must what it wraps.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from chatapi_description import Operation, OperationIndex
from chatapi_description import relative_path as relative_to

__all__ = ["DualTransport", "Layer", "SplitTransport", "operation_of", "relative_path"]

_OPERATION = "chatapi.operation"
"""Key of ``request.extensions`` caching the request's operation (or None): matched once a call."""


class DualTransport(Protocol):
    """Both halves of httpx's transport API (``httpx.MockTransport`` is one)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return the response, its body still to be read."""
        ...

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return the response, its body still to be read."""
        ...

    def close(self) -> None:
        """Release the sync half's resources."""
        ...

    async def aclose(self) -> None:
        """Release the async half's resources."""
        ...


class SplitTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves sync requests with one transport and async requests with another.

    Owns both: ``close`` closes the sync one, ``aclose`` the async one.

    Example::

        SplitTransport(httpx.HTTPTransport(), httpx.AsyncHTTPTransport())
    """

    def __init__(
        self, sync_transport: httpx.BaseTransport, async_transport: httpx.AsyncBaseTransport
    ) -> None:
        self._sync = sync_transport
        self._async = async_transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send with the sync transport."""
        return self._sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send with the async transport."""
        return await self._async.handle_async_request(request)

    def close(self) -> None:
        """Close the sync transport."""
        self._sync.close()

    async def aclose(self) -> None:
        """Close the async transport."""
        await self._async.aclose()


class Layer(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An overlay: adds one concern around an inner transport, which it owns and closes."""

    def __init__(self, inner: DualTransport) -> None:
        self._inner = inner

    def close(self) -> None:
        """Close the inner transport (what ``httpx.Client.close()`` calls)."""
        self._inner.close()

    async def aclose(self) -> None:
        """Close the inner transport (what ``httpx.AsyncClient.aclose()`` calls)."""
        await self._inner.aclose()


def relative_path(request: httpx.Request, base_path: str) -> str | None:
    """The request's raw path less its query and the raw ``base_path``; None if not below it.

    This is the form ``OperationIndex.match`` takes.
    """
    return relative_to(request.url.raw_path.decode("ascii"), base_path)


def operation_of(request: httpx.Request, index: OperationIndex, base_path: str) -> Operation | None:
    """The operation ``request`` addresses in ``index`` (None: none), matched once per request.

    The first overlay to ask matches the raw path less ``base_path``; the answer rides on the
    request, so the retry attempts, the rate limiter and the response check agree on it.
    """
    cached = request.extensions.get(_OPERATION, _OPERATION)
    if cached is not _OPERATION:
        found: Operation | None = cached
        return found
    path = relative_path(request, base_path)
    found = None if path is None else index.operation_for(request.method, path)
    request.extensions = {**request.extensions, _OPERATION: found}
    return found
