"""Connections are bounded: idle ones are closed, and many of them cannot lock clients out.

Each test starts its own sandbox on 127.0.0.1 with a short idle timeout or a small cap;
waiting is done on sockets with timeouts, never by sleeping.
"""

from __future__ import annotations

import select
import socket
import time
from contextlib import ExitStack

import httpx
import pytest

import chatapi_sandbox
from tests._timing import SchedulingProbe


def _address(sandbox: chatapi_sandbox.Sandbox) -> tuple[str, int]:
    host, port = sandbox.origin.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _closed_by_server(sock: socket.socket, timeout: float) -> bool:
    """Whether the server closes ``sock`` within ``timeout`` (answers it sends are read)."""
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if sock.recv(65536) == b"":
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return False


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # never says anything
        b"GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # a head that never ends
        b"POST /v2/space/tag HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{",
    ],
)
def test_a_connection_that_sends_no_complete_request_is_closed(sent: bytes) -> None:
    with chatapi_sandbox.running(idle_timeout=0.3) as sandbox:
        with socket.create_connection(_address(sandbox)) as idle, SchedulingProbe() as probe:
            idle.sendall(sent)
            started = time.monotonic()
            assert _closed_by_server(idle, timeout=10)
            ended = time.monotonic()
        # Closed for the idle timeout (0.3 s), not by chance seconds later; the server's
        # thread runs in this process, so its lateness is this process's.
        allowed = 0.3 + 2.0 + probe.lag(started, ended)
        assert ended - started < allowed, probe.describe(started, ended)
        assert sandbox.counters().server_errors == 0


def test_a_kept_alive_connection_is_closed_after_the_idle_timeout() -> None:
    with (
        chatapi_sandbox.running(idle_timeout=0.3) as sandbox,
        socket.create_connection(_address(sandbox)) as kept,
    ):
        kept.sendall(b"GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        kept.settimeout(10)
        assert kept.recv(4096).startswith(b"HTTP/1.1 200")
        assert _closed_by_server(kept, timeout=10)


def test_many_idle_connections_do_not_lock_clients_out() -> None:
    with (
        chatapi_sandbox.running(idle_timeout=60, max_connections=50) as sandbox,
        ExitStack() as stack,
    ):
        idle = [
            stack.enter_context(socket.create_connection(_address(sandbox))) for _ in range(200)
        ]
        # Past the cap, the longest-idle connections were closed to make room.
        closed: set[socket.socket] = set()
        deadline = time.monotonic() + 10
        while len(closed) < 150 and time.monotonic() < deadline:
            readable, _, _ = select.select([s for s in idle if s not in closed], [], [], 0.5)
            closed.update(s for s in readable if _closed_by_server(s, timeout=1))
        assert len(closed) >= 150
        response = httpx.get(
            f"{sandbox.base_url}/space/user",
            headers={"Authorization": f"Bearer {sandbox.token}"},
            timeout=5,
        )
        assert response.status_code == 200
