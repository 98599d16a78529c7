"""Choosing a rate-limit store from one setting: a URL, a store, or a redis-py client.

``connect(rate_limit_store=...)`` and the ``CHATAPI_RATE_LIMIT_STORE`` environment variable
accept the same URLs, so operators switch stores without code changes:

- ``sqlite:///path/to/limits.db``: an SQLite file shared by the processes of one machine
  (the path after ``sqlite://`` is absolute: ``sqlite:///var/tmp/limits.db``);
- ``redis://[[user]:password@]host[:port][/db]``, ``rediss://...`` (TLS),
  ``unix://[[user]:password@]/path/to/redis.sock[?db=N]``: Redis, shared by every machine.

One store is opened per URL per process and shared by every client naming it, so they all
draw from one connection pool and, should Redis fail, one in-process fallback.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from .store import RateLimitStore

__all__ = [
    "ACCEPTED_FORMS",
    "STORE_VARIABLE",
    "check_credentials",
    "environment_setting",
    "open_store",
    "split_credentials",
]

STORE_VARIABLE = "CHATAPI_RATE_LIMIT_STORE"
ACCEPTED_FORMS = (
    "sqlite:///path/to/file.db, redis://[:password@]host[:port][/db], "
    "rediss://[:password@]host[:port][/db] or unix:///path/to/redis.sock"
)

_OPEN: dict[str, RateLimitStore] = {}
_OPEN_LOCK = threading.Lock()


def open_store(setting: object) -> RateLimitStore:
    """The store a ``rate_limit_store`` setting names.

    Args:
        setting: A URL (see the module), a ``RateLimitStore``, or a redis-py client
            (``redis.Redis`` or ``redis.asyncio.Redis``), which is wrapped in a
            ``RedisRateLimitStore`` as is (its own timeouts apply).

    Raises:
        ValueError: A URL of another form, or one that cannot be used; the message names the
            accepted forms and never the URL's password.
        TypeError: Something that is neither a URL nor a store.
    """
    if isinstance(setting, str):
        return _from_url(setting)
    client = _redis_client_kind(setting)
    if client is not None:
        from .redis_store import RedisRateLimitStore

        if client == "async":
            return RedisRateLimitStore(async_client=setting)  # type: ignore[arg-type]
        return RedisRateLimitStore(setting)  # type: ignore[arg-type]
    if all(
        callable(getattr(setting, name, None))
        for name in ("try_acquire", "cool_down", "mark_spent", "report_limit", "reported_limit")
    ):
        return setting  # type: ignore[return-value]
    raise TypeError(
        f"rate_limit_store must be a URL ({ACCEPTED_FORMS}), a RateLimitStore or a redis-py "
        f"client, not {type(setting).__name__}"
    )


def _from_url(url: str) -> RateLimitStore:
    url = url.strip()
    with _OPEN_LOCK:
        store = _OPEN.get(url)
        if store is None:
            store = _OPEN[url] = _build(url)
        return store


def _build(url: str) -> RateLimitStore:
    shown = _shown(url)
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if parts.netloc or parts.path in ("", "/") or parts.query:
            raise ValueError(
                f"a SQLite rate-limit store is sqlite:///path/to/file.db (an absolute path), "
                f"not {shown}; accepted: {ACCEPTED_FORMS}"
            )
        from .sqlite_store import SqliteRateLimitStore

        return SqliteRateLimitStore(parts.path)
    if parts.scheme in ("redis", "rediss", "unix"):
        _check_redis(parts.scheme, url, shown)
        from .redis_store import RedisRateLimitStore

        return RedisRateLimitStore.from_url(url)
    raise ValueError(f"unsupported rate-limit store {shown}: use {ACCEPTED_FORMS}")


def _check_redis(scheme: str, url: str, shown: str) -> None:
    check_credentials(url, f"; accepted: {ACCEPTED_FORMS}")
    parts = urlsplit(split_credentials(url)[0])
    try:
        port = parts.port
    except ValueError:
        raise ValueError(
            f"bad port in rate-limit store {shown}; accepted: {ACCEPTED_FORMS}"
        ) from None
    if scheme == "unix":
        if not parts.path or parts.path == "/":
            raise ValueError(f"no socket path in {shown}; accepted: {ACCEPTED_FORMS}")
        return
    if not parts.hostname:
        raise ValueError(f"no host in rate-limit store {shown}; accepted: {ACCEPTED_FORMS}")
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"bad port in rate-limit store {shown}; accepted: {ACCEPTED_FORMS}")
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ValueError(
            f"the Redis database in {shown} must be a number; accepted: {ACCEPTED_FORMS}"
        )


def split_credentials(url: str) -> tuple[str, str | None]:
    """``url`` without its user info, and the user info (None if absent).

    The user info ends at the last ``@`` after ``scheme://``, wherever a ``/``, ``?`` or
    ``#`` in a password would make a URL parser end it.
    """
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if not sep or at < 0:
        return url, None
    return f"{scheme}://{rest[at + 1 :]}", rest[:at]


def check_credentials(url: str, suffix: str = "") -> None:
    """Refuse a user name or password that URL parsers would cut short (never quoting it).

    ``/``, ``?`` and ``#`` end the user info for every URL parser, redis-py's included,
    which would then take the rest of the password for the host, the socket path or the
    database, and print it in its errors. Percent-encoded, they are fine.
    """
    _, credentials = split_credentials(url)
    if credentials is not None and any(c in credentials for c in "/?#"):
        raise ValueError(
            "the user name or password in the Redis URL holds '/', '?' or '#': "
            f"percent-encode it (urllib.parse.quote(password, safe='')){suffix}"
        )


def _shown(url: str) -> str:
    """``url`` as an error may quote it: scheme, host and path, never user or password.

    A URL with user info shows its scheme alone: a password holding ``/``, ``?`` or ``#``
    makes the parser take the rest of it for the path, query or fragment.
    """
    parts = urlsplit(url)
    if not parts.scheme:
        return repr("(no scheme)")
    if "@" in url:
        return repr(f"{parts.scheme}://…")
    return repr(f"{parts.scheme}://{parts.hostname or ''}{parts.path}")


def _redis_client_kind(value: object) -> str | None:
    """``"sync"`` or ``"async"`` for a redis-py client, else None (redis-py optional)."""
    module = type(value).__module__
    if not module.startswith("redis"):
        return None
    try:
        import redis
        import redis.asyncio
    except ImportError:  # pragma: no cover - a redis object without redis-py
        return None
    if isinstance(value, redis.asyncio.Redis):
        return "async"
    if isinstance(value, redis.Redis):
        return "sync"
    return None


def environment_setting(environ: Any = os.environ) -> str | None:
    """The ``CHATAPI_RATE_LIMIT_STORE`` setting, or None when unset or empty."""
    value = str(environ.get(STORE_VARIABLE, "")).strip()
    return value or None
