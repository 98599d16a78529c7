"""Reviewed exceptions to the guard: findings accepted on purpose, each with its reason.

The file (openapi/breaking-waivers.yaml) lists entries of `rule`, `at` (the finding's JSON
pointer, or its `where` when it has none), `since` (the release the finding is measured
against) and `reason`. A waiver holds only against the release it names, so cutting the next
release retires it; one that matches nothing is reported, so stale entries do not pile up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tools._files import REPO_ROOT, SpecFileError, Version, format_version, load_document
from tools.breaking._model import Change, CompareError, Waived

__all__ = ["WAIVERS_PATH", "Waiver", "apply_waivers", "load_waivers"]

WAIVERS_PATH = REPO_ROOT / "openapi" / "breaking-waivers.yaml"


@dataclass(frozen=True)
class Waiver:
    """One reviewed exception."""

    rule: str
    at: str
    since: str
    reason: str

    def matches(self, change: Change, base: Version) -> bool:
        """This waiver covers `change`, measured against the release `base`."""
        where = change.pointer or change.where
        return (
            self.since == format_version(base)
            and self.rule == change.rule
            and self.at in (where, change.where)
        )


def load_waivers(path: Path = WAIVERS_PATH) -> list[Waiver]:
    """The waivers in `path` (none when it does not exist).

    Raises CompareError for an entry without its four fields or with an empty reason.
    """
    if not path.is_file():
        return []
    try:
        data = load_document(path)
    except SpecFileError as error:
        raise CompareError(str(error)) from error
    waivers = []
    for index, entry in enumerate(data.get("waivers") or []):
        fields = ("rule", "at", "since", "reason")
        if not isinstance(entry, dict) or not all(str(entry.get(f) or "").strip() for f in fields):
            raise CompareError(f"{path.name}: waiver {index} needs {', '.join(fields)}")
        waivers.append(Waiver(*(str(entry[f]).strip() for f in fields)))
    return waivers


def apply_waivers(
    changes: list[Change], waivers: list[Waiver], base: Version
) -> tuple[list[Change], list[Waived], list[Waiver]]:
    """Split `changes`: still breaking, waived (with the reason), and waivers left unused."""
    kept: list[Change] = []
    waived: list[Waived] = []
    used: set[Waiver] = set()
    for change in changes:
        waiver = next((w for w in waivers if w.matches(change, base)), None)
        if waiver is None:
            kept.append(change)
        else:
            waived.append(Waived(change, waiver.reason))
            used.add(waiver)
    unused = [w for w in waivers if w.since == format_version(base) and w not in used]
    return kept, waived, unused
