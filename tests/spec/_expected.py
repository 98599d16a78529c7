# The operation table below is copied verbatim, so its lines are as long as the design's.
# ruff: noqa: E501
"""What the description must say: the project's decisions, written out as data.

Copied by hand from the design (docs/design/spec-decisions.md), on purpose: the spec is checked against
an independent statement of the requirement, not against itself.
"""

from __future__ import annotations

from typing import NamedTuple

from tests.spec._markdown import table_rows


class ExpectedOperation(NamedTuple):
    """One row of the operation table."""

    operation_id: str
    method: str  # lower case, as an OpenAPI path item key
    path: str
    tag: str
    bucket: str
    rps: int


# docs/design/spec-decisions.md, "Operations", verbatim.
OPERATION_TABLE = """
| # | operationId | method | path | tag | bucket | rps |
|---|---|---|---|---|---|---|
| 1 | sendMessage | POST | /contact/{identifier}/message | messaging | send-message | 10 |
| 2 | getMessage | GET | /contact/{identifier}/message/{messageId} | messaging | get-message | 15 |
| 3 | createComment | POST | /contact/{identifier}/comment | comment | create-comment | 10 |
| 4 | getContact | GET | /contact/{identifier} | contact | get-contact | 10 |
| 5 | createContact | POST | /contact/{identifier} | contact | contact-write | 5 |
| 6 | updateContact | PUT | /contact/{identifier} | contact | contact-write | 5 |
| 7 | deleteContact | DELETE | /contact/{identifier} | contact | contact-write | 5 |
| 8 | mergeContacts | POST | /contact/merge | contact | merge-contacts | 5 |
| 9 | createOrUpdateContact | POST | /contact/create_or_update/{identifier} | contact | create-or-update-contact | 5 |
| 10 | addTags | POST | /contact/{identifier}/tag | contact | contact-tags | 5 |
| 11 | removeTags | DELETE | /contact/{identifier}/tag | contact | contact-tags | 5 |
| 12 | listContactChannels | GET | /contact/{identifier}/channels | contact | list-contact-channels | 5 |
| 13 | getContactChannel | GET | /contact/{identifier}/channels/{channelId} | contact | get-contact-channel | 10 |
| 14 | assignConversation | POST | /contact/{identifier}/conversation/assignee | conversation | conversation-assignee | 5 |
| 15 | updateConversationStatus | POST | /contact/{identifier}/conversation/status | conversation | conversation-status | 5 |
| 16 | listChannels | GET | /space/channel | space | list-channels | 5 |
| 17 | listClosingNotes | GET | /space/closing_notes | space | list-closing-notes | 5 |
| 18 | listUsers | GET | /space/user | space | list-users | 5 |
| 19 | getUser | GET | /space/user/{id} | space | get-user | 10 |
| 20 | createCustomField | POST | /space/custom_field | space | create-custom-field | 5 |
| 21 | getCustomField | GET | /space/custom_field/{id} | space | get-custom-field | 10 |
| 22 | listCustomFields | GET | /space/custom_field | space | list-custom-fields | 5 |
| 23 | listContacts | POST | /contact/list | contact | list-contacts | 5 |
| 24 | listMessages | GET | /contact/{identifier}/message/list | messaging | list-messages | 5 |
| 25 | updateContactLifecycle | POST | /contact/{identifier}/lifecycle/update | contact | contact-lifecycle | 5 |
| 26 | listTemplates | GET | /space/channel/{channelId}/template | space | list-templates | 5 |
| 27 | createTag | POST | /space/tag | space | space-tags | 5 |
| 28 | updateTag | PUT | /space/tag | space | space-tags | 5 |
| 29 | deleteTag | DELETE | /space/tag | space | space-tags | 5 |
"""

# Operations added after the design's table, from the vendor's n8n integration (issue #12:
# @respond-io/n8n-nodes-respond-io 1.3.6, dist/nodes/Respondio/utils/index.js:321 and
# handlers/messages/index.js:90). Not in the overview: flat 5/s, a bucket each.
ADDED_OPERATION_TABLE = """
| # | operationId | method | path | tag | bucket | rps |
|---|---|---|---|---|---|---|
| 30 | listWhatsappTemplates | GET | /space/channel/{channelId}/mtm | space | list-whatsapp-templates | 5 |
| 31 | getMessageTemplate | GET | /space/mtm/{templateId} | space | get-message-template | 5 |
"""

OPERATIONS = tuple(
    ExpectedOperation(operation_id, method.lower(), path, tag, bucket, int(rps))
    for table in (OPERATION_TABLE, ADDED_OPERATION_TABLE)
    for _, operation_id, method, path, tag, bucket, rps in table_rows(
        table, ("#", "operationId", "method", "path", "tag", "bucket", "rps")
    )
)

# The overview's rate-limit table, row by row, mapped to the operations of that row
# (docs/design/spec-decisions.md: rows 1-22 of the operation table are the overview's 19 rows).
OVERVIEW_ROWS: dict[str, tuple[str, ...]] = {
    "Send a message": ("sendMessage",),
    "Get a message": ("getMessage",),
    "Create a comment": ("createComment",),
    "Get a contact": ("getContact",),
    "Create, update or delete a contact": ("createContact", "updateContact", "deleteContact"),
    "Merge two contacts": ("mergeContacts",),
    "Create or update a contact": ("createOrUpdateContact",),
    "Add or remove tags": ("addTags", "removeTags"),
    "List a contact's channels": ("listContactChannels",),
    "Get a contact's channel": ("getContactChannel",),
    "Assign / unassign a conversation": ("assignConversation",),
    "Open / close a conversation": ("updateConversationStatus",),
    "List the channels of a workspace": ("listChannels",),
    "List closing notes": ("listClosingNotes",),
    "List the users of a workspace": ("listUsers",),
    "Get a user of a workspace": ("getUser",),
    "Create a contact field": ("createCustomField",),
    "Get a contact field": ("getCustomField",),
    "List contact fields": ("listCustomFields",),
}
OVERVIEW_LIMITS_HEADER = ("operation", "requests/second")

# Operations the overview does not list: the flat per-method limit other public material states.
UNLISTED_RPS = 5

RATE_LIMIT_HEADERS = ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining")

# Shared error responses every operation declares.
ERROR_STATUSES = ("400", "401", "429", "449", "500", "502", "503", "504")

# Path parameters that address a resource (contact, message, user, field, channel, template):
# 404 too.
RESOURCE_PARAMETERS = ("identifier", "messageId", "id", "channelId", "templateId")

# The overview documents 201 for these; the live API answers 200: both are declared.
CREATING_OPERATIONS = (
    "sendMessage",
    "createComment",
    "createContact",
    "createOrUpdateContact",
    "createCustomField",
    "createTag",
)
