"""Request bodies: a size limit (413), and a large body never stalls other clients."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx

import chatapi_sandbox
from chatapi_sandbox import DEFAULT_MAX_BODY_BYTES

from ._helpers import error_message
from ._own import bearer, own_sandbox


def test_a_body_over_the_limit_gets_413_before_it_is_read(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox
) -> None:
    text = "x" * DEFAULT_MAX_BODY_BYTES
    response = api.post("/contact/id:123/comment", json={"text": text})
    assert response.status_code == 413
    assert error_message(response).startswith("Request body too large")
    counters = sandbox.counters()
    assert counters.responses_by_status == {413: 1}
    assert counters.comments_created == 0
    assert api.get("/space/user").status_code == 200  # a new connection, answered


def test_a_streamed_body_over_the_limit_is_cut_off_with_413(
    api: httpx.Client, sandbox: chatapi_sandbox.Sandbox
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(64):
            yield b"x" * 32 * 1024  # 2 MiB in all, without a Content-Length
        yield b'"}'

    response = api.post(
        "/contact/id:123/comment", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert sandbox.counters().comments_created == 0


def test_admin_bodies_are_bounded_too(sandbox: chatapi_sandbox.Sandbox) -> None:
    response = httpx.post(
        f"{sandbox.origin}/_sandbox/faults",
        content=b" " * (DEFAULT_MAX_BODY_BYTES + 1),
        headers={"X-Sandbox-Admin": "1", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_while_a_large_body_is_parsed_other_clients_are_answered() -> None:
    # The validation of the large body is held until the other request has been answered:
    # if parsing ran on the event loop, that request could not be answered meanwhile.
    sandbox, core = own_sandbox()
    entered, release = threading.Event(), threading.Event()
    real = core.validators["sendMessage"]

    class Held:
        def validate(self, *args: object) -> object:
            entered.set()
            release.wait(timeout=20)
            return real.validate(*args)  # type: ignore[arg-type]

    core.validators["sendMessage"] = Held()  # type: ignore[assignment]
    payload = {f"key{i}": i for i in range(20_000)}  # about 300 KB
    body = {"message": {"type": "custom_payload", "payload": payload}}
    results: list[httpx.Response] = []
    with sandbox:
        headers = bearer(sandbox)

        def upload() -> None:
            url = f"{sandbox.base_url}/contact/id:123/message"
            results.append(httpx.post(url, json=body, headers=headers, timeout=30))

        uploader = threading.Thread(target=upload)
        uploader.start()
        try:
            assert entered.wait(timeout=20), "the large body never reached validation"
            other = httpx.get(f"{sandbox.base_url}/space/user", headers=headers, timeout=10)
            assert other.status_code == 200
        finally:
            release.set()
            uploader.join(timeout=30)
    assert len(json.dumps(body)) > 64 * 1024
    assert results[0].status_code == 200
