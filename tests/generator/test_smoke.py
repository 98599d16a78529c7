"""Every generated operation, sync and async, sends what the spec says and parses its example."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from chatapi_client import AuthenticatedClient
from chatapi_client.operations import INDEX
from tests.operation_cases import CASES, Case

BASE_URL = "https://api.chatapi.net/v2"


def client_answering(case: Case, seen: list[httpx.Request]) -> AuthenticatedClient:
    """A client whose transport checks the request and answers the spec's example."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=case.answer)

    return AuthenticatedClient(
        base_url=BASE_URL,
        token="secret-token",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )


def check_request(case: Case, request: httpx.Request) -> None:
    assert request.method == case.method
    assert request.headers["Authorization"] == "Bearer secret-token"
    path = request.url.raw_path.decode().removeprefix("/v2")
    operation = INDEX.operation_for(request.method, path)
    assert operation is not None
    assert operation.operation_id == case.operation_id
    if case.body is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == case.body


def test_there_is_a_case_for_each_operation_of_the_description() -> None:
    assert {case.operation_id for case in CASES} == {op.operation_id for op in INDEX.operations}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation_id)
def test_sync_call_sends_the_request_and_parses_the_example(case: Case) -> None:
    seen: list[httpx.Request] = []
    with client_answering(case, seen) as client:
        result = case.module.sync(client=client, **case.kwargs)
    assert isinstance(result, case.answer_model)
    assert len(seen) == 1
    check_request(case, seen[0])


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation_id)
def test_async_call_sends_the_request_and_parses_the_example(case: Case) -> None:
    seen: list[httpx.Request] = []

    async def call() -> Any:
        async with client_answering(case, seen) as client:
            return await case.module.asyncio(client=client, **case.kwargs)

    result = asyncio.run(call())
    assert isinstance(result, case.answer_model)
    assert len(seen) == 1
    check_request(case, seen[0])


def test_identifiers_are_percent_encoded_on_the_wire() -> None:
    case = next(case for case in CASES if case.operation_id == "sendMessage")
    seen: list[httpx.Request] = []
    with client_answering(case, seen) as client:
        case.module.sync("phone:+60123456789", client=client, body=case.kwargs["body"])
    assert seen[0].url.raw_path == b"/v2/contact/phone%3A%2B60123456789/message"


def test_client_repr_hides_the_token() -> None:
    client = AuthenticatedClient(base_url=BASE_URL, token="secret-token-value")
    with client:
        client.get_httpx_client()
        assert "secret-token-value" not in repr(client)
        assert "secret-token-value" not in str(client)
    assert client.token == "secret-token-value"
