"""The findings themselves: YAML 1.1 against 1.2, and the OpenAPI validator, one line each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing.exceptions import Unresolvable

from chatapi_description import DescriptionError, escape, load_yaml

# A finding longer than this is cut: the validator quotes whole schemas in its messages.
MAX_MESSAGE = 160


@dataclass(frozen=True)
class Finding:
    """One problem: which check, where (a JSON pointer), what, on one line."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        text = " ".join(self.message.split())
        if len(text) > MAX_MESSAGE:
            text = text[: MAX_MESSAGE - 3] + "..."
        return f"{self.where}  {self.rule}  {text}"


def _json_key(key: Any) -> str:
    """The string a JSON reader makes of a YAML mapping key: `200:` is the key "200"."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def yaml_ambiguities(path: Path) -> list[Finding]:
    """Values that YAML 1.1 readers (PyYAML) and YAML 1.2 readers (the generator) see differently.

    Such a scalar means different tools describe different APIs; quote it. A document that
    does not parse is one finding.
    """
    rule = "yaml-1.1-vs-1.2"
    try:
        with path.open(encoding="utf-8") as stream:
            as_1_1 = yaml.safe_load(stream)
        as_1_2 = load_yaml(path)
    except (OSError, yaml.YAMLError, DescriptionError) as error:
        return [Finding(rule, "/", f"cannot read the document: {error}")]
    findings: list[Finding] = []

    def compare(old: Any, new: Any, pointer: str) -> None:
        if isinstance(new, dict) and isinstance(old, dict):
            old_by_key = {_json_key(k): v for k, v in old.items()}
            for key, value in new.items():
                compare(old_by_key.get(key), value, f"{pointer}/{escape(key)}")
        elif isinstance(new, list) and isinstance(old, list) and len(old) == len(new):
            for index, (o, n) in enumerate(zip(old, new, strict=True)):
                compare(o, n, f"{pointer}/{index}")
        elif type(old) is not type(new) or old != new:
            message = f"YAML 1.1 reads {old!r}, YAML 1.2 reads {new!r}: quote the value"
            findings.append(Finding(rule, pointer or "/", message))

    compare(as_1_1, as_1_2, "")
    return findings


def validator_findings(path: Path) -> list[Finding]:
    """openapi-spec-validator's errors, one line each; a `$ref` it cannot follow is one."""
    rule = "openapi-spec-validator"
    try:
        document = load_yaml(path)
    except DescriptionError as error:
        return [Finding(rule, "/", str(error))]
    validator = OpenAPIV31SpecValidator(document, base_uri=path.resolve().as_uri())
    try:
        errors = list(validator.iter_errors())
    except Unresolvable as error:
        return [Finding(rule, str(error.ref), "$ref does not resolve")]
    return [
        Finding(rule, "/" + "/".join(escape(str(p)) for p in error.path), error.message)
        for error in errors
    ]
