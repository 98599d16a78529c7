"""The one path matcher: what request paths mean, and that client and sandbox agree on it."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatapi._transports.base import operation_of
from chatapi_client.operations import INDEX
from chatapi_client.spec import load_spec
from chatapi_description import Operation, PathMatcher, Route, read_index
from chatapi_sandbox import SandboxOptions, Token, create_app


@pytest.mark.parametrize(
    ("method", "path", "operation_id", "params"),
    [
        ("POST", "/contact/merge", "mergeContacts", {}),
        ("POST", "/contact/%6Derge", "mergeContacts", {}),
        ("POST", "/contact/list", "listContacts", {}),
        ("POST", "/contact/id%3A7", "createContact", {"identifier": "id:7"}),
        ("GET", "/contact/id:7/message/list", "listMessages", {"identifier": "id:7"}),
        ("GET", "/contact/id:7/message/9", "getMessage", {"identifier": "id:7", "messageId": "9"}),
        ("DELETE", "/contact/id:7/tag", "removeTags", {"identifier": "id:7"}),
        ("POST", "/contact/create_or_update/x", "createOrUpdateContact", {"identifier": "x"}),
        ("GET", "/contact/email%3Aa%2Fb%40c", "getContact", {"identifier": "email:a/b@c"}),
        ("GET", "/contact/list/message/list", "listMessages", {"identifier": "list"}),
    ],
)
def test_the_most_specific_template_wins(
    method: str, path: str, operation_id: str, params: dict[str, str]
) -> None:
    route = INDEX.match(method, path)
    assert isinstance(route, Route)
    assert route.target.operation_id == operation_id
    assert route.path_params == params


def test_unknown_paths_and_unknown_methods_are_told_apart() -> None:
    assert INDEX.match("GET", "/space/user/") is None
    assert INDEX.match("GET", "/nothing") is None
    assert INDEX.match("GET", "") is None
    assert INDEX.match("PATCH", "/space/tag") == ("DELETE", "POST", "PUT")
    # The literal template decides, whatever the method: not getContact of contact "merge".
    assert INDEX.match("GET", "/contact/merge") == ("POST",)


@pytest.mark.parametrize(
    "path",
    [
        "/contact/./message",
        "/contact/../message",
        "/contact/%2E/message",
        "/contact/%2e%2E/message",
        "/contact//message",
        "/contact/id%3A1/",
        "/contact/%FF/message",
    ],
)
def test_dot_empty_and_undecodable_segments_address_nothing(path: str) -> None:
    assert INDEX.match("POST", path) is None


def test_the_generated_index_is_the_bundled_description_read_again() -> None:
    assert read_index(load_spec()) == INDEX


def test_a_template_described_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="described twice"):
        PathMatcher([("GET", "/a/{x}", 1), ("GET", "/a/{x}", 2)])


# Client and sandbox agree on every path: the property test.

_SANDBOX = create_app(SandboxOptions(tokens=(Token("tok", "org"),), rate_limit=False))
_TRICKY = ["merge", "list", "create_or_update", "message", "tag", ".", "..", "", "%6Derge"]
_LITERALS = sorted({s for op in INDEX.operations for s in op.path.split("/") if "{" not in s})
_segment = st.one_of(
    st.sampled_from(_TRICKY + _LITERALS),
    st.text(alphabet="abcdeimrg.:@+-_%0123456789ABCDEF", max_size=12),
    st.text(max_size=6).map(lambda text: quote(text, safe="")),
    st.from_regex(re.compile(r"(id|email|phone)%3A[a-z0-9.@+]{1,8}"), fullmatch=True),
)
_paths = st.lists(_segment, min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts))
_methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"])


def _client_side(method: str, path: str) -> Operation | None:
    request = httpx.Request(method, "https://api.chatapi.net/v2" + path)
    return operation_of(request, INDEX, "/v2")


def _sandbox_side(method: str, path: str) -> Operation | None:
    """The operation the sandbox serves for a request sent to it over ASGI, raw path and all."""
    before = dict(_SANDBOX.core.tally.by_operation)

    async def send() -> int:
        transport = httpx.ASGITransport(app=_SANDBOX)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            headers = {"Authorization": "Bearer tok"}
            response = await client.request(method, "/v2" + path, headers=headers)
            return response.status_code

    status = asyncio.run(send())
    after = _SANDBOX.core.tally.by_operation
    served = [op for op in after if after[op] != before.get(op, 0)]
    assert len(served) <= 1
    if not served:
        assert status in (307, 404, 405)  # 307: Starlette adds the slash to a bare "/v2"
        return None
    return INDEX[served[0]]


@settings(max_examples=400, deadline=None)
@given(method=_methods, path=_paths)
def test_client_and_sandbox_map_every_path_to_the_same_operation(method: str, path: str) -> None:
    try:
        sent = httpx.Request(method, "https://api.chatapi.net/v2" + path).url.raw_path.decode()
    except httpx.InvalidURL:
        return  # httpx refuses to send it at all
    assert _client_side(method, path) == _sandbox_side(method, sent.removeprefix("/v2"))


def test_the_property_covers_the_tricky_identifiers() -> None:
    for identifier in ("merge", "list", "%6Derge", "a.b", "."):
        path = f"/contact/{identifier}"
        assert _client_side("POST", path) == _sandbox_side("POST", path)


def test_templates_may_name_one_position_differently() -> None:
    matcher = PathMatcher([("GET", "/field/{id}", "one"), ("GET", "/field/{fieldId}/x", "two")])
    assert matcher.match("GET", "/field/3") == Route("one", {"id": "3"})
    assert matcher.match("GET", "/field/3/x") == Route("two", {"fieldId": "3"})


def test_a_segment_mixing_a_parameter_and_text_is_refused() -> None:
    with pytest.raises(ValueError, match="mixes a parameter and text"):
        PathMatcher([("GET", "/report/{name}.json", 1)])
