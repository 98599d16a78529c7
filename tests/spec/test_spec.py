"""openapi/chatapi.yaml passes every check: validator, linters, examples and our conventions."""

from __future__ import annotations

import pytest

from tests.spec._examples import example_problems
from tests.spec._expected import OPERATIONS, OVERVIEW_ROWS
from tests.spec._spec import SPEC_PATH, Spec, report, yaml_ambiguity_problems
from tests.spec._structure import (
    client_name_problems,
    declared_status_problems,
    number_format_problems,
    operation_table_problems,
    overview_limits,
    overview_rate_limit_problems,
    response_header_problems,
)
from tests.spec._tools import redocly_problems, spectral_problems, validator_problems


def test_yaml_reads_the_same_for_every_tool() -> None:
    problems = yaml_ambiguity_problems(SPEC_PATH)
    assert not problems, report(problems)


def test_openapi_spec_validator_finds_no_errors() -> None:
    problems = validator_problems(SPEC_PATH)
    assert not problems, report(problems)


@pytest.mark.tools
def test_spectral_finds_no_errors_or_warnings() -> None:
    problems = spectral_problems(SPEC_PATH)
    assert not problems, report(problems)


@pytest.mark.tools
def test_redocly_finds_no_errors_or_warnings() -> None:
    problems = redocly_problems(SPEC_PATH)
    assert not problems, report(problems)


def test_every_example_matches_its_schema(spec: Spec) -> None:
    problems = example_problems(spec)
    assert not problems, report(problems)


def test_operations_are_those_of_the_operation_table(spec: Spec) -> None:
    problems = operation_table_problems(spec)
    assert not problems, report(problems)


def test_rate_limits_agree_with_the_overview(spec: Spec, overview: str) -> None:
    problems = overview_rate_limit_problems(spec, overview)
    assert not problems, report(problems)


def test_operation_table_agrees_with_the_overview(overview: str) -> None:
    """The design's table (the expected data above) itself matches the overview's numbers."""
    limits = overview_limits(overview)
    table = {row.operation_id: row for row in OPERATIONS}
    assert len(limits) == len(OVERVIEW_ROWS) == 19
    for name, operation_ids in OVERVIEW_ROWS.items():
        assert {table[i].rps for i in operation_ids} == {limits[name]}, name
        assert len({table[i].bucket for i in operation_ids}) == 1, name


def test_every_response_declares_the_rate_limit_headers(spec: Spec) -> None:
    problems = response_header_problems(spec)
    assert not problems, report(problems)


def test_every_operation_declares_its_statuses(spec: Spec) -> None:
    problems = declared_status_problems(spec)
    assert not problems, report(problems)


def test_every_operation_has_a_unique_client_name(spec: Spec) -> None:
    problems = client_name_problems(spec)
    assert not problems, report(problems)


def test_every_non_integer_number_is_a_double(spec: Spec) -> None:
    problems = number_format_problems(spec)
    assert not problems, report(problems)
