"""Fixtures: one sandbox process, rate limits on, reset before every test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import chatapi_sandbox

from ._run import ORGANIZATION, TOKEN


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a ``chatapi-sandbox`` process on 127.0.0.1, stopped by its PID."""
    folder = tmp_path_factory.mktemp("sandbox")
    url_file = folder / "url"
    command = Path(sys.executable).parent / "chatapi-sandbox"
    with (folder / "log").open("w") as log:  # the child keeps its own copy
        process = subprocess.Popen(
            [
                str(command),
                "--port",
                "0",
                "--token",
                f"{TOKEN}:{ORGANIZATION}",
                "--url-file",
                str(url_file),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):
            if url_file.exists() and url_file.read_text().strip():
                break
            if process.poll() is not None:
                pytest.fail(f"the sandbox exited: {(folder / 'log').read_text()}")
            time.sleep(0.05)
        else:
            pytest.fail("the sandbox did not start within 15 s")
        yield url_file.read_text().strip()
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def admin(sandbox_url: str) -> Iterator[chatapi_sandbox.SandboxClient]:
    """The sandbox's admin routes, after a reset: fresh data, zero counters."""
    origin = sandbox_url.rsplit("/v2", 1)[0]
    with chatapi_sandbox.SandboxClient(origin, token=TOKEN) as client:
        client.reset()
        yield client
