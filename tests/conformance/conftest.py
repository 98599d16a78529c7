"""Fixtures: a sandbox process on 127.0.0.1, and one run of the vendor's node against it.

The sandbox runs as the ``chatapi-sandbox`` command on a free port (``--port 0``), found
through ``--url-file``, and is stopped by its PID. It does not enforce the rate limits
(``--no-rate-limit``): the node's pacing is not what this layer checks, and the run is
faster than the per-second budgets allow. ``drive.js`` runs every scenario in one Node
process, in order, against that one workspace; tests read its results.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.scenarios import SCENARIOS

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "n8n" / "drive.js"
TOKEN = "conformance-token"
_START_TIMEOUT_S = 20.0
_RUN_TIMEOUT_S = 300


def node(*args: str) -> str:
    """Run ``node`` from the repository root (so ``node_modules`` resolves); its stdout."""
    result = subprocess.run(
        ["node", *args],
        cwd=HERE.parents[1],
        capture_output=True,
        text=True,
        timeout=_RUN_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a sandbox process, stopped by PID at the end of the session."""
    folder = tmp_path_factory.mktemp("conformance-sandbox")
    url_file = folder / "url"
    command = [sys.executable, "-m", "chatapi_sandbox", "--port", "0", "--no-rate-limit"]
    command += ["--token", TOKEN, "--url-file", str(url_file)]
    with (folder / "log").open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not url_file.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if not url_file.exists():
            pytest.fail("the sandbox did not start:\n" + (folder / "log").read_text())
        yield url_file.read_text().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def node_listing() -> dict[str, Any]:
    """What the published node offers: its actions per resource and its option loaders."""
    listing: dict[str, Any] = json.loads(node(str(DRIVER), "--list"))
    return listing


@pytest.fixture(scope="session")
def results(
    sandbox_url: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """Every scenario's result, by id.

    Each has ``error`` (None or the exception), ``exchanges`` (each request with its answer)
    and ``output`` (what the node returned).
    """
    plan = {
        "baseUrl": sandbox_url,
        "token": TOKEN,
        "scenarios": [scenario.plan_entry() for scenario in SCENARIOS],
    }
    plan_file = tmp_path_factory.mktemp("conformance-plan") / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    return {result["id"]: result for result in json.loads(node(str(DRIVER), str(plan_file)))}
