"""What the guard reports: directions, changes, verdicts, and its one error."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tools._files import Version


class Direction(Enum):
    """Who writes the data a schema describes, and so which way it may change."""

    REQUEST = "request"  # clients write it: the new description must accept at least as much
    RESPONSE = "response"  # the server writes it: the new one may describe no more than before


@dataclass(frozen=True)
class Change:
    """One breaking change.

    `rule` names the kind of change, `where` the operation and the part of it, `pointer` the
    JSON pointer to look at: into the new description, or into the release for what is gone.
    """

    rule: str
    where: str
    message: str
    pointer: str = ""

    def __str__(self) -> str:
        at = f" [{self.pointer}]" if self.pointer else ""
        return f"{self.rule}: {self.where}: {self.message}{at}"


@dataclass(frozen=True)
class Waived:
    """A breaking change a reviewer accepted (openapi/breaking-waivers.yaml), and why."""

    change: Change
    reason: str

    def __str__(self) -> str:
        reason = self.reason if len(self.reason) <= 60 else self.reason[:57] + "..."
        return f"waived {self.change} ({reason})"


class CompareError(Exception):
    """The descriptions cannot be compared: unreadable, a bad version or a foreign `$ref`."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing a release (base) with the working description (head)."""

    base_version: Version
    head_version: Version
    changes: list[Change]  # breaking changes no waiver covers
    # Changes that break code generated in other languages but not the wire
    # (tools.breaking._generated): reported, never a reason to fail.
    generated: list[Change] = field(default_factory=list)
    waived: tuple[Waived, ...] = ()
    notes: tuple[str, ...] = ()  # what was not compared, waivers that matched nothing

    @property
    def major_bumped(self) -> bool:
        """The head raised the major number: breaking changes are allowed."""
        return self.head_version[0] > self.base_version[0]

    @property
    def version_went_back(self) -> bool:
        """The head's version is older than the release it is compared with."""
        return self.head_version < self.base_version

    @property
    def passed(self) -> bool:
        """No breaking change, or the major number went up; and the version never goes back."""
        return not self.version_went_back and (not self.changes or self.major_bumped)
