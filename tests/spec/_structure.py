"""Our structural checks: operations, rate limits, rate-limit headers and declared statuses.

Each function takes the loaded spec (see _spec.load_yaml) and returns the problems it finds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from chatapi_description import DescriptionError, read_index
from tests.spec._expected import (
    CREATING_OPERATIONS,
    ERROR_STATUSES,
    OPERATIONS,
    OVERVIEW_LIMITS_HEADER,
    OVERVIEW_ROWS,
    RATE_LIMIT_HEADERS,
    RESOURCE_PARAMETERS,
    UNLISTED_RPS,
)
from tests.spec._markdown import table_rows
from tests.spec._spec import Problem, Spec, deref_or_report, escape, operations

_OVERVIEW = "overview-rate-limits"
_RESOURCE_PATH = re.compile(r"\{(?:" + "|".join(RESOURCE_PARAMETERS) + r")\}")


def operation_table_problems(spec: Spec) -> list[Problem]:
    """Every operation of the table is in the spec with its method, path, tag, bucket and rps.

    The table is a floor, not the list: an operation added to the description later is
    checked by the rules every operation follows (its limit: overview_rate_limit_problems).
    """
    rule = "operation-table"
    found = {op.operation_id: op for op in operations(spec)}
    problems: list[Problem] = []
    for row in OPERATIONS:
        op = found.get(row.operation_id)
        if op is None:
            problems.append(Problem(rule, row.operation_id, "operation is missing"))
            continue
        actual = (op.method, op.path, op.body.get("tags"), *_rate_limit(op.body))
        expected = (row.method, row.path, [row.tag], row.bucket, row.rps)
        for name, got, want in zip(
            ("method", "path", "tags", "bucket", "requests-per-second"),
            actual,
            expected,
            strict=True,
        ):
            if got != want:
                problems.append(
                    Problem(rule, row.operation_id, f"{name} is {got!r}, expected {want!r}")
                )
    return problems


def overview_limits(overview: str) -> dict[str, int]:
    """The overview's rate-limit table: operation name -> requests per second."""
    return {name: int(rps) for name, rps in table_rows(overview, OVERVIEW_LIMITS_HEADER)}


def overview_rate_limit_problems(spec: Spec, overview: str) -> list[Problem]:
    """x-rate-limit agrees with the product overview's table.

    Each overview row maps to its operations (OVERVIEW_ROWS): they have the row's rps and
    share one bucket that no other operation uses. Operations the overview does not list have
    UNLISTED_RPS and a bucket of their own, apart from every overview row's.
    """
    table = overview_limits(overview)
    limits = {op.operation_id: _rate_limit(op.body) for op in operations(spec)}
    problems = [
        Problem(_OVERVIEW, f"overview row {name!r}", "in the overview but not in OVERVIEW_ROWS")
        for name in table.keys() - OVERVIEW_ROWS.keys()
    ]
    for name, operation_ids in OVERVIEW_ROWS.items():
        if name in table:
            problems += _overview_row_problems(name, operation_ids, table[name], limits)
        else:
            problems.append(Problem(_OVERVIEW, f"overview row {name!r}", "not in the overview"))

    listed = {i for ids in OVERVIEW_ROWS.values() for i in ids}
    overview_buckets = {limits[i][0] for i in listed if i in limits}
    for operation_id, (bucket, rps) in limits.items():
        if operation_id in listed:
            continue
        if rps != UNLISTED_RPS:
            message = (
                f"requests-per-second is {rps!r}, must be {UNLISTED_RPS} (not in the overview)"
            )
            problems.append(Problem(_OVERVIEW, operation_id, message))
        if bucket in overview_buckets:
            message = f"not in the overview, yet shares bucket {bucket!r} with an overview row"
            problems.append(Problem(_OVERVIEW, operation_id, message))
    return problems


def _overview_row_problems(
    name: str, operation_ids: tuple[str, ...], rps: int, limits: dict[str, tuple[Any, Any]]
) -> list[Problem]:
    """One overview row: its operations exist, have its rps and share a bucket of their own."""
    where = f"overview row {name!r}"
    problems = [
        Problem(_OVERVIEW, where, f"operation {i!r} is missing")
        for i in operation_ids
        if i not in limits
    ]
    present = [i for i in operation_ids if i in limits]
    problems += [
        Problem(_OVERVIEW, i, f"requests-per-second is {limits[i][1]!r}, the overview says {rps}")
        for i in present
        if limits[i][1] != rps
    ]
    buckets = {limits[i][0] for i in present}
    if len(buckets) > 1:
        found = sorted(map(str, buckets))
        problems.append(
            Problem(_OVERVIEW, where, f"operations must share one bucket, found {found}")
        )
    strangers = sorted(
        i for i, (bucket, _) in limits.items() if bucket in buckets and i not in operation_ids
    )
    if strangers:
        problems.append(Problem(_OVERVIEW, where, f"its bucket is also used by {strangers}"))
    return problems


def response_header_problems(spec: Spec) -> list[Problem]:
    """Every response of every operation declares the three rate-limit headers, each by $ref.

    Each header is defined once under components/headers: every response refers to the same
    definition.
    """
    rule = "rate-limit-headers"
    problems: list[Problem] = []
    targets: dict[str, set[str]] = defaultdict(set)
    for op, status, response, where in _responses(spec, problems, rule):
        headers = response.get("headers") or {}
        for name in RATE_LIMIT_HEADERS:
            header = headers.get(name)
            ref = header.get("$ref") if isinstance(header, dict) else None
            if header is None:
                problems.append(Problem(rule, where, f"{op} {status}: header {name} is missing"))
            elif not (isinstance(ref, str) and ref.startswith("#/components/headers/")):
                problems.append(
                    Problem(
                        rule,
                        where,
                        f"{op} {status}: header {name} must be a $ref to #/components/headers/",
                    )
                )
            else:
                targets[name].add(ref)
    problems += [
        Problem(rule, f"header {name}", f"defined more than once: {sorted(refs)}")
        for name, refs in targets.items()
        if len(refs) > 1
    ]
    return problems


def declared_status_problems(spec: Spec) -> list[Problem]:
    """Every operation declares the statuses it can answer with.

    That is the shared error statuses, 404 too when its path addresses a resource, and both
    200 and 201 for a creating operation.
    """
    rule = "declared-statuses"
    problems: list[Problem] = []
    for op in operations(spec):
        required = list(ERROR_STATUSES)
        if _RESOURCE_PATH.search(op.path):
            required.append("404")
        if op.operation_id in CREATING_OPERATIONS:
            required += ["200", "201"]
        declared = set(op.body.get("responses") or {})
        missing = [status for status in required if status not in declared]
        if missing:
            problems.append(
                Problem(rule, op.operation_id, f"does not declare {', '.join(missing)}")
            )
    return problems


def _rate_limit(operation: dict[str, Any]) -> tuple[Any, Any]:
    """(bucket, requests-per-second) of an operation; None for what is missing."""
    limit = operation.get("x-rate-limit")
    if not isinstance(limit, dict):
        return None, None
    return limit.get("bucket"), limit.get("requests-per-second")


def _responses(
    spec: Spec, problems: list[Problem], rule: str
) -> list[tuple[str, str, dict[str, Any], str]]:
    """(operationId, status, resolved response, pointer) of every response of every operation.

    A response whose $ref does not resolve is reported in `problems` and left out.
    """
    found = []
    for op in operations(spec):
        for status, response in (op.body.get("responses") or {}).items():
            pointer = f"{op.pointer}/responses/{escape(status)}"
            resolved = deref_or_report(spec, response, pointer, problems, rule)
            if resolved is None:
                continue
            target, pointer = resolved
            if isinstance(target, dict):
                found.append((op.operation_id, status, target, pointer))
    return found


def client_name_problems(spec: Spec) -> list[Problem]:
    """Every operation has an ``x-client`` resource and method, and no two share both.

    The description model reads the names (``read_index``) and refuses a missing, malformed
    or repeated one: the same check the generator makes before it writes ``ChatAPI``.
    """
    try:
        read_index(spec)
    except DescriptionError as error:
        return [Problem("client-names", "/paths", str(error))]
    return []


# Keys whose values are data, not schemas: a `type` inside them is a value, never a keyword.
_DATA_KEYS = frozenset({"example", "examples", "enum", "const", "default", "x-rate-limit"})


def number_format_problems(spec: Spec) -> list[Problem]:
    """Every schema that may hold a non-integer number says `format: double`.

    Without it openapi-generator types the number as a 32-bit float (Go `float32`), which
    rounds latitudes and prices; with it, Go and TypeScript generators use 64-bit floats.
    A union with strings or booleans carries the format beside its `type` list: `format`
    applies to the number branch only.
    """
    problems: list[Problem] = []

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{pointer}/{index}")
            return
        if not isinstance(node, dict):
            return
        kinds = node.get("type")
        holds_number = kinds == "number" or (isinstance(kinds, list) and "number" in kinds)
        if holds_number and node.get("format") != "double":
            problems.append(
                Problem("number-format", pointer or "/", "a number without `format: double`")
            )
        for key, value in node.items():
            if key not in _DATA_KEYS:
                walk(value, f"{pointer}/{escape(str(key))}")

    walk(spec, "")
    return problems
