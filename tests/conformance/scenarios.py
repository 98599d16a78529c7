"""What the conformance run makes the vendor's n8n node do, in order, against a fresh sandbox.

Every action the published node offers appears at least once (``ACTION`` ids are
``RESOURCE/ACTION``, with a suffix for variants of one action), and so does every option
loader that calls the API (what the n8n editor calls to fill a drop-down or a field mapping).
Parameters are what a user would set in the editor; those left out take the node's own
defaults, as in n8n. The ids of records refer to the sandbox's seed (``_seed.py``).

The order matters: the run is one session against one workspace, so later scenarios see what
earlier ones did (the contact created here is updated, then deleted last).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SCENARIOS", "Scenario"]

CONTACT = {"identifierType": "id", "contactId": 123}
"""The seeded contact (Aisha), addressed by id."""
NEW_EMAIL = "farid@example.com"
NEW_CONTACT = {"identifierType": "email", "contactIdentifier": NEW_EMAIL}
WHATSAPP_CHANNEL = 5501
EMAIL_CHANNEL = 5503
TEMPLATE = 901  # order_update (en): one body placeholder
RICH_TEMPLATE = 904  # delivery_photo (en): image header, two body placeholders, footer, URL button
CATALOG_TEMPLATE = 905  # spring_catalog (en): a catalog button and one catalog product


@dataclass(frozen=True)
class Scenario:
    """One thing the node is made to do.

    Attributes:
        id: ``RESOURCE/ACTION[/variant]`` for an action, ``loadOptions/<method>`` or
            ``resourceMapping/<method>`` for an editor call, ``credentialTest``.
        kind: ``execute``, ``loadOptions``, ``resourceMapping`` or ``credentialTest``.
        parameters: The node's parameters, as the workflow sets them.
        method: The option loader's name (editor calls only).
        requests: The requests it must make, as ``METHOD /v2/path`` (query left out).
    """

    id: str
    kind: str
    parameters: dict[str, Any] = field(default_factory=dict)
    method: str | None = None
    requests: tuple[str, ...] = ()

    @property
    def action(self) -> tuple[str, str] | None:
        """(resource, operation) of an ``execute`` scenario."""
        if self.kind != "execute":
            return None
        return str(self.parameters["resource"]), str(self.parameters["operation"])

    def plan_entry(self) -> dict[str, Any]:
        """The scenario as drive.js reads it."""
        return {
            "id": self.id,
            "kind": self.kind,
            "parameters": self.parameters,
            "method": self.method,
        }


def _action(
    id_: str, parameters: dict[str, Any], *requests: str, variant: str | None = None
) -> Scenario:
    resource, operation = id_.split("/")
    name = f"{id_}/{variant}" if variant else id_
    return Scenario(
        name,
        "execute",
        {"resource": resource, "operation": operation, **parameters},
        None,
        requests,
    )


def _editor(kind: str, method: str, parameters: dict[str, Any], *requests: str) -> Scenario:
    return Scenario(f"{kind}/{method}", kind, parameters, method, requests)


def _send(variant: str, parameters: dict[str, Any], *extra: str) -> Scenario:
    return _action(
        "MESSAGES/SEND_MESSAGE",
        {**CONTACT, **parameters},
        *extra,
        "POST /v2/contact/id:123/message",
        variant=variant,
    )


_TEMPLATE_MAPPER = {"$resourceMapper": "getWhatsappTemplateComponentFields"}

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("credentialTest", "credentialTest", requests=("GET /v2/space/user",)),
    # What the editor loads while a workflow is being set up.
    _editor("loadOptions", "getSpaceChannels", {}, "GET /v2/space/channel"),
    _editor("loadOptions", "getSpaceUsers", {}, "GET /v2/space/user"),
    _editor("loadOptions", "getClosingNotes", {}, "GET /v2/space/closing_notes"),
    _editor("loadOptions", "getTagsForContact", CONTACT, "GET /v2/contact/id:123"),
    _editor("loadOptions", "getContactFields", {}, "GET /v2/space/custom_field"),
    _editor(
        "loadOptions",
        "getWhatsappTemplates",
        {"channelId": WHATSAPP_CHANNEL},
        f"GET /v2/space/channel/{WHATSAPP_CHANNEL}/mtm",
    ),
    _editor(
        "loadOptions",
        "getWhatsappTemplateLanguageCodes",
        {"templateId": TEMPLATE},
        f"GET /v2/space/mtm/{TEMPLATE}",
    ),
    _editor(
        "loadOptions",
        "getTemplatePreviewOptions",
        {"templateId": RICH_TEMPLATE},
        f"GET /v2/space/mtm/{RICH_TEMPLATE}",
    ),
    _editor("resourceMapping", "getCustomFields", {}, "GET /v2/space/custom_field"),
    _editor(
        "resourceMapping",
        "getWhatsappTemplateComponentFields",
        {"templateId": RICH_TEMPLATE},
        f"GET /v2/space/mtm/{RICH_TEMPLATE}",
    ),
    # Workspace.
    _action("CHANNELS/GET_ALL_CHANNELS", {"limit": 25}, "GET /v2/space/channel"),
    _action("CLOSING_NOTES/GET_ALL_CLOSING_NOTES", {}, "GET /v2/space/closing_notes"),
    _action("USER/GET_ALL_USERS", {}, "GET /v2/space/user"),
    _action("USER/FIND_USER", {"userId": "42"}, "GET /v2/space/user/42"),
    _action("CONTACT_FIELDS/GET_ALL_CUSTOM_FIELDS", {}, "GET /v2/space/custom_field"),
    _action(
        "CONTACT_FIELDS/FIND_CUSTOM_FIELD", {"customFieldId": 302}, "GET /v2/space/custom_field/302"
    ),
    _action(
        "CONTACT_FIELDS/CREATE_CUSTOM_FIELD",
        {
            "name": "Preferred store",
            "dataType": "list",
            "allowedValues": ["Kuala Lumpur", "Penang"],
            "slug": "preferred_store",
            "description": "Where the customer shops.",
        },
        "POST /v2/space/custom_field",
        variant="list",
    ),
    _action(
        "CONTACT_FIELDS/CREATE_CUSTOM_FIELD",
        {"name": "Referral code", "dataType": "text"},  # slug and description left empty
        "POST /v2/space/custom_field",
        variant="text-without-slug",
    ),
    _action(
        "TAGS/ADD_SPACE_TAG",
        {"name": "wholesale", "colorCode": "tag-green", "description": "", "emoji": ""},
        "POST /v2/space/tag",
    ),
    _action(
        "TAGS/UPDATE_SPACE_TAG",
        {
            "currentName": "wholesale",
            "name": "Wholesale",
            "colorCode": "tag-blue",
            "description": "",
            "emoji": "",
        },
        "PUT /v2/space/tag",
    ),
    _action("TAGS/DELETE_SPACE_TAG", {"name": "Wholesale"}, "DELETE /v2/space/tag"),
    # Contacts.
    _action(
        "CONTACTS/CREATE_CONTACT",
        {
            **NEW_CONTACT,
            "firstName": "Farid",
            "lastName": "Hassan",
            "phone": "+60198765432",
            "language": "ms",
            "countryCode": "MY",
            "customFields": {
                "$resourceMapper": "getCustomFields",
                "value": {"order_count": 1, "plan": "pro"},
            },
        },
        f"POST /v2/contact/email:{NEW_EMAIL}",
    ),
    _action("CONTACTS/FIND_CONTACT", NEW_CONTACT, f"GET /v2/contact/email:{NEW_EMAIL}"),
    _action(
        "CONTACTS/UPDATE_CONTACT",
        {**NEW_CONTACT, "lastName": "Hassan-Lim", "countryCode": "SG"},
        f"PUT /v2/contact/email:{NEW_EMAIL}",
    ),
    _action(
        "CONTACTS/CREATE_OR_UPDATE_CONTACT",
        # An update of an existing contact: the first name is left empty, so not sent.
        {"identifierType": "phone", "contactIdentifier": "+60 12-345 6789", "lastName": "Rahman"},
        "POST /v2/contact/create_or_update/phone:+60123456789",
        variant="existing",
    ),
    _action(
        "CONTACTS/CREATE_OR_UPDATE_CONTACT",
        {"identifierType": "email", "contactIdentifier": "mei@example.com", "firstName": "Mei"},
        "POST /v2/contact/create_or_update/email:mei@example.com",
        variant="new",
    ),
    _action("CONTACTS/GET_MANY_CONTACTS", {"search": "a"}, "POST /v2/contact/list"),
    _action(
        "CONTACTS/ADD_TAGS",
        {**CONTACT, "tags": ["premium", "newsletter"]},
        "POST /v2/contact/id:123/tag",
    ),
    _action(
        "CONTACTS/REMOVE_TAGS",
        {**CONTACT, "tagIds": ["newsletter"]},
        "DELETE /v2/contact/id:123/tag",
    ),
    _action("CONTACTS/FIND_CONTACT_CHANNELS", CONTACT, "GET /v2/contact/id:123/channels"),
    _action(
        "LIFECYCLE/UPDATE_CONTACT_LIFECYCLE",
        {**CONTACT, "name": "Lead"},
        "POST /v2/contact/id:123/lifecycle/update",
    ),
    _action(
        "LIFECYCLE/REMOVE_CONTACT_LIFECYCLE", CONTACT, "POST /v2/contact/id:123/lifecycle/update"
    ),
    # Conversations and comments.
    _action(
        "CONVERSATIONS/ASSIGN_OR_UNASSIGNED_CONVERSATION",
        {**CONTACT, "assignmentType": "userId", "assigneeUserId": 43},
        "POST /v2/contact/id:123/conversation/assignee",
        variant="by-id",
    ),
    _action(
        "CONVERSATIONS/ASSIGN_OR_UNASSIGNED_CONVERSATION",
        {**CONTACT, "assignmentType": "userEmail", "assigneeUserEmail": "lee@example.com"},
        "POST /v2/contact/id:123/conversation/assignee",
        variant="by-email",
    ),
    _action(
        "CONVERSATIONS/ASSIGN_OR_UNASSIGNED_CONVERSATION",
        {**CONTACT, "assignmentType": "none"},
        "POST /v2/contact/id:123/conversation/assignee",
        variant="unassign",
    ),
    _action(
        "CONVERSATIONS/OPEN_OR_CLOSE_CONVERSATION",
        {**CONTACT, "status": "close", "category": "Resolved", "summary": "Refund issued."},
        "POST /v2/contact/id:123/conversation/status",
        variant="close",
    ),
    _action(
        "CONVERSATIONS/OPEN_OR_CLOSE_CONVERSATION",
        {**CONTACT, "status": "open"},
        "POST /v2/contact/id:123/conversation/status",
        variant="open",
    ),
    _action(
        "COMMENTS/ADD_COMMENT",
        {**CONTACT, "comment": "Asked for a refund, $42$ please follow up."},
        "POST /v2/contact/id:123/comment",
    ),
    # Messages.
    _send(
        "text",
        {"channelId": WHATSAPP_CHANNEL, "messageType": "text", "text": "Your order has shipped."},
    ),
    _send(
        "text-last-channel",
        {
            "channelType": "lastInteractedChannel",
            "messageType": "text",
            "text": "Thanks for waiting.",
        },
    ),
    _send(
        "attachment",
        {
            "channelId": WHATSAPP_CHANNEL,
            "messageType": "attachment",
            "attachmentType": "file",
            "attachmentUrl": "https://files.example.com/invoice-10234.pdf",
        },
    ),
    _send(
        "quick_reply",
        {
            "channelId": WHATSAPP_CHANNEL,
            "messageType": "quick_reply",
            "title": "Was this helpful?",
            "replies": ["Yes", "No"],
        },
    ),
    _send(
        "custom_payload",
        {
            "channelId": WHATSAPP_CHANNEL,
            "messageType": "custom_payload",
            "payload": '{"kind": "receipt", "total": 42}',
        },
    ),
    _send(
        "email",
        {
            "channelId": EMAIL_CHANNEL,
            "messageType": "email",
            "text": "Your invoice is attached.",
            "subject": "Invoice #10234",
            "cc": ["billing@example.com"],
            "attachmentCollection": {
                "attachments": [
                    {
                        "type": "file",
                        "fileName": "invoice.pdf",
                        "url": "https://files.example.com/invoice.pdf",
                    }
                ]
            },
            "replyToMessageId": "987654",
        },
    ),
    _send(
        "whatsapp_template",
        {
            "channelId": WHATSAPP_CHANNEL,
            "messageType": "whatsapp_template",
            "templateId": TEMPLATE,
            "whatsappTemplateComponentFields": {
                **_TEMPLATE_MAPPER,
                "value": {"$input$_body_1": "#10234"},
            },
        },
        f"GET /v2/space/mtm/{TEMPLATE}",
    ),
    _send(
        "whatsapp_template-rich",
        {
            "channelId": WHATSAPP_CHANNEL,
            "messageType": "whatsapp_template",
            "templateId": RICH_TEMPLATE,
            "whatsappTemplateComponentFields": {
                **_TEMPLATE_MAPPER,
                "value": {
                    "$input$_image": "https://files.example.com/parcel.jpg",
                    "$input$_body_1": "Aisha",
                    "$input$_body_2": "MY-10234",
                    "$input$_buttons_1": "MY-10234",
                },
            },
        },
        f"GET /v2/space/mtm/{RICH_TEMPLATE}",
    ),
    _send(
        "whatsapp_template-catalog",
        {
            "channelId": WHATSAPP_CHANNEL,
            "messageType": "whatsapp_template",
            "templateId": CATALOG_TEMPLATE,
            "whatsappTemplateComponentFields": {**_TEMPLATE_MAPPER, "value": {}},
        },
        f"GET /v2/space/mtm/{CATALOG_TEMPLATE}",
    ),
    _action(
        "MESSAGES/FIND_MESSAGE",
        {**CONTACT, "messageId": 987654},
        "GET /v2/contact/id:123/message/987654",
    ),
    # Last: the contact created above goes.
    _action("CONTACTS/DELETE_CONTACT", NEW_CONTACT, f"DELETE /v2/contact/email:{NEW_EMAIL}"),
)
"""Every scenario, in the order they run."""
