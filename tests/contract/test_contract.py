"""schemathesis runs every check against a live sandbox and must find nothing.

The sandbox runs with rate limiting off (counted, headers sent, never a 429): with it on,
schemathesis would spend most requests on 429 answers, which are documented and would
pass, but would leave the handlers behind them untested. The 429 answer itself is checked
against the description in tests/sandbox/test_rate_limits.py.

The run is bounded for CI on two cores: a fixed seed and 50 examples per operation (about
3,500 requests in about 25 s). ``schemathesis.toml`` beside this file says which checks
are tuned and why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import chatapi_sandbox
from chatapi_client.spec import load_spec

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261125
MAX_EXAMPLES = 50


def _schemathesis() -> str:
    beside_python = Path(sys.executable).with_name("st")
    found = str(beside_python) if beside_python.exists() else shutil.which("st")
    assert found, "schemathesis (the `st` command) is not installed"
    return found


def test_the_sandbox_conforms_to_the_description(tmp_path: Path) -> None:
    # The description bundled with the package: the one the sandbox itself serves.
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(load_spec()), encoding="utf-8")
    with chatapi_sandbox.running(rate_limit=False) as sandbox:
        result = subprocess.run(
            [
                _schemathesis(),
                "--no-color",
                "--config-file",
                str(CONFIG),
                "run",
                str(spec),
                "--url",
                sandbox.base_url,
                "--header",
                f"Authorization: Bearer {sandbox.token}",
                "--checks",
                "all",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                str(SEED),
                "--report",
                "junit",
                "--report-junit-path",
                str(tmp_path / "junit.xml"),
            ],
            cwd=tmp_path,  # schemathesis keeps a cache in the working directory
            env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        counters = sandbox.counters()
    assert result.returncode == 0, result.stdout[-30_000:] + result.stderr[-5_000:]
    assert " passed" in result.stdout
    # Every operation was exercised, and the sandbox produced no 5xx of its own: no crash,
    # no answer it could not encode, and its self-check (a 500 naming the mismatch when an
    # answer does not match the description) never fired. The edge of the app counts
    # every 5xx, on every route, whatever raised it.
    assert set(counters.requests_by_operation) == set(sandbox_operations())
    assert counters.server_errors == 0
    assert not [status for status in counters.responses_by_status if status >= 500]
    assert counters.rate_limited == 0


def sandbox_operations() -> list[str]:
    """Every operationId of the description."""
    return [
        operation["operationId"]
        for item in load_spec()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
