"""A tour of the client: contacts, messages, paging, conversations and errors.

It creates a contact, sends three kinds of message (and 60 more), pages through them,
assigns the conversation, and handles a missing contact and a rate limit.

    python examples/tour.py --base-url http://127.0.0.1:8400/v2 --token sandbox-token
"""

import argparse

import chatapi
from chatapi_client.models import (
    AssignConversationRequest,
    Attachment,
    AttachmentMessage,
    NewContact,
    QuickReplyMessage,
    SendMessageRequest,
    TextMessage,
)

parser = argparse.ArgumentParser(description="A tour of the ChatAPI client.")
parser.add_argument("--base-url", default=None, help="default: CHATAPI_BASE_URL, else the API")
parser.add_argument("--token", default=None, help="default: CHATAPI_TOKEN")
args = parser.parse_args()

with chatapi.ChatAPI(args.token, base_url=args.base_url) as client:
    client.contacts.create("email:ada@example.com", body=NewContact(first_name="Ada"))
    ada = f"id:{client.contacts.get('email:ada@example.com').id}"

    for message in (
        TextMessage(text="Welcome aboard!"),
        AttachmentMessage(attachment=Attachment(type_="image", url="https://example.com/a.png")),
        QuickReplyMessage(title="Happy so far?", replies=["Yes", "No"]),
    ):
        client.messaging.send(ada, body=SendMessageRequest(message=message))
    for number in range(60):
        client.messaging.send(ada, body=SendMessageRequest(message=TextMessage(text=f"#{number}")))
    print("messages:", sum(1 for _ in client.messaging.list(ada, limit=20)))

    agent = client.space.list_users().first_page().items[0]
    client.conversations.assign(ada, body=AssignConversationRequest(assignee=agent.email))
    print("assigned to", agent.email)

    try:
        client.contacts.get("email:nobody@example.com")
    except chatapi.NotFoundError as error:
        print("not found:", error.message)
    try:
        client.with_options(deadline=5).space.get_user(agent.id)
    except chatapi.RateLimitError as error:
        print(f"rate limited: try again in {error.retry_after:.0f} s")
