"""Bursts: 60 sends issued as fast as callers can, kept under the organization's rate limit.

The callers never pace themselves: the overlays' limiter must hold them to sendMessage's
limit (read from the generated ``chatapi_client.operations``, i.e. the spec's
``x-rate-limit``) so that the sandbox, which enforces the same limit over a sliding one-second
window, refuses none of them, while still using most of what the limit allows.

How utilization is measured: the sandbox's rate limiter reads a clock that stamps every
request it sees (``StampingClock``), so the stamps are when the requests reached the server.
A limit of L per second lets the first L requests start at once; after that it grants L
more per second. The steady-state rate is therefore ``(N - L) / (t_last - t_first)``: the
requests beyond the initial burst over the time they took. It equals L for any limiter
that gives out every slot the instant it frees (in batches or evenly spaced), whereas the
naive ``N / (t_last - t_first)`` counts the free initial burst as throughput and overstates
it (about 11/s for a perfect 10/s). Utilization is that steady-state rate over L.
"""

from __future__ import annotations

import asyncio
import bisect
import threading
import time

import chatapi_sandbox
from chatapi import RateLimiter
from chatapi._ratelimit import DEFAULT_WINDOW
from chatapi_client import AuthenticatedClient
from chatapi_client.operations import INDEX

from ._helpers import SECOND_TOKEN, TOKEN, Connect, Events, StampingClock, asend, send

SEND = INDEX["sendMessage"].rate_limit
"""sendMessage's limit as the spec states it: its bucket and requests per second."""
CALLS = 60
CALLERS = 10
MIN_UTILIZATION = 0.9


def steady_rate(stamps: list[float], burst: int) -> float:
    """Requests per second after the first ``burst``: ``(N - burst) / (t_last - t_first)``."""
    ordered = sorted(stamps)
    return (len(ordered) - burst) / (ordered[-1] - ordered[0])


def busiest_second(stamps: list[float]) -> int:
    """The most stamps that fall within any one-second window ``[t, t + 1)``."""
    ordered = sorted(stamps)
    return max(bisect.bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered))


def check_burst(
    label: str,
    sandbox: chatapi_sandbox.Sandbox,
    clock: StampingClock,
    message_ids: list[int],
    failures: list[BaseException],
    window: float,
) -> None:
    """Every send succeeded once, none was refused, and the limit was well used.

    ``window`` is the widest the limiters used: on a busy machine it widens with the
    measured jitter, and lets through ``1 / window`` of the limit at most; the bar follows.
    """
    assert failures == []  # no RateLimitError (nor anything else) reached a caller
    assert len(set(message_ids)) == CALLS
    counters = sandbox.counters()
    assert counters.rate_limited == 0, f"the sandbox refused {counters.rate_limited} sends"
    assert counters.responses_by_status == {200: CALLS}
    assert counters.requests_by_operation == {"sendMessage": CALLS}
    assert counters.requests_by_bucket == {SEND.bucket: CALLS}
    assert counters.messages_stored == CALLS
    limit = SEND.requests_per_second
    stamps = list(clock.stamps)
    assert len(stamps) == CALLS  # one stamp per request: the instrument counts right
    assert busiest_second(stamps) <= limit
    rate = steady_rate(stamps, burst=limit)
    utilization = rate / limit
    span = max(stamps) - min(stamps)
    figure = (
        f"{label}: {CALLS} sends over {span:.2f} s at the server; steady-state "
        f"{rate:.2f} req/s = {utilization:.1%} of sendMessage's {limit}/s "
        f"(naive {CALLS / span:.2f} req/s); 0 refused; window {window:.3f} s"
    )
    print(figure)  # noqa: T201 - the measured figure, shown by pytest -s
    assert utilization >= MIN_UTILIZATION * DEFAULT_WINDOW / window, figure


def test_sends_from_threads_with_a_client_each_use_the_limit_without_a_429(
    connect: Connect,
    sandbox: chatapi_sandbox.Sandbox,
    clock: StampingClock,
    events: Events,
    organization: str,
) -> None:
    """Ten threads, each with its own client, alternating two tokens of one organization.

    All clients name the same ``organization``, so they draw from one process-wide budget,
    as the sandbox counts both tokens against one. The clients are built before the burst
    starts, so the measure is of sending, not of connecting.
    """
    # What connect() builds by default (a limiter on the process-wide store), kept to read
    # the window each one used.
    limiters = [RateLimiter() for _ in range(CALLERS)]
    clients = [
        connect(token=(TOKEN, SECOND_TOKEN)[i % 2], rate_limit=limiters[i]) for i in range(CALLERS)
    ]
    start = threading.Barrier(CALLERS)
    message_ids: list[int] = []
    failures: list[BaseException] = []

    def caller(client: AuthenticatedClient) -> None:
        start.wait()
        try:
            with client:
                for _ in range(CALLS // CALLERS):
                    message_ids.append(send(client).message_id)
        except BaseException as failure:  # noqa: BLE001 - reported by the main thread
            failures.append(failure)

    threads = [threading.Thread(target=caller, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert {t.reason for t in events.throttles} <= {"window full", "cooling down"}
    assert events.throttles, "the callers were never held back: the burst proves nothing"
    assert events.retries == []
    window = max(limiter.window(organization, SEND.bucket) for limiter in limiters)
    check_burst("threads", sandbox, clock, message_ids, failures, window)


def test_sends_from_asyncio_tasks_sharing_a_client_use_the_limit_without_a_429(
    connect: Connect,
    sandbox: chatapi_sandbox.Sandbox,
    clock: StampingClock,
    events: Events,
    organization: str,
) -> None:
    """Ten asyncio tasks on one event loop, sharing one client."""
    message_ids: list[int] = []
    failures: list[BaseException] = []
    limiter = RateLimiter()

    async def caller(client: AuthenticatedClient) -> None:
        for _ in range(CALLS // CALLERS):
            message_ids.append((await asend(client)).message_id)

    async def main() -> None:
        async with connect(rate_limit=limiter) as client:
            outcomes = await asyncio.gather(
                *(caller(client) for _ in range(CALLERS)), return_exceptions=True
            )
        failures.extend(o for o in outcomes if isinstance(o, BaseException))

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 30
    assert events.throttles, "the callers were never held back: the burst proves nothing"
    assert events.retries == []
    window = limiter.window(organization, SEND.bucket)
    check_burst("asyncio", sandbox, clock, message_ids, failures, window)
