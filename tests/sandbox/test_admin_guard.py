"""The admin routes refuse what a web page could send; faults are validated and scoped."""

from __future__ import annotations

import httpx
import pytest

import chatapi_sandbox
from chatapi_sandbox.__main__ import network_warning

from ._helpers import GLOBEX, error_message

ADMIN = {"X-Sandbox-Admin": "1"}


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/_sandbox/reset", "text/plain"),
        ("/_sandbox/faults", "text/plain"),
        ("/_sandbox/faults", "application/x-www-form-urlencoded"),
        ("/_sandbox/faults", "multipart/form-data; boundary=x"),
    ],
)
def test_a_cross_site_form_post_changes_nothing(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox, path: str, content_type: str
) -> None:
    api.delete("/contact/id:123")
    fault = b'{"operation_id": "getContact", "kind": "500"}'
    response = httpx.post(
        f"{sandbox.origin}{path}", content=fault, headers={"Content-Type": content_type}
    )
    assert response.status_code == 415
    error_message(response)
    assert sandbox.faults() == []
    assert api.get("/contact/id:123").status_code == 404  # no reset either


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/info"), ("GET", "/counters"), ("POST", "/reset"), ("DELETE", "/faults")],
)
def test_admin_routes_need_the_header_or_the_token(
    sandbox: chatapi_sandbox.Sandbox, method: str, path: str
) -> None:
    url = f"{sandbox.origin}/_sandbox{path}"
    refused = httpx.request(method, url)
    assert refused.status_code == 401
    assert "X-Sandbox-Admin" in error_message(refused)
    assert httpx.request(method, url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    # A token of the API that is not the first one is not the admin token.
    assert (
        httpx.request(method, url, headers={"Authorization": f"Bearer {GLOBEX}"}).status_code == 401
    )
    assert httpx.request(method, url, headers=ADMIN).status_code == 200
    token = {"Authorization": f"Bearer {sandbox.token}"}
    assert httpx.request(method, url, headers=token).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "[::1]:{port}"]
)
def test_admin_routes_refuse_a_foreign_host(sandbox: chatapi_sandbox.Sandbox, host: str) -> None:
    port = sandbox.origin.rsplit(":", 1)[1]
    headers = {**ADMIN, "Host": host.format(port=port)}
    response = httpx.get(f"{sandbox.origin}/_sandbox/info", headers=headers)
    assert response.status_code == 403
    assert "token" not in response.text.replace("Host", "")
    for allowed in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        answer = httpx.get(f"{sandbox.origin}/_sandbox/info", headers={**ADMIN, "Host": allowed})
        assert answer.status_code == 200, allowed


def test_health_stays_open(sandbox: chatapi_sandbox.Sandbox) -> None:
    assert httpx.get(f"{sandbox.origin}/_sandbox/health").json() == {"status": "ok"}


def test_a_fault_can_name_an_organization(
    raw: httpx.Client, raw_globex: httpx.Client, sandbox: chatapi_sandbox.Sandbox
) -> None:
    fault = sandbox.inject("getContact", "503", organization="globex")
    assert fault["organization"] == "globex"
    assert raw.get("/contact/id:123").status_code == 200  # acme is untouched
    assert raw_globex.get("/contact/id:123").status_code == 503
    assert sandbox.faults() == []
    sandbox.inject("getContact", "503")  # no organization: every one, as before
    assert raw.get("/contact/id:123").status_code == 503


def test_a_fault_naming_an_unknown_organization_is_refused(
    sandbox: chatapi_sandbox.Sandbox,
) -> None:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        sandbox.inject("getContact", "503", organization="initech")
    assert "no organization 'initech'" in refused.value.response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"operation_id": "listUsers", "kind": "delay", "delay": NaN}',
        b'{"operation_id": "listUsers", "kind": "delay", "delay": 1e300}',
        b'{"operation_id": "listUsers", "kind": "delay", "delay": -1}',
        b'{"operation_id": "listUsers", "kind": "429", "retry_after": Infinity}',
        b'{"operation_id": "listUsers", "kind": "429", "retry_after": 1e400}',
        b'{"operation_id": "listUsers", "kind": "429", "retry_after": 1e300}',
        b'{"operation_id": "listUsers", "kind": "429", "retry_after": 1e300,'
        b' "retry_after_form": "http-date"}',
        b'{"operation_id": "listUsers", "kind": "500", "times": 10000000000}',
        b'{"operation_id": "listUsers", "kind": "500", "organization": ""}',
        b'{"operation_id": "listUsers", "kind": "500", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"[" * 100_000,
    ],
)
def test_fault_parameters_are_finite_and_bounded(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox, body: bytes
) -> None:
    response = httpx.post(
        f"{sandbox.origin}/_sandbox/faults",
        content=body,
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_message(response).startswith("Invalid fault: ")
    assert sandbox.faults() == []
    assert api.get("/space/user").status_code == 200
    assert sandbox.counters().server_errors == 0


def test_the_largest_allowed_retry_after_still_answers(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox
) -> None:
    sandbox.inject("listUsers", "429", retry_after=86_400, retry_after_form="http-date")
    sandbox.inject("listUsers", "429", retry_after=86_400)
    assert api.get("/space/user").status_code == 429
    assert api.get("/space/user").headers["Retry-After"] == "86400"


@pytest.mark.parametrize(
    ("host", "warns"),
    [
        ("127.0.0.1", False),
        ("127.1.2.3", False),
        ("::1", False),
        ("localhost", False),
        ("0.0.0.0", True),  # noqa: S104  # a string under test, nothing is bound
        ("::", True),
        ("192.168.1.20", True),
        ("sandbox.internal", True),
    ],
)
def test_a_non_loopback_host_prints_a_warning(host: str, warns: bool) -> None:
    warning = network_warning(host)
    assert (warning is not None) == warns
    if warning:
        assert "reachable from the network" in warning
