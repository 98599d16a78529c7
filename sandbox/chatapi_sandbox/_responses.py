"""The answers the sandbox builds itself: the Error body, and the answers of injected faults."""

from __future__ import annotations

import math
from email.utils import formatdate

from starlette.responses import JSONResponse, Response

from ._faults import Fault, FaultKind, RetryAfterForm

__all__ = ["error", "fault_answer"]

_FAULT_MESSAGES = {
    FaultKind.TOO_MANY_REQUESTS: "Too many requests.",
    FaultKind.RETRY_LATER: "Request queued, retry later.",
    FaultKind.INTERNAL_ERROR: "Internal server error.",
    FaultKind.BAD_GATEWAY: "Bad gateway.",
    FaultKind.UNAVAILABLE: "Service unavailable.",
    FaultKind.GATEWAY_TIMEOUT: "Gateway timeout.",
    FaultKind.UNKNOWN_ERROR: "Web server returned an unknown error.",
}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An answer with the description's Error body ``{code, message}``."""
    return JSONResponse({"code": status, "message": message}, status, headers)


def _retry_headers(fault: Fault, now: float) -> dict[str, str]:
    seconds = fault.retry_after
    form = fault.retry_after_form
    if form is RetryAfterForm.SECONDS:
        return {"Retry-After": str(int(-(-seconds // 1)))}  # whole seconds, rounded up
    if form is RetryAfterForm.HTTP_DATE:
        # An HTTP-date has whole seconds: round up, or a short wait would name the past.
        return {"Retry-After": formatdate(math.ceil(now + seconds), usegmt=True)}
    if form is RetryAfterForm.MILLISECONDS:
        return {"retry-after-ms": str(round(seconds * 1000))}
    if form is RetryAfterForm.GARBAGE:
        return {"Retry-After": "soon"}
    return {}


def fault_answer(fault: Fault, headers: dict[str, str], now: float) -> Response:
    """The answer of a status fault (429, 449, 5xx) with its body and retry header."""
    status = fault.kind.status or 500  # drop, truncate and delay never get here
    all_headers = {**headers, **_retry_headers(fault, now)}
    message = f"{_FAULT_MESSAGES[fault.kind]} (injected fault)"
    if fault.body == "html":
        page = (
            f"<html><head><title>{status} {message}</title></head>"
            f"<body><center><h1>{status} {message}</h1></center><hr><center>gateway</center>"
            "</body></html>"
        )
        return Response(page, status, all_headers, media_type="text/html")
    if fault.body == "empty":
        return Response(b"", status, all_headers)
    return error(status, message, all_headers)
