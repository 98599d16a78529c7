"""End to end: the overlaid client against a running sandbox, faults included.

Creates contacts, sends messages from several threads faster than the API allows, survives
injected faults (503s, a 429, an HTML 502 on a read, a 502 after a send was processed),
reads everything back and prints what happened. Exits 1 if anything was lost, doubled or
rate-limited by the server. ``make`` runs it against a sandbox it starts and stops.

Usage: ``python examples/end_to_end.py --base-url http://127.0.0.1:8400/v2 --token T``
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import chatapi
from chatapi_client.models import NewContact, SendMessageRequest, TextMessage
from chatapi_client.operations import INDEX
from chatapi_sandbox import SandboxClient

CONTACTS = 5
MESSAGES_PER_CONTACT = 8
THREADS = 8


@dataclass
class Tally:
    """What the client saw, filled in by the overlays' callbacks and the calls' outcomes."""

    retries: Counter[str] = field(default_factory=Counter)
    throttle_waits: int = 0
    throttled_seconds: float = 0.0
    confirmed: set[str] = field(default_factory=set)
    outcome_unknown: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_retry(self, event: chatapi.RetryEvent) -> None:
        """Count a retry by its reason."""
        with self.lock:
            self.retries[event.reason] += 1

    def on_throttle(self, event: chatapi.ThrottleEvent) -> None:
        """Count a wait for a rate-limit slot."""
        with self.lock:
            self.throttle_waits += 1
            self.throttled_seconds += event.wait


def create_contacts(client: chatapi.ChatAPI) -> list[int]:
    """Create the contacts by phone number, then read back their ids."""
    phones = [f"+6012000{index:04d}" for index in range(CONTACTS)]
    for number, phone in enumerate(phones):
        client.contacts.create(f"phone:{phone}", body=NewContact(first_name=f"Customer {number}"))
    return [client.contacts.get(f"phone:{phone}").id for phone in phones]


def send_all(client: chatapi.ChatAPI, contact_ids: list[int], tally: Tally) -> None:
    """Send every message from a pool of threads, as fast as the client lets them go."""

    def send(contact_id: int, number: int) -> None:
        text = f"Update #{number} for contact {contact_id}"  # unique: tells doubles apart
        body = SendMessageRequest(message=TextMessage(text=text))
        try:
            client.messaging.send(f"id:{contact_id}", body=body)
        except chatapi.OutcomeUnknownError:
            with tally.lock:
                tally.outcome_unknown.add(text)
        else:
            with tally.lock:
                tally.confirmed.add(text)

    with ThreadPoolExecutor(THREADS) as pool:
        jobs = [
            pool.submit(send, contact_id, number)
            for number in range(MESSAGES_PER_CONTACT)
            for contact_id in contact_ids
        ]
        for job in jobs:
            job.result()


def read_back(client: chatapi.ChatAPI, contact_ids: list[int]) -> list[str]:
    """The texts of the outgoing messages the server lists, every page of each contact."""
    return [
        str(message.message.to_dict().get("text"))
        for contact_id in contact_ids
        for message in client.messaging.list(f"id:{contact_id}", limit=5)
        if message.traffic == "outgoing"
    ]


def main() -> int:
    """Run the scenario and print the summary; 0 if every invariant held."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="the sandbox's API URL (…/v2)")
    parser.add_argument("--token", required=True, help="a token the sandbox accepts")
    args = parser.parse_args()
    # The first token the sandbox was given is also its admin token.
    admin = SandboxClient(args.base_url.rsplit("/v2", 1)[0], token=args.token)
    admin.reset()
    tally = Tally()
    started = time.monotonic()
    client = chatapi.ChatAPI(
        args.token, base_url=args.base_url, on_retry=tally.on_retry, on_throttle=tally.on_throttle
    )
    with client, admin:
        contact_ids = create_contacts(client)
        # Consumed in order by the first sends: two "not processed" answers and a 429 that
        # the client retries, then a 502 that comes after the message was stored.
        admin.inject("sendMessage", "503", times=2)
        admin.inject("sendMessage", "429", retry_after=1)
        admin.inject("sendMessage", "502", when="after")
        admin.inject("listMessages", "502")  # an HTML 502 page on a read: retried
        admin.inject("listMessages", "drop")  # a dropped connection on a read: retried
        send_all(client, contact_ids, tally)
        listed = read_back(client, contact_ids)
        counters = admin.counters()
    elapsed = time.monotonic() - started

    attempted = CONTACTS * MESSAGES_PER_CONTACT
    send_rate = INDEX["sendMessage"].rate_limit.requests_per_second
    checks = {
        "no 429 from the server's rate limiter": counters.rate_limited == 0,
        "no message stored twice": len(listed) == len(set(listed)),
        "every confirmed message stored": tally.confirmed <= set(listed),
        "nothing stored that was not sent": set(listed) <= tally.confirmed | tally.outcome_unknown,
        "every stored message listed": len(listed) == counters.messages_stored,
        "every injected fault struck": counters.faults_served == 6,
    }
    retries = ", ".join(f"{reason} x{count}" for reason, count in sorted(tally.retries.items()))
    print(f"ChatAPI v2 end to end against the sandbox at {args.base_url}")
    for label, value in [
        ("contacts created", f"{counters.contacts_created}"),
        ("messages attempted", f"{attempted} from {THREADS} threads (limit {send_rate}/s)"),
        ("  confirmed", f"{len(tally.confirmed)}"),
        (
            "  outcome unknown",
            f"{len(tally.outcome_unknown)} (not repeated: it may have gone out;"
            f" stored: {len(tally.outcome_unknown & set(listed))})",
        ),
        ("messages stored by server", f"{counters.messages_stored}"),
        (
            "messages listed back",
            f"{len(listed)}, each once" if len(listed) == len(set(listed)) else f"{len(listed)}",
        ),
        ("requests sent", f"{counters.requests}"),
        ("faults injected, served", f"{counters.faults_served}"),
        ("retries", f"{sum(tally.retries.values())} ({retries or 'none'})"),
        (
            "throttle waits",
            f"{tally.throttle_waits} ({tally.throttled_seconds:.1f} s, summed over threads)",
        ),
        ("429s from rate limiter", f"{counters.rate_limited} (0 expected)"),
        ("elapsed", f"{elapsed:.1f} s"),
    ]:
        print(f"  {label:<27} {value}")
    failed = [label for label, held in checks.items() if not held]
    for label in failed:
        print(f"FAILED: {label}")
    if not failed:
        print("All invariants held: nothing lost, nothing doubled, nothing rate-limited.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
