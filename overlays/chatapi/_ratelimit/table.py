"""What the rate-limit transport needs from the generated ``chatapi_client.rate_limits``."""

from __future__ import annotations

from typing import Protocol

__all__ = ["RateLimitRule", "RateLimitTable"]


class RateLimitRule(Protocol):
    """One operation's limit (``chatapi_client.rate_limits.RateLimit`` is one)."""

    @property
    def bucket(self) -> str:
        """The budget the operation draws from; operations naming it share it."""
        ...

    @property
    def requests_per_second(self) -> int:
        """The budget's size, per organization."""
        ...


class RateLimitTable(Protocol):
    """Maps a request to its limit (the ``chatapi_client.rate_limits`` module is one)."""

    def find_rate_limit(self, method: str, path: str) -> RateLimitRule:
        """The limit for ``method`` and a raw ``path`` relative to the server URL.

        A request matching no operation gets a conservative default.
        """
        ...
