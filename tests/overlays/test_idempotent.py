"""The retry layer reads which calls are safe to repeat from the description (x-idempotent)."""

from __future__ import annotations

import httpx
import pytest

import chatapi
from chatapi import OutcomeUnknownError, RequestOptions
from chatapi._retry_policy import repeatable
from chatapi._transports.retry import RetryTransport
from chatapi._transports.typed_errors import ErrorTransport
from chatapi_client.models import SendMessageRequest, TextMessage
from chatapi_client.operations import INDEX

from .fakes import BASE, FakeClock, Script


def _post(path: str, *, index: bool = True, **kwargs: object) -> tuple[object, Script]:
    clock = FakeClock()
    script = Script(httpx.Response(502, json={"code": 502, "message": "bad gateway"}), clock=clock)
    retry = RetryTransport(
        script.transport(),
        clock=clock,
        random=lambda: 0.0,
        index=INDEX if index else None,
        base_path="/v2",
    )
    with httpx.Client(transport=ErrorTransport(retry, clock=clock), base_url=BASE) as client:
        try:
            return client.post(path, json=["vip"], **kwargs), script  # type: ignore[arg-type]
        except chatapi.ChatAPIError as error:
            return error, script


@pytest.mark.parametrize(
    "path",
    [
        "/contact/id%3A42/tag",  # addTags: tags already present are kept
        "/contact/create_or_update/id%3A42",  # createOrUpdateContact: keyed by identifier
        "/contact/list",  # listContacts: reads
        "/contact/id%3A42/conversation/assignee",  # assignConversation: sets the assignee
        "/contact/id%3A42/lifecycle/update",  # updateContactLifecycle: sets the stage
    ],
)
def test_a_post_the_description_marks_idempotent_is_retried_after_502(path: str) -> None:
    result, script = _post(path)
    assert isinstance(result, httpx.Response)
    assert script.attempts == 2


@pytest.mark.parametrize(
    "path",
    [
        "/contact/id%3A42/message",  # sendMessage
        "/contact/id%3A42/comment",  # createComment
        "/contact/email%3Aa%40b.co",  # createContact
        "/contact/id%3A42/conversation/status",  # updateConversationStatus
    ],
)
def test_a_post_the_description_marks_not_idempotent_is_outcome_unknown(path: str) -> None:
    result, script = _post(path)
    assert isinstance(result, OutcomeUnknownError)
    assert script.attempts == 1


def test_the_caller_can_still_mark_a_non_idempotent_post_safe() -> None:
    options = RequestOptions(safe_to_repeat=True).extensions()
    result, script = _post("/contact/id%3A42/message", extensions=options)
    assert isinstance(result, httpx.Response)
    assert script.attempts == 2


def test_a_post_no_operation_serves_falls_back_on_its_method() -> None:
    result, script = _post("/contact/id%3A42/nowhere")
    assert isinstance(result, OutcomeUnknownError)
    assert script.attempts == 1


def test_repeatable_reads_the_operation_before_the_method() -> None:
    assert repeatable("POST", INDEX["addTags"], None)
    assert not repeatable("POST", INDEX["sendMessage"], None)
    assert not repeatable("POST", INDEX["sendMessage"], False)
    assert repeatable("POST", INDEX["sendMessage"], True)
    assert repeatable("PUT", None, None)
    assert not repeatable("POST", None, None)


def test_connect_wires_the_index_into_the_retries() -> None:
    """Through ChatAPI: add_tags survives a 502, send does not repeat after one."""
    answers = [
        httpx.Response(502, json={"code": 502, "message": "bad gateway"}),
        httpx.Response(200, json={"contactId": 42}),
        httpx.Response(502, json={"code": 502, "message": "bad gateway"}),
    ]
    seen: list[str] = []
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return answers.pop(0)

    with chatapi.ChatAPI(
        "token",
        base_url=BASE,
        transport=httpx.MockTransport(handler),
        rate_limit=False,
        clock=clock,
    ) as client:
        assert client.contacts.add_tags("id:42", body=["vip"]).contact_id == 42
        body = SendMessageRequest(message=TextMessage(text="hi"))
        with pytest.raises(OutcomeUnknownError):
            client.messaging.send("id:42", body=body)
    assert seen == ["/v2/contact/id%3A42/tag"] * 2 + ["/v2/contact/id%3A42/message"]
    assert len(clock.sleeps) == 1  # one backoff, on the fake clock
