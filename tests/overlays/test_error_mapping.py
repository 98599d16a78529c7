"""What a call through ``ChatAPI`` raises for each kind of failure, seen as a user catches it.

``ServerError`` is a 5xx and nothing else: a status the description gives no class of its
own (403, 409, a redirect, 449 once retries ran out) is an ``APIStatusError`` itself, so
``except ServerError`` never catches a refusal or a redirect. A failing shared store is a
``ChatAPIError`` too.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import chatapi
from chatapi import APIStatusError, ChatAPI, ChatAPIError, RateLimitStoreError, ServerError
from chatapi._connect import RateLimitStoreSetting
from chatapi_client.operations import INDEX

from .fakes import TOKEN, FakeClock, Script


def client_with(script: Script, store: RateLimitStoreSetting = None) -> ChatAPI:
    return ChatAPI(
        TOKEN,
        transport=script.transport(),
        clock=FakeClock(),
        max_retries=0,
        rate_limit_store=store,
    )


def documented_statuses() -> set[int]:
    """Every status some operation of the description documents."""
    return {int(s) for op in INDEX.operations for s in op.responses if s.isdigit()}


def test_403_and_409_are_not_documented_so_they_have_no_class_of_their_own() -> None:
    assert not {403, 409} & documented_statuses()


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (403, {}),
        (409, {}),
        (449, {}),
        (302, {"Location": "https://elsewhere.test/"}),
        (307, {"Location": "https://elsewhere.test/"}),
        (418, {}),
    ],
)
def test_a_status_without_a_class_is_an_api_status_error_not_a_server_error(
    status: int, headers: dict[str, str]
) -> None:
    script = Script(httpx.Response(status, headers=headers, json={"code": status, "message": "m"}))
    with client_with(script) as client, pytest.raises(APIStatusError) as caught:
        client.contacts.get("id:1")
    assert type(caught.value) is APIStatusError
    assert not isinstance(caught.value, ServerError)
    assert caught.value.status_code == status
    assert [r.url.host for r in script.requests] == ["api.chatapi.net"]  # no redirect followed


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 599])
def test_a_5xx_is_a_server_error(status: int) -> None:
    script = Script(httpx.Response(status))
    with client_with(script) as client, pytest.raises(ServerError) as caught:
        client.contacts.get("id:1")
    assert caught.value.status_code == status


def test_a_store_failure_is_a_chatapi_error_and_nothing_is_sent(tmp_path: Path) -> None:
    store = chatapi.SqliteRateLimitStore(tmp_path / "missing" / "limits.db", fail_closed=True)
    script = Script(then={"id": 1, "firstName": "A"})
    client = client_with(script, store)
    with client, pytest.raises(ChatAPIError) as caught:
        client.contacts.get("id:1")
    assert type(caught.value) is RateLimitStoreError
    assert "nothing was sent" in str(caught.value)
    assert script.attempts == 0
