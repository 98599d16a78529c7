"""Every generated operation, sync and async, sends what the spec says and parses its example."""

from __future__ import annotations

import asyncio
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml
from openapi_python_client.strings import snake_case

import chatapi_client.models
from chatapi_client import AuthenticatedClient
from chatapi_client.rate_limits import find_rate_limit
from chatapi_client.spec import load_spec

SPEC = load_spec()
BASE_URL = "https://api.chatapi.net/v2"
CLASS_OVERRIDES = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "generator" / "config.yaml").read_text(encoding="utf-8")
)["class_overrides"]


def model_class(schema_name: str) -> Any:
    """The generated class of a component schema, honouring the generator's class overrides."""
    name = CLASS_OVERRIDES.get(schema_name, {}).get("class_name", schema_name)
    return getattr(chatapi_client.models, name)


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow local ``$ref``s to the object they name."""
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def example_of(media: dict[str, Any]) -> Any:
    """The media type's ``example``, or the first of its ``examples``."""
    if "example" in media:
        return media["example"]
    return resolve(next(iter(media["examples"].values())))["value"]


def model_name(schema: dict[str, Any]) -> str | None:
    """The component name a schema refers to, if it refers to an object component."""
    ref = schema.get("$ref", "")
    name = ref.rsplit("/", 1)[-1]
    if name and SPEC["components"]["schemas"][name].get("type") == "array":
        return None  # a bare array (TagNames) is passed as a plain list
    return name or None


@dataclass(frozen=True)
class Case:
    """One operation, with the arguments and answer its examples give."""

    operation_id: str
    method: str
    module: ModuleType
    kwargs: dict[str, Any]
    body: Any
    answer: Any
    answer_model: type


def cases() -> list[Case]:
    """One case per operation of the spec."""
    found = []
    for item in SPEC["paths"].values():
        for method in ("get", "post", "put", "delete"):
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [resolve(p) for p in item.get("parameters", [])]
            parameters += [resolve(p) for p in operation.get("parameters", [])]
            kwargs = {snake_case(p["name"]): p["example"] for p in parameters}
            body = None
            if "requestBody" in operation:
                media = operation["requestBody"]["content"]["application/json"]
                body = example_of(media)
                name = model_name(media["schema"])
                kwargs["body"] = model_class(name).from_dict(body) if name else list(body)
            success = resolve(operation["responses"]["200"])["content"]["application/json"]
            tag = operation["tags"][0]
            module = importlib.import_module(
                f"chatapi_client.api.{tag}.{snake_case(operation['operationId'])}"
            )
            answer_model = model_class(success["schema"]["$ref"].rsplit("/")[-1])
            found.append(
                Case(
                    operation["operationId"],
                    method.upper(),
                    module,
                    kwargs,
                    body,
                    example_of(success),
                    answer_model,
                )
            )
    return found


CASES = cases()


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
    assert find_rate_limit(request.method, path).operation_id == case.operation_id
    if case.body is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == case.body


def test_there_is_a_case_for_each_of_the_29_operations() -> None:
    assert len({case.operation_id for case in CASES}) == 29


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
