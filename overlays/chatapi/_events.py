"""What the overlays report to ``on_retry`` and ``on_throttle`` callbacks (for metrics)."""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import RequestInfo

__all__ = ["RetryEvent", "ThrottleEvent"]


@dataclass(frozen=True)
class RetryEvent:
    """A call is about to sleep ``wait`` seconds, then make retry number ``retry`` (from 1).

    Attributes:
        request: The method and URL of the call.
        retry: Which retry comes next: 1 for the first.
        wait: Seconds to sleep before it.
        reason: What failed: ``"status 503"``, ``"ConnectError"`` ...
    """

    request: RequestInfo
    retry: int
    wait: float
    reason: str


@dataclass(frozen=True)
class ThrottleEvent:
    """A request waits ``wait`` seconds for a slot of its rate-limit bucket.

    Attributes:
        organization: Whose budget it draws from.
        bucket: The budget's name, from the spec's ``x-rate-limit``.
        wait: Seconds to wait before asking for a slot again.
        reason: ``"window full"`` or ``"cooling down"`` (after a 429 or a spent budget).
        request: The method and URL of the request, when known.
    """

    organization: str
    bucket: str
    wait: float
    reason: str
    request: RequestInfo | None
