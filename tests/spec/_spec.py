"""Reading the description: locations, a YAML loader that agrees with the Node tools, helpers.

Every checker in this package reports `Problem`s; an empty list means the check passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "openapi" / "chatapi.yaml"
# The product's overview lives in shared/, which CI places beside the clone; tests only.
OVERVIEW_PATH = REPO_ROOT.parent / "shared" / "reference" / "api-v2-overview.md"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

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


class _Yaml12Loader(yaml.SafeLoader):
    """A SafeLoader that resolves plain scalars as YAML 1.2's core schema does.

    Spectral, Redocly and the generator read YAML 1.2; PyYAML alone reads 1.1, where
    `2024-01-01` is a date, `no` a boolean and `10:30` the integer 630. Examples are checked
    with this loader so they are checked as the other tools see them.
    """


_YAML_1_1_ONLY_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")
}
_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML_1_1_ONLY_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$"
    ),
    list("-+.0123456789"),
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith(("0o", "0x")):
        return int(text, 0)
    return int(text, 10)  # YAML 1.2: a leading zero is not octal


def json_key(key: Any) -> str:
    """The string a JSON reader makes of a YAML mapping key: `200:` is the key "200"."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)  # YAML merge keys (`<<: *anchor`)
    return {json_key(k): v for k, v in loader.construct_pairs(node, deep=True)}


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_spec(path: Path) -> Spec:
    """Read a YAML or JSON description as JSON data (YAML 1.2 core schema, string keys)."""
    with path.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict):
        raise TypeError(f"{path}: the document is not a mapping")
    return data


def yaml_ambiguity_problems(path: Path) -> list[Problem]:
    """Values that YAML 1.1 readers (PyYAML) and YAML 1.2 readers (the Node tools) read differently.

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

    compare(as_1_1, load_spec(path), "")
    return problems


def escape(token: str) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Undo `escape`."""
    return token.replace("~1", "/").replace("~0", "~")


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
    value: Any = spec
    for token in pointer.split("/")[1:] if pointer else []:
        key = unescape(token)
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise UnresolvableRefError(f"#{pointer} does not exist")
    return value


def deref(spec: Spec, node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s from `node` (found at `pointer`); return the target and its pointer.

    Raises UnresolvableRefError for a ref that is not local or points to nothing.
    """
    seen = {pointer}
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise UnresolvableRefError(f"{ref!r} is not a local reference")
        pointer = ref[1:]
        if pointer in seen:
            raise UnresolvableRefError(f"{ref!r} is circular")
        seen.add(pointer)
        node = resolve_pointer(spec, pointer)
    return node, pointer


def report(problems: list[Problem]) -> str:
    """Problems one per line, for an assertion message."""
    return f"{len(problems)} problem(s):\n" + "\n".join(f"  {problem}" for problem in problems)
