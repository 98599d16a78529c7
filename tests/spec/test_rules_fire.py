"""Every check fails on a deliberately broken copy of the description.

Each test breaks one thing in a private copy of openapi/chatapi.yaml (the `spec` fixture) and
asserts that the check responsible reports it, by rule and by place. Without these, a check
that never fires would look exactly like a spec that is clean.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.spec._broken import (
    GET_CONTACT,
    SEND_MESSAGE,
    SPECTRAL_CASES,
    SpectralCase,
    inline_response,
    operation,
    response_component,
)
from tests.spec._examples import example_problems
from tests.spec._spec import (
    Problem,
    Spec,
    deref,
    report,
    yaml_ambiguity_problems,
)
from tests.spec._structure import (
    client_name_problems,
    declared_status_problems,
    operation_table_problems,
    overview_rate_limit_problems,
    response_header_problems,
)
from tests.spec._tools import (
    SPECTRAL_RULESET,
    redocly_problems,
    spectral_problems_of,
    validator_problems,
)

WriteSpec = Callable[[Spec], Path]


def assert_fires(problems: list[Problem], rule: str, where: str) -> None:
    """`rule` reported a problem at `where` (a JSON pointer prefix or an operationId)."""
    hits = [p for p in problems if p.rule == rule and p.where.startswith(where)]
    assert hits, f"expected [{rule}] at {where}; got {report(problems)}"


# --- Spectral: our rules in .spectral.yaml ---------------------------------------------------

SpectralFindings = dict[str, tuple[str, list[Problem]]]
"""Case id -> (where the case's rule must fire, what Spectral reported on that copy)."""


@pytest.fixture(scope="module")
def spectral_findings(
    pristine_spec: Spec, tmp_path_factory: pytest.TempPathFactory
) -> SpectralFindings:
    """Every broken copy of tests/spec/_broken.py, linted in one batch (`spectral_problems_of`).

    Each start of Spectral costs seconds, so the copies are written first and linted together.
    """
    folder = tmp_path_factory.mktemp("spectral")
    paths: dict[str, tuple[str, Path]] = {}
    for case in SPECTRAL_CASES:
        document = copy.deepcopy(pristine_spec)
        where = case.breaks(document)
        path = folder / f"{case.id}.json"
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        paths[case.id] = (where, path)
    found = spectral_problems_of([path for _, path in paths.values()])
    return {case_id: (where, found[path]) for case_id, (where, path) in paths.items()}


@pytest.mark.tools
@pytest.mark.parametrize("case", SPECTRAL_CASES, ids=lambda case: case.id)
def test_spectral_rule_fires(spectral_findings: SpectralFindings, case: SpectralCase) -> None:
    where, problems = spectral_findings[case.id]
    assert_fires(problems, case.rule, where)


def test_every_spectral_rule_has_a_broken_copy() -> None:
    ruleset = yaml.safe_load(SPECTRAL_RULESET.read_text(encoding="utf-8"))
    assert {case.rule for case in SPECTRAL_CASES} == set(ruleset["rules"])


def test_client_name_check_reports_a_name_used_twice(spec: Spec) -> None:
    operation(spec, "getUser")["x-client"] = {"resource": "contacts", "method": "get"}
    assert_fires(client_name_problems(spec), "client-names", "/paths")


# --- Redocly and openapi-spec-validator ------------------------------------------------------


@pytest.mark.tools
def test_redocly_reports_an_operation_without_summary(spec: Spec, write_spec: WriteSpec) -> None:
    del operation(spec, "getContact")["summary"]
    assert_fires(redocly_problems(write_spec(spec)), "operation-summary", GET_CONTACT)


def test_validator_reports_a_broken_ref(spec: Spec, write_spec: WriteSpec) -> None:
    operation(spec, "getContact")["responses"]["400"] = {"$ref": "#/components/responses/Nope"}
    assert_fires(
        validator_problems(write_spec(spec)),
        "openapi-spec-validator",
        "/components/responses/Nope",
    )


def test_validator_reports_a_structural_error(spec: Spec, write_spec: WriteSpec) -> None:
    del spec["info"]["title"]
    assert_fires(validator_problems(write_spec(spec)), "openapi-spec-validator", "/info")


# --- examples match their schemas ------------------------------------------------------------

BAD_MESSAGE_RESULT = {"messageId": "not-a-number"}


def test_examples_check_reports_a_media_type_example(spec: Spec) -> None:
    media_type = inline_response(spec, "sendMessage", "200")["content"]["application/json"]
    media_type.pop("examples", None)
    media_type["example"] = BAD_MESSAGE_RESULT
    assert_fires(example_problems(spec), "examples", f"{SEND_MESSAGE}/responses/200/content")


def test_examples_check_reports_a_referenced_example_object(spec: Spec) -> None:
    spec["components"].setdefault("examples", {})["Broken"] = {"value": BAD_MESSAGE_RESULT}
    media_type = inline_response(spec, "sendMessage", "200")["content"]["application/json"]
    media_type.pop("example", None)
    media_type["examples"] = {"broken": {"$ref": "#/components/examples/Broken"}}
    assert_fires(example_problems(spec), "examples", f"{SEND_MESSAGE}/responses/200/content")


def test_examples_check_reports_a_shared_error_response_example(spec: Spec) -> None:
    name = response_component(spec, "getContact", "401")
    for media_type in spec["components"]["responses"][name]["content"].values():
        media_type.pop("examples", None)
        media_type["example"] = {"code": 401, "message": 42}
    assert_fires(example_problems(spec), "examples", f"/components/responses/{name}/content")


def test_examples_check_reports_a_parameter_example(spec: Spec) -> None:
    operation(spec, "getContact").setdefault("parameters", []).append(
        {"name": "probe", "in": "query", "schema": {"type": "integer"}, "example": "x"}
    )
    assert_fires(example_problems(spec), "examples", f"{GET_CONTACT}/parameters/")


def test_examples_check_reports_a_header_example(spec: Spec) -> None:
    headers = inline_response(spec, "getContact", "200")["headers"]
    headers["X-Probe"] = {"schema": {"type": "integer"}, "example": "x"}
    assert_fires(example_problems(spec), "examples", f"{GET_CONTACT}/responses/200/headers/X-Probe")


def test_examples_check_reports_a_schema_example(spec: Spec) -> None:
    spec["components"]["schemas"]["Probe"] = {
        "type": "object",
        "properties": {"n": {"type": "integer", "examples": [1, "two"]}},
    }
    assert_fires(example_problems(spec), "examples", "/components/schemas/Probe/properties/n")


# --- rate limits agree with the overview -----------------------------------------------------


def test_overview_check_reports_a_changed_rps(spec: Spec, overview: str) -> None:
    operation(spec, "sendMessage")["x-rate-limit"]["requests-per-second"] = 11
    assert_fires(
        overview_rate_limit_problems(spec, overview), "overview-rate-limits", "sendMessage"
    )


def test_overview_check_reports_a_row_split_across_buckets(spec: Spec, overview: str) -> None:
    operation(spec, "updateContact")["x-rate-limit"]["bucket"] = "contact-update"
    assert_fires(
        overview_rate_limit_problems(spec, overview),
        "overview-rate-limits",
        "overview row 'Create, update or delete a contact'",
    )


def test_overview_check_reports_a_bucket_shared_with_another_row(spec: Spec, overview: str) -> None:
    operation(spec, "getMessage")["x-rate-limit"] = {
        "bucket": "send-message",
        "requests-per-second": 10,
    }
    assert_fires(
        overview_rate_limit_problems(spec, overview),
        "overview-rate-limits",
        "overview row 'Send a message'",
    )


@pytest.mark.parametrize(
    "limit",
    [
        {"bucket": "list-contacts", "requests-per-second": 6},
        {"bucket": "get-contact", "requests-per-second": 5},
    ],
    ids=["not-5-rps", "overview-bucket"],
)
def test_overview_check_reports_an_unlisted_operation(
    spec: Spec, overview: str, limit: dict[str, Any]
) -> None:
    operation(spec, "listContacts")["x-rate-limit"] = limit
    assert_fires(
        overview_rate_limit_problems(spec, overview), "overview-rate-limits", "listContacts"
    )


def test_overview_check_reports_a_row_missing_from_the_overview(spec: Spec, overview: str) -> None:
    shortened = "\n".join(
        line for line in overview.splitlines() if "| Merge two contacts |" not in line
    )
    assert_fires(
        overview_rate_limit_problems(spec, shortened),
        "overview-rate-limits",
        "overview row 'Merge two contacts'",
    )


# --- operations, headers and statuses --------------------------------------------------------


def test_operation_table_check_reports_a_wrong_tag(spec: Spec) -> None:
    operation(spec, "getContact")["tags"] = ["space"]
    assert_fires(operation_table_problems(spec), "operation-table", "getContact")


def test_operation_table_check_reports_a_missing_operation(spec: Spec) -> None:
    operation(spec, "getUser")["operationId"] = "fetchUser"
    assert_fires(operation_table_problems(spec), "operation-table", "getUser")


def test_operation_table_check_lets_a_new_operation_in(spec: Spec) -> None:
    spec["paths"]["/space/user/{id}/profile"] = {"get": {**operation(spec, "getUser")}}
    spec["paths"]["/space/user/{id}/profile"]["get"]["operationId"] = "getUserProfile"
    assert operation_table_problems(spec) == []


def test_operation_table_check_reports_a_wrong_bucket(spec: Spec) -> None:
    operation(spec, "createTag")["x-rate-limit"]["bucket"] = "create-tag"
    assert_fires(operation_table_problems(spec), "operation-table", "createTag")


def test_header_check_reports_a_missing_header(spec: Spec) -> None:
    del inline_response(spec, "getContact", "404")["headers"]["X-RateLimit-Limit"]
    assert_fires(
        response_header_problems(spec), "rate-limit-headers", f"{GET_CONTACT}/responses/404"
    )


def test_header_check_reports_an_inline_header(spec: Spec) -> None:
    headers = inline_response(spec, "getContact", "200")["headers"]
    headers["X-RateLimit-Limit"] = deref(spec, headers["X-RateLimit-Limit"], "")[0]
    assert_fires(
        response_header_problems(spec), "rate-limit-headers", f"{GET_CONTACT}/responses/200"
    )


def test_header_check_reports_a_header_defined_twice(spec: Spec) -> None:
    headers = inline_response(spec, "getContact", "200")["headers"]
    original = deref(spec, headers["Retry-After"], "")[0]
    spec["components"]["headers"]["Retry-After-Copy"] = copy.deepcopy(original)
    headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After-Copy"}
    assert_fires(response_header_problems(spec), "rate-limit-headers", "header Retry-After")


@pytest.mark.parametrize(
    ("operation_id", "status"),
    [("getContact", "449"), ("listUsers", "503"), ("getUser", "404"), ("createTag", "201")],
    ids=["shared-error", "gateway-error", "not-found-on-a-resource", "created"],
)
def test_status_check_reports_a_missing_status(spec: Spec, operation_id: str, status: str) -> None:
    del operation(spec, operation_id)["responses"][status]
    assert_fires(declared_status_problems(spec), "declared-statuses", operation_id)


def test_yaml_check_reports_a_value_yaml_versions_read_differently(tmp_path: Path) -> None:
    document = tmp_path / "spec.yaml"
    document.write_text("info:\n  x-released: 2024-01-01\n  x-beta: no\n", encoding="utf-8")
    problems = yaml_ambiguity_problems(document)
    assert_fires(problems, "yaml-1.1-vs-1.2", "/info/x-released")
    assert_fires(problems, "yaml-1.1-vs-1.2", "/info/x-beta")
