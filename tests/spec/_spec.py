"""Reading the description (through the description model): locations and helpers.

Every checker in this package reports `Problem`s; an empty list means the check passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chatapi_description import HTTP_METHODS, DescriptionError, Document, escape, load_yaml

__all__ = [
    "HTTP_METHODS",
    "OVERVIEW_PATH",
    "REPO_ROOT",
    "SPEC_PATH",
    "Problem",
    "Spec",
    "UnresolvableRefError",
    "deref",
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
class Problem:
    """One finding of a checker: which rule, where (a JSON pointer or operationId), what."""

    rule: str
    where: str
    message: str

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

    Such a scalar means different tools describe different APIs; quote it.
    """
    with path.open(encoding="utf-8") as stream:
        as_1_1 = yaml.safe_load(stream)
    problems: list[Problem] = []

    def compare(old: Any, new: Any, pointer: str) -> None:
        if isinstance(new, dict) and isinstance(old, dict):
            old_by_key = {json_key(k): v for k, v in old.items()}
            for key, value in new.items():
                compare(old_by_key.get(key), value, f"{pointer}/{escape(key)}")
        elif isinstance(new, list) and isinstance(old, list) and len(old) == len(new):
            for index, (o, n) in enumerate(zip(old, new, strict=True)):
                compare(o, n, f"{pointer}/{index}")
        elif type(old) is not type(new) or old != new:
            problems.append(
                Problem(
                    "yaml-1.1-vs-1.2",
                    pointer or "/",
                    f"YAML 1.1 reads {old!r}, YAML 1.2 reads {new!r}: quote the value",
                )
            )

    compare(as_1_1, load_yaml(path), "")
    return problems


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


def report(problems: list[Problem]) -> str:
    """Problems one per line, for an assertion message."""
    return f"{len(problems)} problem(s):\n" + "\n".join(f"  {problem}" for problem in problems)
