"""Pagers: every item of every page of a list, each page fetched when iteration reaches it.

The generated resource methods build a page fetcher; ``ChatAPI.paginate`` wraps it in a
``Pager`` (``AsyncPager`` for asyncio). Pages come through the client, so each fetch
passes the rate limiter, the retries and the response check like any call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

from chatapi_client.resources import Page
from chatapi_client.types import UNSET, Unset
from chatapi_description import PAGE_CURSOR

from ._errors import PaginationError

__all__ = ["AsyncPager", "Pager", "next_cursor"]

ItemT = TypeVar("ItemT")
PageT = TypeVar("PageT", bound=Page[Any])
FetchT = TypeVar("FetchT")

_MAX_CURSOR_DIGITS = 18


def next_cursor(page: Page[Any]) -> int | None:
    """The cursor of the page after ``page``, read from its ``pagination.next`` link.

    None when there is no next page (no link, or an empty one). The API gives the cursor
    only inside that URL; pass it as ``cursor=`` to a list method to start there.

    Raises:
        PaginationError: a next link without a usable ``cursorId``: going on would lose
            the rest of the list, stopping would hide it.
    """
    links = page.pagination
    link = None if isinstance(links, Unset) or links is None else links.next_
    if not isinstance(link, str) or not link:
        return None
    values = parse_qs(urlsplit(link).query).get(PAGE_CURSOR) or [""]
    value = values[0]
    if not (value.isascii() and value.isdigit() and len(value) <= _MAX_CURSOR_DIGITS):
        # The link itself stays out of the message: it is the server's text.
        raise PaginationError(
            f"the next page's link has no usable {PAGE_CURSOR}: "
            "the rest of the list cannot be fetched"
        )
    return int(value)


class _Walk:
    """The cursors a walk through the pages has used; refuses to visit one twice."""

    def __init__(self, start: int | Unset) -> None:
        self.seen: set[int] = set() if isinstance(start, Unset) else {start}

    def step(self, cursor: int) -> int:
        if cursor in self.seen:
            raise PaginationError(
                f"the next page's cursor {cursor} names a page already read: "
                "the server's pages loop"
            )
        self.seen.add(cursor)
        return cursor


class _Pages(Generic[ItemT, PageT, FetchT]):
    """What both pagers hold: how to fetch a page and list its items, where the walk starts."""

    def __init__(
        self,
        fetch: FetchT,
        items: Callable[[PageT], Sequence[ItemT]],
        cursor: int | Unset = UNSET,
    ) -> None:
        self._fetch = fetch
        self._items = items
        self._start = cursor
        self._first: PageT | None = None
        self._last: PageT | None = None

    @property
    def next_cursor(self) -> int | None:
        """The cursor of the page after the last one fetched; None at the end or before."""
        return None if self._last is None else next_cursor(self._last)


class Pager(_Pages[ItemT, PageT, Callable[[int | Unset], PageT]]):
    """Iterate for every item; ``first_page()``, ``iter_pages()`` and ``next_cursor`` by hand.

    Each ``iter()`` walks the pages again from the start (re-using the first page).
    """

    def first_page(self) -> PageT:
        """The page the walk starts at (fetched once, then kept)."""
        if self._first is None:
            self._first = self._last = self._fetch(self._start)
        return self._first

    def iter_pages(self) -> Iterator[PageT]:
        """Each page in order, the first one included."""
        walk = _Walk(self._start)
        page = self.first_page()
        yield page
        while (cursor := next_cursor(page)) is not None:
            page = self._last = self._fetch(walk.step(cursor))
            yield page

    def __iter__(self) -> Iterator[ItemT]:
        """Each item of each page, once, in order."""
        for page in self.iter_pages():
            yield from self._items(page)


class AsyncPager(_Pages[ItemT, PageT, Callable[[int | Unset], Awaitable[PageT]]]):
    """``async for`` for every item; ``await first_page()`` and ``iter_pages()`` by hand."""

    async def first_page(self) -> PageT:
        """The page the walk starts at (fetched once, then kept)."""
        if self._first is None:
            self._first = self._last = await self._fetch(self._start)
        return self._first

    async def iter_pages(self) -> AsyncIterator[PageT]:
        """Each page in order, the first one included."""
        walk = _Walk(self._start)
        page = await self.first_page()
        yield page
        while (cursor := next_cursor(page)) is not None:
            page = self._last = await self._fetch(walk.step(cursor))
            yield page

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        """Each item of each page, once, in order."""
        async for page in self.iter_pages():
            for item in self._items(page):
                yield item
