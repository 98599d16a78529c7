"""RateLimitTransport: takes a slot of the request's budget before every attempt."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import httpx

from chatapi_description import OperationIndex, RateLimit

from .._errors import RequestInfo
from .._events import ThrottleEvent
from .._options import clamp_timeouts, deadline_of
from .._ratelimit.failover import RateLimitStoreError
from .._ratelimit.lease import StoreLease
from .._ratelimit.limiter import RateLimiter
from .._sending import SendHook, current_hook
from .base import DualTransport, Layer, operation_of

__all__ = ["RateLimitTransport"]

logger = logging.getLogger("chatapi")


class RateLimitTransport(Layer):
    """Waits for a slot of the request's (organization, bucket) budget, then sends it.

    Sits inside ``RetryTransport``, so each retry takes a fresh slot. The bucket is the
    ``x-rate-limit`` of the request's operation in ``index`` (its raw path less ``base_path``,
    ``"/v2"``), or the index's default for a request no operation serves.
    The wait respects the call's deadline stamped by the overlay outside (none if alone),
    and each response's rate-limit headers are fed back to the limiter, with the time from
    the slot's grant to the response's headers (which sizes the limiter's window).
    Closing it (either half) returns ``lease``, the hold on a store the client opened. A
    ``SendHook`` set around the call (``watch_sending``) hears when the request has to wait
    for its slot (not when the slot is granted at once) and when, granted, it is about to
    be written.
    """

    def __init__(
        self,
        inner: DualTransport,
        *,
        limiter: RateLimiter,
        organization: str,
        index: OperationIndex,
        base_path: str = "",
        on_throttle: Callable[[ThrottleEvent], None] | None = None,
        lease: StoreLease | None = None,
    ) -> None:
        super().__init__(inner)
        self._lease = lease
        self._limiter = limiter
        self._organization = organization
        self._index = index
        self._base_path = base_path
        self._on_throttle = on_throttle

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for a slot (blocking the thread), send, and report the rate-limit headers."""
        rule = self._rule_for(request)
        deadline = deadline_of(request, self._limiter.clock, math.inf)
        hook = current_hook()
        grant = self._limiter.acquire_grant(
            self._organization,
            rule.bucket,
            rule.requests_per_second,
            deadline=deadline,
            request=RequestInfo.of(request),
            on_wait=self._on_wait(hook),
        )
        if grant.waited:
            clamp_timeouts(request, deadline, self._limiter.clock)
        if hook is not None:
            hook.sending()  # granted: from here on the request may leave
        self._limiter.sending(self._organization, rule.bucket, grant.at)
        try:
            response = self._inner.handle_request(request)
        finally:
            self._limiter.answered(self._organization, rule.bucket, grant.at)
        try:
            self._limiter.observe(
                self._organization,
                rule.bucket,
                rule.requests_per_second,
                response.status_code,
                response.headers,
                latency=self._limiter.clock.monotonic() - grant.at,
            )
        except RateLimitStoreError:
            _feedback_lost(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Wait for a slot (suspending the task), send, and report the rate-limit headers."""
        rule = self._rule_for(request)
        deadline = deadline_of(request, self._limiter.clock, math.inf)
        hook = current_hook()
        grant = await self._limiter.aacquire_grant(
            self._organization,
            rule.bucket,
            rule.requests_per_second,
            deadline=deadline,
            request=RequestInfo.of(request),
            on_wait=self._on_wait(hook),
        )
        if grant.waited:
            clamp_timeouts(request, deadline, self._limiter.clock)
        if hook is not None:
            hook.sending()  # granted: from here on the request may leave
        self._limiter.sending(self._organization, rule.bucket, grant.at)
        try:
            response = await self._inner.handle_async_request(request)
        finally:
            self._limiter.answered(self._organization, rule.bucket, grant.at)
        try:
            await self._limiter.aobserve(
                self._organization,
                rule.bucket,
                rule.requests_per_second,
                response.status_code,
                response.headers,
                latency=self._limiter.clock.monotonic() - grant.at,
            )
        except RateLimitStoreError:
            _feedback_lost(request)
        return response

    def close(self) -> None:
        """Close the inner transport, and return the store's lease."""
        try:
            super().close()
        finally:
            if self._lease is not None:
                self._lease.end()

    async def aclose(self) -> None:
        """Close the inner transport, and return the store's lease."""
        try:
            await super().aclose()
        finally:
            if self._lease is not None:
                await self._lease.aend()

    def _on_wait(self, hook: SendHook | None) -> Callable[[ThrottleEvent], None] | None:
        """Who hears that the request has to wait: ``hook`` first, then ``on_throttle``."""
        if hook is None:
            return self._on_throttle
        on_throttle = self._on_throttle

        def on_wait(event: ThrottleEvent) -> None:
            hook.waiting()
            if on_throttle is not None:
                on_throttle(event)

        return on_wait

    def _rule_for(self, request: httpx.Request) -> RateLimit:
        operation = operation_of(request, self._index, self._base_path)
        return self._index.default_rate_limit if operation is None else operation.rate_limit


def _feedback_lost(request: httpx.Request) -> None:
    """A store set to fail closed failed after the request went out: keep the answer.

    Failing closed means sending nothing when budgets cannot be shared; once a request has
    been sent, raising would report a processed call as not sent, and a caller who retries
    would send it twice. Only the server's feedback for the budget is lost.
    """
    logger.warning(
        "the rate-limit store failed after %s was sent; its answer is kept, its rate-limit "
        "feedback is not recorded",
        RequestInfo.of(request),
    )
