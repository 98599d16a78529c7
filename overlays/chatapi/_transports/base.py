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

from .._retry_policy import RequestNotWrittenError
from .sockets import WriteWatch, bound_by_deadline, watch_writes

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

    Owns both: ``close`` closes the sync one, ``aclose`` the async one. On httpx's own
    transports it also bounds every socket wait by the call's deadline (``bound_by_deadline``),
    and it raises ``RequestNotWrittenError`` (a ``NOT_SENT`` failure, retried for every
    method) in place of a failure that followed a failed write of the request: httpcore
    swallows the write error and reports the read after it, which alone cannot tell a
    request the server never got from one it got and then dropped the connection on.
    It asks only for the content codings ``read_body`` can bound (gzip, deflate).

    Example::

        SplitTransport(httpx.HTTPTransport(), httpx.AsyncHTTPTransport())
    """

    def __init__(
        self, sync_transport: httpx.BaseTransport, async_transport: httpx.AsyncBaseTransport
    ) -> None:
        self._sync = sync_transport
        self._async = async_transport
        self._sync_watched = bound_by_deadline(sync_transport)
        self._async_watched = bound_by_deadline(async_transport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send with the sync transport."""
        _accept_bounded_encodings(request)
        with watch_writes() as writes:
            try:
                return self._sync.handle_request(request)
            except httpx.TransportError as exc:
                if _unwritten(exc, writes, watched=self._sync_watched):
                    raise _not_written(exc, request, writes) from exc
                raise

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send with the async transport."""
        _accept_bounded_encodings(request)
        with watch_writes() as writes:
            try:
                return await self._async.handle_async_request(request)
            except httpx.TransportError as exc:
                if _unwritten(exc, writes, watched=self._async_watched):
                    raise _not_written(exc, request, writes) from exc
                raise

    def close(self) -> None:
        """Close the sync transport."""
        self._sync.close()

    async def aclose(self) -> None:
        """Close the async transport."""
        await self._async.aclose()


_BOUNDED_ENCODINGS = "gzip, deflate"
"""What ``read_body`` decompresses with a bound on its output. httpx also offers ``br`` and
``zstd`` when brotli or zstandard is installed; a body in either would be refused."""


def _accept_bounded_encodings(request: httpx.Request) -> None:
    if request.headers.get("accept-encoding") not in (None, _BOUNDED_ENCODINGS, "identity"):
        request.headers["Accept-Encoding"] = _BOUNDED_ENCODINGS


def _unwritten(exc: httpx.TransportError, writes: WriteWatch, *, watched: bool) -> bool:
    """Whether ``exc`` surely came before the server could get the whole request.

    A write failed other than by a timeout (a timed-out write may have delivered all but
    its end), or, on a watched transport, no write ever began: the deadline passed after the
    connection was ready and before the first byte (a read timeout follows, as httpcore
    reads after a failed write). A failure to connect keeps its own type.
    """
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return False
    if watched and not writes.began:
        return True
    return writes.failed and not isinstance(exc, httpx.TimeoutException)


def _not_written(
    exc: httpx.TransportError, request: httpx.Request, writes: WriteWatch
) -> RequestNotWrittenError:
    what = "the request was not written whole" if writes.began else "no byte was written"
    return RequestNotWrittenError(f"{what}, then: {exc}", request=request)


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
