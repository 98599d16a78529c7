"""Client-side rate limiting: budgets per (organization, bucket), in-process or shared.

The Redis store (``redis_store.RedisRateLimitStore``) needs the ``redis`` extra and is
imported only when asked for, so the package works without redis-py.
"""

from .failover import FailoverStore, RateLimitStoreError, RateLimitStoreEvent
from .limiter import DEFAULT_WINDOW, RateLimiter
from .sqlite_store import SqliteBackend, SqliteRateLimitStore
from .store import (
    Admission,
    AsyncRateLimitStore,
    InMemoryRateLimitStore,
    RateLimitStore,
    async_store_for,
)
from .store_url import ACCEPTED_FORMS, STORE_VARIABLE, open_store

__all__ = [
    "ACCEPTED_FORMS",
    "DEFAULT_WINDOW",
    "STORE_VARIABLE",
    "Admission",
    "AsyncRateLimitStore",
    "FailoverStore",
    "InMemoryRateLimitStore",
    "RateLimitStore",
    "RateLimitStoreError",
    "RateLimitStoreEvent",
    "RateLimiter",
    "SqliteBackend",
    "SqliteRateLimitStore",
    "async_store_for",
    "open_store",
]
