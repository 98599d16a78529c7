"""The sandbox follows the description: declared fields round-trip, new operations answer.

Nothing here names a field: the walk reads the request schemas of the description, so a
field added to it is covered the moment it is declared.
"""

from __future__ import annotations

import httpx

import chatapi_sandbox
from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec

from ._helpers import ACME_1
from ._walk import pairs, walk

# A contact of the seed, to send messages to.
KNOWN = {"sendMessage": {"identifier": "phone:+60123456789"}}


def test_create_get_pairs_are_found_in_the_description() -> None:
    found = {(p.create.operation_id, p.get.operation_id) for p in pairs(INDEX)}
    assert {("createContact", "getContact"), ("sendMessage", "getMessage")} <= found


def test_every_declared_request_field_comes_back_from_its_get(
    sandbox: chatapi_sandbox.Sandbox,
) -> None:
    headers = {"Authorization": f"Bearer {ACME_1}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30) as client:
        missing = walk(client, load_spec(), INDEX, KNOWN)
    assert not missing, "\n".join(missing)
