"""`make spec`'s lint stage on broken copies: short findings first, never a document dump."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.spec._spec import SPEC_PATH
from tools._files import REPO_ROOT
from tools.spec_check import validator_findings, yaml_ambiguities


def edited_copy(tmp_path: Path, old: str, new: str) -> Path:
    """openapi/chatapi.yaml with the first `old` replaced by `new`, as a temporary file."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert old in text, old
    copy = tmp_path / "chatapi.yaml"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def lint_stage(spec: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.spec_loop", str(spec), "--lint-only"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.tools
def test_a_bad_ref_gives_the_linters_one_line_findings_first(tmp_path: Path) -> None:
    good = "$ref: '#/components/schemas/ContactFields'"
    copy = edited_copy(tmp_path, good, good.replace("ContactFields", "ContactFieldz"))
    line = next(
        number
        for number, text in enumerate(copy.read_text(encoding="utf-8").splitlines(), 1)
        if "ContactFieldz" in text
    )
    completed = lint_stage(copy)
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("FAIL spectral"), completed.stdout
    # Spectral's own `file:line:column error invalid-ref ...`, right under its name.
    assert f":{line}:" in lines[1], completed.stdout
    assert "invalid-ref" in lines[1], completed.stdout
    assert any("no-unresolved-refs" in text for text in lines), completed.stdout
    # Short: no line of the document is echoed, and no line is long.
    assert len(completed.stdout) < 2_000, completed.stdout
    assert max(len(text) for text in lines) <= 210
    assert "paths:" not in completed.stdout
    assert "openapi: 3.1" not in completed.stdout


@pytest.mark.tools
def test_a_yaml_1_1_value_fails_the_lint_stage_with_its_pointer(tmp_path: Path) -> None:
    copy = edited_copy(tmp_path, "\ninfo:\n", "\ninfo:\n  x-build: 01234\n")
    completed = lint_stage(copy)
    assert completed.returncode == 1, completed.stdout
    failed = [line for line in completed.stdout.splitlines() if line.startswith("FAIL")]
    assert [line.split()[1] for line in failed] == ["validate"], completed.stdout
    assert "/info/x-build  yaml-1.1-vs-1.2  YAML 1.1 reads 668" in completed.stdout


def test_the_yaml_check_reads_on_and_leading_zeros_as_yaml_1_1_does(tmp_path: Path) -> None:
    document = tmp_path / "spec.yaml"
    document.write_text("info:\n  x-a: on\n  x-b: 01234\n  x-c: 'on'\n", encoding="utf-8")
    found = {finding.where: finding.message for finding in yaml_ambiguities(document)}
    assert set(found) == {"/info/x-a", "/info/x-b"}
    assert "YAML 1.1 reads True" in found["/info/x-a"]


def test_the_validator_finding_is_one_short_line(tmp_path: Path) -> None:
    copy = edited_copy(tmp_path, "\ninfo:\n", "\ninfo:\n  termsOfService: [1, 2]\n")
    findings = validator_findings(copy)
    assert findings, "the validator found nothing"
    assert all("\n" not in str(f) and len(str(f)) <= 250 for f in findings)
    assert any(f.where == "/info/termsOfService" for f in findings)
