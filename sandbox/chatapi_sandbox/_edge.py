"""The outermost layer of the sandbox app: every answer counted, every crash answered in JSON.

Whatever happens inside (a handler bug, an answer that cannot be encoded, an admin route
that fails), the client gets the Error body ``{code, message}``, never a plain-text
traceback, and every 5xx the sandbox produces by itself is counted in
``Counters.server_errors``. Injected faults are the sandbox doing what it was told: the
API app (``_api``) marks their requests with ``mark_injected`` and they are not counted as errors.

It also bounds request bodies: a declared ``Content-Length`` over the limit is answered
413 before a byte of the body is read, and a body streamed without a length is cut off
the moment it passes the limit (``BodyTooLargeError``, which the app answers 413).
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._counters import Tally

__all__ = ["BodyTooLargeError", "Edge", "mark_injected", "too_large"]

logger = logging.getLogger("chatapi_sandbox")

_INJECTED = "chatapi_sandbox.injected_fault"


class BodyTooLargeError(Exception):
    """A request body passed the size limit while it was being read."""

    def __init__(self, limit: int) -> None:
        """``limit`` is the largest body allowed, in bytes."""
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


def mark_injected(scope: Scope) -> None:
    """Mark the request as struck by an injected fault: its 5xx is not the sandbox's own."""
    scope[_INJECTED] = True


def too_large(limit: int, size: int | None = None) -> JSONResponse:
    """The 413 answer; ``Connection: close`` so the rest of the upload is not waited for."""
    got = f"{size} bytes" if size is not None else "more"
    return JSONResponse(
        {"code": 413, "message": f"Request body too large: {got}, at most {limit} bytes."},
        413,
        {"Connection": "close"},
    )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # Digits only, and short: uvicorn has checked the framing, this is the size.
            return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else None
    return None


class Edge:
    """Wraps the sandbox app: counts answers, answers crashes, bounds request bodies."""

    def __init__(self, app: ASGIApp, tally: Tally, api_path: str, max_body_bytes: int) -> None:
        """Wrap ``app``; answers under ``api_path`` are counted per status in ``tally``."""
        self._app = app
        self._tally = tally
        self._api_path = api_path
        self._max_body = max_body_bytes

    def _is_api(self, scope: Scope) -> bool:
        path = str(scope.get("path", ""))
        return path == self._api_path or path.startswith(self._api_path + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request through the wrapped app."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        tally, limit = self._tally, self._max_body
        counted = self._is_api(scope)
        started = False

        async def counting_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                if counted:
                    tally.by_status[status] += 1
                if status >= 500 and not scope.get(_INJECTED):
                    tally.server_errors += 1
            await send(message)

        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit, declared)(scope, receive, counting_send)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        try:
            await self._app(scope, bounded_receive, counting_send)
        except Exception:
            if scope.get(_INJECTED):
                raise  # a fault that breaks the connection on purpose: the server closes it
            if started:  # answered already (the app's own 500 handler, or a partial answer)
                logger.exception("sandbox failure after answering %s", scope.get("path"))
                return
            logger.exception("sandbox failure on %s", scope.get("path"))
            failure = JSONResponse(
                {"code": 500, "message": "Sandbox failure: see the sandbox's log."}, 500
            )
            await failure(scope, receive, counting_send)
