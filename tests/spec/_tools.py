"""The spec validators and linters, run as `make lint-spec` runs them, results as Problems.

- openapi-spec-validator: structure against the OpenAPI 3.1 meta-schema, unique
  operationIds, references. A broken `$ref` makes it raise: that becomes a Problem too.
- Spectral (pinned in package.json) with the repo's .spectral.yaml: errors and warnings.
- Redocly (pinned in package.json) with the repo's redocly.yaml: errors and warnings.

The Node tools come from node_modules/.bin (`make` installs them); a missing tool is a
Problem, never a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.spec._spec import REPO_ROOT, Problem, escape
from tools._node import NodeToolMissingError, run_node_tool
from tools.spec_check import validator_findings

SPECTRAL_RULESET = REPO_ROOT / ".spectral.yaml"
REDOCLY_CONFIG = REPO_ROOT / "redocly.yaml"
_TIMEOUT_S = 300
_SPECTRAL_SEVERITIES = {0: "error", 1: "warning"}  # 2 (info) and 3 (hint) do not fail
_SPECTRAL_PROCESSES = max(1, min(2, os.cpu_count() or 1))


def validator_problems(spec_path: Path) -> list[Problem]:
    """openapi-spec-validator's findings for the description at `spec_path` (tools.spec_check)."""
    return [Problem(f.rule, f.where, f.message) for f in validator_findings(spec_path)]


def spectral_problems(spec_path: Path) -> list[Problem]:
    """Spectral's errors and warnings (rule = the Spectral rule's code, where = JSON pointer)."""
    return spectral_problems_of([spec_path])[spec_path]


def spectral_problems_of(spec_paths: Sequence[Path]) -> dict[Path, list[Problem]]:
    """Spectral's errors and warnings for each description, linted in a few Node processes.

    Starting Node and loading Spectral costs seconds, so one process lints many files; one
    process per core (at most two) lints its share of them at the same time.
    """
    shares = [spec_paths[i::_SPECTRAL_PROCESSES] for i in range(_SPECTRAL_PROCESSES)]
    with ThreadPoolExecutor(max_workers=_SPECTRAL_PROCESSES) as pool:
        found = pool.map(_spectral_run, [share for share in shares if share])
    return {path: problems for share in found for path, problems in share.items()}


def _spectral_run(spec_paths: Sequence[Path]) -> dict[Path, list[Problem]]:
    """One Spectral process over these files; a failed run is a Problem for every file."""
    completed = _run_node_tool(
        "spectral",
        "lint",
        *(str(path.resolve()) for path in spec_paths),
        "--ruleset",
        str(SPECTRAL_RULESET),
        "--format",
        "json",
        "--quiet",
    )
    if isinstance(completed, Problem):
        return {path: [completed] for path in spec_paths}
    results = _parse_json(completed, "spectral")
    if isinstance(results, Problem):
        return {path: [results] for path in spec_paths}
    found: dict[Path, list[Problem]] = {path.resolve(): [] for path in spec_paths}
    for result in results:
        if result["severity"] not in _SPECTRAL_SEVERITIES:
            continue
        problem = Problem(
            result["code"],
            "/" + "/".join(escape(str(p)) for p in result["path"]),
            f"{_SPECTRAL_SEVERITIES[result['severity']]}: {result['message']}",
        )
        source = Path(result.get("source") or "(unknown)").resolve()
        # A finding in no file linted (say, in the ruleset) concerns every file.
        for path in [source] if source in found else list(found):
            found[path].append(problem)
    return {path: found[path.resolve()] for path in spec_paths}


def redocly_problems(spec_path: Path) -> list[Problem]:
    """Redocly lint's errors and warnings (rule = Redocly rule id, where = JSON pointer)."""
    completed = _run_node_tool(
        "redocly", "lint", str(spec_path), "--config", str(REDOCLY_CONFIG), "--format", "json"
    )
    if isinstance(completed, Problem):
        return [completed]
    report = _parse_json(completed, "redocly")
    if isinstance(report, Problem):
        return [report]
    return [
        Problem(
            problem["ruleId"],
            # Redocly writes pointers as URI fragments ("#/paths/..."): keep the pointer.
            problem["location"][0]["pointer"].removeprefix("#") if problem.get("location") else "/",
            f"{problem['severity']}: {problem['message']}",
        )
        for problem in report["problems"]
        if problem["severity"] in ("error", "warn")
    ]


def _run_node_tool(name: str, *args: str) -> subprocess.CompletedProcess[str] | Problem:
    try:
        return run_node_tool(name, *args, timeout=_TIMEOUT_S)
    except NodeToolMissingError as error:
        return Problem(name, str(error), "not installed: run `make` first")


def _parse_json(completed: subprocess.CompletedProcess[str], name: str) -> Any:
    """The tool's JSON report, or a Problem carrying its output when it printed none."""
    try:
        return json.loads(completed.stdout)
    except json.JSONDecodeError:
        output = (completed.stdout + completed.stderr).strip()[-2000:]
        return Problem(
            name, "(run)", f"exit code {completed.returncode}, no JSON report:\n{output}"
        )
