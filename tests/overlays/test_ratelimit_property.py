"""Property: whatever the arrival pattern, no 1-second window sees more starts than allowed.

Threads and asyncio tasks run random plans (which operation, how long to think before it)
against two clients of one organization and one client of another, sharing one limiter.
Each client is the whole overlay stack; the server answers some first attempts with 429, so
retries draw slots too. Virtual clocks (see ``fakes``) make time stand still while anything
runs, so a request reaches the server at exactly the instant its slot was granted: the
check is exact, and an example takes milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import threading
from collections import defaultdict
from dataclasses import dataclass

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from chatapi import (
    InMemoryRateLimitStore,
    RateLimiter,
)
from chatapi._retry_policy import RetryPolicy
from chatapi._transports.rate_limit import RateLimitTransport
from chatapi._transports.retry import RetryTransport
from chatapi._transports.typed_errors import ErrorTransport
from chatapi_description import OperationIndex, RateLimit

from .fakes import BASE, TaskVirtualClock, ThreadedVirtualClock, index

OPERATIONS = {"a": ("GET", "/a"), "b": ("POST", "/b"), "c": ("GET", "/c"), "z": ("GET", "/zz")}
ORGANIZATIONS = ("acme", "acme", "other")  # client i of a plan uses ORGANIZATIONS[i % 3]


@dataclass(frozen=True)
class Step:
    operation: str
    think: float
    """Seconds the worker sleeps before sending."""
    status: int
    """What the server answers the first attempt: 200, or 429 with Retry-After: 0.5."""


steps = st.builds(
    Step,
    operation=st.sampled_from(sorted(OPERATIONS)),
    think=st.one_of(
        st.just(0.0),
        st.sampled_from([0.25, 0.5, 0.999, 1.0, 1.5]),
        st.floats(min_value=0.0, max_value=2.0, allow_nan=False),
    ),
    status=st.sampled_from([200, 200, 200, 429]),
)
plans = st.lists(st.lists(steps, min_size=1, max_size=8), min_size=1, max_size=6)
limits = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3))


def _table(shared: int, solo: int, default: int) -> OperationIndex:
    """Operations a and b share one bucket; c has its own; anything else gets the default."""
    rows = [("a", "shared", shared), ("b", "shared", shared), ("c", "solo", solo)]
    return index(*((*OPERATIONS[name], bucket, rps) for name, bucket, rps in rows), default=default)


def _rate_limit(table: OperationIndex, method: str, path: str) -> RateLimit:
    operation = table.operation_for(method, path)
    return table.default_rate_limit if operation is None else operation.rate_limit


class Server:
    """Records (organization, bucket, virtual time) of every request that arrives."""

    def __init__(
        self, table: OperationIndex, clock: ThreadedVirtualClock | TaskVirtualClock
    ) -> None:
        self.table = table
        self.clock = clock
        self.arrivals: list[tuple[str, str, float]] = []
        self._answered: set[str] = set()
        self._lock = threading.Lock()

    def client(self, organization: str, limiter: RateLimiter) -> ErrorTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            bucket = _rate_limit(self.table, request.method, request.url.path[3:]).bucket
            with self._lock:
                self.arrivals.append((organization, bucket, self.clock.monotonic()))
                retried = request.headers["x-id"] in self._answered
                self._answered.add(request.headers["x-id"])
            if retried or request.headers["x-status"] == "200":
                return httpx.Response(200, json={})
            return httpx.Response(429, headers={"Retry-After": "0.5"})

        limited = RateLimitTransport(
            httpx.MockTransport(handler),
            limiter=limiter,
            organization=organization,
            index=self.table,
            base_path="/v2",
        )
        # No deadline: a plan may queue for a minute of virtual time at 1 request/second.
        policy = RetryPolicy(deadline=math.inf)
        return ErrorTransport(RetryTransport(limited, policy=policy, clock=self.clock))


_ids = itertools.count()


def _request(step: Step) -> httpx.Request:
    method, path = OPERATIONS[step.operation]
    headers = {"x-status": str(step.status), "x-id": str(next(_ids))}
    return httpx.Request(method, BASE + path, headers=headers)


def _assert_never_over_budget(server: Server, plans: list[list[Step]]) -> None:
    first_attempts = sum(len(plan) for plan in plans)
    retries = sum(step.status == 429 for plan in plans for step in plan)
    assert len(server.arrivals) == first_attempts + retries  # nobody starved
    starts: dict[tuple[str, str], list[float]] = defaultdict(list)
    for organization, bucket, at in server.arrivals:
        starts[organization, bucket].append(at)
    for (_, bucket), times in starts.items():
        budget = _rate_limit(server.table, *_example_of(bucket)).requests_per_second
        times.sort()
        for earlier, later in zip(times, times[budget:], strict=False):
            assert later - earlier >= 1.0, (bucket, budget, times)


def _example_of(bucket: str) -> tuple[str, str]:
    return {"shared": OPERATIONS["a"], "solo": OPERATIONS["c"]}.get(bucket, OPERATIONS["z"])


@settings(max_examples=60, deadline=None)
@given(plans=plans, limits=limits)
def test_threads_never_exceed_the_budget(plans: list[list[Step]], limits: tuple[int, ...]) -> None:
    clock = ThreadedVirtualClock(participants=len(plans))
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock, window=1.0)
    server = Server(_table(*limits), clock)
    clients = [server.client(ORGANIZATIONS[i % 3], limiter) for i in range(len(plans))]
    failures: list[BaseException] = []

    def work(client: ErrorTransport, plan: list[Step]) -> None:
        try:
            for step in plan:
                if step.think:
                    clock.sleep(step.think)
                client.handle_request(_request(step))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread below
            failures.append(exc)
        finally:
            clock.finish()

    threads = [
        threading.Thread(target=work, args=(client, plan))
        for client, plan in zip(clients, plans, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), "deadlock"
    assert not failures, failures
    _assert_never_over_budget(server, plans)


@settings(max_examples=60, deadline=None)
@given(plans=plans, limits=limits)
def test_tasks_never_exceed_the_budget(plans: list[list[Step]], limits: tuple[int, ...]) -> None:
    clock = TaskVirtualClock(participants=len(plans))
    limiter = RateLimiter(InMemoryRateLimitStore(), clock=clock, window=1.0)
    server = Server(_table(*limits), clock)
    clients = [server.client(ORGANIZATIONS[i % 3], limiter) for i in range(len(plans))]

    async def work(client: ErrorTransport, plan: list[Step]) -> None:
        try:
            for step in plan:
                if step.think:
                    await clock.asleep(step.think)
                await client.handle_async_request(_request(step))
        finally:
            clock.finish()

    async def main() -> None:
        await asyncio.wait_for(
            asyncio.gather(*(work(c, p) for c, p in zip(clients, plans, strict=True))), 10
        )

    asyncio.run(main())
    _assert_never_over_budget(server, plans)
