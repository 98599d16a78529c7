"""Faults to inject: for a chosen operation, the next N requests misbehave on purpose.

A fault applies ``before`` processing (the request is not processed: a gateway said 503, the
API queued it with 449, ...) or ``after`` it (the request was processed, then the answer was
lost or replaced: the ambiguous outcome a client must not blindly retry).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_TIMES",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "RetryAfterForm",
    "When",
]

MAX_DELAY = 300.0
"""The longest ``delay`` in seconds: longer than any client timeout worth testing."""
MAX_RETRY_AFTER = 86_400.0
"""The longest ``retry_after`` in seconds (a day), in every form."""
MAX_TIMES = 1_000_000
"""The most requests one fault may hit."""


class FaultKind(StrEnum):
    """What the faulty answer is."""

    TOO_MANY_REQUESTS = "429"
    RETRY_LATER = "449"
    INTERNAL_ERROR = "500"
    BAD_GATEWAY = "502"
    UNAVAILABLE = "503"
    GATEWAY_TIMEOUT = "504"
    UNKNOWN_ERROR = "520"
    DROP = "drop"
    """Close the connection without sending any byte of an answer."""
    TRUNCATE = "truncate"
    """Send the status line, headers and half the body, then close the connection."""
    DELAY = "delay"
    """Wait ``delay`` seconds, then answer normally."""

    @property
    def status(self) -> int | None:
        """The HTTP status of the faulty answer; None for drop, truncate and delay."""
        return int(self.value) if self.value.isdigit() else None


class When(StrEnum):
    """Whether the fault strikes before the request is processed or after."""

    BEFORE = "before"
    AFTER = "after"


class RetryAfterForm(StrEnum):
    """How a faulty answer states when to retry."""

    SECONDS = "seconds"
    """``Retry-After: 2`` (whole seconds, rounded up)."""
    HTTP_DATE = "http-date"
    """``Retry-After: Wed, 21 Oct 2026 07:28:00 GMT``."""
    MILLISECONDS = "ms"
    """``retry-after-ms: 1500`` only, no ``Retry-After``."""
    GARBAGE = "garbage"
    """``Retry-After: soon``: a value no client can parse."""
    NONE = "none"
    """No retry header at all."""


# Bodies default to what such answers usually carry: gateways (502, 520) send HTML pages.
_HTML_BY_DEFAULT = frozenset({FaultKind.BAD_GATEWAY, FaultKind.UNKNOWN_ERROR})
_RETRY_HEADER_BY_DEFAULT = frozenset(
    {FaultKind.TOO_MANY_REQUESTS, FaultKind.RETRY_LATER, FaultKind.UNAVAILABLE}
)


@dataclass
class Fault:
    """One injected fault and how many more requests it will hit.

    Attributes:
        operation_id: The operation whose requests it hits.
        kind: What happens.
        times: Requests it still hits; it is dropped at 0.
        when: Before or after processing; by default after for truncate (which cuts a
            processed answer short), before for every other kind.
        retry_after: Seconds to state in the retry header.
        retry_after_form: How to state them; statuses other than 429, 449 and 503 carry
            no retry header unless a form is given.
        body: ``json`` (the Error body), ``html`` (a gateway's page) or ``empty``.
        delay: Seconds to wait, for ``delay``.
        organization: Only requests of this organization are hit; None (the default)
            hits every organization's requests.
    """

    operation_id: str
    kind: FaultKind
    times: int = 1
    when: When | None = None
    retry_after: float = 1.0
    retry_after_form: RetryAfterForm | None = None
    body: str | None = None
    delay: float = 0.0
    organization: str | None = None

    def __post_init__(self) -> None:
        """Fill the defaults that depend on the kind; reject impossible settings.

        Numbers are bounded so that every answer the fault makes can be written: an
        infinite ``retry_after`` has no header, an endless ``delay`` no answer at all.
        """
        if not 1 <= self.times <= MAX_TIMES:
            raise ValueError(f"times must be from 1 to {MAX_TIMES}")
        for name, value, most in (
            ("retry_after", self.retry_after, MAX_RETRY_AFTER),
            ("delay", self.delay, MAX_DELAY),
        ):
            if not (math.isfinite(value) and 0 <= value <= most):
                raise ValueError(f"{name} must be a number of seconds from 0 to {most:g}")
        if self.organization is not None and not self.organization:
            raise ValueError("organization must be a non-empty string")
        if self.when is None:
            self.when = When.AFTER if self.kind is FaultKind.TRUNCATE else When.BEFORE
        if self.kind is FaultKind.TRUNCATE and self.when is When.BEFORE:
            raise ValueError("truncate cuts a processed answer short: use when='after'")
        if self.body is None:
            self.body = "html" if self.kind in _HTML_BY_DEFAULT else "json"
        if self.body not in ("json", "html", "empty"):
            raise ValueError("body must be json, html or empty")
        if self.retry_after_form is None:
            self.retry_after_form = (
                RetryAfterForm.SECONDS
                if self.kind in _RETRY_HEADER_BY_DEFAULT
                else RetryAfterForm.NONE
            )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build a fault from the admin API's JSON; raises ValueError or TypeError if invalid."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        if not isinstance(data.get("operation_id"), str):
            raise ValueError("operation_id (a string) is required")
        for name in ("times", "retry_after", "delay"):
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
        if not isinstance(data.get("times", 1), int):
            raise ValueError("times must be a whole number")
        organization = data.get("organization")
        if organization is not None and not isinstance(organization, str):
            raise ValueError("organization must be a string")
        form = data.get("retry_after_form")
        return cls(
            operation_id=data["operation_id"],
            kind=FaultKind(str(data.get("kind"))),
            times=data.get("times", 1),
            when=None if data.get("when") is None else When(data["when"]),
            retry_after=float(data.get("retry_after", 1.0)),
            retry_after_form=None if form is None else RetryAfterForm(form),
            body=data.get("body"),
            delay=float(data.get("delay", 0.0)),
            organization=organization,
        )

    def to_json(self) -> dict[str, Any]:
        """The fault as the admin API shows it."""
        return {key: str(v) if isinstance(v, StrEnum) else v for key, v in asdict(self).items()}


class FaultPlan:
    """The pending faults, per operation, in the order they were injected."""

    def __init__(self) -> None:
        """Start with no fault."""
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` behind those already pending for its operation."""
        self._pending.append(fault)

    def take(self, operation_id: str, organization: str | None = None) -> Fault | None:
        """The fault for this request to ``operation_id``, counting it down, or None.

        A fault naming an organization hits only that organization's requests.
        """
        for fault in self._pending:
            if fault.operation_id == operation_id and fault.organization in (None, organization):
                fault.times -= 1
                if fault.times == 0:
                    self._pending.remove(fault)
                return fault
        return None

    def pending(self) -> list[Fault]:
        """Every pending fault, oldest first."""
        return list(self._pending)

    def clear(self) -> None:
        """Drop every pending fault."""
        self._pending.clear()
