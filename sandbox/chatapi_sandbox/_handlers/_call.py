"""What a handler receives and returns, and the error it raises for a 4xx answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .._counters import Tally
from .._state import Contact, JSONObject, Workspace

__all__ = ["ApiError", "Call", "Handler", "Reply"]

T = TypeVar("T")


class ApiError(Exception):
    """An answer with the Error body ``{code, message}``; raised by handlers and the API app."""

    def __init__(self, status: int, message: str) -> None:
        """``status`` is the HTTP status and the body's ``code``."""
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Reply:
    """A success answer; ``status`` None means the operation's lowest declared 2xx."""

    body: Any
    status: int | None = None


@dataclass(frozen=True)
class Call:
    """One validated request, as a handler sees it.

    Attributes:
        workspace: The caller's organization's workspace.
        path: Path parameters, converted to their JSON types.
        query: Query parameters present in the request, converted.
        body: The parsed JSON body, or None.
        tally: The counters, for handlers that store what tests want to count.
        now: The time of the request, in Unix seconds.
        page_url: Builds the full URL of a page of this request from ``limit`` and a
            ``cursorId`` (None for the first page).
    """

    workspace: Workspace
    path: Mapping[str, Any]
    query: Mapping[str, Any]
    body: Any
    tally: Tally
    now: int
    page_url: Callable[[int, int | None], str]

    def contact(self, parameter: str = "identifier") -> Contact:
        """The contact the path addresses; raises ApiError(404) when there is none."""
        contact = self.workspace.find_contact(self.path[parameter])
        if contact is None:
            raise ApiError(404, "Contact not found.")
        return contact

    def page(
        self,
        items: Sequence[T],
        cursor: Callable[[T], int],
        render: Callable[[T], JSONObject],
        *,
        descending: bool = False,
    ) -> JSONObject:
        """One page of ``items`` (already in display order) as ``{items, pagination}``.

        ``cursor`` gives each item's cursor value, increasing along the order (decreasing
        when ``descending``). A page starts after the item whose value is ``cursorId``;
        ``pagination.next``/``previous`` are full URLs, or empty strings at either end.
        """
        limit = int(self.query["limit"])  # absent, it takes the spec's default
        after = self.query.get("cursorId")
        start = 0
        if after is not None:
            start = len(items)
            for index, item in enumerate(items):
                value = cursor(item)
                if (value < after) if descending else (value > after):
                    start = index
                    break
        chunk = items[start : start + limit]
        next_url = self.page_url(limit, cursor(chunk[-1])) if start + limit < len(items) else ""
        previous_url = ""
        if 0 < start <= len(items):
            previous_start = max(0, start - limit)
            previous_cursor = cursor(items[previous_start - 1]) if previous_start > 0 else None
            previous_url = self.page_url(limit, previous_cursor)
        return {
            "items": [render(item) for item in chunk],
            "pagination": {"next": next_url, "previous": previous_url},
        }


Handler = Callable[[Call], Reply]
"""Serves one operation: reads and changes the workspace, returns the success answer."""
