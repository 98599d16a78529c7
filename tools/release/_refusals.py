"""What the release command checks before it copies anything, each a refusal with its fix.

- the generated client matches the description (the drift check, `make check-generated`);
- the version bump is the one `make diff` calls for: major for a breaking change, minor for
  additions, patch for words only (and there is something to release);
- openapi/CHANGELOG.md has the version's entry, marked BREAKING for a major release;
- the Python package follows the description by this rule: its version has the description's
  MAJOR.MINOR, and a PATCH of its own (client-only fixes between two descriptions).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from tools._files import (
    REPO_ROOT,
    SPEC_PATH,
    SpecFileError,
    Version,
    document_version,
    format_version,
    load_document,
    parse_version,
    releases,
)
from tools.breaking import CompareError
from tools.spec_diff import bump_level, summarize

__all__ = ["PYPROJECT_PATH", "changelog_entry", "drift_problem", "release_refusals"]

PYPROJECT_PATH = REPO_ROOT / "pyproject.toml"

DriftCheck = Callable[[], str | None]


def drift_problem() -> str | None:
    """The drift check's complaint (`python -m generator --check`), or None when it passes."""
    completed = subprocess.run(
        [sys.executable, "-m", "generator", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode == 0:
        return None
    output = (completed.stdout + completed.stderr).strip().splitlines()
    return output[-1] if output else f"exit status {completed.returncode}"


def changelog_entry(changelog: Path, version: Version) -> str | None:
    """The text of the `## <version>` entry of the changelog, or None when there is none."""
    if not changelog.is_file():
        return None
    text = changelog.read_text(encoding="utf-8")
    heading = re.compile(rf"^## +{re.escape(format_version(version))}\b.*$", re.MULTILINE)
    found = heading.search(text)
    if found is None:
        return None
    following = re.compile(r"^## ", re.MULTILINE).search(text, found.end())
    return text[found.start() : following.start() if following else len(text)]


def python_version(pyproject: Path) -> str:
    """`project.version` of pyproject.toml."""
    with pyproject.open("rb") as stream:
        return str(tomllib.load(stream)["project"]["version"])


def release_refusals(
    spec: Path,
    released_dir: Path,
    changelog: Path,
    pyproject: Path = PYPROJECT_PATH,
    drift: DriftCheck = drift_problem,
) -> list[str]:
    """Every reason not to release `spec` now, each saying what to do; empty: go ahead."""
    reasons: list[str] = []
    try:
        version = document_version(load_document(spec))
        earlier = releases(released_dir)
    except SpecFileError as error:
        return [str(error)]
    shown = format_version(version)
    problem = drift()
    if problem is not None:
        reasons.append(f"the generated client is out of date ({problem}): run `make generate`")
    major = False
    if earlier:
        base_version, base_path = earlier[-1]
        try:
            summary = summarize(base_path, spec, python=spec.resolve() == SPEC_PATH.resolve())
        except (CompareError, SpecFileError) as error:
            return [*reasons, str(error)]
        bumped, wanted = bump_level(base_version, version), summary.verdict
        major = bumped == "major" or wanted == "major"
        base_shown = format_version(base_version)
        if wanted == "none":
            reasons.append(f"nothing changed since the release {base_shown}: nothing to release")
        elif bumped != wanted:
            target = _bump(base_version, wanted)
            reasons.append(
                f"info.version {shown} is a {bumped} bump from {base_shown}, but the changes "
                f"call for a {wanted} bump (`make diff` says why): set {target}"
            )
    entry = changelog_entry(changelog, version)
    if entry is None:
        reasons.append(f"{changelog.name} has no `## {shown}` entry: write it first")
    elif major and "BREAKING" not in entry:
        reasons.append(
            f"the `## {shown}` entry of {changelog.name} is a major release without a "
            "BREAKING marker: mark each breaking change **BREAKING** and say what to change"
        )
    try:
        package = python_version(pyproject)
        ours = parse_version(package)
    except (OSError, KeyError, tomllib.TOMLDecodeError, SpecFileError):
        reasons.append(f"{pyproject.name}: no MAJOR.MINOR.PATCH `project.version`")
    else:
        if ours[:2] != version[:2]:
            reasons.append(
                f"the Python package is {package}, the description {shown}: the package's "
                f"version has the description's MAJOR.MINOR, so set `version = "
                f'"{version[0]}.{version[1]}.0"` in {pyproject.name}'
            )
    return reasons


def _bump(base: Version, level: str) -> str:
    major, minor, patch = base
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
