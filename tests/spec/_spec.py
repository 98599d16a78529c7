"""Reading the description (through the description model): locations and helpers.

Every checker in this package reports `Problem`s; an empty list means the check passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatapi_description import HTTP_METHODS, DescriptionError, Document, escape
from tools.spec_check import Finding, yaml_ambiguities

__all__ = [
    "HTTP_METHODS",
    "OVERVIEW_PATH",
    "REPO_ROOT",
    "SPEC_PATH",
    "Problem",
    "Spec",
    "UnresolvableRefError",
    "deref",
    "deref_or_report",
    "escape",
    "json_key",
    "operations",
    "report",
    "resolve_pointer",
    "yaml_ambiguity_problems",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "openapi" / "chatapi.yaml"
# The overview's rate-limit table, copied into the repository with its source named.
OVERVIEW_PATH = Path(__file__).resolve().parent / "overview_rate_limits.md"

Spec = dict[str, Any]


@dataclass(frozen=True)
class Problem(Finding):
    """One finding of a checker: which rule, where (a JSON pointer or operationId), what."""

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.message}"


@dataclass(frozen=True)
class Operation:
    """An operation of the spec with where it lives."""

    path: str
    method: str
    body: dict[str, Any]

    @property
    def pointer(self) -> str:
        return f"/paths/{escape(self.path)}/{self.method}"

    @property
    def operation_id(self) -> str:
        return str(self.body.get("operationId", f"{self.method.upper()} {self.path}"))


def json_key(key: Any) -> str:
    """The string a JSON reader makes of a YAML mapping key: `200:` is the key "200"."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def yaml_ambiguity_problems(path: Path) -> list[Problem]:
    """Values that YAML 1.1 readers (PyYAML) and YAML 1.2 readers (the generator) see differently.

    The check `make spec` runs (tools.spec_check), as Problems.
    """
    return [Problem(f.rule, f.where, f.message) for f in yaml_ambiguities(path)]


def operations(spec: Spec) -> Iterator[Operation]:
    """Every operation of the spec, in document order."""
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                yield Operation(path, method, item[method])


class UnresolvableRefError(LookupError):
    """A `$ref` that does not point into this document."""


def resolve_pointer(spec: Spec, pointer: str) -> Any:
    """The value at a JSON pointer ("" is the whole document)."""
    try:
        return Document(spec).at("#" + pointer)
    except DescriptionError as error:
        raise UnresolvableRefError(str(error)) from None


def deref(spec: Spec, node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s from `node` (found at `pointer`); return the target and its pointer.

    Raises UnresolvableRefError for a ref that is not local or points to nothing.
    """
    try:
        target, where = Document(spec).resolve(node, "#" + pointer)
    except DescriptionError as error:
        raise UnresolvableRefError(str(error)) from None
    return target, where.removeprefix("#")


def deref_or_report(
    spec: Spec, node: Any, pointer: str, problems: list[Problem], rule: str
) -> tuple[Any, str] | None:
    """`deref`, or None after noting the unresolvable ref in `problems` under `rule`."""
    try:
        return deref(spec, node, pointer)
    except UnresolvableRefError as error:
        problems.append(Problem(rule, pointer, str(error)))
        return None


def report(problems: list[Problem]) -> str:
    """Problems one per line, for an assertion message."""
    return f"{len(problems)} problem(s):\n" + "\n".join(f"  {problem}" for problem in problems)
