"""Broken copies of the description that one Spectral rule of .spectral.yaml must report.

Each `SpectralCase` breaks one thing in a copy of openapi/chatapi.yaml and names the rule
that must report it and where. `spectral_findings` in test_rules_fire.py writes every
broken copy and lints them in one batch (Spectral's start-up costs seconds).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.spec._spec import Spec, deref, escape, operations

__all__ = [
    "GET_CONTACT",
    "SEND_MESSAGE",
    "SPECTRAL_CASES",
    "SpectralCase",
    "inline_response",
    "operation",
    "response_component",
]

GET_CONTACT = "/paths/" + escape("/contact/{identifier}") + "/get"
SEND_MESSAGE = "/paths/" + escape("/contact/{identifier}/message") + "/post"


def operation(spec: Spec, operation_id: str) -> dict[str, Any]:
    """The operation object with this operationId (it must exist)."""
    return next(op.body for op in operations(spec) if op.operation_id == operation_id)


def inline_response(spec: Spec, operation_id: str, status: str) -> dict[str, Any]:
    """Replace an operation's response by an inline copy of what it refers to; return the copy."""
    responses = operation(spec, operation_id)["responses"]
    response: dict[str, Any] = copy.deepcopy(deref(spec, responses[status], "")[0])
    responses[status] = response
    return response


def response_component(spec: Spec, operation_id: str, status: str) -> str:
    """The name of the components/responses entry an operation's response refers to."""
    ref = operation(spec, operation_id)["responses"][status]["$ref"]
    return str(ref).rsplit("/", 1)[1]


@dataclass(frozen=True)
class SpectralCase:
    """`breaks` changes a copy of the description and returns where `rule` must fire."""

    id: str
    rule: str
    breaks: Callable[[Spec], str]


def _set_extension(operation_id: str, key: str, value: Any) -> Callable[[Spec], str]:
    """Set the operation's extension ``key`` to ``value`` (None: remove it)."""

    def breaks(spec: Spec) -> str:
        if value is None:
            del operation(spec, operation_id)[key]
        else:
            operation(spec, operation_id)[key] = value
        return SEND_MESSAGE if operation_id == "sendMessage" else GET_CONTACT

    return breaks


def _set_rate_limit(limit: Any) -> Callable[[Spec], str]:
    return _set_extension("getContact", "x-rate-limit", limit)


def _set_client_name(name: Any) -> Callable[[Spec], str]:
    return _set_extension("getContact", "x-client", name)


def _set_idempotent(operation_id: str, value: Any) -> Callable[[Spec], str]:
    return _set_extension(operation_id, "x-idempotent", value)


def _header_missing_on_an_operation_response(spec: Spec) -> str:
    del inline_response(spec, "getContact", "200")["headers"]["X-RateLimit-Remaining"]
    return f"{GET_CONTACT}/responses/200"


def _header_inline(spec: Spec) -> str:
    headers = inline_response(spec, "getContact", "200")["headers"]
    headers["Retry-After"] = {"schema": {"type": "integer"}, "example": 1}
    return f"{GET_CONTACT}/responses/200/headers/Retry-After"


def _header_missing_on_a_shared_response(spec: Spec) -> str:
    name = response_component(spec, "getContact", "401")
    del spec["components"]["responses"][name]["headers"]["Retry-After"]
    return f"/components/responses/{name}"


def _response_missing(status: str) -> Callable[[Spec], str]:
    def breaks(spec: Spec) -> str:
        del operation(spec, "getContact")["responses"][status]
        return GET_CONTACT

    return breaks


def _snake_case_operation_id(spec: Spec) -> str:
    operation(spec, "getContact")["operationId"] = "get_contact"
    return f"{GET_CONTACT}/operationId"


def _no_success_example(spec: Spec) -> str:
    for media_type in inline_response(spec, "getContact", "200")["content"].values():
        media_type.pop("example", None)
        media_type.pop("examples", None)
    return f"{GET_CONTACT}/responses/200/content"


def _no_request_body_example(spec: Spec) -> str:
    body = operation(spec, "sendMessage")["requestBody"]
    for media_type in deref(spec, body, "")[0]["content"].values():
        media_type.pop("example", None)
        media_type.pop("examples", None)
    return f"{SEND_MESSAGE}/requestBody/content"


_RATE_LIMIT = "chatapi-operation-rate-limit"
_CLIENT_NAME = "chatapi-operation-client-name"
_HEADERS = "chatapi-response-rate-limit-headers"
_RESPONSES = "chatapi-operation-auth-and-rate-limit-responses"

SPECTRAL_CASES = [
    SpectralCase("rate-limit-missing", _RATE_LIMIT, _set_rate_limit(None)),
    SpectralCase(
        "rate-limit-bucket-not-kebab-case",
        _RATE_LIMIT,
        _set_rate_limit({"bucket": "get_contact", "requests-per-second": 10}),
    ),
    SpectralCase(
        "rate-limit-rps-zero",
        _RATE_LIMIT,
        _set_rate_limit({"bucket": "get-contact", "requests-per-second": 0}),
    ),
    SpectralCase(
        "rate-limit-rps-a-string",
        _RATE_LIMIT,
        _set_rate_limit({"bucket": "get-contact", "requests-per-second": "10"}),
    ),
    SpectralCase("client-name-missing", _CLIENT_NAME, _set_client_name(None)),
    SpectralCase("client-name-no-method", _CLIENT_NAME, _set_client_name({"resource": "contacts"})),
    SpectralCase(
        "client-name-not-camel-case",
        _CLIENT_NAME,
        _set_client_name({"resource": "Contacts", "method": "get"}),
    ),
    SpectralCase(
        "idempotent-missing", "chatapi-operation-idempotent", _set_idempotent("sendMessage", None)
    ),
    SpectralCase(
        "idempotent-a-string", "chatapi-operation-idempotent", _set_idempotent("sendMessage", "no")
    ),
    SpectralCase(
        "idempotent-get-marked-not-idempotent",
        "chatapi-operation-idempotent-methods",
        _set_idempotent("getContact", False),
    ),
    SpectralCase(
        "header-on-an-operation-response", _HEADERS, _header_missing_on_an_operation_response
    ),
    SpectralCase("header-inline", _HEADERS, _header_inline),
    SpectralCase("header-on-a-shared-response", _HEADERS, _header_missing_on_a_shared_response),
    SpectralCase("response-401-missing", _RESPONSES, _response_missing("401")),
    SpectralCase("response-429-missing", _RESPONSES, _response_missing("429")),
    SpectralCase(
        "operation-id-camel-case", "chatapi-operation-id-camel-case", _snake_case_operation_id
    ),
    SpectralCase("success-example", "chatapi-success-response-example", _no_success_example),
    SpectralCase("request-body-example", "chatapi-request-body-example", _no_request_body_example),
]
