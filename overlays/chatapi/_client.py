"""ChatAPI and AsyncChatAPI: every operation as a method of a resource, over the overlays.

The resources and their methods are generated from the description (``chatapi_client.
resources``); they call a private caller, defined here, that sends each call through one
connected client (``connect()``) and returns its typed result. The clients add copies
with other options, closing, and context managers.
"""

from __future__ import annotations

import weakref
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Generic, Self, TypedDict, TypeVar, Unpack

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
    max_response_size: int


class _Connection:
    """What a client and its copies share: the transports (connections, budgets), closing."""

    def __init__(self, client: AuthenticatedClient) -> None:
        self.client = client
        # Copies with another timeout wrap the same transports in their own generated client;
        # held weakly, so a copy made for one call does not outlive it.
        self._copies: list[weakref.ref[AuthenticatedClient]] = []
        self.closed = False

    def add_copy(self, client: AuthenticatedClient) -> None:
        self._copies = [copy for copy in self._copies if copy() is not None]
        self._copies.append(weakref.ref(client))

    def ensure_open(self) -> None:
        if self.closed:
            raise ClientClosedError("this ChatAPI client is closed; create a new one")

    def clients(self) -> list[AuthenticatedClient]:
        return [self.client, *(c for copy in self._copies if (c := copy()) is not None)]


class _Caller:
    """Sends the generated functions' requests for one client (or copy); the typed result."""

    def __init__(
        self, connection: _Connection, client: AuthenticatedClient, options: RequestOptions
    ) -> None:
        self.connection = connection
        self.client = client
        self.options = options
        # Nothing to apply for a client without options of its own: skip the context.
        self._defaults = options != RequestOptions()

    def copy(
        self, max_retries: int | None, deadline: float | None, timeout: httpx.Timeout | float | None
    ) -> Self:
        options = RequestOptions(max_retries=max_retries, deadline=deadline).over(self.options)
        client = self.client
        if timeout is not None:
            # A new generated client over the same transports: the same connections.
            client = evolve(self.client, timeout=httpx.Timeout(timeout))
            self.connection.add_copy(client)
        return type(self)(self.connection, client, options)

    def parsed(self, endpoint: Callable[..., Any], response: Response[Any], expected: type[T]) -> T:
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
    def raw(response: Response[Any], parsed: T) -> RawResponse[T]:
        return RawResponse(int(response.status_code), httpx.Headers(response.headers), parsed)


class _SyncCaller(_Caller):
    """The ``Caller`` of ``ChatAPI``."""

    def call(
        self, endpoint: Callable[..., Response[Any]], expected: type[T], /, **arguments: Any
    ) -> T:
        return self.parsed(endpoint, self._send(endpoint, arguments), expected)

    def call_raw(
        self, endpoint: Callable[..., Response[Any]], expected: type[T], /, **arguments: Any
    ) -> RawResponse[T]:
        response = self._send(endpoint, arguments)
        return self.raw(response, self.parsed(endpoint, response, expected))

    def paginate(
        self,
        fetch: Callable[[int | Unset], PageT],
        items: Callable[[PageT], Sequence[ItemT]],
        cursor: int | Unset,
    ) -> SyncPager[ItemT, PageT]:
        return SyncPager(fetch, items, cursor)

    def _send(
        self, endpoint: Callable[..., Response[Any]], arguments: dict[str, Any]
    ) -> Response[Any]:
        self.connection.ensure_open()
        if not self._defaults:
            return endpoint(client=self.client, **arguments)
        with client_defaults(self.options):
            return endpoint(client=self.client, **arguments)


class _AsyncCaller(_Caller):
    """The ``AsyncCaller`` of ``AsyncChatAPI``."""

    async def call(
        self,
        endpoint: Callable[..., Awaitable[Response[Any]]],
        expected: type[T],
        /,
        **arguments: Any,
    ) -> T:
        return self.parsed(endpoint, await self._send(endpoint, arguments), expected)

    async def call_raw(
        self,
        endpoint: Callable[..., Awaitable[Response[Any]]],
        expected: type[T],
        /,
        **arguments: Any,
    ) -> RawResponse[T]:
        response = await self._send(endpoint, arguments)
        return self.raw(response, self.parsed(endpoint, response, expected))

    def paginate(
        self,
        fetch: Callable[[int | Unset], Awaitable[PageT]],
        items: Callable[[PageT], Sequence[ItemT]],
        cursor: int | Unset,
    ) -> AsyncPager[ItemT, PageT]:
        return AsyncPager(fetch, items, cursor)

    async def _send(
        self, endpoint: Callable[..., Awaitable[Response[Any]]], arguments: dict[str, Any]
    ) -> Response[Any]:
        self.connection.ensure_open()
        if not self._defaults:
            return await endpoint(client=self.client, **arguments)
        with client_defaults(self.options):
            return await endpoint(client=self.client, **arguments)


CallerT = TypeVar("CallerT", bound=_Caller)


class _Copies(ABC, Generic[CallerT]):
    """``with_options`` for both clients: a copy bound to a copy of the caller."""

    _caller: CallerT

    @abstractmethod
    def _bind(self, caller: CallerT) -> None:
        """Use ``caller`` for every resource method (each client binds its own resources)."""

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
        copy._bind(self._caller.copy(max_retries, deadline, timeout))
        return copy


class ChatAPI(_Copies[_SyncCaller], Resources):
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
        client = connect(token, **options)
        self._bind(_SyncCaller(_Connection(client), client, RequestOptions()))

    def _bind(self, caller: _SyncCaller) -> None:
        self._caller = caller
        Resources.__init__(self, caller)

    def close(self) -> None:
        """Close the connections of this client and of its copies; later calls raise."""
        self._caller.connection.closed = True
        for client in self._caller.connection.clients():
            client.get_httpx_client().close()

    def __enter__(self) -> Self:
        self._caller.connection.ensure_open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncChatAPI(_Copies[_AsyncCaller], AsyncResources):
    """The asyncio ChatAPI v2 client: ``await client.contacts.get(...)``, ``async for``.

    Takes what ``connect()`` takes. ``await aclose()`` (or ``async with``) releases the
    connections; a closed client raises ``ClientClosedError`` before sending anything.
    """

    def __init__(self, token: str | None = None, **options: Unpack[ConnectOptions]) -> None:
        client = connect(token, **options)
        self._bind(_AsyncCaller(_Connection(client), client, RequestOptions()))

    def _bind(self, caller: _AsyncCaller) -> None:
        self._caller = caller
        AsyncResources.__init__(self, caller)

    async def aclose(self) -> None:
        """Close the connections of this client and of its copies; later calls raise."""
        self._caller.connection.closed = True
        for client in self._caller.connection.clients():
            await client.get_async_httpx_client().aclose()

    async def __aenter__(self) -> Self:
        self._caller.connection.ensure_open()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
