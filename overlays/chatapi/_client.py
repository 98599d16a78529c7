"""ChatAPI and AsyncChatAPI: every operation as a method of a resource, over the overlays.

The resources and their methods are generated from the description (``chatapi_client.
resources``); this module supplies what they call: one connected client (``connect()``),
typed results, pagers, copies with other options, and closing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Self, TypedDict, TypeVar, Unpack

import httpx
from attrs import evolve

from chatapi_client import AuthenticatedClient
from chatapi_client.resources import AsyncResources, Page, RawResponse, Resources
from chatapi_client.types import Response, Unset

from ._clock import Clock
from ._connect import connect
from ._errors import APIResponseValidationError, ClientClosedError, RequestInfo
from ._events import RetryEvent, ThrottleEvent
from ._layer import DualTransport
from ._options import RequestOptions, client_defaults
from ._paging import AsyncPager, SyncPager
from ._ratelimit import RateLimiter

__all__ = ["AsyncChatAPI", "ChatAPI", "ConnectOptions"]

T = TypeVar("T")
ItemT = TypeVar("ItemT")
PageT = TypeVar("PageT", bound=Page[Any])


class ConnectOptions(TypedDict, total=False):
    """The keyword options of ``connect()``, which ``ChatAPI`` and ``AsyncChatAPI`` take too."""

    base_url: str | None
    organization: str | None
    max_retries: int
    timeout: httpx.Timeout | float
    deadline: float
    rate_limit: bool | RateLimiter
    rate_limit_store: object
    on_retry: Callable[[RetryEvent], None] | None
    on_throttle: Callable[[ThrottleEvent], None] | None
    proxy: str | None
    transport: DualTransport | None
    clock: Clock | None


class _Connection:
    """What a client and its ``with_options`` copies share: connections, budgets, closing."""

    def __init__(self, client: AuthenticatedClient) -> None:
        self.clients = [client]
        self.closed = False

    def ensure_open(self) -> None:
        if self.closed:
            raise ClientClosedError("this ChatAPI client is closed; create a new one")


class _Base:
    """Construction, copies and the typed result of a call, shared by both clients."""

    _connection: _Connection
    _client: AuthenticatedClient
    _options: RequestOptions

    def _setup(self, token: str | None, options: ConnectOptions) -> None:
        self._client = connect(token, **options)
        self._connection = _Connection(self._client)
        self._options = RequestOptions()

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        deadline: float | None = None,
        timeout: httpx.Timeout | float | None = None,
    ) -> Self:
        """A copy with other retries, deadline or timeout; the original is unchanged.

        The copy shares the original's connections and rate-limit budgets, and closing
        either closes both. A ``request_options`` block around a call still wins.
        """
        copy = object.__new__(type(self))
        copy._connection = self._connection
        copy._options = RequestOptions(max_retries=max_retries, deadline=deadline).over(
            self._options
        )
        copy._client = self._client
        if timeout is not None:
            # A new generated client over the same transports: the same connections.
            copy._client = evolve(self._client, timeout=httpx.Timeout(timeout))
            self._connection.clients.append(copy._client)
        copy._resources_for(copy)
        return copy

    def _resources_for(self, caller: Any) -> None:
        raise NotImplementedError

    @staticmethod
    def _parsed(endpoint: Callable[..., Any], response: Response[Any], expected: type[T]) -> T:
        parsed = response.parsed
        if not isinstance(parsed, expected):
            # Only a success reaches here (the overlays raise for the rest), and its body
            # was checked against the description: this is the generated decoder's fault.
            operation = endpoint.__module__.rsplit(".", 1)[-1]
            raise APIResponseValidationError(
                f"expected {expected.__name__}, decoded {type(parsed).__name__}",
                request=RequestInfo("", "", operation),
                status_code=int(response.status_code),
            )
        return parsed

    @staticmethod
    def _raw(response: Response[Any], parsed: T) -> RawResponse[T]:
        return RawResponse(int(response.status_code), httpx.Headers(response.headers), parsed)


class ChatAPI(_Base, Resources):
    """The ChatAPI v2 client: ``client.contacts.get("email:a@b.co")``, ``client.messaging...``.

    Takes what ``connect()`` takes (the token defaults to ``CHATAPI_TOKEN``). A call
    returns its success model or raises a ``ChatAPIError``; list methods return pagers.
    ``close()`` (or ``with``) releases the connections; a closed client raises
    ``ClientClosedError`` before sending anything.

    Example::

        with chatapi.ChatAPI() as client:
            contact = client.contacts.get("email:ada@example.com")
            for message in client.messaging.list(f"id:{contact.id}"):
                print(message.message_id)
    """

    def __init__(self, token: str | None = None, **options: Unpack[ConnectOptions]) -> None:
        self._setup(token, options)
        Resources.__init__(self, self)

    def _resources_for(self, caller: Any) -> None:
        Resources.__init__(self, caller)

    def call(
        self, endpoint: Callable[..., Response[Any]], expected: type[T], /, **arguments: Any
    ) -> T:
        """Send one generated operation function's request; its success model, or raise."""
        return self._parsed(endpoint, self._send(endpoint, arguments), expected)

    def call_raw(
        self, endpoint: Callable[..., Response[Any]], expected: type[T], /, **arguments: Any
    ) -> RawResponse[T]:
        """Like ``call``, with the status and headers."""
        response = self._send(endpoint, arguments)
        return self._raw(response, self._parsed(endpoint, response, expected))

    def paginate(
        self,
        fetch: Callable[[int | Unset], PageT],
        items: Callable[[PageT], Sequence[ItemT]],
        cursor: int | Unset,
    ) -> SyncPager[ItemT, PageT]:
        """A pager over the pages ``fetch`` returns, starting at ``cursor``."""
        return SyncPager(fetch, items, cursor)

    def _send(
        self, endpoint: Callable[..., Response[Any]], arguments: dict[str, Any]
    ) -> Response[Any]:
        self._connection.ensure_open()
        with client_defaults(self._options):
            return endpoint(client=self._client, **arguments)

    def close(self) -> None:
        """Close the connections of this client and of its copies; later calls raise."""
        self._connection.closed = True
        for client in self._connection.clients:
            client.get_httpx_client().close()

    def __enter__(self) -> Self:
        self._connection.ensure_open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncChatAPI(_Base, AsyncResources):
    """The asyncio ChatAPI v2 client: ``await client.contacts.get(...)``, ``async for``.

    Takes what ``connect()`` takes. ``await aclose()`` (or ``async with``) releases the
    connections; a closed client raises ``ClientClosedError`` before sending anything.
    """

    def __init__(self, token: str | None = None, **options: Unpack[ConnectOptions]) -> None:
        self._setup(token, options)
        AsyncResources.__init__(self, self)

    def _resources_for(self, caller: Any) -> None:
        AsyncResources.__init__(self, caller)

    async def call(
        self,
        endpoint: Callable[..., Awaitable[Response[Any]]],
        expected: type[T],
        /,
        **arguments: Any,
    ) -> T:
        """Send one generated operation function's request; its success model, or raise."""
        return self._parsed(endpoint, await self._send(endpoint, arguments), expected)

    async def call_raw(
        self,
        endpoint: Callable[..., Awaitable[Response[Any]]],
        expected: type[T],
        /,
        **arguments: Any,
    ) -> RawResponse[T]:
        """Like ``call``, with the status and headers."""
        response = await self._send(endpoint, arguments)
        return self._raw(response, self._parsed(endpoint, response, expected))

    def paginate(
        self,
        fetch: Callable[[int | Unset], Awaitable[PageT]],
        items: Callable[[PageT], Sequence[ItemT]],
        cursor: int | Unset,
    ) -> AsyncPager[ItemT, PageT]:
        """A pager over the pages ``fetch`` returns, starting at ``cursor``."""
        return AsyncPager(fetch, items, cursor)

    async def _send(
        self, endpoint: Callable[..., Awaitable[Response[Any]]], arguments: dict[str, Any]
    ) -> Response[Any]:
        self._connection.ensure_open()
        with client_defaults(self._options):
            return await endpoint(client=self._client, **arguments)

    async def aclose(self) -> None:
        """Close the connections of this client and of its copies; later calls raise."""
        self._connection.closed = True
        for client in self._connection.clients:
            await client.get_async_httpx_client().aclose()

    async def __aenter__(self) -> Self:
        self._connection.ensure_open()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
