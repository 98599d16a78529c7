"""Integers in paths, queries, identifiers and bodies: ASCII digits, bounded length, no 500."""

from __future__ import annotations

import httpx
import pytest

import chatapi_sandbox

from ._helpers import error_message

LONG = "9" * 4301


@pytest.mark.parametrize(
    "path",
    [
        f"/space/user/{LONG}",
        f"/space/custom_field/{LONG}",
        f"/space/channel/{LONG}/template",
        f"/space/user?limit={LONG}",
        f"/space/user?cursorId={LONG}",
        f"/contact/id:123/message/list?cursorId={LONG}",
        f"/contact/id:123/message/{LONG}",
        f"/contact/id:123/channels/{LONG}",
        f"/contact/id:{LONG}",
        f"/contact/id:{LONG}/message/list",
    ],
)
def test_integers_beyond_4300_digits_get_400_or_404(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox, path: str
) -> None:
    response = api.get(path)
    assert response.status_code in (400, 404)
    error_message(response)
    assert sandbox.counters().server_errors == 0


def test_an_assignee_of_4301_digits_is_no_user(api: httpx.Client) -> None:
    response = api.post("/contact/id:123/conversation/assignee", json={"assignee": LONG})
    assert response.status_code == 404
    assert error_message(response) == "User not found."


@pytest.mark.parametrize("assignee", ["\u00b9", "\uff14\uff12", "\u0664\u0662", "4\u00b2"])
def test_an_assignee_in_other_digits_is_refused(api: httpx.Client, assignee: str) -> None:
    assert api.post("/contact/id:123/conversation/assignee", json={"assignee": None}).is_success
    response = api.post("/contact/id:123/conversation/assignee", json={"assignee": assignee})
    assert response.status_code == 400
    assert "ASCII digits" in error_message(response)
    assert api.get("/contact/id:123").json()["assignee"] is None  # not user 42


def test_an_assignee_in_ascii_digits_or_by_email_is_the_user(api: httpx.Client) -> None:
    for assignee, user_id in [("43", 43), (44, 44), ("LEE@example.com", 42)]:
        answer = api.post("/contact/id:123/conversation/assignee", json={"assignee": assignee})
        assert answer.status_code == 200
        assert api.get("/contact/id:123").json()["assignee"]["id"] == user_id


@pytest.mark.parametrize("cursor", [str(2**63), str(-(2**63) - 1)])
def test_a_query_integer_beyond_64_bits_is_refused(api: httpx.Client, cursor: str) -> None:
    response = api.get(f"/space/user?cursorId={cursor}")
    assert response.status_code == 400
    assert "64 bits" in error_message(response)


def test_the_largest_64_bit_cursor_is_read(api: httpx.Client) -> None:
    assert api.get(f"/space/user?cursorId={2**63 - 1}").status_code == 200
