"""Cutting a release of the description (`make release-spec`, `python -m tools.release`).

Copies openapi/chatapi.yaml, byte for byte, to openapi/released/chatapi-<info.version>.yaml,
the base the breaking-change guard compares the working description with from then on; writes
beside it the same document as JSON and dereferenced, and adds it to openapi/released/
index.json with the SHA-256 of each file (`_index`). It
refuses (exit status 1) when that release exists already (releases are never rewritten), when
the version is not newer than the last release, when the guard finds a breaking change the
version does not allow, or when openapi/CHANGELOG.md has no entry for the version.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tools._files import (
    SpecFileError,
    changelog_versions,
    document_version,
    format_version,
    load_document,
    release_path,
    releases,
)
from tools.breaking import CompareError, compare_files, render
from tools.release._index import INDEX_NAME, render_index, write_release_files

__all__ = ["ReleaseRefusedError", "refresh_index", "release"]


class ReleaseRefusedError(Exception):
    """The description cannot be released as it is; the message says why."""


def release(spec: Path, released_dir: Path, changelog: Path) -> Path:
    """Copy `spec` into `released_dir` under its version; return the new release's path.

    Raises ReleaseRefusedError when one of the rules in this module's docstring forbids it.
    """
    try:
        version = document_version(load_document(spec))
        earlier = releases(released_dir)
        logged = changelog_versions(changelog)
    except SpecFileError as error:
        raise ReleaseRefusedError(str(error)) from error
    shown = format_version(version)
    target = release_path(released_dir, version)
    if target.exists():
        raise ReleaseRefusedError(
            f"{target.name} exists: releases are never rewritten; raise info.version first"
        )
    if earlier:
        last_version, last_path = earlier[-1]
        if version <= last_version:
            raise ReleaseRefusedError(
                f"info.version {shown} is not newer than the last release "
                f"{format_version(last_version)}"
            )
        try:
            verdict = compare_files(last_path, spec)
        except CompareError as error:
            raise ReleaseRefusedError(str(error)) from error
        if not verdict.passed:
            raise ReleaseRefusedError(render(verdict, last_path, spec))
    if version not in logged:
        raise ReleaseRefusedError(f"{changelog.name} has no `## {shown}` entry: write it first")
    released_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec, target)
    write_release_files(target)
    refresh_index(released_dir, changelog)
    return target


def refresh_index(released_dir: Path, changelog: Path) -> Path:
    """Write the derived files of every release and the index; the index's path.

    Derived files are rewritten from each release's YAML, which is never touched.
    """
    try:
        for _, path in releases(released_dir):
            write_release_files(path)
        index_path = released_dir / INDEX_NAME
        index_path.write_text(render_index(released_dir, changelog), encoding="utf-8")
    except SpecFileError as error:
        raise ReleaseRefusedError(str(error)) from error
    return index_path
