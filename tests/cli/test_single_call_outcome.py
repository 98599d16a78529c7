"""A single call's uncertain outcomes get their own exit codes and a command to check."""

from __future__ import annotations

import httpx
import pytest

import chatapi
from chatapi.cli._settings import (
    EXIT_MAYBE_PROCESSED,
    EXIT_PROCESSED_UNREADABLE,
    CliError,
    Settings,
    guarded,
)
from chatapi_client.models import SendMessageRequest, TextMessage
from tests.overlays.fakes import FakeClock


def _send(response: httpx.Response) -> BaseException:
    """What ``messaging.send`` raises when the server answers ``response``."""
    client = chatapi.ChatAPI(
        "token",
        base_url="https://api.test/v2",
        transport=httpx.MockTransport(lambda request: response),
        rate_limit=False,
        clock=FakeClock(),
    )
    body = SendMessageRequest(message=TextMessage(text="hi"))
    with (
        client,
        pytest.raises((chatapi.OutcomeUnknownError, chatapi.RequestProcessedError)) as caught,
    ):
        client.messaging.send("phone:+60123456789", body=body)
    return caught.value


def _reported(error: BaseException) -> CliError:
    def action() -> None:
        raise error

    with pytest.raises(CliError) as caught:
        guarded(Settings(), action)
    return caught.value


def test_an_unknown_outcome_exits_5_and_names_the_command_to_check() -> None:
    error = _send(httpx.Response(502, json={"code": 502, "message": "bad gateway"}))
    assert isinstance(error, chatapi.OutcomeUnknownError)
    reported = _reported(error)
    assert reported.code == EXIT_MAYBE_PROCESSED == 5
    assert "chatapi messages list phone:+60123456789" in reported.message
    assert "client." not in reported.message


def test_a_processed_call_with_an_unreadable_answer_exits_6() -> None:
    error = _send(httpx.Response(200, content=b"<html>ok</html>"))
    assert isinstance(error, chatapi.RequestProcessedError)
    reported = _reported(error)
    assert reported.code == EXIT_PROCESSED_UNREADABLE == 6
    assert "was processed" in reported.message
    assert "Do not send it again" in reported.message
