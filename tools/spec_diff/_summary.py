"""The summary itself: sections of added (+), removed (-) and changed (~) lines, a verdict."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools._files import Document, Version, document_version, format_version, load_document
from tools.breaking import Verdict, compare_files
from tools.breaking._languages import properties_of, schema_shape, types_of

LEVELS = ("none", "patch", "minor", "major")


@dataclass
class Summary:
    """What changed, section by section, and the guard's verdict on the same two files."""

    base_version: Version
    head_version: Version
    sections: dict[str, list[str]] = field(default_factory=dict)
    breaking: int = 0
    waived: int = 0
    words_changed: bool = False

    @property
    def verdict(self) -> str:
        """major, minor, patch or none (see the package's docstring)."""
        if self.breaking:
            return "major"
        if any(self.sections.values()) or self.waived:
            return "minor"
        return "patch" if self.words_changed else "none"


def bump_level(old: Version, new: Version) -> str:
    """The level of the bump from `old` to `new`: major, minor, patch, or none."""
    if new[0] != old[0]:
        return "major"
    if new[1] != old[1]:
        return "minor"
    return "patch" if new[2] != old[2] else "none"


def summarize(base_path: Path, head_path: Path, *, python: bool = True) -> Summary:
    """Compare the release at `base_path` with the description at `head_path`."""
    base, head = load_document(base_path), load_document(head_path)
    verdict: Verdict = compare_files(base_path, head_path, python=python)
    summary = Summary(document_version(base), document_version(head))
    summary.sections = {
        "Operations": _operations(base, head),
        "Methods": _methods(base, head),
        "Models": _models(base, head),
        "Fields": _fields(base, head),
        "Limits": _limits(base, head),
    }
    summary.breaking = len(verdict.changes)
    # A reviewed change of the description is still a change to release; the Python
    # package's own (griffe) is not the description's.
    summary.waived = sum(1 for w in verdict.waived if w.change.rule != "python-api")
    summary.words_changed = _without_version(base) != _without_version(head)
    return summary


def render_summary(summary: Summary, base_path: Path, head_path: Path) -> str:
    """The summary for a pull request or a terminal."""
    old, new = format_version(summary.base_version), format_version(summary.head_version)
    lines = [f"{head_path.name} ({new}) against the release {base_path.name} ({old})"]
    for title, entries in summary.sections.items():
        if entries:
            lines += ["", f"{title}:", *(f"  {entry}" for entry in entries)]
    lines.append("")
    lines.append(
        f"Breaking: {summary.breaking} (waived after review: {summary.waived}); "
        "`make check-breaking` lists them"
    )
    bumped = bump_level(summary.base_version, summary.head_version)
    verdict = summary.verdict
    advice = (
        "info.version matches"
        if bumped == verdict
        else f"info.version is a {bumped} bump from {old}: make it a {verdict} bump"
    )
    lines.append(f"Verdict: {verdict} ({advice})")
    return "\n".join(lines)


def _without_version(document: Document) -> Document:
    info = {k: v for k, v in (document.get("info") or {}).items() if k != "version"}
    return {**document, "info": info}


def _operations_of(document: Document) -> dict[str, dict[str, Any]]:
    """OperationId -> {method, path, body} of every operation."""
    found: dict[str, dict[str, Any]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method, operation in (item or {}).items():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = {
                    "method": method.upper(),
                    "path": path,
                    "body": operation,
                }
    return found


def _operations(base: Document, head: Document) -> list[str]:
    old, new = _operations_of(base), _operations_of(head)
    lines = [f"+ {i}  {o['method']} {o['path']}" for i, o in new.items() if i not in old]
    lines += [f"- {i}  {o['method']} {o['path']}" for i, o in old.items() if i not in new]
    for i in old.keys() & new.keys():
        was, now = old[i], new[i]
        if (was["method"], was["path"]) != (now["method"], now["path"]):
            lines.append(f"~ {i}  {was['method']} {was['path']} -> {now['method']} {now['path']}")
        elif schema_shape(_wire(was["body"])) != schema_shape(_wire(now["body"])):
            lines.append(f"~ {i}  {_keywords(_wire(was['body']), _wire(now['body']))}")
    return sorted(lines, key=lambda line: line[2:])


def _wire(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation less what has a section of its own (client names, limits)."""
    return {k: v for k, v in operation.items() if k not in ("x-client", "x-rate-limit")}


def _keywords(was: Any, now: Any) -> str:
    """The keywords whose values differ, e.g. `default: - -> "text"`."""
    old = was if isinstance(was, dict) else {}
    new = now if isinstance(now, dict) else {}
    prose = ("description", "title", "example", "examples")
    keys = sorted(k for k in old.keys() | new.keys() if k not in prose and old.get(k) != new.get(k))
    return ", ".join(
        f"{k} changed"
        if isinstance(old.get(k), dict | list) or isinstance(new.get(k), dict | list)
        else f"{k}: {_value(old, k)} -> {_value(new, k)}"
        for k in keys
    )


def _value(schema: dict[str, Any], key: str) -> str:
    if key not in schema:
        return "-"
    text = json.dumps(schema[key])
    return text if len(text) <= 40 else text[:37] + "..."


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _methods_of(document: Document) -> dict[str, str]:
    """OperationId -> `client.<resource>.<method>` as the Python client spells it."""
    found = {}
    for operation_id, operation in _operations_of(document).items():
        client = operation["body"].get("x-client")
        if isinstance(client, dict):
            found[operation_id] = f"client.{client['resource']}.{_snake(str(client['method']))}"
    return found


def _methods(base: Document, head: Document) -> list[str]:
    old, new = _methods_of(base), _methods_of(head)
    lines = [f"+ {m}" for i, m in new.items() if i not in old]
    lines += [f"- {m}" for i, m in old.items() if i not in new]
    lines += [f"~ {old[i]} -> {new[i]}" for i in old.keys() & new.keys() if old[i] != new[i]]
    return sorted(lines, key=lambda line: line[2:])


def _schemas(document: Document) -> dict[str, Any]:
    return dict((document.get("components") or {}).get("schemas") or {})


def _models(base: Document, head: Document) -> list[str]:
    old, new = _schemas(base), _schemas(head)
    lines = [f"+ {name}" for name in new if name not in old]
    lines += [f"- {name}" for name in old if name not in new]
    return sorted(lines, key=lambda line: line[2:])


def _fields(base: Document, head: Document) -> list[str]:
    old, new = _schemas(base), _schemas(head)
    lines = []
    for name in sorted(old.keys() & new.keys()):
        was, now = properties_of(old[name]), properties_of(new[name])
        required_was = set(_required(old[name]))
        required_now = set(_required(new[name]))
        for prop in now.keys() - was.keys():
            kind = "required" if prop in required_now else "optional"
            lines.append(f"+ {name}.{prop} ({_show(types_of(now[prop]))}, {kind})")
        lines += [f"- {name}.{prop}" for prop in was.keys() - now.keys()]
        for prop in sorted(was.keys() & now.keys()):
            types_was, types_now = types_of(was[prop]), types_of(now[prop])
            if types_was != types_now:
                lines.append(f"~ {name}.{prop}: {_show(types_was)} -> {_show(types_now)}")
            elif schema_shape(was[prop]) != schema_shape(now[prop]):
                lines.append(f"~ {name}.{prop}: {_keywords(was[prop], now[prop])}")
            if (prop in required_was) != (prop in required_now):
                now_is = "required" if prop in required_now else "optional"
                lines.append(f"~ {name}.{prop}: now {now_is}")
    return sorted(lines, key=lambda line: line[2:])


def _required(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    found = list(schema.get("required") or [])
    for part in schema.get("allOf") or ():
        if isinstance(part, dict) and "$ref" not in part:
            found += _required(part)
    return found


def _show(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"


def _limits(base: Document, head: Document) -> list[str]:
    old, new = _operations_of(base), _operations_of(head)
    lines = []
    for operation_id in sorted(old.keys() & new.keys()):
        was = old[operation_id]["body"].get("x-rate-limit") or {}
        now = new[operation_id]["body"].get("x-rate-limit") or {}
        if was != now:
            lines.append(
                f"~ {operation_id}: {was.get('requests-per-second')}/s ({was.get('bucket')}) "
                f"-> {now.get('requests-per-second')}/s ({now.get('bucket')})"
            )
    for operation_id in sorted(new.keys() - old.keys()):
        now = new[operation_id]["body"].get("x-rate-limit") or {}
        lines.append(f"+ {operation_id}: {now.get('requests-per-second')}/s ({now.get('bucket')})")
    return lines
