"""The sandbox's own routes under ``/_sandbox``: counters, reset and fault injection.

They are not part of the API (not in the description). Every route but ``health`` needs
the ``X-Sandbox-Admin`` header or the admin token, and a ``Host`` naming the sandbox's own
address: see ``_admin_guard``.

- ``GET /_sandbox/health``: ``{"status": "ok"}`` once the sandbox answers.
- ``GET /_sandbox/info``: base path, tokens and their organizations, rate limiting on/off.
- ``GET /_sandbox/counters``: what the sandbox really did (see ``Counters``).
- ``POST /_sandbox/reset``: fresh workspaces, empty rate-limit windows, no fault, zero counters.
- ``GET|POST|DELETE /_sandbox/faults``: list, inject (a ``Fault`` as JSON, optionally
  naming an ``organization``), or clear faults.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ._core import SandboxCore
from ._faults import Fault
from ._json_body import UnreadableBodyError, read_json
from ._responses import error

__all__ = ["admin_routes"]


def admin_routes(core: SandboxCore) -> list[BaseRoute]:
    """The admin routes of ``core``, relative to ``/_sandbox``."""
    known_organizations = {t.organization for t in core.options.tokens}

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def info(_: Request) -> Response:
        return JSONResponse(
            {
                "base_path": core.base_path,
                "tokens": [
                    {"token": t.token, "organization": t.organization} for t in core.options.tokens
                ],
                "rate_limit": core.options.rate_limit,
                "operations": sorted(core.operations),
                "example_only": list(core.example_only),
            }
        )

    async def counters(_: Request) -> Response:
        return JSONResponse(core.tally.snapshot().to_json())

    async def reset(_: Request) -> Response:
        core.reset()
        return JSONResponse({"status": "reset"})

    async def list_faults(_: Request) -> Response:
        return JSONResponse([fault.to_json() for fault in core.faults.pending()])

    async def add_fault(request: Request) -> Response:
        try:
            data = read_json(await request.body())
            if not isinstance(data, dict):
                raise TypeError("a fault is a JSON object")
            fault = Fault.from_json(data)
        except UnreadableBodyError as unreadable:
            return error(400, f"Invalid fault: {unreadable}")
        except (ValueError, TypeError) as invalid:
            return error(400, f"Invalid fault: {invalid}")
        if fault.operation_id not in core.operations:
            return error(400, f"Invalid fault: no operation {fault.operation_id!r}")
        if fault.organization is not None and fault.organization not in known_organizations:
            return error(400, f"Invalid fault: no organization {fault.organization!r}")
        core.faults.add(fault)
        return JSONResponse(fault.to_json())

    async def clear_faults(_: Request) -> Response:
        core.faults.clear()
        return JSONResponse([])

    return [
        Route("/health", health, methods=["GET"]),
        Route("/info", info, methods=["GET"]),
        Route("/counters", counters, methods=["GET"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/faults", list_faults, methods=["GET"]),
        Route("/faults", add_fault, methods=["POST"]),
        Route("/faults", clear_faults, methods=["DELETE"]),
    ]
