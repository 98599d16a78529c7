"""Closing a client closes what it opened: the store's connections to Redis and SQLite.

Counted where they live: Redis's own ``CLIENT LIST`` on a real redis-server, and this
process's open files on the SQLite database. The API is a mock transport: the calls are
not what is measured, each is one request that takes a rate-limit slot from the store.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import chatapi

from ._redis import RedisServer

CYCLES = 300
"""Scripts calling ``asyncio.run()`` once per job, as many do."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as running:
        yield running


def _api() -> httpx.MockTransport:
    contact = {"id": 1, "firstName": "A"}
    return httpx.MockTransport(lambda request: httpx.Response(200, json=contact))


def _client(store: str, **options: Any) -> chatapi.ChatAPI:
    """A client of the mock API on the rate-limit store at the URL ``store``."""
    return chatapi.ChatAPI(
        "secret-token",
        base_url="https://api.test/v2",
        transport=_api(),
        rate_limit_store=store,
        **options,
    )


def _redis_clients(server: RedisServer, expected: int) -> int:
    """Connections Redis lists (this probe's included), once they settle at ``expected``.

    Redis notices a closed connection on its next turn of its event loop: the count is read
    again for up to 2 s, until it matches.
    """
    import redis

    probe = redis.Redis(unix_socket_path=str(server.socket_path))
    try:
        end = time.monotonic() + 2.0
        while True:
            count = len(probe.client_list()) - 1  # less the probe itself
            if count == expected or time.monotonic() > end:
                return count
            time.sleep(0.01)
    finally:
        probe.close()


def _open_files(path: Path) -> int:
    """How many of this process's file descriptors are open on ``path`` (or its -wal, -shm)."""
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink()
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
        count += str(target).startswith(str(path))
    return count


async def _one_job(url: str, job: int) -> None:
    # An organization per job: every job takes a slot at once, none waits for the last.
    async with chatapi.AsyncChatAPI(
        "secret-token",
        base_url="https://api.test/v2",
        transport=_api(),
        rate_limit_store=url,
        organization=f"job-{job}",
    ) as client:
        assert (await client.contacts.get("id:1")).id == 1


def test_asyncio_clients_on_redis_leave_no_connection_open(server: RedisServer) -> None:
    before = _redis_clients(server, 0)
    asyncio.run(_one_job(server.unix_url, 0))
    assert _redis_clients(server, before) == before
    for job in range(CYCLES):
        asyncio.run(_one_job(server.unix_url, job))
    assert _redis_clients(server, before) == before


def test_a_sync_client_on_redis_leaves_no_connection_open(server: RedisServer) -> None:
    before = _redis_clients(server, 0)
    with _client(server.unix_url) as client:
        client.contacts.get("id:1")
        assert _redis_clients(server, before + 1) == before + 1  # open while in use
    assert _redis_clients(server, before) == before


def test_a_client_still_open_keeps_the_shared_store_connected(server: RedisServer) -> None:
    """Only the last client on a store releases it: the others are not made to reconnect."""
    staying = _client(server.unix_url)
    staying.contacts.get("id:1")
    with _client(server.unix_url) as other:
        other.contacts.get("id:2")
    assert _redis_clients(server, 1) == 1
    staying.close()
    assert _redis_clients(server, 0) == 0


def test_clients_on_sqlite_leave_no_database_file_open(tmp_path: Path) -> None:
    path = tmp_path / "limits.db"
    url = f"sqlite://{path}"
    with _client(url) as client:
        client.contacts.get("id:1")
        assert _open_files(path) > 0
    assert _open_files(path) == 0
    for job in range(CYCLES):
        asyncio.run(_one_job(url, job))
        assert _open_files(path) == 0, job


def test_a_client_that_fails_to_build_holds_no_store(server: RedisServer) -> None:
    """A bad argument leaves the store to the clients that exist: the last one releases it."""
    with pytest.raises(ValueError, match="max_retries"):
        _client(server.unix_url, max_retries=-1)
    with _client(server.unix_url) as client:
        client.contacts.get("id:1")
        assert _redis_clients(server, 1) == 1
    assert _redis_clients(server, 0) == 0


def test_a_client_collected_unclosed_returns_its_hold_on_the_store(server: RedisServer) -> None:
    """Dropped without ``close()``: once collected, the store's idle connection closes."""
    dropped = _client(server.unix_url)
    dropped.contacts.get("id:1")
    assert _redis_clients(server, 1) == 1
    del dropped
    gc.collect()
    assert _redis_clients(server, 0) == 0
