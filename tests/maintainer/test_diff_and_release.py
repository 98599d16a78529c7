"""`make diff` (what users will notice, and the bump it needs) and the release's refusals."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import SPEC_PATH, Spec
from tools._files import RELEASED_DIR
from tools.release._refusals import release_refusals
from tools.spec_diff import render_summary, summarize


def test_the_1_2_0_to_1_3_0_summary_names_methods_and_fields() -> None:
    base, head = RELEASED_DIR / "chatapi-1.2.0.yaml", RELEASED_DIR / "chatapi-1.3.0.yaml"
    summary = summarize(base, head, python=False)
    assert "+ client.contacts.get" in summary.sections["Methods"]
    assert "+ client.contacts.add_tags" in summary.sections["Methods"]
    assert '~ TextMessage.type: default: - -> "text"' in summary.sections["Fields"]
    assert summary.sections["Operations"] == []  # x-client is a method, not a wire change
    assert summary.verdict == "minor"
    assert render_summary(summary, base, head).endswith("Verdict: minor (info.version matches)")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A release (the working description as 1.3.0), a changelog and a pyproject."""
    released = tmp_path / "released"
    released.mkdir()
    release = load_yaml(SPEC_PATH)
    release["info"]["version"] = "1.3.0"
    (released / "chatapi-1.3.0.yaml").write_text(json.dumps(release), encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## 1.3.0\n\n- Old.\n", encoding="utf-8")
    set_package(tmp_path, "1.3.0")
    return tmp_path


def set_package(repo: Path, version: str) -> None:
    (repo / "pyproject.toml").write_text(
        f'[project]\nname = "chatapi"\nversion = "{version}"\n', encoding="utf-8"
    )


def head(repo: Path, version: str, edit: str) -> Path:
    spec: Spec = load_yaml(repo / "released" / "chatapi-1.3.0.yaml")
    spec = copy.deepcopy(spec)
    spec["info"]["version"] = version
    schemas = spec["components"]["schemas"]
    if edit == "field":
        schemas["ContactFields"]["properties"]["timezone"] = {"type": "string"}
        spec["paths"]["/contact/{identifier}"]["get"]["x-rate-limit"]["requests-per-second"] = 12
    elif edit == "remove":
        del spec["paths"]["/space/tag"]["delete"]
    path = repo / "chatapi.yaml"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def refusals(repo: Path, spec: Path, drift: str | None = None) -> list[str]:
    return release_refusals(
        spec,
        repo / "released",
        repo / "CHANGELOG.md",
        repo / "pyproject.toml",
        drift=lambda: drift,
    )


def log(repo: Path, entry: str) -> None:
    changelog = repo / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8") + entry, encoding="utf-8")


def test_the_summary_lists_fields_and_limits_and_asks_for_the_bump(repo: Path) -> None:
    spec = head(repo, "1.3.0", "field")
    summary = summarize(repo / "released" / "chatapi-1.3.0.yaml", spec, python=False)
    assert summary.sections["Fields"] == ["+ ContactFields.timezone (string, optional)"]
    assert summary.sections["Limits"] == ["~ getContact: 10/s (get-contact) -> 12/s (get-contact)"]
    shown = render_summary(summary, repo / "released" / "chatapi-1.3.0.yaml", spec)
    assert "Verdict: minor (info.version is a none bump from 1.3.0: make it a minor bump)" in shown


def test_an_edit_with_an_unchanged_version_is_refused(repo: Path) -> None:
    found = refusals(repo, head(repo, "1.3.0", "field"))
    assert any("call for a minor bump" in r and "set 1.4.0" in r for r in found), found


def test_every_refusal_is_listed_and_each_fix_clears_it(repo: Path) -> None:
    spec = head(repo, "1.4.0", "field")
    found = refusals(repo, spec, drift="generated_client/ differs")
    assert len(found) == 3, found
    assert "run `make generate`" in found[0]
    assert "no `## 1.4.0` entry" in found[1]
    assert 'set `version = "1.4.0"`' in found[2]
    log(repo, "\n## 1.4.0\n\n- Contacts have a time zone.\n")
    set_package(repo, "1.4.2")  # its own patch number: allowed
    assert refusals(repo, spec) == []


def test_a_major_release_needs_its_breaking_marker(repo: Path) -> None:
    spec = head(repo, "2.0.0", "remove")
    set_package(repo, "2.0.0")
    log(repo, "\n## 2.0.0\n\n- deleteTag removed.\n")
    found = refusals(repo, spec)
    assert len(found) == 1
    assert "without a BREAKING marker" in found[0]
    log(repo, "- **BREAKING**: deleteTag is gone; delete tags in the app.\n")
    assert refusals(repo, spec) == []


def test_a_breaking_change_under_a_minor_bump_is_refused(repo: Path) -> None:
    spec = head(repo, "1.4.0", "remove")
    set_package(repo, "1.4.0")
    log(repo, "\n## 1.4.0\n\n- deleteTag removed.\n")
    found = refusals(repo, spec)
    assert any("call for a major bump" in r and "set 2.0.0" in r for r in found), found
