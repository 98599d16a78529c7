"""Build the sandbox's ASGI app from the bundled description."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec

from ._admin import admin_routes
from ._admin_guard import AdminGuard
from ._api import ApiApp
from ._core import ConnectionCloser, SandboxCore
from ._edge import BodyTooLargeError, Edge, too_large
from ._options import SandboxOptions
from ._responses import error

__all__ = ["SandboxApp", "create_app"]

ADMIN_PATH = "/_sandbox"


class SandboxApp:
    """The sandbox as an ASGI app: the API under its base path, admin under ``/_sandbox``.

    Serve it with ``chatapi_sandbox.running`` or the ``chatapi-sandbox`` command, which
    also give it a way to drop connections; under another ASGI server a ``drop`` fault
    degrades to a 500.

    Layers, outermost first: ``Edge`` (answers counted, crashes answered in JSON, bodies
    bounded), ``AdminGuard`` (who may use ``/_sandbox``), then the routes.
    """

    def __init__(self, core: SandboxCore) -> None:
        """Route to ``core``'s API and admin routes."""
        self.core = core

        async def http_error(_: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            return error(status, "No such path.")

        async def body_too_large(_: Request, exc: Exception) -> Response:
            limit = exc.limit if isinstance(exc, BodyTooLargeError) else None
            return too_large(limit or core.options.max_body_bytes)

        async def crash(_: Request, exc: Exception) -> Response:
            # Starlette's last resort would answer in plain text; answer in JSON instead.
            # Edge logs the exception, which Starlette raises again after this answer.
            return error(500, f"Sandbox failure ({type(exc).__name__}): see the sandbox's log.")

        starlette = Starlette(
            routes=[
                Mount(core.base_path, app=ApiApp(core)),
                Mount(ADMIN_PATH, routes=admin_routes(core)),
            ],
            exception_handlers={
                404: http_error,
                405: http_error,
                BodyTooLargeError: body_too_large,
                Exception: crash,
            },
        )
        guarded = AdminGuard(starlette, ADMIN_PATH, core.options.admin_token)
        self._app = Edge(guarded, core.tally, core.base_path, core.options.max_body_bytes)

    @property
    def close_connection(self) -> ConnectionCloser | None:
        """How the app closes a client's connection for a ``drop`` fault; set by the server."""
        return self.core.close_connection

    @close_connection.setter
    def close_connection(self, closer: ConnectionCloser | None) -> None:
        self.core.close_connection = closer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        await self._app(scope, receive, send)


def create_app(
    options: SandboxOptions | None = None, spec: Mapping[str, Any] | None = None
) -> SandboxApp:
    """A sandbox app for ``spec`` (by default the description bundled with ``chatapi_client``).

    Raises:
        SpecError: the description and the handlers disagree, or the description uses a
            construct the sandbox cannot serve.
    """
    options = options or SandboxOptions()
    if spec is None:
        return SandboxApp(SandboxCore(load_spec(), options, index=INDEX))
    return SandboxApp(SandboxCore(spec, options))
