"""Operation commands in process: ``--all`` paging, the route check before sending."""

from __future__ import annotations

import functools
import itertools

import httpx
import pytest

import chatapi
from chatapi.cli import _operations
from chatapi.cli._settings import EXIT_USAGE, CliError, Settings
from chatapi_client.operations import INDEX
from tests.overlays.fakes import FakeClock
from tests.overlays.fakes import message_record as _message


def test_a_repeated_cursor_stops_all_pages_with_one_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cursors: list[str | None] = []

    def route(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursorId")
        cursors.append(cursor)
        following = "b" if cursor == "a" else "a"  # a, b, a, b ...
        page = {
            "items": [_message(len(cursors))],
            "pagination": {"next": f"https://api.test/v2/x?cursorId={following}"},
        }
        return httpx.Response(200, json=page)

    connect = functools.partial(
        chatapi.connect,
        transport=httpx.MockTransport(route),
        rate_limit=False,
        clock=FakeClock(),
    )
    monkeypatch.setattr(_operations, "connect", connect)
    monkeypatch.setenv("CHATAPI_TOKEN", "token")
    settings = Settings(base_url="https://api.test/v2")
    pages = _operations.invoke(
        settings, INDEX["listMessages"], {"identifier": "id:1"}, None, all_pages=True
    )
    items: list[dict[str, object]] = []
    with pytest.raises(CliError, match="cursor 'a' again"):
        items.extend(itertools.islice(pages, 10))  # at most 10: the old loop never ended
    assert cursors == [None, "a", "b"]
    assert [item["messageId"] for item in items] == [1, 2, 3]


def test_a_path_parameter_naming_another_route_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[str] = []

    def route(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, json={"items": []})

    connect = functools.partial(
        chatapi.connect, transport=httpx.MockTransport(route), rate_limit=False, clock=FakeClock()
    )
    monkeypatch.setattr(_operations, "connect", connect)
    monkeypatch.setenv("CHATAPI_TOKEN", "token")
    settings = Settings(base_url="https://api.test/v2")
    answers = _operations.invoke(
        settings, INDEX["createContact"], {"identifier": "list"}, {"firstName": "A"}
    )
    with pytest.raises(CliError, match="listContacts") as refused:
        next(answers)
    assert refused.value.code == EXIT_USAGE
    assert sent == []  # "contacts create list" would have been POST /contact/list
