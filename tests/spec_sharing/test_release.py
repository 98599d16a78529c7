"""Releases of the description: how `make release-spec` cuts them, and the ones kept.

The cutting is tried on a temporary copy of openapi/ (the `repo_copy` fixture); the kept
releases and the changelog are checked as they are in the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import SPEC_PATH, Spec
from tools._files import (
    CHANGELOG_PATH,
    RELEASED_DIR,
    changelog_versions,
    document_version,
    format_version,
    load_document,
    releases,
)
from tools.release import ReleaseRefusedError, release
from tools.release.__main__ import main


def set_version(repo: Path, version: str, edit: bool = False) -> Path:
    """Give the copy's description `version` (and, with `edit`, drop an operation)."""
    spec: Spec = load_yaml(repo / "chatapi.yaml")
    spec["info"]["version"] = version
    if edit:
        spec["paths"]["/space/tag"].pop("delete", None)
    path = repo / "chatapi.yaml"
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")  # JSON is YAML
    return path


def log(repo: Path, version: str) -> None:
    changelog = repo / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text(encoding="utf-8") + f"\n## {version} (2026-12-01)\n\n- A change.\n",
        encoding="utf-8",
    )


def cut(repo: Path) -> Path:
    return release(repo / "chatapi.yaml", repo / "released", repo / "CHANGELOG.md")


def test_first_release_copies_the_description_byte_for_byte(repo_copy: Path) -> None:
    for old in (repo_copy / "released").iterdir():
        old.unlink()
    target = cut(repo_copy)
    version = load_yaml(repo_copy / "chatapi.yaml")["info"]["version"]
    assert target == repo_copy / "released" / f"chatapi-{version}.yaml"
    assert target.read_bytes() == (repo_copy / "chatapi.yaml").read_bytes()


def test_a_release_is_never_overwritten(repo_copy: Path) -> None:
    kept = (repo_copy / "released" / "chatapi-1.0.0.yaml").read_bytes()
    with pytest.raises(ReleaseRefusedError, match="never rewritten"):
        cut(repo_copy)
    assert (repo_copy / "released" / "chatapi-1.0.0.yaml").read_bytes() == kept


def test_minor_release_with_a_changelog_entry(repo_copy: Path) -> None:
    set_version(repo_copy, "1.1.0")
    log(repo_copy, "1.1.0")
    target = cut(repo_copy)
    assert target.name == "chatapi-1.1.0.yaml"
    assert document_version(load_document(target)) == (1, 1, 0)
    assert [v for v, _ in releases(repo_copy / "released")] == [(1, 0, 0), (1, 1, 0)]


def test_no_release_without_a_changelog_entry(repo_copy: Path) -> None:
    set_version(repo_copy, "1.9.0")  # a version the changelog has no entry for
    with pytest.raises(ReleaseRefusedError, match=r"no `## 1\.9\.0` entry"):
        cut(repo_copy)
    assert not (repo_copy / "released" / "chatapi-1.9.0.yaml").exists()


def test_no_breaking_release_without_a_major_version(repo_copy: Path) -> None:
    set_version(repo_copy, "1.1.0", edit=True)
    log(repo_copy, "1.1.0")
    with pytest.raises(ReleaseRefusedError, match="operation-removed"):
        cut(repo_copy)
    set_version(repo_copy, "2.0.0", edit=True)
    log(repo_copy, "2.0.0")
    assert cut(repo_copy).name == "chatapi-2.0.0.yaml"


def test_no_release_older_than_the_last(repo_copy: Path) -> None:
    set_version(repo_copy, "1.2.0")
    log(repo_copy, "1.2.0")
    cut(repo_copy)
    set_version(repo_copy, "1.1.0")
    log(repo_copy, "1.1.0")
    with pytest.raises(ReleaseRefusedError, match=r"not newer than the last release 1\.2\.0"):
        cut(repo_copy)


def test_command_reports_a_refusal(repo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(repo_copy / "chatapi.yaml"), "--released-dir", str(repo_copy / "released")]
    assert main([*args, "--changelog", str(repo_copy / "CHANGELOG.md")]) == 1
    assert "not released:" in capsys.readouterr().err


# --- the releases kept in the repository -----------------------------------------------------


def test_releases_are_named_by_their_version_and_logged() -> None:
    kept = releases(RELEASED_DIR)
    assert kept, "openapi/released/ must hold at least the first release"
    logged = changelog_versions(CHANGELOG_PATH)
    for version, path in kept:
        assert document_version(load_document(path)) == version, path.name
        assert version in logged, f"{path.name} has no entry in openapi/CHANGELOG.md"


def test_changelog_is_newest_first_and_no_release_is_newer_than_the_spec() -> None:
    logged = changelog_versions(CHANGELOG_PATH)
    assert logged == sorted(logged, reverse=True), "changelog entries must be newest first"
    working = document_version(load_document(SPEC_PATH))
    newest = releases(RELEASED_DIR)[-1][0]
    assert newest <= working, (
        f"the working description ({format_version(working)}) is older than the release "
        f"{format_version(newest)}"
    )
