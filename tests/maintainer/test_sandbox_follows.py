"""Two edits of the description the sandbox must follow with no hand edit of its code.

- a new optional contact field (`timezone`): stored on create, answered by getContact;
- a new operation with no handler: served from its example, its requests validated and
  rate-limited like the others, and listed as example-only.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

import chatapi_sandbox
from chatapi_client.spec import load_spec
from chatapi_description import read_index
from chatapi_sandbox._core import SandboxCore
from chatapi_sandbox._server import bind
from tests.sandbox._helpers import SteppedClock
from tests.sandbox._walk import walk

TOKEN = "maintainer-token"
KNOWN = {"sendMessage": {"identifier": "phone:+60123456789"}}


def serve(spec: dict[str, Any], clock: SteppedClock) -> chatapi_sandbox.Sandbox:
    options = chatapi_sandbox.SandboxOptions(
        tokens=chatapi_sandbox.SandboxOptions.tokens_from([f"{TOKEN}:acme"]), clock=clock
    )
    app = chatapi_sandbox.SandboxApp(SandboxCore(spec, options))
    return chatapi_sandbox.Sandbox(app, bind(), startup_timeout=10.0)


@pytest.fixture
def spec() -> dict[str, Any]:
    return copy.deepcopy(load_spec())


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock()


def client(sandbox: chatapi_sandbox.Sandbox) -> httpx.Client:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30)


def with_timezone(spec: dict[str, Any]) -> dict[str, Any]:
    field = {"type": "string", "description": "IANA time zone, e.g. `Asia/Kuala_Lumpur`."}
    schemas = spec["components"]["schemas"]
    schemas["ContactFields"]["properties"]["timezone"] = field
    schemas["Contact"]["properties"]["timezone"] = {**field, "type": ["string", "null"]}
    return spec


def test_a_new_optional_contact_field_round_trips(
    spec: dict[str, Any], clock: SteppedClock
) -> None:
    spec = with_timezone(spec)
    with serve(spec, clock) as sandbox, client(sandbox) as api:
        clock.advance(60)
        missing = walk(api, spec, read_index(spec), KNOWN)
        assert not missing, "\n".join(missing)
        # And by hand, the way a maintainer would try it.
        body = {"firstName": "Tz", "timezone": "Asia/Kuala_Lumpur"}
        assert api.post("/contact/email:tz@example.com", json=body).is_success
        got = api.get("/contact/email:tz@example.com").json()
        assert got["timezone"] == "Asia/Kuala_Lumpur"


def with_new_operation(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """GetUser's operation again as getUserProfile, 2 requests/second in its own bucket."""
    item = copy.deepcopy(spec["paths"]["/space/user/{id}"])
    operation = item["get"]
    operation["operationId"] = "getUserProfile"
    operation["x-client"] = {"resource": "space", "method": "getUserProfile"}
    operation["x-rate-limit"] = {"bucket": "get-user-profile", "requests-per-second": 2}
    spec["paths"]["/space/user/{id}/profile"] = item
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    return spec, example


def test_a_new_operation_is_served_from_its_example(
    spec: dict[str, Any], clock: SteppedClock
) -> None:
    spec, example = with_new_operation(spec)
    with serve(spec, clock) as sandbox, client(sandbox) as api:
        admin = httpx.get(
            f"{sandbox.origin}/_sandbox/info", headers={"X-Sandbox-Admin": "1"}, timeout=30
        )
        assert admin.json()["example_only"] == ["getUserProfile"]
        assert len(admin.json()["operations"]) == len(read_index(spec).operations)
        clock.advance(60)
        answers = [api.get("/space/user/7/profile") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]  # its own limit: 2/s
        assert answers[0].json() == example
        clock.advance(60)
        assert api.get("/space/user/not-a-number/profile").status_code == 400  # validated
        assert sandbox.counters().server_errors == 0


def test_the_bundled_sandbox_has_no_example_only_operation() -> None:
    core = SandboxCore(load_spec(), chatapi_sandbox.SandboxOptions())
    assert core.example_only == ()
