"""Counters and reset, through the admin routes and the Python helpers."""

from __future__ import annotations

import httpx
import pytest

import chatapi_sandbox
from chatapi_client.operations import INDEX

from ._helpers import TEXT


def test_counters_say_what_the_server_really_did(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox
) -> None:
    api.post("/contact/email:c@example.com", json={"firstName": "C"})
    api.post("/contact/create_or_update/phone:+60700000001", json={"firstName": "D"})
    api.post("/contact/email:c@example.com/message", json=TEXT)
    api.post("/contact/email:c@example.com/comment", json={"text": "note"})
    api.delete("/contact/email:c@example.com")
    api.get("/contact/id:999999")
    httpx.get(f"{sandbox.base_url}/space/user")  # no token: counted per operation only

    counters = sandbox.counters()
    assert counters == chatapi_sandbox.Counters(
        requests=7,
        requests_by_operation={
            "createComment": 1,
            "createContact": 1,
            "createOrUpdateContact": 1,
            "deleteContact": 1,
            "getContact": 1,
            "listUsers": 1,
            "sendMessage": 1,
        },
        requests_by_bucket={
            "contact-write": 2,
            "create-comment": 1,
            "create-or-update-contact": 1,
            "get-contact": 1,
            "send-message": 1,
        },
        responses_by_status={200: 5, 401: 1, 404: 1},
        messages_stored=1,
        contacts_created=2,
        contacts_deleted=1,
        comments_created=1,
    )


def test_reset_restores_the_seeded_workspace(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox
) -> None:
    api.delete("/contact/id:123")
    sandbox.inject("getUser", "500")
    sandbox.reset()
    assert api.get("/contact/id:123").status_code == 200
    assert sandbox.faults() == []
    assert sandbox.counters().requests == 1


def test_admin_routes_speak_json(sandbox: chatapi_sandbox.Sandbox) -> None:
    origin = sandbox.origin
    assert httpx.get(f"{origin}/_sandbox/health").json() == {"status": "ok"}
    with httpx.Client(base_url=f"{origin}/_sandbox", headers={"X-Sandbox-Admin": "1"}) as admin:
        info = admin.get("/info").json()
        assert info["base_path"] == "/v2"
        assert {"token": "acme-token-2", "organization": "acme"} in info["tokens"]
        assert info["rate_limit"] is True
        assert info["operations"] == sorted(op.operation_id for op in INDEX.operations)
        assert info["example_only"] == []
        counters = admin.get("/counters").json()
        assert chatapi_sandbox.Counters.from_json(counters) == sandbox.counters()
        assert admin.post("/reset").json() == {"status": "reset"}
        assert admin.delete("/faults").json() == []


def test_the_admin_client_takes_the_origin_or_the_api_base_url(
    sandbox: chatapi_sandbox.Sandbox, api: httpx.Client
) -> None:
    assert api.get("/contact/id:123").status_code == 200
    for url in (sandbox.origin, sandbox.base_url, sandbox.base_url + "/"):
        with chatapi_sandbox.SandboxClient(url) as admin:
            assert admin.origin == sandbox.origin
            assert admin.counters() == sandbox.counters()
    with pytest.raises(ValueError, match=r"e\.g\. http://127\.0\.0\.1:8400"):
        chatapi_sandbox.SandboxClient("127.0.0.1:8400")
