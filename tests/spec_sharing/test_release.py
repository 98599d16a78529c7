"""Releases of the description: how `make release-spec` cuts them, and the ones kept.

The cutting is tried on a temporary copy of openapi/ (the `repo_copy` fixture); the kept
releases and the changelog are checked as they are in the repository.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import SPEC_PATH, Spec
from tools._files import (
    CHANGELOG_PATH,
    RELEASED_DIR,
    SpecFileError,
    changelog_versions,
    document_version,
    format_version,
    load_document,
    releases,
)
from tools.release import ReleaseRefusedError, release
from tools.release.__main__ import main
from tools.release._index import INDEX_NAME, dereference, derived_files, render_index


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


# --- the files each release ships and the releases index ----------------------------------------


def test_a_release_ships_json_files_and_an_index_entry(repo_copy: Path) -> None:
    set_version(repo_copy, "1.1.0")
    log(repo_copy, "1.1.0")
    target = cut(repo_copy)
    released = repo_copy / "released"
    document = load_document(target)
    assert json.loads((released / "chatapi-1.1.0.json").read_text()) == document
    dereferenced = (released / "chatapi-1.1.0.dereferenced.json").read_text()
    assert '"$ref"' not in dereferenced
    entries = json.loads((released / INDEX_NAME).read_text())["releases"]
    assert [e["version"] for e in entries] == ["1.1.0", "1.0.0"]
    assert entries[0]["date"] == "2026-12-01"
    for name, digest in entries[0]["files"].items():
        assert hashlib.sha256((released / name).read_bytes()).hexdigest() == digest["sha256"]


def test_dereferenced_release_inlines_every_reference() -> None:
    document: dict[str, Any] = {
        "a": {"$ref": "#/components/schemas/A"},
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "string", "description": "kept"},
                "Tree": {"properties": {"children": {"$ref": "#/components/schemas/Tree"}}},
            }
        },
    }
    resolved = dereference(document)
    assert resolved["a"] == {
        "type": "object",
        "properties": {"b": document["components"]["schemas"]["B"]},
    }
    tree = resolved["components"]["schemas"]["Tree"]["properties"]["children"]
    assert tree["properties"]["children"] == {"$ref": "#/components/schemas/Tree"}  # recursion kept


def test_committed_index_and_json_files_match_the_releases() -> None:
    """`python -m tools.release --index` rewrites them; the committed copies must not drift."""
    assert (RELEASED_DIR / INDEX_NAME).read_text(encoding="utf-8") == render_index(
        RELEASED_DIR, CHANGELOG_PATH
    )
    kept = releases(RELEASED_DIR)
    for _, path in kept:
        for name, data in derived_files(path).items():
            assert (RELEASED_DIR / name).read_bytes() == data, name
    entries = json.loads((RELEASED_DIR / INDEX_NAME).read_text(encoding="utf-8"))["releases"]
    assert [e["version"] for e in entries] == [format_version(v) for v, _ in reversed(kept)]
    for entry in entries:
        assert entry["date"], entry["version"]
        for name, digest in entry["files"].items():
            data = (RELEASED_DIR / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest["sha256"], name


def test_derived_files_are_not_taken_for_releases(tmp_path: Path) -> None:
    (tmp_path / "chatapi-1.0.0.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    (tmp_path / "chatapi-1.0.0.json").write_text("{}", encoding="utf-8")
    (tmp_path / INDEX_NAME).write_text("{}", encoding="utf-8")
    assert [v for v, _ in releases(tmp_path)] == [(1, 0, 0)]
    (tmp_path / "draft.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    with pytest.raises(SpecFileError, match="not a release"):
        releases(tmp_path)
