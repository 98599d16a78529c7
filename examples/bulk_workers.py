"""Four worker processes import one CSV file together, sharing the API's limits.

    python examples/bulk_workers.py contacts.csv --token T

Each worker imports every fourth row with its own journal; the rate-limit budgets live in
one SQLite file, so the four together stay under each limit as one process would.
"""

import argparse
import multiprocessing
import tempfile
from pathlib import Path

import chatapi
from chatapi.bulk import ContactImport, Journal, run

WORKERS = 4


def work(csv_path: str, worker: int, store: str, token: str | None, url: str | None) -> int:
    """Import the rows of this worker; return how many are done."""
    job = ContactImport()
    client = chatapi.ChatAPI(token, base_url=url, rate_limit_store=store)
    with client, Journal(f"{csv_path}.{worker}.journal") as journal:
        job.load(journal, csv_path, lines=lambda line: line % WORKERS == worker)
        return run(journal, job.handler(client)).outcomes.get("created", 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Import a CSV file with four processes.")
    parser.add_argument("csv")
    parser.add_argument("--base-url", default=None, help="default: CHATAPI_BASE_URL")
    parser.add_argument("--token", default=None, help="default: CHATAPI_TOKEN")
    args = parser.parse_args()
    store = f"sqlite:///{Path(tempfile.gettempdir()) / 'chatapi-limits.db'}"
    jobs = [(args.csv, n, store, args.token, args.base_url) for n in range(WORKERS)]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        created = pool.starmap(work, jobs)
    print("created:", sum(created), "by worker:", created)
