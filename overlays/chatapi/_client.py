"""ChatAPI and AsyncChatAPI: every operation as a method of a resource, over the overlays.

The resources and their methods are generated from the description (``chatapi_client.
resources``); they call a private caller, defined here, that sends each call through one
connected client (``connect()``) and returns its typed result. The clients add copies
with other options, closing, and context managers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Generic, Self, TypedDict, TypeVar, Unpack

import httpx

from chatapi_client import AuthenticatedClient
from chatapi_client.resources import AsyncResources, Endpoint, Page, RawResponse, Resources
from chatapi_client.types import Response, Unset

from ._clock import Clock
from ._connect import RateLimitStoreSetting, connect, resolve_token
from ._errors import APIResponseValidationError, ClientClosedError, RequestInfo
from ._events import RetryEvent, ThrottleEvent
from ._options import RequestOptions, call_options
from ._paging import AsyncPager, Pager
from ._ratelimit import RateLimiter
from ._transports.base import DualTransport

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
    rate_limit_store: RateLimitStoreSetting
    on_retry: Callable[[RetryEvent], None] | None
    on_throttle: Callable[[ThrottleEvent], None] | None
    proxy: str | None
    transport: DualTransport | None
    clock: Clock | None
    max_response_size: int


class _Connection:
    """What a client and its copies share: one generated client (connections, budgets).

    Copies differ only in their ``RequestOptions``, which every request carries (the
    timeout too), so they need no generated client of their own.
    """

    def __init__(self, client: AuthenticatedClient) -> None:
        self.client = client
        self.closed = False

    def ensure_open(self) -> None:
        if self.closed:
            raise ClientClosedError("this ChatAPI client is closed; create a new one")


class _Caller:
    """Sends the generated functions' requests for one client (or copy); the typed result."""

    def __init__(self, connection: _Connection, options: RequestOptions) -> None:
        self.connection = connection
        self.client = connection.client
        self.options = options
        self._defaults = options != RequestOptions()

    def copy(self, options: RequestOptions) -> Self:
        return type(self)(self.connection, options.over(self.options))

    def scope(self, options: RequestOptions | None) -> AbstractContextManager[None]:
        """Where a call runs: under its client's options and its own; refused once closed."""
        self.connection.ensure_open()
        if options is None and not self._defaults:
            return nullcontext()  # nothing to apply: skip the context variable
        return call_options(self.options, options)

    def parsed(self, endpoint: Endpoint[T], response: Response[Any]) -> T:
        parsed = response.parsed
        expected = endpoint.model
        if not isinstance(parsed, expected):
            # Only a success reaches here (the overlays raise for the rest), and its body
            # was checked against the description: this is the generated decoder's fault.
            operation = endpoint.module.rsplit(".", 1)[-1]
            raise APIResponseValidationError(
                f"expected {expected.__name__}, decoded {type(parsed).__name__}",
                request=RequestInfo("", "", operation),
                status_code=int(response.status_code),
            )
        return parsed

    def raw(self, endpoint: Endpoint[T], response: Response[Any]) -> RawResponse[T]:
        parsed = self.parsed(endpoint, response)
        return RawResponse(int(response.status_code), httpx.Headers(response.headers), parsed)


class _SyncCaller(_Caller):
    """The ``Caller`` of ``ChatAPI``."""

    def call(
        self, endpoint: Endpoint[T], options: RequestOptions | None, /, *args: Any, **kwargs: Any
    ) -> T:
        return self.parsed(endpoint, self._send(endpoint, options, args, kwargs))

    def call_raw(
        self, endpoint: Endpoint[T], options: RequestOptions | None, /, *args: Any, **kwargs: Any
    ) -> RawResponse[T]:
        return self.raw(endpoint, self._send(endpoint, options, args, kwargs))

    def paginate(
        self,
        fetch: Callable[[int | Unset], PageT],
        items: Callable[[PageT], Sequence[ItemT]],
        cursor: int | Unset,
    ) -> Pager[ItemT, PageT]:
        return Pager(fetch, items, cursor)

    def _send(
        self, endpoint: Endpoint[Any], options: RequestOptions | None, args: Any, kwargs: Any
    ) -> Response[Any]:
        send: Callable[..., Response[Any]] = endpoint.functions.sync_detailed
        with self.scope(options):
            return send(*args, client=self.client, **kwargs)


class _AsyncCaller(_Caller):
    """The ``AsyncCaller`` of ``AsyncChatAPI``."""

    async def call(
        self, endpoint: Endpoint[T], options: RequestOptions | None, /, *args: Any, **kwargs: Any
    ) -> T:
        return self.parsed(endpoint, await self._send(endpoint, options, args, kwargs))

    async def call_raw(
        self, endpoint: Endpoint[T], options: RequestOptions | None, /, *args: Any, **kwargs: Any
    ) -> RawResponse[T]:
        return self.raw(endpoint, await self._send(endpoint, options, args, kwargs))

    def paginate(
        self,
        fetch: Callable[[int | Unset], Awaitable[PageT]],
        items: Callable[[PageT], Sequence[ItemT]],
        cursor: int | Unset,
    ) -> AsyncPager[ItemT, PageT]:
        return AsyncPager(fetch, items, cursor)

    async def _send(
        self, endpoint: Endpoint[Any], options: RequestOptions | None, args: Any, kwargs: Any
    ) -> Response[Any]:
        send: Callable[..., Awaitable[Response[Any]]] = endpoint.functions.asyncio_detailed
        with self.scope(options):
            return await send(*args, client=self.client, **kwargs)


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
        safe_to_repeat: bool | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        timeout: httpx.Timeout | float | None = None,
    ) -> Self:
        """A copy with other ``RequestOptions`` fields; the original is unchanged.

        The copy shares the original's connections and rate-limit budgets, and closing
        either closes both. A ``request_options`` block around a call, and a method's
        ``options=``, still win.
        """
        options = RequestOptions(
            safe_to_repeat=safe_to_repeat,
            max_retries=max_retries,
            deadline=deadline,
            timeout=timeout,
        )
        copy = object.__new__(type(self))
        copy._bind(self._caller.copy(options))
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
        client = connect(resolve_token(token, "chatapi.ChatAPI"), **options)
        self._bind(_SyncCaller(_Connection(client), RequestOptions()))

    def _bind(self, caller: _SyncCaller) -> None:
        self._caller = caller
        Resources.__init__(self, caller)

    def close(self) -> None:
        """Close the connections of this client and of its copies; later calls raise.

        A rate-limit store it opened from a URL closes its idle connections too, once no
        other open client uses it.
        """
        self._caller.connection.closed = True
        self._caller.client.get_httpx_client().close()

    def __enter__(self) -> Self:
        self._caller.connection.ensure_open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncChatAPI(_Copies[_AsyncCaller], AsyncResources):
    """The asyncio ChatAPI v2 client: ``await client.contacts.get(...)``, ``async for``.

    Takes what ``connect()`` takes. ``await aclose()`` (or ``async with``) releases the
    connections; a closed client raises ``ClientClosedError`` before sending anything.
    """

    def __init__(self, token: str | None = None, **options: Unpack[ConnectOptions]) -> None:
        client = connect(resolve_token(token, "chatapi.AsyncChatAPI"), **options)
        self._bind(_AsyncCaller(_Connection(client), RequestOptions()))

    def _bind(self, caller: _AsyncCaller) -> None:
        self._caller = caller
        AsyncResources.__init__(self, caller)

    async def aclose(self) -> None:
        """Close the connections of this client and of its copies; later calls raise.

        A rate-limit store it opened from a URL closes its idle connections too (Redis,
        the SQLite file), once no other open client uses it.
        """
        self._caller.connection.closed = True
        await self._caller.client.get_async_httpx_client().aclose()

    async def __aenter__(self) -> Self:
        self._caller.connection.ensure_open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
