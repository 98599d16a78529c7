"""Import contacts from a CSV file with tags; a killed run resumes where it stopped.

    python examples/bulk_import.py contacts.csv --base-url http://127.0.0.1:8400/v2 --token T

Columns named like the API's fields (firstName, lastName, email, phone, tags) need no
mapping. Run it again after a crash or Ctrl-C: done rows are skipped, and every call of an
import is safe to repeat, so nothing is created twice.
"""

import argparse

import chatapi
from chatapi.bulk import ContactImport, Journal, run

parser = argparse.ArgumentParser(description="Import contacts from a CSV file.")
parser.add_argument("csv")
parser.add_argument("--base-url", default=None, help="default: CHATAPI_BASE_URL, else the API")
parser.add_argument("--token", default=None, help="default: CHATAPI_TOKEN")
args = parser.parse_args()

job = ContactImport(on_existing="update")
client = chatapi.ChatAPI(args.token, base_url=args.base_url)
with client, Journal(args.csv + ".journal") as journal:
    for problem in job.load(journal, args.csv):
        print("skipped:", problem.reason)
    summary = run(journal, job.handler(client))
print("done:", summary.outcomes, "failed:", summary.counts["failed"])
for reason, count in summary.reasons:
    print(f"  {count} x {reason}")
