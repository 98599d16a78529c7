"""Serve the sandbox with uvicorn: in a background thread (``running``) or in the foreground.

The listening socket is bound here, before uvicorn starts, so port 0 (a free port) is known
at once and never races another process. uvicorn closes that socket when it shuts down.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import uvicorn
from starlette.types import Scope

from ._app import SandboxApp, create_app
from ._client import SandboxClient
from ._connections import bounded_protocol, default_max_connections
from ._core import ConnectionCloser
from ._options import SandboxOptions, Token

__all__ = ["Sandbox", "bind", "running", "serve"]

LOOPBACK = "127.0.0.1"


class _Server(uvicorn.Server):
    """uvicorn's server, calling back once it listens (to announce the URL)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._on_started is not None:
            self._on_started()


def _closer(server: uvicorn.Server) -> ConnectionCloser:
    """Closes the transport of the connection a request came on (a ``drop`` fault).

    ASGI has no message for "close the connection without answering", so this finds
    uvicorn's protocol object for the request's client address and closes its transport.
    """

    def close(scope: Scope) -> bool:
        client = scope.get("client")
        for protocol in list(server.server_state.connections):
            if client is not None and getattr(protocol, "client", None) == client:
                transport = getattr(protocol, "transport", None)
                if transport is not None:
                    transport.close()
                    return True
        return False

    return close


def bind(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: a free one), ready for uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio sets TCP_NODELAY only on sockets that say
    # so, and without it every answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _origin(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(
    app: SandboxApp,
    log_level: str,
    access_log: bool,
    on_started: Callable[[], None] | None,
    *,
    own_logging: bool = False,
) -> _Server:
    """A uvicorn server for ``app`` that can drop its connections.

    Connections are bounded (see ``_connections``): an idle deadline and a cap, from the
    app's options. ``own_logging`` lets uvicorn configure logging: for the command only,
    since inside someone else's process their logging configuration stays theirs.
    """
    options = app.core.options
    config = uvicorn.Config(
        app,
        # h11 (the drop fault closes h11 protocol transports), with the connection bounds.
        http=bounded_protocol(
            options.idle_timeout, options.max_connections or default_max_connections()
        ),
        # uvicorn's own keep-alive timer (whole seconds) backs up the protocol's deadline.
        timeout_keep_alive=max(1, math.ceil(options.idle_timeout)),
        # A request head larger than this is refused: h11's default, stated on purpose.
        h11_max_incomplete_event_size=16 * 1024,
        ws="none",
        lifespan="off",
        loop="asyncio",
        log_config=uvicorn.config.LOGGING_CONFIG if own_logging else None,
        log_level=log_level,
        access_log=access_log,
        server_header=False,
        timeout_graceful_shutdown=3,
    )
    server = _Server(config, on_started)
    app.close_connection = _closer(server)
    return server


class Sandbox(SandboxClient):
    """A sandbox serving on a background thread of this process.

    Attributes:
        origin: ``http://127.0.0.1:PORT``.
        base_url: The API's base URL, ``http://127.0.0.1:PORT/v2``.
        tokens: The accepted tokens with their organizations.
        token: The first token, for the common one-token case.

    Stop it with ``stop()`` or by leaving its ``with`` block: the thread ends, the socket
    closes, and open connections are closed.
    """

    def __init__(self, app: SandboxApp, sock: socket.socket, startup_timeout: float) -> None:
        """Start serving ``app`` on the bound ``sock``; return once it answers.

        Raises:
            RuntimeError: the server did not start, or did not answer, in time.
        """
        super().__init__(_origin(sock), token=app.core.options.admin_token)
        self.base_url = self.origin + app.core.base_path
        self.tokens: tuple[Token, ...] = app.core.options.tokens
        self.token = self.tokens[0].token
        self._server = _server(app, "warning", access_log=False, on_started=None)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="chatapi-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + startup_timeout
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        if not self._server.started:
            self.stop()
            sock.close()
            raise RuntimeError("the sandbox did not start")
        self._wait_until_it_answers(deadline)

    def _wait_until_it_answers(self, deadline: float) -> None:
        while True:
            try:
                self._call("GET", "/health")
                return
            except Exception:  # not answering yet, whatever the reason  # noqa: BLE001
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the sandbox at {self.origin} did not answer") from None
                time.sleep(0.02)

    def stop(self) -> None:
        """Shut down and wait for the server thread; idempotent."""
        self._server.should_exit = True
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self.close()

    def __enter__(self) -> Sandbox:
        """Use as a context manager that stops the sandbox."""
        return self

    def __exit__(self, *_: object) -> None:
        """Stop the sandbox."""
        self.stop()


def running(
    tokens: Iterable[str | Token] = (),
    *,
    host: str = LOOPBACK,
    port: int = 0,
    rate_limit: bool = True,
    check_responses: bool = True,
    clock: Callable[[], float] | None = None,
    startup_timeout: float = 10.0,
    max_body_bytes: int | None = None,
    idle_timeout: float | None = None,
    max_connections: int | None = None,
) -> Sandbox:
    """Start a sandbox in a background thread; use it as a context manager.

    ``tokens`` are ``TOKEN[:ORGANIZATION]`` strings or ``Token``s (default: one token,
    ``sandbox-token``). ``clock`` replaces the rate limiter's clock (tests step it).
    ``max_body_bytes``, ``idle_timeout`` and ``max_connections`` override the limits of
    ``SandboxOptions``.

    Example:
        with chatapi_sandbox.running(["a:acme", "b:acme"]) as sandbox:
            httpx.get(f"{sandbox.base_url}/space/user", headers={...})
            assert sandbox.counters().requests == 1
    """
    options = SandboxOptions(
        tokens=SandboxOptions.tokens_from(tokens),
        rate_limit=rate_limit,
        check_responses=check_responses,
    )
    if clock is not None:
        options = replace(options, clock=clock)
    if max_body_bytes is not None:
        options = replace(options, max_body_bytes=max_body_bytes)
    if idle_timeout is not None:
        options = replace(options, idle_timeout=idle_timeout)
    if max_connections is not None:
        options = replace(options, max_connections=max_connections)
    return Sandbox(create_app(options), bind(host, port), startup_timeout)


def serve(
    options: SandboxOptions,
    sock: socket.socket,
    *,
    announce: Callable[[str, str], None],
    url_file: Path | None = None,
    log_level: str = "warning",
    access_log: bool = False,
) -> None:
    """Serve in the foreground until SIGINT or SIGTERM (uvicorn's graceful shutdown).

    ``announce`` receives the origin and the API's base URL once the server listens;
    ``url_file``, if given, is then written with the base URL (atomically), for scripts
    waiting on it.
    """
    app = create_app(options)
    origin = _origin(sock)
    base_url = origin + app.core.base_path

    def started() -> None:
        announce(origin, base_url)
        if url_file is not None:
            partial = url_file.with_name(url_file.name + ".partial")
            partial.write_text(base_url + "\n", encoding="utf-8")
            partial.replace(url_file)

    _server(app, log_level, access_log, started, own_logging=True).run(sockets=[sock])
