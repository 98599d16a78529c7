"""Python helpers for the admin routes of a running sandbox, wherever it runs."""

from __future__ import annotations

from typing import Any

import httpx

from ._admin_guard import ADMIN_HEADER
from ._counters import Counters

__all__ = ["SandboxClient"]


class SandboxClient:
    """Reads counters, resets, and injects faults through ``/_sandbox`` over HTTP.

    Works against any running sandbox: one started by ``running()``, or the
    ``chatapi-sandbox`` command started by ``make``. Owns its httpx client; ``close()`` it
    (or use it as a context manager).

    Sends the ``X-Sandbox-Admin`` header the admin routes require, and the admin token (the
    sandbox's first token) when given one.
    """

    def __init__(self, origin: str, timeout: float = 10.0, *, token: str | None = None) -> None:
        """Talk to the sandbox at ``origin`` (``http://127.0.0.1:PORT``).

        The API's base URL (``http://127.0.0.1:PORT/v2``, what the client takes) works too:
        the admin routes are at the origin, so any path is dropped.
        """
        url = httpx.URL(origin)
        if not url.scheme or not url.host:
            raise ValueError(
                f"{origin!r} is not a sandbox URL: give its origin, e.g. http://127.0.0.1:8400"
            )
        self.origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        headers = {ADMIN_HEADER: "1"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=f"{self.origin}/_sandbox", timeout=timeout, headers=headers
        )

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        response = self._http.request(method, path, json=payload)
        response.raise_for_status()
        return response.json()

    def counters(self) -> Counters:
        """What the sandbox really did since start-up or the last reset."""
        return Counters.from_json(self._call("GET", "/counters"))

    def reset(self) -> None:
        """Fresh workspaces, empty rate-limit windows, no pending fault, zero counters."""
        self._call("POST", "/reset")

    def inject(
        self,
        operation_id: str,
        kind: str,
        *,
        times: int = 1,
        when: str | None = None,
        retry_after: float = 1.0,
        retry_after_form: str | None = None,
        body: str | None = None,
        delay: float = 0.0,
        organization: str | None = None,
    ) -> dict[str, Any]:
        """Make the next ``times`` requests to ``operation_id`` misbehave; see ``Fault``.

        ``kind`` is ``429``, ``449``, ``500``, ``502``, ``503``, ``504``, ``520``, ``drop``,
        ``truncate`` or ``delay``; ``when`` is ``before`` or ``after`` processing;
        ``organization``, if given, limits the fault to that organization's requests.

        Raises:
            httpx.HTTPStatusError: the sandbox refused the fault (400, with the reason).
        """
        fault: dict[str, Any] = {
            "operation_id": operation_id,
            "kind": kind,
            "times": times,
            "retry_after": retry_after,
            "delay": delay,
        }
        optional = {
            "when": when,
            "retry_after_form": retry_after_form,
            "body": body,
            "organization": organization,
        }
        fault.update({key: value for key, value in optional.items() if value is not None})
        result: dict[str, Any] = self._call("POST", "/faults", fault)
        return result

    def faults(self) -> list[dict[str, Any]]:
        """The faults still pending, oldest first."""
        pending: list[dict[str, Any]] = self._call("GET", "/faults")
        return pending

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._call("DELETE", "/faults")

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()

    def __enter__(self) -> SandboxClient:
        """Use as a context manager that closes the client."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close the client."""
        self.close()
