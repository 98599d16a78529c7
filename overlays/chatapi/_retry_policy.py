"""Retry policy: the numbers in one place, and one predicate deciding whether to try again.

``should_retry`` implements the table of ``docs/design/overlay-policy.md`` (RFC 9110 §9.2.2: a
non-idempotent request is repeated only when it surely was not processed):

==========================================================  ===========  =================
failure                                                     GET/PUT/DEL  POST
==========================================================  ===========  =================
connect error, connect timeout, pool timeout (nothing sent) retry        retry
429, 449, 503 (not processed)                               retry        retry
500, 502, 504, read timeout, connection lost mid-response   retry        outcome unknown
any other status                                            stop         stop
==========================================================  ===========  =================

"Outcome unknown" becomes a retry when the call is safe to repeat (``repeatable``): its
operation is marked ``x-idempotent: true`` in the description, or the caller said so.
"""

from __future__ import annotations

import datetime
import email.utils
import enum
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from chatapi_description import Operation

__all__ = [
    "DEFAULT_BACKOFF_BASE",
    "DEFAULT_BACKOFF_CAP",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RETRIES",
    "MAX_WAIT",
    "Decision",
    "FailureKind",
    "RequestNotWrittenError",
    "RetryPolicy",
    "backoff",
    "failure_kind",
    "repeatable",
    "retry_after",
    "should_retry",
    "surely_unprocessed",
]

DEFAULT_MAX_RETRIES = 3
DEFAULT_BACKOFF_BASE = 0.5
"""Seconds before the first retry; doubled for each further one."""
DEFAULT_BACKOFF_CAP = 8.0
DEFAULT_DEADLINE = 60.0
"""Seconds for a whole call: rate-limit waits, attempts and the sleeps between them."""
MAX_WAIT = 3600.0
"""The longest single wait, even with no deadline: a server asking for more ends the retries
(the error carries what it asked), and no budget is paused for longer."""
JITTER = 0.25
"""A backoff is shortened by a random fraction up to this, so callers that failed together
do not all come back at the same instant."""

RETRY_ANY_METHOD = frozenset({429, 449, 503})
"""Statuses that say the request was not processed: safe to repeat whatever the method."""
REFUSED_5XX = frozenset({501, 505})
"""Not Implemented, HTTP Version Not Supported: the request was refused, not attempted.
After any other 5xx (500, 502, 504, a gateway's 520 ...) the request may or may not have
been processed."""
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


class RequestNotWrittenError(httpx.NetworkError):
    """The request was not written whole, and no answer came: the server cannot have acted.

    Raised by ``SplitTransport`` in place of httpx's error when httpcore reports that writing
    the request's head or body failed (typically a pooled keep-alive connection the server
    had just closed). httpcore swallows that write error and reports the read that follows
    ("Server disconnected without sending a response", a reset), which alone could also
    follow a request the server received and processed.
    """


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, RequestNotWrittenError)
_LOCAL = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)
_DELTA_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")
"""ASCII digits only, as RFC 9110 and the ``X-RateLimit-*`` readers require: a Unicode digit
class and ``float()`` would take Arabic-Indic or fullwidth digits."""


class FailureKind(enum.Enum):
    """What an httpx transport exception says about whether the server got the request."""

    NOT_SENT = "not sent"
    """No connection was made, none was free, or the request was not written whole: the
    server cannot have processed it."""
    MAYBE_PROCESSED = "may have been processed"
    """The request (or part of it) went out, and no complete answer came back."""
    LOCAL = "local problem"
    """The request cannot be sent as configured (bad URL scheme, proxy refusal): not retried."""


class Decision(enum.Enum):
    """What to do after an attempt."""

    RETRY = "retry"
    STOP = "stop"
    """Hand the result (a response, or the failure) to the caller as it is."""
    OUTCOME_UNKNOWN = "outcome unknown"
    """Do not repeat: the request may have been processed, and repeating is not safe."""


def repeatable(method: str, operation: Operation | None, safe_to_repeat: bool | None) -> bool:
    """Whether a call that may have been processed may be sent again.

    The caller's ``safe_to_repeat=True`` wins; otherwise the operation's ``x-idempotent``
    decides (the description marks each one); a request no operation serves falls back on
    its HTTP method.
    """
    if safe_to_repeat:
        return True
    if operation is not None:
        return operation.idempotent
    return method.upper() in IDEMPOTENT_METHODS


def failure_kind(exc: httpx.TransportError) -> FailureKind:
    """Classify an httpx transport exception; only a failure to connect is surely unsent."""
    if isinstance(exc, _NOT_SENT):
        return FailureKind.NOT_SENT
    if isinstance(exc, _LOCAL):
        return FailureKind.LOCAL
    # Read/write timeouts and errors, a server that hung up mid-response: the request may
    # have arrived whole, even when the failure happened while writing it.
    return FailureKind.MAYBE_PROCESSED


def should_retry(
    method: str, status_code: int | None, failure: FailureKind | None, safe_to_repeat: bool
) -> Decision:
    """Decide from one attempt's status (or transport failure) and the request's method."""
    if failure is FailureKind.NOT_SENT or status_code in RETRY_ANY_METHOD:
        return Decision.RETRY
    if failure is FailureKind.MAYBE_PROCESSED or _maybe_processed(status_code):
        if safe_to_repeat or method.upper() in IDEMPOTENT_METHODS:
            return Decision.RETRY
        return Decision.OUTCOME_UNKNOWN
    return Decision.STOP


def surely_unprocessed(status_code: int | None, failure: FailureKind | None) -> bool:
    """Whether an attempt surely was not processed, whatever the method (a 429, not sent)."""
    return failure is FailureKind.NOT_SENT or status_code in RETRY_ANY_METHOD


def _maybe_processed(status_code: int | None) -> bool:
    return status_code is not None and 500 <= status_code <= 599 and status_code not in REFUSED_5XX


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a call may be tried; per-call options override these.

    Attributes:
        max_retries: Attempts after the first one.
        backoff_base: Seconds before the first retry, doubled for each further one.
        backoff_cap: The longest backoff, in seconds.
        deadline: Seconds for the whole call, waits included; ``math.inf`` for none.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_base: float = DEFAULT_BACKOFF_BASE
    backoff_cap: float = DEFAULT_BACKOFF_CAP
    deadline: float = DEFAULT_DEADLINE

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, not {self.max_retries}")
        if self.backoff_base < 0 or self.backoff_cap < 0:
            raise ValueError("backoff_base and backoff_cap must be >= 0")
        if not self.deadline > 0:
            raise ValueError(f"deadline must be > 0 seconds (math.inf for none): {self.deadline}")


def backoff(retry: int, policy: RetryPolicy, random: Callable[[], float]) -> float:
    """Seconds to wait before retry number ``retry`` (0 for the first): jittered exponential."""
    ceiling = min(policy.backoff_cap, policy.backoff_base * 2.0**retry)
    return ceiling * (1.0 - JITTER * random())


def retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Seconds the server asked to wait, or None when it did not ask in a usable way.

    Reads ``retry-after-ms`` first, then ``Retry-After`` as delta-seconds or an HTTP-date
    (relative to ``now``, wall-clock seconds). Negative or unparsable values give None, so
    the caller falls back to its backoff.
    """
    milliseconds = headers.get("retry-after-ms", "").strip()
    if _DELTA_SECONDS.fullmatch(milliseconds):
        return _non_negative(float(milliseconds) / 1000.0)  # 400 digits make an inf
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if _DELTA_SECONDS.fullmatch(value):
        return _non_negative(float(value))
    try:
        date = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if date.tzinfo is None:  # HTTP-dates are GMT; "-0000" parses as naive
        date = date.replace(tzinfo=datetime.UTC)
    return _non_negative(date.timestamp() - now)


def _non_negative(seconds: float) -> float | None:
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
