"""Requests are checked against the description: 400, 401, 404 and 405 with readable messages."""

from __future__ import annotations

import httpx
import pytest

from ._helpers import TEXT, assert_conforms, error_message


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        (
            "GET",
            "/contact/ID:42",
            None,
            "path parameter 'identifier' does not match the pattern",
        ),
        ("GET", "/contact/phone:12345", None, "(got 'phone:12345')"),
        (
            "POST",
            "/contact/id:123/message",
            {"message": {"type": "text"}},
            "request body field $.message is missing the required property 'text'",
        ),
        (
            "POST",
            "/contact/id:123/message",
            {"message": {"type": "sms", "text": "x"}},
            # The tag matches no variant: the sentence lists the tags there are.
            "request body field $.message.type must be one of 'text', 'attachment', ",
        ),
        (
            "POST",
            "/contact/id:123/message",
            {"channelId": "5501", **TEXT},
            "request body field $.channelId must be of type integer or null (got '5501')",
        ),
        (
            "POST",
            "/contact/id:123/comment",
            {"text": "x" * 1001},
            "request body field $.text is too long (1001 characters, at most 1000)",
        ),
        (
            "POST",
            "/contact/id:123/comment",
            {},
            "request body is missing the required property 'text'",
        ),
        ("POST", "/contact/id:123/tag", [], "request body has 0 items (at least 1)"),
        (
            "PUT",
            "/contact/id:123",
            {"email": "not-an-address"},
            "request body field $.email is not a valid email (got 'not-an-address')",
        ),
        (
            "POST",
            "/contact/email:new@example.com",
            {},
            "is missing the required property 'firstName'",
        ),
        ("GET", "/space/user?limit=0", None, "query parameter 'limit' must be >= 1 (got 0)"),
        ("GET", "/space/user?limit=ten", None, "query parameter 'limit' must be an integer"),
        ("GET", "/space/user/abc", None, "path parameter 'id' must be an integer (got 'abc')"),
    ],
)
def test_invalid_requests_get_400_saying_what_and_where(
    api: httpx.Client, method: str, path: str, body: object, expected: str
) -> None:
    response = api.request(method, path, json=body)
    assert response.status_code == 400
    message = error_message(response)
    assert message.startswith("Invalid request: ")
    assert expected in message
    assert "X-RateLimit-Remaining" in response.headers


def test_a_body_that_is_not_json_or_missing_is_refused(api: httpx.Client) -> None:
    broken = api.post(
        "/contact/id:123/comment",
        content=b'{"text": ',
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert "request body is not valid JSON" in error_message(broken)
    missing = api.post("/contact/id:123/comment")
    assert error_message(missing) == "Invalid request: request body is required (application/json)."
    nan = api.post(
        "/contact/id:123/message",
        content=b'{"channelId": NaN, "message": {"type": "text", "text": "x"}}',
        headers={"Content-Type": "application/json"},
    )
    assert nan.status_code == 400
    form = api.post(
        "/contact/id:123/comment", content=b"text=x", headers={"Content-Type": "text/plain"}
    )
    assert "must be application/json" in error_message(form)


def test_the_sent_message_union_picks_the_variant_the_type_names(api: httpx.Client) -> None:
    quick = {"message": {"type": "quick_reply", "title": "Q", "replies": []}}
    response = api.post("/contact/id:123/message", json=quick)
    assert "$.message.replies has 0 items (at least 1)" in error_message(response)


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", "Basic acme-token-1", "acme-token-1"]
)
def test_a_missing_or_wrong_token_gets_401(sandbox: object, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    base_url = sandbox.base_url  # type: ignore[attr-defined]
    response = httpx.get(f"{base_url}/contact/id:123", headers=headers)
    assert response.status_code == 401
    assert error_message(response) == "Missing or invalid access token."
    assert_conforms("getContact", response)


def test_unknown_things_get_404(api: httpx.Client) -> None:
    for operation_id, path in [
        ("getContact", "/contact/id:99999"),
        ("getMessage", "/contact/id:123/message/1"),
        ("getUser", "/space/user/1"),
        ("getCustomField", "/space/custom_field/1"),
    ]:
        response = api.get(path)
        assert response.status_code == 404, path
        assert_conforms(operation_id, response)


def test_unknown_paths_and_methods(api: httpx.Client) -> None:
    nowhere = api.get("/no/such/path")
    assert nowhere.status_code == 404
    assert error_message(nowhere) == "No operation at GET /v2/no/such/path."
    wrong_method = api.get("/contact/merge")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "POST"
    assert api.patch("/contact/id:123").headers["Allow"] == "DELETE, GET, POST, PUT"
    outside = httpx.get(str(api.base_url).removesuffix("/v2/") + "/elsewhere")
    assert outside.status_code == 404
    assert outside.json() == {"code": 404, "message": "No such path."}


def test_literal_segments_win_over_parameters(api: httpx.Client) -> None:
    listed = api.get("/contact/id:123/message/list")
    assert listed.status_code == 200
    assert "items" in listed.json()
    # /contact/create_or_update/message is createOrUpdateContact with a bad identifier,
    # not sendMessage to a contact called "create_or_update".
    response = api.post("/contact/create_or_update/message", json={"firstName": "X"})
    assert "path parameter 'identifier'" in error_message(response)


def test_an_encoded_slash_stays_inside_the_identifier(api: httpx.Client) -> None:
    created = api.post("/contact/email:a%2Fb@example.com", json={"firstName": "Slash"})
    assert created.status_code == 200
    found = api.get("/contact/email%3Aa%2Fb%40example.com")
    assert found.json()["email"] == "a/b@example.com"


def test_patterns_have_their_json_schema_meaning(api: httpx.Client) -> None:
    # ECMA-262: "$" is the end of input (Python's would also match before a final newline)
    assert api.get("/contact/id:123%0A").status_code == 400
    # ECMA-262 "\s" does not include U+001C, which Python's does: this address is valid.
    assert api.get("/contact/email:a%1Cb@example.com").status_code == 404
