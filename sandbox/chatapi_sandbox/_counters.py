"""Counters of what the sandbox really did, for tests that must prove an outcome.

A client that retried a send after a dropped connection can be checked against
``messages_stored``; a limiter against ``rate_limited``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Counters", "Tally"]


@dataclass(frozen=True)
class Counters:
    """A snapshot of the counters since start-up or the last reset.

    Attributes:
        requests: Requests that reached an operation, authenticated or not.
        requests_by_operation: The same, per operationId.
        requests_by_bucket: Authenticated requests checked against each rate-limit bucket
            (every organization together), whether accepted or refused.
        responses_by_status: Answers sent, per HTTP status (dropped connections excluded).
        rate_limited: 429 answers the rate limiter sent (injected 429s excluded).
        rate_limited_by_bucket: The same, per bucket.
        faults_served: Injected faults that struck, per kind in ``faults_by_kind``.
        faults_by_kind: Per fault kind (``503``, ``drop``, ...).
        faults_by_operation: Per operationId.
        messages_stored: Messages ``sendMessage`` stored.
        contacts_created: Contacts created (``createContact``, ``createOrUpdateContact``).
        contacts_deleted: Contacts deleted, merged ones included.
        comments_created: Comments stored.
        server_errors: 5xx answers the sandbox produced by itself, on any route: a crash,
            a failed self-check, an answer it could not encode. Injected faults excluded;
            a healthy sandbox keeps this at 0.
    """

    requests: int = 0
    requests_by_operation: Mapping[str, int] = field(default_factory=dict)
    requests_by_bucket: Mapping[str, int] = field(default_factory=dict)
    responses_by_status: Mapping[int, int] = field(default_factory=dict)
    rate_limited: int = 0
    rate_limited_by_bucket: Mapping[str, int] = field(default_factory=dict)
    faults_served: int = 0
    faults_by_kind: Mapping[str, int] = field(default_factory=dict)
    faults_by_operation: Mapping[str, int] = field(default_factory=dict)
    messages_stored: int = 0
    contacts_created: int = 0
    contacts_deleted: int = 0
    comments_created: int = 0
    server_errors: int = 0

    def to_json(self) -> dict[str, Any]:
        """The snapshot as the admin API sends it (JSON object keys are strings)."""
        data = asdict(self)
        data["responses_by_status"] = {str(k): v for k, v in self.responses_by_status.items()}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counters:
        """Read a snapshot from the admin API's JSON."""
        values = dict(data)
        values["responses_by_status"] = {
            int(k): v for k, v in dict(data.get("responses_by_status", {})).items()
        }
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in values.items() if k in known})


class Tally:
    """The live, mutable counters behind ``Counters`` snapshots."""

    def __init__(self) -> None:
        """Start at zero."""
        self.reset()

    def reset(self) -> None:
        """Set everything back to zero."""
        self.by_operation: Counter[str] = Counter()
        self.by_bucket: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.limited_by_bucket: Counter[str] = Counter()
        self.faults_by_kind: Counter[str] = Counter()
        self.faults_by_operation: Counter[str] = Counter()
        self.messages_stored = 0
        self.contacts_created = 0
        self.contacts_deleted = 0
        self.comments_created = 0
        self.server_errors = 0

    def fault(self, operation_id: str, kind: str) -> None:
        """Count one injected fault that struck."""
        self.faults_by_kind[kind] += 1
        self.faults_by_operation[operation_id] += 1

    def snapshot(self) -> Counters:
        """An immutable copy of the counters now."""
        return Counters(
            requests=self.by_operation.total(),
            requests_by_operation=dict(sorted(self.by_operation.items())),
            requests_by_bucket=dict(sorted(self.by_bucket.items())),
            responses_by_status=dict(sorted(self.by_status.items())),
            rate_limited=self.limited_by_bucket.total(),
            rate_limited_by_bucket=dict(sorted(self.limited_by_bucket.items())),
            faults_served=self.faults_by_kind.total(),
            faults_by_kind=dict(sorted(self.faults_by_kind.items())),
            faults_by_operation=dict(sorted(self.faults_by_operation.items())),
            messages_stored=self.messages_stored,
            contacts_created=self.contacts_created,
            contacts_deleted=self.contacts_deleted,
            comments_created=self.comments_created,
            server_errors=self.server_errors,
        )
