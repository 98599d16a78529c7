"""Unit checks of the parts: routing, ECMA-262 patterns, readable errors, faults."""

from __future__ import annotations

import pytest

from chatapi_client.spec import load_spec
from chatapi_sandbox import Fault, FaultKind, RetryAfterForm, When
from chatapi_sandbox._regex import ecma_regex
from chatapi_sandbox._routing import MethodNotAllowed, Route, Router
from chatapi_sandbox._spec import read_operations


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(read_operations(load_spec()))


@pytest.mark.parametrize(
    ("method", "path", "operation_id", "params"),
    [
        ("POST", "/contact/merge", "mergeContacts", {}),
        ("POST", "/contact/list", "listContacts", {}),
        ("POST", "/contact/id%3A7", "createContact", {"identifier": "id:7"}),
        ("GET", "/contact/id:7/message/list", "listMessages", {"identifier": "id:7"}),
        ("GET", "/contact/id:7/message/9", "getMessage", {"identifier": "id:7", "messageId": "9"}),
        ("DELETE", "/contact/id:7/tag", "removeTags", {"identifier": "id:7"}),
        ("POST", "/contact/create_or_update/x", "createOrUpdateContact", {"identifier": "x"}),
        ("GET", "/contact/email%3Aa%2Fb%40c", "getContact", {"identifier": "email:a/b@c"}),
    ],
)
def test_router_matches_the_most_specific_template(
    router: Router, method: str, path: str, operation_id: str, params: dict[str, str]
) -> None:
    route = router.match(method, path)
    assert isinstance(route, Route)
    assert route.operation.operation_id == operation_id
    assert route.path_params == params


def test_router_tells_unknown_paths_from_unknown_methods(router: Router) -> None:
    assert router.match("GET", "/space/user/") is None
    assert router.match("GET", "/nothing") is None
    assert router.match("GET", "") is None
    assert router.match("PATCH", "/space/tag") == MethodNotAllowed(("DELETE", "POST", "PUT"))


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (r"^[^\s@]+$", "a\x1cb", True),  # not whitespace in ECMA-262
        (r"^[^\s@]+$", "a\u3000b", False),  # ideographic space is
        (r"^\s$", "\x85", False),
        (r"^\d+$", "١٢", False),  # Arabic-Indic digits are not \d in ECMA-262
        (r"^\w+$", "é", False),
        (r"^\S+$", "\x1c", True),
        (r"^a$", "a\n", False),
        (r"^[$]$", "$", True),
        (r"^\$$", "$", True),
    ],
)
def test_patterns_have_ecma_262_meaning(pattern: str, text: str, matches: bool) -> None:
    assert bool(ecma_regex(pattern).search(text)) is matches


def test_fault_defaults_depend_on_the_kind() -> None:
    assert Fault("x", FaultKind.BAD_GATEWAY).body == "html"
    assert Fault("x", FaultKind.UNAVAILABLE).retry_after_form is RetryAfterForm.SECONDS
    assert Fault("x", FaultKind.INTERNAL_ERROR).retry_after_form is RetryAfterForm.NONE
    assert Fault("x", FaultKind.TRUNCATE).when is When.AFTER
    assert Fault("x", FaultKind.DROP).when is When.BEFORE
    assert FaultKind.DROP.status is None
    assert FaultKind.RETRY_LATER.status == 449
    with pytest.raises(ValueError, match="times"):
        Fault("x", FaultKind.DROP, times=0)
    assert Fault.from_json({"operation_id": "x", "kind": 503}).kind is FaultKind.UNAVAILABLE
