"""How close the bulk jobs come to the API's limits: an import and a broadcast, end to end.

Starts a ``chatapi-sandbox`` process (rate limits on), then runs the ``chatapi`` command as a
user would: ``contacts import`` of ROWS new contacts with tags, and ``broadcast`` to AUDIENCE
tagged contacts. For each job it prints the bottleneck bucket and its documented rate (from
the description), the command's wall time, the steady rate of finished items read from the
journal (``tests._rates.steady_rate``, over whole batches of the limit), that rate over the
documented one, and the 429 answers the sandbox sent.

    .venv/bin/python -m benchmarks.bulk_jobs --rows 300 --audience 200
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import chatapi_sandbox
from chatapi.bulk import Broadcast, ContactImport
from chatapi_client.operations import INDEX
from tests._rates import steady_rate

BIN = Path(sys.executable).parent
TOKEN = "bench-token"  # noqa: S105 - not a credential


def _sandbox(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    url_file = folder / "url"
    with (folder / "sandbox.log").open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own installed command
            [str(BIN / "chatapi-sandbox"), "--port", "0", "--token", f"{TOKEN}:bench",
             "--url-file", str(url_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    for _ in range(300):
        if url_file.exists() and url_file.read_text().strip():
            return process, url_file.read_text().strip()
        time.sleep(0.05)
    process.kill()
    raise SystemExit("the sandbox did not start")


def _chatapi(url: str, folder: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATAPI_")}
    env.update({"CHATAPI_TOKEN": TOKEN, "CHATAPI_BASE_URL": url})
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own installed command
        [str(BIN / "chatapi"), *args, "-q"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"chatapi {' '.join(args)} failed: {done.stderr}")
    return elapsed


def _steady_rate(journal: Path, limit: int) -> float:
    with sqlite3.connect(journal) as db:
        rows = db.execute("SELECT updated_at FROM items ORDER BY updated_at").fetchall()
    return steady_rate([float(row[0]) for row in rows], limit)


def _report(name: str, operation_ids: tuple[str, ...], rate: float, wall: float, n: int,
            steady: float, refused: dict[str, int]) -> None:  # fmt: skip
    buckets = {INDEX[op].rate_limit.bucket: INDEX[op].rate_limit.requests_per_second
               for op in operation_ids}  # fmt: skip
    bottleneck = min(buckets, key=lambda b: buckets[b])
    print(  # noqa: T201
        f"{name}: {n} items, bottleneck {bottleneck} at {rate:g} items/s; "
        f"wall {wall:.1f} s ({n / wall:.2f}/s, {n / wall / rate:.1%} with start-up); "
        f"steady {steady:.2f}/s = {steady / rate:.1%} of the limit; "
        f"429 answers: {sum(refused.values())} {dict(refused)}"
    )


def main() -> None:
    """Run both jobs once and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--audience", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        process, url = _sandbox(folder)
        origin = url.rsplit("/v2", 1)[0]
        try:
            with chatapi_sandbox.SandboxClient(origin, token=TOKEN) as admin:
                _write(folder / "import.csv", options.rows, "imported")
                admin.reset()
                wall = _chatapi(url, folder, "contacts", "import", "import.csv")
                job = ContactImport()
                steady = _steady_rate(folder / "import.csv.journal", 5)
                refused = dict(admin.counters().rate_limited_by_bucket)
                _report("import", job.operations, job.items_per_second, wall, options.rows,
                        steady, refused)  # fmt: skip

                admin.reset()
                _write(folder / "audience.csv", options.audience, "spring")
                _chatapi(url, folder, "contacts", "import", "audience.csv")
                before = dict(admin.counters().rate_limited_by_bucket)
                time.sleep(1.1)  # the set-up's budgets are spent: start the broadcast fresh
                wall = _chatapi(url, folder, "broadcast", "--tag", "spring", "--text", "Sale!",
                                "--journal", "b.journal")  # fmt: skip
                send = Broadcast("Sale!")
                steady = _steady_rate(folder / "b.journal", 10)
                counters = admin.counters()
                if counters.messages_stored != options.audience:
                    raise SystemExit(
                        f"{counters.messages_stored} messages stored, not {options.audience}"
                    )
                refused = _minus(counters.rate_limited_by_bucket, before)
                _report("broadcast", send.operations, send.items_per_second, wall,
                        options.audience, steady, refused)  # fmt: skip
        finally:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def _minus(after: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in after.items() if n - before.get(k, 0)}


def _write(path: Path, rows: int, tag: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["firstName", "email", "tags"])
        for n in range(rows):
            writer.writerow([f"P{n}", f"{tag}{n}@example.com", f"{tag};bulk"])


if __name__ == "__main__":
    main()
