"""RedisRateLimitStore: budgets shared by every process on every machine, in Redis.

Install with ``pip install 'chatapi[redis]'``. The asyncio twin runs the sync client in a
worker thread, so an event loop never blocks on a round trip, and one connection pool
serves every thread and event loop: a ``redis.asyncio`` client belongs to one loop and
would leave its connections open when that loop ends (one per ``asyncio.run()``). An
asyncio client you pass in is used as is.

How it stays correct across machines:
- One Lua script per try. It reads the Redis server's ``TIME`` (so the client machines'
  clocks never matter), checks the budget's cool-down, takes the lower of the table's limit
  and the limit the server last reported (less the limiter's headroom), drops starts older
  than the window, then records the start or returns the wait. Redis runs a script
  atomically, so no two clients can take the last slot.
- Keys per budget: ``<prefix>:{<organization>/<bucket>}:starts`` (a sorted set of start
  times), ``...:cool`` (end of the cool-down) and ``...:limit`` (the reported limit). The
  braces are a Redis Cluster hash tag: a budget's keys share a slot, as a script needs.
  Starts and cool-downs expire about a second after they stop mattering; a reported limit
  lasts ``REPORTED_LIMIT_TTL`` after it was last written, and a process that keeps seeing
  it reported writes it again every minute, so it holds under steady traffic. ``...:window``
  holds the widest window a process asked for in the last ``SHARED_WINDOW_MEMORY`` seconds,
  ``...:peers`` the processes that tried in the last ``PEER_MEMORY`` seconds: while Redis is
  out of reach, each keeps to its fair share of the budget (``fair_share``).
- A 429 seen by one process sets the cool-down in Redis, so it pauses every process; a lower
  ``X-RateLimit-Limit`` lowers every process's budget.

Why redis-py and a short script rather than a rate-limit library (measured on the project's
2-core machines with Debian redis-server 7.0.15 and redis-py 7.4, 8 processes x 4 threads,
one budget of 10/s, 15 s; figures from docs/design/shared-limits.md):

=========================================================  =================  ============
candidate                                                  most starts in 1s  span of 11
=========================================================  =================  ============
this script (sorted set, Redis ``TIME``, window 1.05 s)    10                 1054 ms
``limits`` 5.8 moving window (client clock, whole seconds) 20                 984 ms
``pyrate-limiter`` 4.5 ``RedisBucket`` (client clock)      19                 3.2 ms
=========================================================  =================  ============

``limits`` has no atomic "take a slot or tell me the wait", no shared cool-down or lowered
limit, and trusts each client's clock (a process 0.5 s ahead took 150 of 160 starts);
``pyrate-limiter`` over-admits even with agreeing clocks. The script costs about 90-125 us
per try on loopback (a plain PING: 48 us sync, 69 us async).

Failures: redis-py's defaults retry with backoff and, before 8.0, had no socket timeout (a
hung Redis blocked a call > 12 s in that measurement). The clients built here use
``socket_timeout`` and ``socket_connect_timeout`` of ``DEFAULT_TIMEOUT`` (0.25 s) and no
retries, so a call to a dead or hung Redis fails within 0.25 s: ``RedisBackend`` raises
``RateLimitStoreError``, and ``RedisRateLimitStore`` (a ``FailoverStore`` around it) keeps the
budgets in this process (or raises, with ``fail_closed``) and tries Redis again every few
seconds. A client you pass in keeps its own settings: give it the same bounds. The call's
deadline (``calls_within``, set by the limiter) cuts each wait for an answer shorter still,
as it cuts a wait for a locked SQLite file: a Redis that is paused, or alive but too slow
for the time the call has left, counts as failed at the deadline. (An asyncio client you
pass in is only checked before each command; a connection being set up waits out its own
socket timeouts.)

The URL's password is kept only inside the redis-py clients: the store's ``repr``, its log
lines, events and errors name ``redis://host:port/db`` without credentials, and the store
refuses to be pickled.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import urlsplit

import anyio.to_thread

from .failover import (
    DEFAULT_PROBE_INTERVAL,
    FailoverStore,
    RateLimitStoreEvent,
    backend_failure,
)
from .store import (
    _SLACK,
    PEER_MEMORY,
    SHARED_WINDOW_MEMORY,
    Admission,
    AsyncRateLimitStore,
    time_left,
)
from .store_url import check_credentials, split_credentials

try:
    import redis
    import redis.asyncio
    import redis.asyncio.retry
    from redis.backoff import NoBackoff
    from redis.exceptions import NoScriptError, RedisError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from redis.retry import Retry
except ImportError as missing:  # pragma: no cover - exercised without the extra only
    raise ImportError(
        "the Redis rate-limit store needs redis-py: pip install 'chatapi[redis]'"
    ) from missing

__all__ = [
    "DEFAULT_TIMEOUT",
    "REPORTED_LIMIT_TTL",
    "RedisBackend",
    "RedisRateLimitStore",
    "describe_redis_url",
]

DEFAULT_TIMEOUT = 0.25
"""Seconds to connect to Redis, and to wait for each answer, before the store falls back."""
REPORTED_LIMIT_TTL = 600
"""Seconds a limit reported by the server stays in Redis after it was last reported."""
_REFRESH_REPORTED = 60.0
"""Seconds during which a process does not rewrite a reported limit Redis already holds."""
_EXPIRY_SLACK_MS = 1000
"""Keys outlive what they record by this long, so a slow clock never drops one early."""


def _script(text: str) -> str:
    """A script's text with the module's constants filled in."""
    return (
        text.replace("EXPIRY_SLACK_MS", str(_EXPIRY_SLACK_MS))
        .replace("WINDOW_MEMORY_MS", str(round(SHARED_WINDOW_MEMORY * 1000)))
        .replace("PEER_MEMORY_MS", str(round(PEER_MEMORY * 1000)))
    )


_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
"""

_COOL_DOWN = """
local function cool_down(key, now, micros)
  local target = now + micros
  local current = tonumber(redis.call('GET', key))
  if current and current >= target then return end
  redis.call('SET', key, string.format('%.0f', target),
             'PX', math.floor(micros / 1000) + EXPIRY_SLACK_MS)
end
"""

TRY_SCRIPT = _script(
    """
-- KEYS: 1 starts (sorted set, score = start in us), 2 cool-down end (us), 3 reported limit,
--       4 widest window asked for recently (us), 5 processes seen (sorted set, score = us)
-- ARGV: 1 table limit, 2 headroom, 3 window (us), 4 a member unique to this try,
--       5 this process
-- Returns {wait in us (0: admitted), 0 | 1 cooling down | 2 window full, reported limit,
--          processes seen in the last PEER_MEMORY_MS ms}
"""
    + _NOW
    + """
redis.call('ZADD', KEYS[5], string.format('%.0f', now), ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', string.format('%.0f', now - PEER_MEMORY_MS * 1000))
redis.call('PEXPIRE', KEYS[5], PEER_MEMORY_MS)
local peers = redis.call('ZCARD', KEYS[5])
local window = tonumber(ARGV[3])
local reported = redis.call('GET', KEYS[3])
local limit = tonumber(ARGV[1])
if reported and tonumber(reported) < limit then limit = tonumber(reported) end
limit = math.max(1, limit - tonumber(ARGV[2]))
local cool = tonumber(redis.call('GET', KEYS[2]))
-- The server's clock stepped back: move the budget's times back with it, so the starts
-- keep their spacing (no extra slot) and nothing waits out the step.
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and now < tonumber(last[2]) then
  local step = tonumber(last[2]) - now
  local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #all, 2 do
    redis.call('ZADD', KEYS[1], string.format('%.0f', tonumber(all[i + 1]) - step), all[i])
  end
  if cool then
    cool = cool - step
    redis.call('SET', KEYS[2], string.format('%.0f', cool), 'KEEPTTL')
  end
end
if cool and now < cool then return {cool - now, 1, reported, peers} end
local shared = tonumber(redis.call('GET', KEYS[4]))
if shared and shared > window then
  window = shared
else
  redis.call('SET', KEYS[4], ARGV[3], 'PX', WINDOW_MEMORY_MS)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  -- The start `limit` places back must leave the window before another begins.
  local oldest = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  return {tonumber(oldest[2]) + window - now, 2, reported, peers}
end
redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + EXPIRY_SLACK_MS)
return {0, 0, reported, peers}
"""
)

COOL_DOWN_SCRIPT = (
    """
-- KEYS: 1 cool-down end (us); ARGV: 1 seconds of cool-down (us). A longer one wins.
"""
    + _COOL_DOWN
    + _NOW
    + """
cool_down(KEYS[1], now, tonumber(ARGV[1]))
return 0
"""
).replace("EXPIRY_SLACK_MS", str(_EXPIRY_SLACK_MS))

MARK_SPENT_SCRIPT = (
    """
-- KEYS: 1 starts, 2 cool-down end; ARGV: 1 limit, 2 window (us)
-- The server says the budget is spent: if our own starts do not fill the window, others
-- spend it too, so admit nothing for a whole window.
"""
    + _COOL_DOWN
    + _NOW
    + """
local window = tonumber(ARGV[2])
local recent = redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', now - window), '+inf')
if recent < tonumber(ARGV[1]) then cool_down(KEYS[2], now, window) end
return 0
"""
).replace("EXPIRY_SLACK_MS", str(_EXPIRY_SLACK_MS))


def describe_redis_url(url: str) -> str:
    """``url`` without user name and password: what logs, reprs and errors may show."""
    parts = urlsplit(split_credentials(url)[0])
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ":?"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _describe_client(client: Any) -> str:
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}"
    return f"redis://{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"


def _bounded(**options: Any) -> dict[str, Any]:
    """Client settings that make every failure end within ``DEFAULT_TIMEOUT``."""
    return {
        "socket_timeout": DEFAULT_TIMEOUT,
        "socket_connect_timeout": DEFAULT_TIMEOUT,
        **options,
    }


class RedisBackend:
    """A ``RateLimitStore`` in Redis, shared by every process that names the same server.

    Without failover: when Redis fails (down, hung, too slow for the call's deadline), a
    call raises ``RateLimitStoreError``; ``RedisRateLimitStore`` wraps it in a
    ``FailoverStore``. The ``now`` the limiter passes is ignored: Redis's own ``TIME``
    decides. ``asynchronous`` is the asyncio twin over the same budgets. Thread-safe and
    fork-safe (redis-py reconnects in a child).
    """

    def __init__(
        self,
        client: redis.Redis | None = None,
        *,
        async_client: redis.asyncio.Redis | None = None,
        prefix: str = "chatapi",
        description: str | None = None,
    ) -> None:
        """Use existing redis-py clients.

        Args:
            client: Serves sync callers. Without it, sync calls raise ``TypeError``.
            async_client: Serves asyncio callers; without it, they run ``client`` in a
                worker thread. A redis.asyncio client belongs to one event loop.
            prefix: Starts every key, before the ``{organization/bucket}`` hash tag.
            description: Names the store in logs and errors; never give a password.
        """
        if client is None and async_client is None:
            raise ValueError("give a redis-py client, an asyncio client, or use from_url()")
        self._client = client
        self._prefix = prefix
        self.description = description or _describe_client(client or async_client)
        """The store's name in logs, events and errors (no password)."""
        self._members = itertools.count()
        self._instance = uuid.uuid4().hex[:12]
        self._reported: dict[str, tuple[int | None, float]] = {}
        self._peers: dict[str, int] = {}
        """Per key, how many processes Redis saw using the budget lately."""
        self._written: dict[str, tuple[int, float]] = {}
        """Per key, the limit this process last wrote to Redis, and when (monotonic)."""
        self._async = _AsyncRedisStore(self, async_client)

    def __repr__(self) -> str:
        return f"RedisBackend({self.description!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Connections do not cross processes, and a pickle would carry the password.
        raise TypeError(f"{self!r} cannot be pickled: open a store from the URL in each process")

    @property
    def asynchronous(self) -> AsyncRateLimitStore:
        """The asyncio twin: the same budgets, without blocking the event loop."""
        return self._async

    def close(self) -> None:
        """Close the sync client's connections (a later call reconnects)."""
        if self._client is not None:
            self._client.close()

    def release(self) -> None:
        """Close the pooled connections no call is using; a later call reconnects.

        The asyncio path without a client of its own runs on the same pool: covered too.
        """
        pool = None if self._client is None else self._client.connection_pool
        if isinstance(pool, redis.ConnectionPool):
            pool.disconnect(inuse_connections=False)

    # -- RateLimitStore ---------------------------------------------------------------

    def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``; Redis's ``TIME`` replaces ``now``."""
        keys, args = self._try_args(key, limit, window, headroom)
        with self._failures():
            return self._admission(key, self._run(TRY_SCRIPT, keys, args))

    def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        with self._failures():
            self._run(COOL_DOWN_SCRIPT, [self._key(key, "cool")], [_micros(seconds)])

    def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        keys = [self._key(key, "starts"), self._key(key, "cool")]
        with self._failures():
            self._run(MARK_SPENT_SCRIPT, keys, [limit, _micros(window)])

    def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``.

        The API repeats ``X-RateLimit-Limit`` on every answer: a value Redis was seen to
        hold within the last minute is not written again.
        """
        if not self._needs_report(key, limit):
            return
        with self._failures():
            self._write_reported(key, limit)

    def reported_limit(self, key: str) -> int | None:
        """See ``RateLimitStore.reported_limit``: as Redis held it at the last contact."""
        return self._reported.get(key, (None, 0.0))[0]

    def peers(self, key: str) -> int | None:
        """Processes Redis saw trying ``key`` lately (``PEER_MEMORY``); None before a try.

        As of this process's last try: no round trip.
        """
        return self._peers.get(key)

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """Turn Redis's failures (and a spent deadline) into ``RateLimitStoreError``."""
        try:
            yield
        except (RedisError, OSError) as error:
            # Redis may have lost what we saw it hold (a restart): write the next report.
            self._written.clear()
            raise backend_failure(self.description, error) from None

    # -- helpers shared with the asyncio twin ----------------------------------------------

    def _key(self, key: str, part: str) -> str:
        # Braces around the budget's key make it the hash tag: one Cluster slot per budget.
        # A key containing "}" cuts the tag short, identically for the three keys: still
        # one slot.
        return f"{self._prefix}:{{{key}}}:{part}"

    def _try_args(
        self, key: str, limit: int, window: float, headroom: int
    ) -> tuple[list[str], list[object]]:
        keys = [
            self._key(key, "starts"),
            self._key(key, "cool"),
            self._key(key, "limit"),
            self._key(key, "window"),
            self._key(key, "peers"),
        ]
        # The process id keeps members unique in a forked child, whose counter is a copy.
        member = f"{os.getpid()}:{self._instance}:{next(self._members)}"
        return keys, [limit, headroom, _micros(window), member, self._peer()]

    def _peer(self) -> str:
        """This process's name among the store's users (a forked child is another)."""
        return f"{os.getpid()}:{self._instance}"

    def _admission(self, key: str, reply: object) -> Admission:
        wait, reason, reported, peers = cast(Sequence[Any], reply)
        self._peers[key] = int(peers)
        self._reported[key] = (None if reported is None else int(reported), time.monotonic())
        if int(wait) <= 0:
            return Admission(0.0)
        # The script answers in whole microseconds, rounded down: the slack covers it.
        return Admission(
            int(wait) / 1e6 + 1e-6 + _SLACK, "cooling down" if int(reason) == 1 else "window full"
        )

    def _needs_report(self, key: str, limit: int) -> bool:
        """Whether to write ``limit``: Redis holds another, or our write is getting old.

        Seeing the value in Redis does not make it last: only a write renews its
        ``REPORTED_LIMIT_TTL``, so under steady traffic it is written again every
        ``_REFRESH_REPORTED`` seconds, or it would lapse and let a burst of 429s through.
        """
        seen, _ = self._reported.get(key, (None, 0.0))
        written, when = self._written.get(key, (None, -math.inf))
        return seen != limit or written != limit or time.monotonic() - when > _REFRESH_REPORTED

    def _write_reported(self, key: str, limit: int) -> None:
        reply = self._sync().set(self._key(key, "limit"), limit, ex=REPORTED_LIMIT_TTL)
        self._set_reported(key, limit, reply)

    def _set_reported(self, key: str, limit: int, _: object) -> None:
        now = time.monotonic()
        self._reported[key] = (limit, now)
        self._written[key] = (limit, now)

    def _sync(self) -> redis.Redis:
        if self._client is None:
            raise TypeError(
                f"{self!r} was given only an asyncio client: sync calls need a redis.Redis "
                "too (RedisRateLimitStore(client, async_client=...))"
            )
        return self._client

    def _run(self, script: str, keys: list[str], args: list[object]) -> object:
        client = self._sync()
        left = _time_left()
        pool = client.connection_pool
        if (
            math.isinf(left)
            or client.connection is not None
            or type(pool) is not redis.ConnectionPool
        ):
            # No deadline (or a client whose connections are not a plain pool's): the
            # client's own socket timeouts bound the wait.
            digest = _sha1(script)
            try:
                return client.evalsha(digest, len(keys), *keys, *args)  # type: ignore[arg-type]
            except NoScriptError:
                # Redis restarted (or flushed its script cache): send the script itself once.
                return client.eval(script, len(keys), *keys, *args)  # type: ignore[arg-type]
        return _run_within(pool, script, keys, args)


class RedisRateLimitStore(FailoverStore):
    """A ``RedisBackend`` that falls back to this process's fair share when Redis fails.

    Build it with ``from_url("redis://host:6379/0")`` (also ``rediss://`` for TLS and
    ``unix:///path/to/redis.sock``), or around existing redis-py clients: it is
    ``FailoverStore(RedisBackend(...))``. Refuses to be pickled (the URL's password stays
    inside the redis-py clients).
    """

    def __init__(
        self,
        client: redis.Redis | None = None,
        *,
        async_client: redis.asyncio.Redis | None = None,
        prefix: str = "chatapi",
        fail_closed: bool = False,
        probe_interval: float = DEFAULT_PROBE_INTERVAL,
        on_event: Callable[[RateLimitStoreEvent], None] | None = None,
        _description: str | None = None,
    ) -> None:
        """Use existing redis-py clients (prefer ``from_url``, which bounds the timeouts).

        Args:
            client: Serves sync callers. Without it, sync calls raise ``TypeError``.
            async_client: Serves asyncio callers; without it, they run ``client`` in a
                worker thread. A redis.asyncio client belongs to one event loop.
            prefix: Starts every key, before the ``{organization/bucket}`` hash tag.
            fail_closed: Raise ``RateLimitStoreError`` when Redis fails, instead of keeping
                budgets in this process until it answers again.
            probe_interval: Seconds between attempts to reach a failed Redis again.
            on_event: Called when the store falls back to the process and when it recovers.
        """
        backend = RedisBackend(
            client, async_client=async_client, prefix=prefix, description=_description
        )
        super().__init__(
            backend, fail_closed=fail_closed, probe_interval=probe_interval, on_event=on_event
        )
        self.primary: RedisBackend = backend

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "chatapi",
        fail_closed: bool = False,
        probe_interval: float = DEFAULT_PROBE_INTERVAL,
        on_event: Callable[[RateLimitStoreEvent], None] | None = None,
    ) -> RedisRateLimitStore:
        """A store on the Redis at ``url``, with bounded timeouts and no client retries.

        ``url`` is ``redis://[[user]:password@]host[:port][/db]``, ``rediss://...`` (TLS)
        or ``unix://[[user]:password@]/path/to/socket[?db=N]``. The password stays inside the
        redis-py client.
        """
        return cls(
            redis_client(url),
            prefix=prefix,
            fail_closed=fail_closed,
            probe_interval=probe_interval,
            on_event=on_event,
            _description=describe_redis_url(url),
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Connections do not cross processes, and a pickle would carry the password.
        raise TypeError(f"{self!r} cannot be pickled: open a store from the URL in each process")


def redis_client(url: str) -> redis.Redis:
    """A redis-py client for ``url`` whose every failure ends within ``DEFAULT_TIMEOUT``.

    Raises:
        ValueError: Not a Redis URL, or one redis-py cannot use; never quoting a password.
    """
    scheme = urlsplit(url).scheme
    if scheme not in ("redis", "rediss", "unix"):
        raise ValueError("a Redis URL starts with redis://, rediss:// or unix://")
    check_credentials(url)
    try:
        return redis.Redis.from_url(url, **_bounded(retry=Retry(NoBackoff(), 0)))
    except ValueError:
        # from None: redis-py's message may quote a part of the URL, and so may the
        # chained exception's.
        raise ValueError(f"redis-py cannot use the Redis URL {describe_redis_url(url)}") from None


class _AsyncRedisStore:
    """The asyncio twin of a ``RedisBackend``, sharing its state."""

    def __init__(self, store: RedisBackend, client: redis.asyncio.Redis | None) -> None:
        self._store = store
        self._client = client

    async def try_acquire(
        self, key: str, limit: int, window: float, now: float, *, headroom: int = 0
    ) -> Admission:
        """See ``RateLimitStore.try_acquire``; Redis's ``TIME`` replaces ``now``."""
        store = self._store
        keys, args = store._try_args(key, limit, window, headroom)
        with store._failures():
            return store._admission(key, await self._run(TRY_SCRIPT, keys, args))

    async def cool_down(self, key: str, seconds: float, now: float) -> None:
        """See ``RateLimitStore.cool_down``."""
        store = self._store
        with store._failures():
            await self._run(COOL_DOWN_SCRIPT, [store._key(key, "cool")], [_micros(seconds)])

    async def mark_spent(self, key: str, limit: int, window: float, now: float) -> None:
        """See ``RateLimitStore.mark_spent``."""
        store = self._store
        keys = [store._key(key, "starts"), store._key(key, "cool")]
        with store._failures():
            await self._run(MARK_SPENT_SCRIPT, keys, [limit, _micros(window)])

    async def report_limit(self, key: str, limit: int) -> None:
        """See ``RateLimitStore.report_limit``."""
        store = self._store
        if not store._needs_report(key, limit):
            return
        with store._failures():
            if self._client is None:
                await anyio.to_thread.run_sync(store._write_reported, key, limit)
                return
            reply = await self._client.set(store._key(key, "limit"), limit, ex=REPORTED_LIMIT_TTL)
            store._set_reported(key, limit, reply)

    async def aclose(self) -> None:
        """Close the asyncio client given to the store, if any (the thread path holds none)."""
        if self._client is not None:
            await self._client.aclose()

    async def _run(self, script: str, keys: list[str], args: list[object]) -> object:
        client = self._client
        _time_left()  # a call out of time does not reach Redis at all
        if client is None:
            # The sync client in a worker thread, never on the event loop: its pool serves
            # every loop and thread, where a redis.asyncio client belongs to one loop and
            # would leave its connections open when that loop ends (one per asyncio.run).
            return await anyio.to_thread.run_sync(self._store._run, script, keys, args)
        digest = _sha1(script)
        try:
            return await cast(
                Awaitable[object],
                client.evalsha(digest, len(keys), *keys, *args),  # type: ignore[arg-type]
            )
        except NoScriptError:
            return await cast(
                Awaitable[object],
                client.eval(script, len(keys), *keys, *args),  # type: ignore[arg-type]
            )


def _time_left() -> float:
    """Seconds the running call still allows a round trip; none left counts as a failure.

    Redis failing this way is a failure of the backend (``RateLimitStoreError``): the call
    falls back (or fails closed) at its deadline instead of waiting on a paused or slow
    server past it.
    """
    left = time_left(math.inf)
    if left <= 0:
        raise RedisTimeoutError("the call's deadline passed before Redis answered")
    return left


def _run_within(
    pool: redis.ConnectionPool, script: str, keys: list[str], args: list[object]
) -> object:
    """Run ``script`` on one of ``pool``'s connections, waiting no longer than the deadline.

    redis-py has no per-command timeout, but a connection's ``read_response`` takes one:
    each answer is waited on for the connection's socket timeout cut to the time left.
    """
    connection: Any = pool.get_connection()  # redis-py leaves its methods untyped
    try:
        try:
            return _round_trip(connection, "EVALSHA", _sha1(script), keys, args)
        except NoScriptError:
            # Redis restarted (or flushed its script cache): send the script itself once.
            return _round_trip(connection, "EVAL", script, keys, args)
    except BaseException:
        # An answer may still be on its way: it must not be read as the next command's.
        connection.disconnect()
        raise
    finally:
        pool.release(connection)


def _round_trip(
    connection: Any, command: str, script: str, keys: list[str], args: list[object]
) -> object:
    left = _time_left()
    timeout = left if connection.socket_timeout is None else min(left, connection.socket_timeout)
    connection.send_command(command, script, len(keys), *keys, *args)
    return connection.read_response(timeout=timeout)


def _micros(seconds: float) -> int:
    return round(seconds * 1_000_000)


def _sha1(script: str) -> str:
    return _DIGESTS[script]


_DIGESTS = {
    script: hashlib.sha1(script.encode()).hexdigest()  # noqa: S324 - Redis names scripts so
    for script in (TRY_SCRIPT, COOL_DOWN_SCRIPT, MARK_SPENT_SCRIPT)
}
"""What ``EVALSHA`` calls each script: the SHA-1 of its text."""
