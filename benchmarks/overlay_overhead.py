"""Per-request cost of the overlays, against the bare generated client, side by side.

Usage: ``python benchmarks/overlay_overhead.py [--calls N] [--rounds R]``. Every variant calls
the generated ``get_contact.sync`` against an ``httpx.MockTransport`` answering the spec's
example, so only client-side work is measured. Rounds alternate between the variants, so a
burst of machine noise hits all of them alike; each figure is the median over rounds of the
mean CPU time per call within a round.

Variants:
- bare: ``AuthenticatedClient`` as generated, no overlays.
- overlays, no limiter: ``chatapi.connect(..., rate_limit=False)``: errors, response check, retry.
- overlays: the full stack. Its limiter runs on a clock 10^6 times faster than real time, so
  getContact's 10 requests/second budget never makes a call wait: the bookkeeping is
  measured, not the throttling.
- ChatAPI: ``client.contacts.get`` on ``chatapi.ChatAPI``, the full stack likewise.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable

import httpx

import chatapi
from chatapi._clock import SystemClock
from chatapi_client import AuthenticatedClient
from chatapi_client.api.contact import get_contact
from chatapi_client.spec import load_spec

TOKEN = "benchmark-token"  # noqa: S105 - not a credential
BASE_URL = "https://api.chatapi.net/v2"


class FastClock(SystemClock):
    """Real time, sped up so that no rate-limit window ever fills during the benchmark."""

    def monotonic(self) -> float:
        """Real monotonic time times a million."""
        return time.monotonic() * 1_000_000


def example_contact() -> dict[str, object]:
    """The spec's own example answer of getContact."""
    operation = load_spec()["paths"]["/contact/{identifier}"]["get"]
    example: dict[str, object] = operation["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    return example


def transport(body: dict[str, object]) -> httpx.MockTransport:
    """A transport answering every request with ``body``."""
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


def variants(body: dict[str, object]) -> dict[str, AuthenticatedClient]:
    """The clients to compare, each on its own mock transport."""
    limiter = chatapi.RateLimiter(chatapi.InMemoryRateLimitStore(), clock=FastClock())
    return {
        "bare": AuthenticatedClient(
            base_url=BASE_URL, token=TOKEN, httpx_args={"transport": transport(body)}
        ),
        "overlays, no limiter": chatapi.connect(TOKEN, transport=transport(body), rate_limit=False),
        "overlays": chatapi.connect(TOKEN, transport=transport(body), rate_limit=limiter),
    }


def calls(body: dict[str, object]) -> dict[str, Callable[[], object]]:
    """One getContact call per variant: the generated function on each client, and ChatAPI."""
    found: dict[str, Callable[[], object]] = {
        name: functools.partial(get_contact.sync, "id:123", client=client)
        for name, client in variants(body).items()
    }
    limiter = chatapi.RateLimiter(chatapi.InMemoryRateLimitStore(), clock=FastClock())
    client = chatapi.ChatAPI(TOKEN, transport=transport(body), rate_limit=limiter)
    found["ChatAPI (full overlays)"] = functools.partial(client.contacts.get, "id:123")
    return found


def per_call(call: Callable[[], object], calls: int) -> float:
    """Mean CPU seconds per ``call()`` over ``calls`` calls.

    CPU time of this process, not wall time: on a shared machine other processes' load
    otherwise lands in whichever variant happens to be running.
    """
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls


def main() -> None:
    """Run the rounds and print medians and ratios to the bare client."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=500, help="calls per round")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    variants_calls = calls(example_contact())
    samples: dict[str, list[float]] = {name: [] for name in variants_calls}
    for call in variants_calls.values():
        per_call(call, 50)  # warm up: imports, schema compilation, connection set-up
    for _ in range(args.rounds):
        for name, call in variants_calls.items():
            samples[name].append(per_call(call, args.calls))
    bare = statistics.median(samples["bare"])
    print(f"{args.rounds} rounds x {args.calls} getContact calls on MockTransport")  # noqa: T201
    for name, values in samples.items():
        median = statistics.median(values)
        print(  # noqa: T201
            f"{name:>22}: median {median * 1e6:7.1f} us/call"
            f"  (x{median / bare:.2f} bare, +{(median - bare) * 1e6:.1f} us)"
        )


if __name__ == "__main__":
    main()
