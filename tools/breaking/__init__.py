"""The breaking-change guard: the working description against its last release.

A change is breaking when a client written against the released description can fail
against the new one. Which way a schema may move depends on who writes the data:

- Requests (parameters, request bodies) are written by clients: the server must still accept
  every request it accepted. Narrowing is breaking: a removed property or parameter, a new
  required one, a type, enum value or `oneOf` variant no longer accepted, a tighter bound
  (smaller `maxLength`, larger `minimum`, a new `pattern` or `format`).
- Responses (bodies and headers) are written by the server: clients must still understand
  every answer. Widening is breaking: a removed property or one no longer always present, a
  type (null included), enum value or variant the release did not describe, a looser bound.
  A new optional property is not (clients ignore fields they do not know), unless the release
  closed the object with `additionalProperties: false`.
- A removed or moved operation, a changed operationId, a removed response status, header or
  media type, a lowered `x-rate-limit`, and a bucket that now shares its budget with another
  operation are breaking too. Renaming a bucket that keeps its members is not.

Annotations (descriptions, examples, summaries) are never compared; `allOf` parts are merged
first; `not`, `if`/`then`/`else`, `patternProperties`, security and servers are not compared.

Breaking changes are allowed when `info.version`'s major number went up. The command line is
`python -m tools.breaking` (`make check-breaking`).

Why our own: on the planted cases of tests/spec_sharing/test_breaking.py, Optic 1.0.9 (the
one 3.1-capable diff that installs here, about 200 MB) missed a removed `oneOf` variant of a
request, a smaller `maxLength`, a changed operationId and lowered or shared rate limits, and
called a new kind of outgoing message breaking.
"""

from __future__ import annotations

from pathlib import Path

from tools._files import (
    REPO_ROOT,
    Document,
    SpecFileError,
    document_version,
    format_version,
    load_document,
    releases,
)
from tools.breaking._generated import generated_code_changes
from tools.breaking._model import Change, CompareError, Direction, Verdict
from tools.breaking._operations import compare_operations

__all__ = [
    "Change",
    "CompareError",
    "Direction",
    "Verdict",
    "breaking_changes",
    "compare_files",
    "last_release",
    "render",
]


def breaking_changes(base: Document, head: Document) -> list[Change]:
    """Every breaking change from `base` (a release) to `head`, each reported once.

    A schema shared by many operations is reported at the first operation that reaches it.
    Raises CompareError for a reference the comparison cannot follow.
    """
    unique: dict[tuple[str, str, str], Change] = {}
    for change in compare_operations(base, head):
        unique.setdefault((change.rule, change.pointer or change.where, change.message), change)
    return list(unique.values())


def compare_files(base_path: Path, head_path: Path) -> Verdict:
    """Compare the description at `head_path` with the release at `base_path`.

    Raises CompareError when either cannot be read or compared.
    """
    try:
        base, head = load_document(base_path), load_document(head_path)
        base_version, head_version = document_version(base), document_version(head)
    except SpecFileError as error:
        raise CompareError(str(error)) from error
    generated = generated_code_changes(base, head)
    return Verdict(base_version, head_version, breaking_changes(base, head), generated)


def last_release(released_dir: Path) -> Path:
    """The newest release kept in `released_dir`; raises CompareError when there is none."""
    try:
        found = releases(released_dir)
    except SpecFileError as error:
        raise CompareError(str(error)) from error
    if not found:
        raise CompareError(f"no release in {released_dir}: cut the first with `make release-spec`")
    return found[-1][1]


def render(verdict: Verdict, base_path: Path, head_path: Path) -> str:
    """The verdict for a person: what was compared, each breaking change, and what to do."""
    old, new = format_version(verdict.base_version), format_version(verdict.head_version)
    lines = [f"{_shown(head_path)} ({new}) against the release {_shown(base_path)} ({old}):"]
    if verdict.version_went_back:
        lines.append(f"  info.version {new} is older than the release {old}.")
    lines += [f"  {change}" for change in verdict.changes]
    count = len(verdict.changes)
    if not count:
        lines.append("  no breaking change.")
    elif verdict.major_bumped:
        lines.append(f"  {count} breaking change(s), allowed: the major version went up.")
    else:
        lines.append(
            f"  {count} breaking change(s). Undo them, or release a new major version: set "
            f"info.version to {verdict.base_version[0] + 1}.0.0 and mark the entry BREAKING "
            "in openapi/CHANGELOG.md."
        )
    if verdict.generated:
        lines.append(
            "  Breaking generated code in other languages (not the wire; say so in the changelog):"
        )
        lines += [f"    {change}" for change in verdict.generated]
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """A path relative to the repository when it is inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO_ROOT)) if resolved.is_relative_to(REPO_ROOT) else str(path)
