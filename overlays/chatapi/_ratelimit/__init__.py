"""Client-side rate limiting: budgets per (organization, bucket), shared in the process."""

from .limiter import DEFAULT_WINDOW, RateLimiter
from .store import Admission, InMemoryRateLimitStore, RateLimitStore
from .transport import RateLimitTransport

__all__ = [
    "DEFAULT_WINDOW",
    "Admission",
    "InMemoryRateLimitStore",
    "RateLimitStore",
    "RateLimitTransport",
    "RateLimiter",
]
