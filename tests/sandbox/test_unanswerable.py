"""Values the sandbox could not answer back are refused when written; answers never fail.

A lone surrogate, a number JSON cannot write (``1e400``), an integer too long to read:
stored, each would break every later read of the record. They get a 400 at write time,
the organization's data stays readable, and should an answer fail to encode anyway it is
a JSON 500 that the counters see, never a plain-text traceback.
"""

from __future__ import annotations

import httpx
import pytest

import chatapi_sandbox
from chatapi_sandbox._handlers import Call, Reply

from ._helpers import error_message
from ._own import bearer, own_sandbox

JSON = {"Content-Type": "application/json"}
LONG = "9" * 4301


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/contact/id:123/tag", rb'["\ud800"]'),
        ("POST", "/contact/id:123/comment", rb'{"text": "a\udc00b"}'),
        ("POST", "/space/tag", rb'{"name": "\ud800"}'),
        ("POST", "/space/custom_field", rb'{"name": "\ud800", "dataType": "text"}'),
        ("POST", "/contact/id:123/message", rb'{"message": {"type": "text", "text": "\ud800"}}'),
        (
            "PUT",
            "/contact/id:123",
            b'{"custom_fields": [{"name": "order_count", "value": 1e400}]}',
        ),
        (
            "POST",
            "/contact/id:123/message",
            b'{"message": {"type": "custom_payload", "payload": {"x": -1e999}}}',
        ),
        (
            "POST",
            "/contact/id:123/message",
            rb'{"message": {"type": "custom_payload", "payload": {"\udfff": 1}}}',
        ),
        (
            "POST",
            "/contact/id:123/message",
            b'{"channelId": '
            + LONG.encode()
            + b", "
            + b'"message": {"type": "text", "text": "x"}}',
        ),
        ("POST", "/contact/list", b'{"filter": ' + b"[" * 100 + b"]" * 100 + b"}"),
    ],
)
def test_values_that_cannot_be_answered_are_refused_at_write_time(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox, method: str, path: str, body: bytes
) -> None:
    refused = api.request(method, path, content=body, headers=JSON)
    assert refused.status_code == 400
    assert error_message(refused).startswith("Invalid request: request body")
    # Nothing was stored, and everything of the organization still reads.
    for read in ("/contact/id:123", "/contact/id:123/message/list", "/space/custom_field"):
        assert api.get(read).status_code == 200, read
    everyone = api.post("/contact/list", json={"filter": {"$and": []}})
    assert everyone.status_code == 200
    assert api.get("/contact/id:123").json()["tags"] == ["vip"]
    counters = sandbox.counters()
    assert counters.server_errors == 0
    assert counters.messages_stored == counters.comments_created == 0


def test_an_answer_that_cannot_be_encoded_is_a_counted_json_500() -> None:
    def broken(_: Call) -> Reply:
        return Reply({"items": [], "pagination": {"next": "\ud800", "previous": ""}})

    sandbox, _ = own_sandbox({"listUsers": broken}, check_responses=False)
    with sandbox:
        response = httpx.get(f"{sandbox.base_url}/space/user", headers=bearer(sandbox))
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/json"
        assert "cannot be written as JSON" in error_message(response)
        counters = sandbox.counters()
    assert counters.server_errors == 1
    assert counters.responses_by_status == {500: 1}


def test_a_crash_outside_the_handlers_is_a_counted_json_500() -> None:
    sandbox, core = own_sandbox()

    class Exploding:
        def validate(self, *_: object) -> None:
            raise RuntimeError("boom")

    core.validators["listUsers"] = Exploding()  # type: ignore[assignment]
    with sandbox:
        response = httpx.get(f"{sandbox.base_url}/space/user", headers=bearer(sandbox))
        assert response.status_code == 500
        assert "RuntimeError" in error_message(response)
        counters = sandbox.counters()
    assert counters.server_errors == 1
    assert counters.responses_by_status == {500: 1}


def test_injected_5xx_are_not_counted_as_the_sandboxs_own(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox
) -> None:
    sandbox.inject("listUsers", "500")
    assert api.get("/space/user").status_code == 500
    counters = sandbox.counters()
    assert counters.responses_by_status == {500: 1}
    assert counters.server_errors == 0
