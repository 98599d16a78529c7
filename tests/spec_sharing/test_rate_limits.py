"""`rate-limits.json`: every operation's limit, in an order that matches paths as the API does.

The oracle is the project's own path matcher (chatapi_description's `OperationIndex.match`,
which the client and the sandbox use): for a concrete path of every operation, the first
entry of the file whose `pathRegex` matches must be that operation's template.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chatapi_description import Route, load_yaml, read_index
from tests.spec._spec import SPEC_PATH
from tools.spec_dist import RATE_LIMITS_NAME
from tools.spec_dist._rate_limits import rate_limits, render_rate_limits

SPEC = load_yaml(SPEC_PATH)
INDEX = read_index(SPEC)


@pytest.fixture(scope="module")
def limits() -> dict[str, Any]:
    return rate_limits(SPEC)


def concrete(template: str, value: str) -> str:
    return re.sub(r"\{[^/{}]+\}", value, template)


def first_match(limits: dict[str, Any], path: str) -> dict[str, Any] | None:
    return next((e for e in limits["operations"] if re.fullmatch(e["pathRegex"], path)), None)


def test_every_operation_once_with_its_own_limit(limits: dict[str, Any]) -> None:
    entries = {e["operationId"]: e for e in limits["operations"]}
    assert len(entries) == len(limits["operations"]) == len(INDEX.operations)
    for operation in INDEX.operations:
        entry = entries[operation.operation_id]
        assert (entry["method"], entry["path"]) == (operation.method, operation.path)
        assert entry["bucket"] == operation.rate_limit.bucket
        assert entry["requestsPerSecond"] == operation.rate_limit.requests_per_second
    assert [e["matchOrder"] for e in limits["operations"]] == list(range(len(entries)))
    default = SPEC["x-rate-limit-default"]
    assert limits["default"] == {
        "bucket": default["bucket"],
        "requestsPerSecond": default["requests-per-second"],
    }
    assert limits["version"] == SPEC["info"]["version"]


# Values a parameter could take that are also literal segments of other templates.
@pytest.mark.parametrize("value", ["id:42", "list", "merge", "tag", "message", "channels"])
def test_first_match_is_the_template_the_api_serves(limits: dict[str, Any], value: str) -> None:
    for operation in INDEX.operations:
        path = concrete(operation.path, value)
        entry = first_match(limits, path)
        assert entry is not None, path
        route = INDEX.match(operation.method, path)
        if isinstance(route, Route):
            assert entry["path"] == route.target.path, (path, entry["path"], route.target.path)
        else:  # the value is a literal of a more specific template, which has other methods
            assert route is not None, path
            methods = {e["method"] for e in limits["operations"] if e["path"] == entry["path"]}
            assert methods == set(route), (path, entry["path"], route)


def test_literal_segment_comes_before_a_parameter(limits: dict[str, Any]) -> None:
    """`POST /contact/list` also matches `/contact/{identifier}`: listContacts must win."""
    entry = first_match(limits, "/contact/list")
    assert entry is not None
    assert entry["path"] == "/contact/list"
    order = {e["path"]: e["matchOrder"] for e in limits["operations"]}
    assert order["/contact/list"] < order["/contact/{identifier}"]
    assert order["/contact/merge"] < order["/contact/{identifier}"]


def test_a_path_no_operation_serves_matches_nothing(limits: dict[str, Any]) -> None:
    assert first_match(limits, "/contact/id:1/unknown") is None
    assert first_match(limits, "/contact") is None


@pytest.mark.tools
def test_the_file_is_written_by_spec_dist(dist_dir: Path) -> None:
    written = (dist_dir / RATE_LIMITS_NAME).read_text(encoding="utf-8")
    assert written == render_rate_limits(SPEC)
    assert json.loads(written)["operations"]
