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

Generated and Python code break in ways the wire does not show (`_languages`): an `x-client`
method renamed or removed, a schema renamed, a model field renamed or retyped. The Python
packages' public API is compared with the release's commit by griffe (`_python`).

A reviewed exception is recorded in openapi/breaking-waivers.yaml with its reason
(`_waivers`); waived changes are listed, not counted. Breaking changes are allowed when
`info.version`'s major number went up. The command line is `python -m tools.breaking`
(`make check-breaking`); its output ends with a changelog draft of what it found.

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
from tools.breaking._languages import language_changes
from tools.breaking._model import Change, CompareError, Direction, Verdict, Waived
from tools.breaking._operations import compare_operations
from tools.breaking._python import python_api_changes, release_commit
from tools.breaking._waivers import WAIVERS_PATH, apply_waivers, load_waivers

__all__ = [
    "WAIVERS_PATH",
    "Change",
    "CompareError",
    "Direction",
    "Verdict",
    "Waived",
    "breaking_changes",
    "changelog_draft",
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
    wire = compare_operations(base, head)
    for change in [*wire, *_not_on_the_wire(language_changes(base, head), wire)]:
        unique.setdefault((change.rule, change.pointer or change.where, change.message), change)
    return list(unique.values())


def _not_on_the_wire(changes: list[Change], wire: list[Change]) -> list[Change]:
    """The language view's changes at a place no wire change already points into."""
    pointers = [change.pointer for change in wire if change.pointer]
    return [
        change
        for change in changes
        if not change.pointer
        or not any(p == change.pointer or p.startswith(change.pointer + "/") for p in pointers)
    ]


def compare_files(
    base_path: Path, head_path: Path, *, python: bool = True, waivers: Path = WAIVERS_PATH
) -> Verdict:
    """Compare the description at `head_path` with the release at `base_path`.

    With `python`, the packages' public API is compared too, with the commit that added
    `base_path` (skipped, with a note, when it is not committed). Waivers in `waivers` that
    name `base_path`'s version apply. Raises CompareError when they cannot be compared.
    """
    try:
        base, head = load_document(base_path), load_document(head_path)
        base_version, head_version = document_version(base), document_version(head)
    except SpecFileError as error:
        raise CompareError(str(error)) from error
    changes = breaking_changes(base, head)
    generated = generated_code_changes(base, head)
    notes: list[str] = []
    if python:
        commit = release_commit(base_path)
        if commit is None:
            notes.append(f"Python API not compared: {_shown(base_path)} is not committed")
        else:
            try:
                changes += python_api_changes(commit)
            except Exception as error:  # griffe or git failed: say so, never pass silently
                raise CompareError(f"Python API against {commit[:12]}: {error}") from error
    kept, waived, unused = apply_waivers(changes, load_waivers(waivers), base_version)
    notes += [f"waiver matches nothing ({w.rule} at {w.at}): remove it" for w in unused]
    return Verdict(base_version, head_version, kept, generated, tuple(waived), tuple(notes))


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
    lines += [f"  {waived}" for waived in verdict.waived]
    lines += [f"  note: {note}" for note in verdict.notes]
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
    lines += changelog_draft(verdict)
    return "\n".join(lines)


def changelog_draft(verdict: Verdict) -> list[str]:
    """Lines for openapi/CHANGELOG.md saying what breaks and what was accepted, if anything."""
    if not verdict.changes and not verdict.waived:
        return []
    lines = ["Changelog draft (under `## Unreleased` in openapi/CHANGELOG.md):"]
    lines += [f"- BREAKING: {change.where}: {change.message}" for change in verdict.changes]
    lines += [
        f"- {waived.change.where}: {waived.change.message} (reviewed: {waived.reason})"
        for waived in verdict.waived
    ]
    return lines


def _shown(path: Path) -> str:
    """A path relative to the repository when it is inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO_ROOT)) if resolved.is_relative_to(REPO_ROOT) else str(path)
