"""The sandbox's lookups before and after indexing, side by side.

Usage: ``python benchmarks/sandbox_lookups.py --baseline REV [--rounds R] [--calls N]``.

Two worker processes hold the same workspace: 10,000 contacts with an email address and a
phone number, and 20,000 messages spread over them. One imports ``chatapi_sandbox`` as it
was at ``REV`` (extracted with ``git archive``), the other the working tree's. Rounds
alternate between them, so machine noise hits both alike; each figure is the median over
rounds of the mean per call within a round. The calls go through the operation handlers
(``sendMessage`` without ``channelId``, ``getContact`` by email), not HTTP: what differs is
the lookup, and HTTP would only add the same constant to both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

CONTACTS = 10_000
MESSAGES = 20_000
ROOT = Path(__file__).resolve().parent.parent


def _workspace() -> Any:
    # Imported here: the worker's sys.path decides which version of the sandbox this is.
    from chatapi_sandbox._seed import seed
    from chatapi_sandbox._state import Contact, Message, Workspace

    workspace = Workspace()
    seed(workspace)
    for n in range(CONTACTS):
        contact = Contact(
            id=10_000 + n,
            first_name=f"C{n}",
            created_at=0,
            email=f"c{n}@example.com",
            phone=f"+6010{n:07d}",
        )
        # The same records in either version's layout: methods after indexing, dicts before.
        if hasattr(workspace, "add_contact"):
            workspace.add_contact(contact)
        else:
            workspace.contacts[contact.id] = contact
    for n in range(MESSAGES):
        message = Message(n + 1, 10_000 + n % CONTACTS, 5501, "outgoing", {}, 0)
        if hasattr(workspace, "add_message"):
            workspace.add_message(message)
        else:
            workspace.messages[message.id] = message
    return workspace


def _worker() -> None:
    """Answer ``OPERATION CALLS`` lines with the mean seconds per call."""
    from chatapi_sandbox._counters import Tally
    from chatapi_sandbox._handlers import HANDLERS, Call

    workspace = _workspace()
    text = {"message": {"type": "text", "text": "hi"}}

    def call(path: dict[str, str], body: Any = None) -> Any:
        return Call(workspace, path, {}, body, Tally(), 0, lambda *_: "")

    for line in sys.stdin:
        operation, count = line.split()
        calls = int(count)
        started = time.perf_counter()
        for n in range(calls):
            contact = 10_000 + (n * 7919) % CONTACTS
            if operation == "send":
                HANDLERS["sendMessage"](call({"identifier": f"id:{contact}"}, dict(text)))
            else:
                email = f"email:c{contact - 10_000}@example.com"
                HANDLERS["getContact"](call({"identifier": email}))
        print(json.dumps((time.perf_counter() - started) / calls), flush=True)  # noqa: T201


def _baseline_tree(revision: str, into: Path) -> Path:
    archive = subprocess.run(  # noqa: S603  # git with a revision from our own command line
        ["git", "archive", revision, "sandbox"],  # noqa: S607  # git from PATH, as make uses it
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "sandbox"


def main() -> None:
    """Run both workers, alternate rounds, print the medians side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", required=True, help="the revision before indexing")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker()
        return
    with tempfile.TemporaryDirectory() as scratch:
        old = _baseline_tree(args.baseline, Path(scratch))
        variants = {f"before ({args.baseline})": str(old), "after (working tree)": ""}
        workers = {}
        for name, path in variants.items():
            env = {**os.environ, "PYTHONPATH": path} if path else dict(os.environ)
            workers[name] = subprocess.Popen(  # noqa: S603  # this same script
                [sys.executable, __file__, "--worker", "--baseline", args.baseline],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
        results: dict[tuple[str, str], list[float]] = {}
        try:
            for _ in range(args.rounds):
                for operation in ("send", "email"):
                    for name, worker in workers.items():
                        if worker.stdin is None or worker.stdout is None:
                            raise RuntimeError("a worker without pipes")
                        worker.stdin.write(f"{operation} {args.calls}\n")
                        worker.stdin.flush()
                        seconds = json.loads(worker.stdout.readline())
                        results.setdefault((operation, name), []).append(seconds)
        finally:
            for worker in workers.values():
                if worker.stdin is not None:
                    worker.stdin.close()
                worker.wait(timeout=60)
    labels = {
        "send": "sendMessage without channelId",
        "email": "getContact by email",
    }
    print(f"{CONTACTS} contacts, {MESSAGES} messages; {args.rounds} rounds of {args.calls} calls")  # noqa: T201
    for operation, label in labels.items():
        cells = [
            f"{name}: {statistics.median(results[(operation, name)]) * 1e6:.1f} µs"
            for name in workers
        ]
        print(f"{label}: " + " | ".join(cells))  # noqa: T201


if __name__ == "__main__":
    main()
