"""A raw HTTP/1.1 server on 127.0.0.1 whose answers a test scripts, for what needs a socket.

Each connection runs in a thread; ``handler(connection, head, body)`` answers one request
(or misbehaves) and returns whether to keep the connection. The server records every
request it read whole, and can close the connections that sit idle between requests.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Callable, Iterator

Handler = Callable[[socket.socket, bytes, bytes], bool]


class ScriptedServer:
    """Start with ``with ScriptedServer(handler) as server:``; ``server.url`` is its base."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Condition()
        self._idle: dict[socket.socket, _Closing] = {}
        self._stopping = threading.Event()
        self.received: list[bytes] = []
        """The head of every request read whole, in order."""
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/v2"

    def __enter__(self) -> ScriptedServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._listener.close()

    def close_idle(self, *, reset: bool) -> int:
        """Close every connection waiting for its next request (with a RST if ``reset``).

        Waits up to 1 s for one (a connection that just answered is idle a moment later),
        and until each is closed: the thread serving it closes it, since a socket another
        thread still polls is not released (no FIN, no RST) before that poll returns.
        """
        with self._lock:
            self._lock.wait_for(lambda: self._idle, timeout=1.0)
            idle, self._idle = self._idle, {}
        for closing in idle.values():
            closing.reset = reset
            closing.waker.send(b"x")
        for closing in idle.values():
            closing.done.wait(timeout=1.0)
        return len(idle)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        closing = _Closing()
        buffer = b""
        try:
            while not self._stopping.is_set():
                with self._lock:
                    self._idle[connection] = closing
                    self._lock.notify_all()
                readable, _, _ = select.select([connection, closing.wake], [], [], 0.05)
                if closing.wake in readable:
                    if closing.reset:
                        linger = struct.pack("ii", 1, 0)
                        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    return
                if not readable:
                    continue
                with self._lock:
                    self._idle.pop(connection, None)
                data = connection.recv(65536)
                if not data:
                    return
                buffer += data
                while (request := _split(buffer)) is not None:
                    head, body, buffer = request
                    self.received.append(head)
                    if not self._handler(connection, head, body):
                        return
        except OSError:
            pass
        finally:
            with self._lock:
                self._idle.pop(connection, None)
            connection.close()
            closing.close()


class _Closing:
    """How ``close_idle`` asks a connection's thread to close it, and learns it did."""

    def __init__(self) -> None:
        self.wake, self.waker = socket.socketpair()
        self.reset = False
        self.done = threading.Event()

    def close(self) -> None:
        self.done.set()
        self.wake.close()
        self.waker.close()


def _split(buffer: bytes) -> tuple[bytes, bytes, bytes] | None:
    if b"\r\n\r\n" not in buffer:
        return None
    head, rest = buffer.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if len(rest) < length:
        return None
    return head, rest[:length], rest[length:]


def answer(status: int, body: bytes, *, extra: bytes = b"") -> bytes:
    """A whole HTTP/1.1 response with a JSON body."""
    return (
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


@contextlib.contextmanager
def serving(handler: Handler) -> Iterator[ScriptedServer]:
    with ScriptedServer(handler) as server:
        yield server


def trickle(connection: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    """Send ``data`` one byte at a time, ``every`` seconds apart, until done or stopped."""
    for byte in data:
        if stop.wait(every):
            return
        connection.sendall(bytes([byte]))
