"""Send one message to every contact with a tag, at most once each, and settle the doubts.

    python examples/bulk_broadcast.py vip "Our sale starts today." --token T

The journal records each send before it leaves. A send that may have gone out (a 502, a
killed run) is "unknown" and never sent again; reconcile looks for it in the contact's
history and settles it. Run it again to resume.
"""

import argparse

import chatapi
from chatapi.bulk import Broadcast, Journal, contact_filter, reconcile, run

parser = argparse.ArgumentParser(description="Send a text to every contact with a tag.")
parser.add_argument("tag")
parser.add_argument("text")
parser.add_argument("--base-url", default=None, help="default: CHATAPI_BASE_URL, else the API")
parser.add_argument("--token", default=None, help="default: CHATAPI_TOKEN")
args = parser.parse_args()

job = Broadcast(args.text)
client = chatapi.ChatAPI(args.token, base_url=args.base_url)
with client, Journal(f"broadcast-{args.tag}.journal") as journal:
    journal.claim("text", args.text)  # one journal, one message
    if journal.meta("listed") is None:  # the audience is listed once, then kept
        journal.add(job.audience(client.contacts.list(body=contact_filter(tag=args.tag))))
        journal.set_meta("listed", "yes")
    summary = run(journal, job.handler(client))
    settled = reconcile(client, journal, args.text)
print("sent:", summary.outcomes.get("sent", 0), "failed:", summary.counts["failed"])
print("unknown, found delivered:", len(settled.settled))
for key, why in settled.unsettled.items():
    print("unknown, not settled:", key, why)
