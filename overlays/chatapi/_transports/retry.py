"""RetryTransport: tries a call again when the retry policy says so, within its deadline."""

from __future__ import annotations

import logging
import random as _random
from collections.abc import Callable
from typing import TypedDict

import httpx

from chatapi_description import Operation, OperationIndex

from .._body import DEFAULT_MAX_RESPONSE_SIZE, BodyTooLargeError, aread_body, read_body
from .._clock import SYSTEM_CLOCK, Clock
from .._error_mapping import (
    error_from_decoding,
    error_from_exception,
    error_from_response,
    error_from_too_large,
)
from .._errors import (
    OutcomeUnknownError,
    RequestInfo,
    RequestProcessedError,
)
from .._events import RetryEvent
from .._options import clamp_timeouts, deadline_of, options_for
from .._retry_policy import (
    MAX_WAIT,
    Decision,
    FailureKind,
    RetryPolicy,
    backoff,
    failure_kind,
    repeatable,
    retry_after,
    should_retry,
    surely_unprocessed,
)
from .._sending import current_hook
from .base import DualTransport, Layer, operation_of
from .sockets import call_deadline

__all__ = ["RetryTransport", "processed_unusable"]


def processed_unusable(request: httpx.Request, status: int, operation: Operation | None) -> bool:
    """Whether an unusable answer to ``request`` must say it was processed.

    True for a call that is not safe to repeat (see ``repeatable``) answered 2xx: it was
    processed, whatever its body, and an error that reads as a plain failure would invite
    a resend (``RequestProcessedError``).
    """
    if not 200 <= status < 300:
        return False
    return not repeatable(request.method, operation, options_for(request).safe_to_repeat)


class _Reading(TypedDict):
    limit: int
    deadline: float
    clock: Clock


logger = logging.getLogger("chatapi")


class RetryTransport(Layer):
    """Repeats failed attempts as ``should_retry`` allows, sleeping between them.

    Each attempt's body is read before deciding (``read_body``: within the call's deadline
    and ``max_response_size``), so a connection lost mid-body is a failed attempt like any
    other, and a body that cannot be decoded follows the retry rules of its status (a GET
    answered 503 with broken gzip is retried; a POST answered 502 with it raises
    ``OutcomeUnknownError``). A body over the size limit is not fetched again: it raises
    ``ResponseTooLargeError`` (inside ``OutcomeUnknownError`` when the status leaves a
    POST's outcome unknown). A wait is the jittered backoff or the server's ``Retry-After``,
    whichever is longer. Retrying stops when the retries run out or the wait would reach the
    call's deadline; then the last response is returned (or the last httpx exception
    re-raised) for ``ErrorTransport`` to turn into a typed error, except that a
    ``Retry-After`` the call cannot honour raises a ``RateLimitError`` carrying it. A failure
    that may come after a non-idempotent request was processed raises
    ``OutcomeUnknownError`` at once.

    The deadline is stamped on the request (see ``deadline_of``), so the rate limiter inside
    waits for slots within the same budget, and each attempt's httpx timeouts are cut to the
    time left; every socket wait of the call, the reading of headers and body included, is
    bounded by the same deadline (``call_deadline``).

    Whether a call is safe to repeat comes from its operation's ``x-idempotent`` in
    ``index`` (the request matched below ``base_path``), or from the caller's
    ``safe_to_repeat``; without an index, from the HTTP method (``repeatable``).
    """

    def __init__(
        self,
        inner: DualTransport,
        *,
        policy: RetryPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
        random: Callable[[], float] = _random.random,
        on_retry: Callable[[RetryEvent], None] | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        index: OperationIndex | None = None,
        base_path: str = "",
    ) -> None:
        super().__init__(inner)
        self._index = index
        self._base_path = base_path
        self._max_size = max_response_size
        self._policy = RetryPolicy() if policy is None else policy
        self._clock = clock
        self._random = random
        self._on_retry = on_retry

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying as the policy allows; the returned body is read."""
        call = self._call(request)
        with call_deadline(self._clock, call.deadline):
            while True:
                call.before_attempt()
                try:
                    response = self._inner.handle_request(request)
                except httpx.TransportError as exc:
                    wait = call.wait_after_failure(exc)
                    if wait is None:
                        raise
                else:
                    try:
                        response = read_body(response, **call.reading(self._max_size))
                    except httpx.TransportError as exc:
                        wait = call.wait_after_failure(exc)
                        if wait is None:
                            raise
                    except httpx.DecodingError as exc:
                        wait = call.wait_after_undecodable(response, exc)
                    except BodyTooLargeError:
                        raise call.too_large(response, self._max_size) from None
                    else:
                        wait = call.wait_after_response(response)
                        if wait is None:
                            return response
                self._clock.sleep(wait)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying as the policy allows; the returned body is read."""
        call = self._call(request)
        with call_deadline(self._clock, call.deadline):
            while True:
                call.before_attempt()
                try:
                    response = await self._inner.handle_async_request(request)
                except httpx.TransportError as exc:
                    wait = call.wait_after_failure(exc)
                    if wait is None:
                        raise
                else:
                    try:
                        response = await aread_body(response, **call.reading(self._max_size))
                    except httpx.TransportError as exc:
                        wait = call.wait_after_failure(exc)
                        if wait is None:
                            raise
                    except httpx.DecodingError as exc:
                        wait = call.wait_after_undecodable(response, exc)
                    except BodyTooLargeError:
                        raise call.too_large(response, self._max_size) from None
                    else:
                        wait = call.wait_after_response(response)
                        if wait is None:
                            return response
                await self._clock.asleep(wait)

    def _call(self, request: httpx.Request) -> _Call:
        index = self._index
        operation = None if index is None else operation_of(request, index, self._base_path)
        return _Call(request, self._policy, self._clock, self._random, self._on_retry, operation)


class _Call:
    """The retry state of one call: its resolved options, deadline and retries so far."""

    def __init__(
        self,
        request: httpx.Request,
        policy: RetryPolicy,
        clock: Clock,
        random: Callable[[], float],
        on_retry: Callable[[RetryEvent], None] | None,
        operation: Operation | None,
    ) -> None:
        options = options_for(request)
        self._request = request
        self._policy = policy
        self._clock = clock
        self._random = random
        self._on_retry = on_retry
        self._safe_to_repeat = repeatable(request.method, operation, options.safe_to_repeat)
        self._max_retries = (
            policy.max_retries if options.max_retries is None else options.max_retries
        )
        self.deadline = deadline_of(request, clock, policy.deadline)
        self._retries = 0
        self._hook = current_hook()

    def _retrying(
        self, wait: float | None, status: int | None, failure: FailureKind | None
    ) -> None:
        """Before a retry's wait, tell the call's ``SendHook`` the attempt surely did not count.

        Only then may a bulk job's mark be cleared while the call waits: after any other
        failure the attempt may have been processed, and the mark stays.
        """
        if wait is not None and self._hook is not None and surely_unprocessed(status, failure):
            self._hook.unsent()

    @property
    def _info(self) -> RequestInfo:
        """What logs and events say of the request; built only when one is written."""
        return RequestInfo.of(self._request)

    def reading(self, limit: int) -> _Reading:
        """The bounds of reading a body in this call (``read_body``'s keywords)."""
        return {"limit": limit, "deadline": self.deadline, "clock": self._clock}

    def before_attempt(self) -> None:
        clamp_timeouts(self._request, self.deadline, self._clock)

    def wait_after_failure(self, exc: httpx.TransportError) -> float | None:
        """Seconds to sleep before retrying, or None to re-raise ``exc``."""
        failure = failure_kind(exc)
        decision = should_retry(self._request.method, None, failure, self._safe_to_repeat)
        if decision is Decision.OUTCOME_UNKNOWN:
            # from None: the httpx exception's text may quote the request, credentials and all
            raise OutcomeUnknownError(error_from_exception(exc, self._request)) from None
        if decision is Decision.STOP:
            return None
        wait = self._wait(type(exc).__name__, asked=None)
        self._retrying(wait, None, failure)
        return wait

    def wait_after_undecodable(self, response: httpx.Response, exc: httpx.DecodingError) -> float:
        """Seconds to sleep before retrying a body that could not be decoded; else raises.

        The status decides, as if the body were fine: a retryable one (503) is retried, one
        after which a POST may have been processed (502) raises ``OutcomeUnknownError``, any
        other raises the typed decoding error.
        """
        status = response.status_code
        decision = should_retry(self._request.method, status, None, self._safe_to_repeat)
        error = error_from_decoding(exc, self._request, response)
        if self._processed(status):
            raise RequestProcessedError(error) from None
        if decision is Decision.OUTCOME_UNKNOWN:
            raise OutcomeUnknownError(error) from None
        wait = None if decision is Decision.STOP else self._wait(f"status {status}", asked=None)
        if wait is None:
            raise error from None
        self._retrying(wait, status, None)
        return wait

    def too_large(self, response: httpx.Response, limit: int) -> Exception:
        """The error for a body over ``limit``: never retried, it would be fetched again."""
        error = error_from_too_large(response, self._request, limit)
        status = response.status_code
        decision = should_retry(self._request.method, status, None, self._safe_to_repeat)
        if self._processed(status):
            return RequestProcessedError(error)
        if decision is Decision.OUTCOME_UNKNOWN:
            return OutcomeUnknownError(error)
        return error

    def _processed(self, status: int) -> bool:
        """A non-repeatable call answered 2xx: it was processed, whatever its body.

        Its unreadable or oversized body must not read as a plain failure: a caller who
        retries on failure would send it again.
        """
        return 200 <= status < 300 and not self._safe_to_repeat

    def wait_after_response(self, response: httpx.Response) -> float | None:
        """Seconds to sleep before retrying, or None to return ``response``."""
        status = response.status_code
        decision = should_retry(self._request.method, status, None, self._safe_to_repeat)
        if decision is Decision.OUTCOME_UNKNOWN:
            error = error_from_response(response, self._request, now=self._clock.time())
            raise OutcomeUnknownError(error) from error
        if decision is Decision.STOP:
            return None
        asked = retry_after(response.headers, self._clock.time())
        wait = self._wait(f"status {status}", asked=asked)
        if wait is None and asked is not None and self._too_long(asked):
            # The server said when to come back, and the call cannot wait that long.
            raise error_from_response(
                response, self._request, now=self._clock.time(), retry_after=asked
            )
        self._retrying(wait, status, None)
        return wait

    def _too_long(self, wait: float) -> bool:
        return wait > MAX_WAIT or self._clock.monotonic() + wait >= self.deadline

    def _wait(self, reason: str, asked: float | None) -> float | None:
        if self._retries >= self._max_retries:
            logger.debug("not retrying %s after %s: no retries left", self._info, reason)
            return None
        wait = backoff(self._retries, self._policy, self._random)
        if asked is not None:
            wait = max(wait, asked)  # never sooner than the server asked
        if self._too_long(wait):
            logger.debug(
                "not retrying %s after %s: a %.3f s wait reaches the deadline",
                self._info,
                reason,
                wait,
            )
            return None
        self._retries += 1
        logger.info(
            "retrying %s in %.3f s after %s (retry %d of %d)",
            self._info,
            wait,
            reason,
            self._retries,
            self._max_retries,
        )
        if self._on_retry is not None:
            self._on_retry(RetryEvent(self._info, self._retries, wait, reason))
        return wait
