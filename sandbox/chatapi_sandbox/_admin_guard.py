"""Who may drive the admin routes (``/_sandbox/*``): not a web page the developer visits.

The admin routes reset workspaces, inject faults and show every token. A browser sends
cross-site requests without asking when they look like a form post (``text/plain``, form
encodings, no custom header), and a DNS-rebinding page sends same-origin requests to the
sandbox under the attacker's host name. So an admin request must:

1. name this sandbox in ``Host``: the address the connection arrived on (``127.0.0.1``,
   ``[::1]``, the LAN address for a wildcard bind), or ``localhost`` on loopback, with the
   listening port (403 otherwise);
2. not carry a form or ``text/plain`` body (415);
3. carry ``X-Sandbox-Admin`` (any value; a browser cannot add a custom header cross-site
   without a CORS preflight, which the sandbox never grants) or
   ``Authorization: Bearer <admin token>`` (the first configured token) (401 otherwise).

``GET /_sandbox/health`` stays open: it tells nothing, and readiness probes need it.
"""

from __future__ import annotations

import hmac
import ipaddress

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ._responses import error

__all__ = ["ADMIN_HEADER", "AdminGuard"]

ADMIN_HEADER = "X-Sandbox-Admin"
_FORM_MEDIA = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})


def _split_host(host: str) -> tuple[str, int | None] | None:
    """``(name, port)`` from a Host header value, or None if it does not parse."""
    if host.startswith("["):
        name, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:]
    else:
        name, colon, port_text = host.partition(":")
        if not colon:
            port_text = ""
    if port_text and not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5):
        return None
    return name.lower(), int(port_text) if port_text else None


def _is_loopback(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_problem(scope: Scope, headers: Headers) -> str | None:
    """Why the Host header does not name the address the request arrived on, or None."""
    server = scope.get("server")
    host = headers.get("host")
    if not server or host is None:
        return None  # not served over a socket, or HTTP/1.0 without Host: no browser
    local, port = str(server[0]).lower(), server[1]
    parsed = _split_host(host.strip())
    if parsed is None:
        return f"Host {host!r} does not parse"
    name, given_port = parsed
    names = {local, "localhost"} if _is_loopback(local) else {local}
    if name not in names or (given_port or 80) != port:
        return f"Host {host!r} is not this sandbox's address"
    return None


class AdminGuard:
    """Lets an admin request through only as the module docstring says; others pass."""

    def __init__(self, app: ASGIApp, admin_path: str, token: str) -> None:
        """Guard requests under ``admin_path`` (``/_sandbox``); ``token`` is the admin token."""
        self._app = app
        self._prefix = admin_path + "/"
        self._open = {admin_path + "/health"}
        self._token = token.encode()

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = Headers(scope=scope)
        problem = host_problem(scope, headers)
        if problem:
            return 403, f"{problem}: admin routes answer only requests to the sandbox's address."
        media = (headers.get("content-type") or "").split(";")[0].strip().lower()
        if media in _FORM_MEDIA:
            return 415, f"Admin routes take application/json, not {media}."
        scheme, _, credentials = (headers.get("authorization") or "").partition(" ")
        token_ok = scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode(), self._token
        )
        if not token_ok and not headers.get(ADMIN_HEADER):
            return 401, (
                f"Admin routes need the header {ADMIN_HEADER}: 1, or "
                "Authorization: Bearer <the first token the sandbox printed>."
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a guarded request that fails a check; pass everything else on."""
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and path.startswith(self._prefix) and path not in self._open:
            refusal = self._refusal(scope)
            if refusal is not None:
                await error(*refusal)(scope, receive, send)
                return
        await self._app(scope, receive, send)
