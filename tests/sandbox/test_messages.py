"""Messages, comments, contact channels and conversations."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from ._helpers import TEXT, assert_conforms, error_message


def test_a_sent_message_can_be_fetched(api: httpx.Client) -> None:
    sent = api.post("/contact/id%3A123/message", json={"channelId": 5502, **TEXT})
    assert sent.status_code == 200
    assert_conforms("sendMessage", sent)
    message_id = sent.json()["messageId"]
    assert sent.json()["contactId"] == 123

    fetched = api.get(f"/contact/id:123/message/{message_id}")
    assert fetched.status_code == 200
    assert_conforms("getMessage", fetched)
    body = fetched.json()
    assert (body["messageId"], body["channelId"], body["traffic"]) == (message_id, 5502, "outgoing")
    assert body["message"] == TEXT["message"]
    assert body["sender"] == {"source": "api"}


def test_without_channel_a_message_goes_on_the_last_channel_used(api: httpx.Client) -> None:
    api.post("/contact/id:123/message", json={"channelId": 5503, **TEXT})
    message_id = api.post("/contact/id:123/message", json=TEXT).json()["messageId"]
    assert api.get(f"/contact/id:123/message/{message_id}").json()["channelId"] == 5503


def test_every_message_kind_is_accepted(api: httpx.Client) -> None:
    kinds = [
        {"type": "attachment", "attachment": {"type": "image", "url": "https://example.com/a.png"}},
        {"type": "email", "text": "Hi", "subject": "S", "cc": ["a@example.com"]},
        # The body under `message` and a numeric-string reply id, as the vendor's n8n sends.
        {"type": "email", "message": "Hi", "replyToMessageId": "987654", "cc": []},
        {"type": "quick_reply", "title": "Q?", "replies": ["Yes", "No"]},
        {"type": "custom_payload", "payload": {"any": ["thing"]}},
        {
            "type": "whatsapp_template",
            "template": {"name": "order_update", "languageCode": "pt_BR"},
        },
        {"type": "facebook_template", "template": {"name": "order_update", "languageCode": "en"}},
    ]
    for message in kinds:
        response = api.post("/contact/id:123/message", json={"channelId": 5501, "message": message})
        assert response.status_code == 200, response.text
        got = api.get(f"/contact/id:123/message/{response.json()['messageId']}")
        assert got.json()["message"] == message


def test_an_unknown_channel_or_template_is_not_found(api: httpx.Client) -> None:
    channel = api.post("/contact/id:123/message", json={"channelId": 1, **TEXT})
    assert channel.status_code == 404
    assert_conforms("sendMessage", channel)
    template = {"type": "whatsapp_template", "template": {"name": "nope", "languageCode": "en"}}
    missing = api.post("/contact/id:123/message", json={"channelId": 5501, "message": template})
    assert missing.status_code == 404
    assert "nope" in error_message(missing)
    pending = {
        "type": "whatsapp_template",
        "template": {"name": "spring_sale", "languageCode": "en"},
    }
    refused = api.post("/contact/id:123/message", json={"channelId": 5501, "message": pending})
    assert refused.status_code == 400


def test_unknown_messages_and_messages_of_other_contacts_are_not_found(api: httpx.Client) -> None:
    api.post("/contact/email:other@example.com", json={"firstName": "O"})
    other = api.post("/contact/email:other@example.com/message", json=TEXT).json()["messageId"]
    assert api.get(f"/contact/id:123/message/{other}").status_code == 404
    missing = api.get("/contact/id:123/message/424242")
    assert missing.status_code == 404
    assert error_message(missing) == "Message not found."
    assert_conforms("getMessage", missing)


def test_messages_are_listed_newest_first_with_working_cursors(api: httpx.Client) -> None:
    sent = [api.post("/contact/id:123/message", json=TEXT).json()["messageId"] for _ in range(3)]
    expected = [*reversed(sent), 987655, 987654]  # then the two seeded messages

    seen: list[int] = []
    url = "/contact/id:123/message/list?limit=2"
    pages = 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        assert_conforms("listMessages", response)
        page = response.json()
        seen += [m["messageId"] for m in page["items"]]
        url = page["pagination"]["next"]
        pages += 1
        if url:
            query = parse_qs(urlsplit(url).query)
            assert url.startswith(api.base_url.scheme + "://")
            assert query["limit"] == ["2"]
            assert query["cursorId"] == [str(seen[-1])]
    assert seen == expected
    assert pages == 3


def test_a_cursor_past_the_end_gives_an_empty_last_page(api: httpx.Client) -> None:
    page = api.get("/contact/id:123/message/list", params={"cursorId": 1}).json()
    assert page["items"] == []
    assert page["pagination"]["next"] == ""


def test_a_comment_is_stored_and_answered(api: httpx.Client, sandbox: object) -> None:
    response = api.post("/contact/id:123/comment", json={"text": "Call back {{@user.42}}"})
    assert response.status_code == 200
    assert_conforms("createComment", response)
    assert response.json()["contactId"] == 123
    assert response.json()["text"] == "Call back {{@user.42}}"


def test_contact_channels_follow_the_messages(api: httpx.Client) -> None:
    api.post("/contact/id:123/message", json={"channelId": 5502, **TEXT})
    listed = api.get("/contact/id:123/channels")
    assert listed.status_code == 200
    assert_conforms("listContactChannels", listed)
    assert [c["id"] for c in listed.json()["items"]] == [5501, 5502]
    one = api.get("/contact/id:123/channels/5502")
    assert one.status_code == 200
    assert_conforms("getContactChannel", one)
    assert one.json()["name"] == "Website chat"
    assert api.get("/contact/id:123/channels/5503").status_code == 404


def test_conversations_are_assigned_and_closed(api: httpx.Client) -> None:
    by_email = api.post(
        "/contact/id:123/conversation/assignee", json={"assignee": "nur@example.com"}
    )
    assert by_email.status_code == 200
    assert_conforms("assignConversation", by_email)
    assert api.get("/contact/id:123").json()["assignee"]["id"] == 43
    api.post("/contact/id:123/conversation/assignee", json={"assignee": None})
    assert api.get("/contact/id:123").json()["assignee"] is None
    unknown = api.post("/contact/id:123/conversation/assignee", json={"assignee": 999})
    assert unknown.status_code == 404
    assert error_message(unknown) == "User not found."

    closed = api.post(
        "/contact/id:123/conversation/status",
        json={"status": "close", "category": "Resolved", "summary": "Done."},
    )
    assert closed.status_code == 200
    assert_conforms("updateConversationStatus", closed)
    assert api.get("/contact/id:123").json()["status"] == "close"
    # On a closed conversation the assignee stays empty, and that is not an error.
    assert (
        api.post("/contact/id:123/conversation/assignee", json={"assignee": 42}).status_code == 200
    )
    assert api.get("/contact/id:123").json()["assignee"] is None
