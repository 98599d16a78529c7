"""Where the description and its releases live, how they are read, and their versions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chatapi_description import DescriptionError, load_yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT / "openapi" / "chatapi.yaml"
RELEASED_DIR = REPO_ROOT / "openapi" / "released"
CHANGELOG_PATH = REPO_ROOT / "openapi" / "CHANGELOG.md"
NODE_BIN = REPO_ROOT / "node_modules" / ".bin"

Document = dict[str, Any]
Version = tuple[int, int, int]

_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_RELEASE_NAME = re.compile(r"chatapi-(.+)\.yaml")


class SpecFileError(Exception):
    """A description or release that cannot be read or does not follow the conventions."""


def load_document(path: Path) -> Document:
    """Read a YAML or JSON description as JSON data, as the generator reads it (YAML 1.2)."""
    try:
        return load_yaml(path)
    except DescriptionError as error:
        raise SpecFileError(f"{path}: {error}") from error


def parse_version(text: object) -> Version:
    """`"1.2.3"` as (1, 2, 3). Only plain MAJOR.MINOR.PATCH: the description has no pre-releases."""
    match = _VERSION.fullmatch(str(text)) if isinstance(text, str) else None
    if match is None:
        raise SpecFileError(f"info.version {text!r} is not MAJOR.MINOR.PATCH (e.g. 1.4.0)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def format_version(version: Version) -> str:
    """(1, 2, 3) as `"1.2.3"`."""
    return ".".join(str(part) for part in version)


def document_version(document: Document) -> Version:
    """The description's `info.version`."""
    info = document.get("info")
    return parse_version(info.get("version") if isinstance(info, dict) else None)


def release_path(released_dir: Path, version: Version) -> Path:
    """Where the release of `version` is kept: `openapi/released/chatapi-<version>.yaml`."""
    return released_dir / f"chatapi-{format_version(version)}.yaml"


def releases(released_dir: Path) -> list[tuple[Version, Path]]:
    """Every release in `released_dir`, oldest first (by version, not by file date).

    Raises SpecFileError for a YAML file whose name is not `chatapi-<MAJOR.MINOR.PATCH>.yaml`.
    The files derived from each release (JSON, the index) are not releases themselves.
    """
    found: list[tuple[Version, Path]] = []
    for path in sorted(released_dir.glob("*.yaml")) if released_dir.is_dir() else []:
        match = _RELEASE_NAME.fullmatch(path.name)
        if match is None:
            raise SpecFileError(f"{path}: not a release (chatapi-<MAJOR.MINOR.PATCH>.yaml)")
        found.append((parse_version(match.group(1)), path))
    return sorted(found)


def changelog_versions(changelog: Path) -> list[Version]:
    """The versions with an entry (a `## MAJOR.MINOR.PATCH` heading) in the changelog."""
    if not changelog.is_file():
        return []
    headings = re.findall(r"^## +(\S+)", changelog.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return [parse_version(h) for h in headings if _VERSION.fullmatch(h)]
