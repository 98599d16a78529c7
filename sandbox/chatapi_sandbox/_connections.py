"""Bounded connections: an idle deadline and a cap, on top of uvicorn's h11 protocol.

uvicorn closes a keep-alive connection only after it has answered once, and any byte
received restarts that timer: a connection that never sends a request, or sends its head
one byte at a time, stays open forever, and enough of them exhaust the process's file
descriptors (then nothing can connect, and asyncio logs every failed accept). uvicorn's
``limit_concurrency`` does not help: it counts idle connections too, and answers new
requests with its own plain-text 503 instead of closing anything.

So each connection gets a deadline: a complete request (head and body) must arrive within
``idle_timeout`` seconds of the connection opening or of its last answer, or the
connection is closed. Partial data does not move the deadline. And past
``max_connections`` open connections, the longest-idle one is closed to make room; if
every connection is busy with a request, the new one is closed instead.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["DEFAULT_MAX_CONNECTIONS", "bounded_protocol", "default_max_connections"]

DEFAULT_MAX_CONNECTIONS = 1000


def default_max_connections() -> int:
    """1,000, or half the process's soft file-descriptor limit if that is less.

    Half leaves descriptors for everything else the process holds (it may be a test run
    with the sandbox in a thread), so accepting never fails for want of one.
    """
    try:
        import resource  # POSIX only: imported where it is needed
    except ImportError:
        return DEFAULT_MAX_CONNECTIONS
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return DEFAULT_MAX_CONNECTIONS
    return max(1, min(DEFAULT_MAX_CONNECTIONS, soft // 2))


class _BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the deadline and the cap; settings are class attributes."""

    idle_timeout: float = 5.0
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    _deadline: asyncio.TimerHandle | None = None
    _idle_since: float = 0.0

    def _waiting_for_request(self) -> bool:
        """True until a whole request has arrived and while no request is being answered."""
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def _arm(self) -> None:
        self._disarm()
        self._idle_since = self.loop.time()
        if not self.transport.is_closing():
            self._deadline = self.loop.call_later(self.idle_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self._waiting_for_request() and not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        idle = [
            other
            for other in self.connections
            if other is not self
            and isinstance(other, _BoundedH11Protocol)
            and other._waiting_for_request()
            and not other.transport.is_closing()
        ]
        if idle:
            min(idle, key=lambda other: other._idle_since).transport.close()
        else:
            self.transport.close()  # every connection is busy: refuse this one

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Count the connection, make room past the cap, start its deadline."""
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self._make_room()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        """Handle what arrived; a complete request stops the deadline."""
        super().handle_events()
        if self._deadline is not None and not self._waiting_for_request():
            self._disarm()

    def on_response_complete(self) -> None:
        """Restart the deadline: the next request must come in time too."""
        # Armed before uvicorn handles pipelined requests, which disarm it again.
        self._arm()
        super().on_response_complete()


def bounded_protocol(idle_timeout: float, max_connections: int) -> type[H11Protocol]:
    """An h11 protocol class for uvicorn's ``http`` setting, with these bounds."""
    return type(
        "BoundedH11Protocol",
        (_BoundedH11Protocol,),
        {"idle_timeout": idle_timeout, "max_connections": max_connections},
    )
