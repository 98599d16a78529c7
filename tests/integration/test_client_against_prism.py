"""The generated client, through chatapi.connect(), sends only what the spec allows.

Prism mocks the spec and validates every request against it: a request that breaks the
description is answered 400 with the violations in an ``sl-violations`` header (``--errors``
turns any violation into an error answer). Every one of the 31 operations, called with its
examples, sync and async, must get its success answer with no violation reported.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import chatapi
from chatapi_client.api.space import get_user
from tests.operation_cases import CASES, Case

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
TOKEN = "prism-test-token"

pytestmark = pytest.mark.tools


def free_port() -> int:
    """A port nothing listens on right now (Prism cannot take an already bound socket)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    """Prism mocking openapi/chatapi.yaml on 127.0.0.1, stopped by its process id."""
    port = free_port()
    process = subprocess.Popen(
        [str(PRISM), "mock", "--errors", "-h", "127.0.0.1", "-p", str(port),
         str(ROOT / "openapi" / "chatapi.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"Prism exited with {process.returncode}:\n{output}")
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("Prism did not start within 60 s")
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def check_answer(case: Case, response: object) -> None:
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", {})
    assert "sl-violations" not in headers, headers["sl-violations"]
    assert status == 200
    assert isinstance(getattr(response, "parsed", None), case.answer_model)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation_id)
def test_sync_call_is_what_the_spec_allows(case: Case, prism_url: str) -> None:
    with chatapi.connect(TOKEN, base_url=prism_url) as client:
        check_answer(case, case.module.sync_detailed(client=client, **case.kwargs))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation_id)
def test_async_call_is_what_the_spec_allows(case: Case, prism_url: str) -> None:
    async def call() -> object:
        async with chatapi.connect(TOKEN, base_url=prism_url) as client:
            return await case.module.asyncio_detailed(client=client, **case.kwargs)

    check_answer(case, asyncio.run(call()))


def test_prism_does_reject_what_the_spec_forbids(prism_url: str) -> None:
    """The check above can fail: a user id below its minimum is reported and raised.

    (A malformed identifier no longer reaches Prism: the client refuses it before sending.)
    """
    client = chatapi.connect(TOKEN, base_url=prism_url)
    with client, pytest.raises(chatapi.BadRequestError) as caught:
        get_user.sync(0, client=client)
    assert caught.value.status_code == 400
    assert "sl-violations" in caught.value.headers
