"""A real ``redis-server`` for tests: started on a unix socket (or a free port), stopped by PID.

Persistence is off (``--save '' --appendonly no``), so nothing outlives the test. The
Debian package ``redis-server`` provides the binary; ``make test`` installs it when it can.
A missing binary fails the test that needs it, with the package's name: never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

MISSING = (
    "redis-server is not installed: install the Debian package `redis-server` "
    "(apt-get install redis-server), or run `make test`, which installs it when it can"
)


def redis_binary() -> str:
    """The path of ``redis-server``; fails with the package's name when it is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(MISSING)
    return binary


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` process in ``folder``, on a unix socket and optionally TCP.

    ``restart()`` starts a fresh one on the same socket and port (budgets forgotten);
    ``pause()``/``resume()`` send SIGSTOP/SIGCONT: a hung server, not a dead one.
    """

    def __init__(self, folder: Path, *, tcp: bool = False, password: str | None = None) -> None:
        self.folder = folder
        self.socket_path = folder / "redis.sock"
        self.port = free_port() if tcp else 0
        self.password = password
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def unix_url(self) -> str:
        """``unix://`` URL of the socket (with the password, if any)."""
        auth = f":{self.password}@" if self.password else ""
        return f"unix://{auth}{self.socket_path}"

    @property
    def tcp_url(self) -> str:
        """``redis://`` URL on 127.0.0.1 (with the password, if any)."""
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self._process is not None
        return self._process.pid

    def start(self) -> RedisServer:
        """Start the server and return once it accepts connections on its socket."""
        command = [
            redis_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.folder),
            "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        if self.password:
            command += ["--requirepass", self.password]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                log = (self.folder / "redis.log").read_text(errors="replace")
                raise RuntimeError(f"redis-server exited at start:\n{log}")
            if self._answers():
                return self
            time.sleep(0.005)
        self.stop()
        raise RuntimeError("redis-server did not accept connections within 5 s")

    def _answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(0.2)
                sock.connect(str(self.socket_path))
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def stop(self) -> None:
        """Kill the server by its PID (SIGKILL: a crash, not a shutdown) and reap it."""
        if self._process is None:
            return
        if self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGCONT)  # a paused one must be able to die
            os.kill(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=5)
        self._process = None
        self.socket_path.unlink(missing_ok=True)

    def restart(self) -> None:
        """A fresh server on the same socket and port."""
        self.stop()
        self.start()

    def pause(self) -> None:
        """SIGSTOP: the server keeps its connections but answers nothing."""
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT: the paused server answers again."""
        os.kill(self.pid, signal.SIGCONT)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
