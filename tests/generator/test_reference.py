"""api.md carries the description's own words: every operation's text, every model and field."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

import chatapi_client.models
from chatapi_client import resources
from chatapi_description import Document, load_yaml, read_index

ROOT = Path(__file__).resolve().parents[2]
SPEC = load_yaml(ROOT / "openapi" / "chatapi.yaml")
REFERENCE = (ROOT / "generated_client" / "api.md").read_text(encoding="utf-8")
MODELS = REFERENCE.split("\n## Models\n", 1)[1] if "\n## Models\n" in REFERENCE else ""
_HEADING = re.compile(r"^### `([A-Za-z0-9_]+)`$", re.MULTILINE)


def _flat(text: str) -> str:
    """Whitespace-insensitive, and ``|`` as a Markdown table escapes it."""
    return " ".join(text.replace("\\|", "|").split())


def _sections() -> dict[str, str]:
    """Each model's section of api.md, by model name."""
    parts = _HEADING.split(MODELS)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _operations() -> list[tuple[str, str]]:
    index = read_index(SPEC)
    found = []
    for operation in index.operations:
        raw = SPEC["paths"][operation.path][operation.method.lower()]
        found.append((operation.operation_id, str(raw.get("description", ""))))
    return found


@pytest.mark.parametrize(("operation_id", "description"), _operations())
def test_every_operation_description_is_in_api_md(operation_id: str, description: str) -> None:
    assert description.strip(), f"{operation_id} has no description in openapi/chatapi.yaml"
    assert _flat(description) in _flat(REFERENCE)


def test_every_method_docstring_carries_its_operation_description() -> None:
    tree = ast.parse(Path(resources.__file__).read_text(encoding="utf-8"))
    docstrings = [
        ast.get_docstring(node) or ""
        for cls in tree.body
        if isinstance(cls, ast.ClassDef)
        for node in cls.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    joined = _flat(" ".join(docstrings).replace("``", "`"))
    for operation_id, description in _operations():
        assert _flat(description) in joined, operation_id


def test_every_async_method_points_to_the_sync_twin_that_carries_the_contract() -> None:
    # The asyncio classes keep a summary and a pointer, not a second copy of each text.
    tree = ast.parse(Path(resources.__file__).read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    checked = 0
    for name, cls in classes.items():
        twin = classes.get(name.removeprefix("Async"))
        resource = any(
            isinstance(node, ast.FunctionDef) and node.name == "with_raw_response"
            for node in cls.body
        )
        if not name.startswith("Async") or not resource or twin is None:
            continue
        methods = {
            node.name: node
            for node in twin.body
            if isinstance(node, ast.FunctionDef)
            and not node.name.startswith("_")
            and node.name != "with_raw_response"
        }
        for node in cls.body:
            if (
                not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                or node.name not in methods
            ):
                continue
            pointer = f"see `{twin.name}.{node.name}`."
            assert pointer in _flat((ast.get_docstring(node) or "").replace("``", "`")), node.name
            summary = (ast.get_docstring(methods[node.name]) or "").splitlines()[0]
            assert (ast.get_docstring(node) or "").startswith(summary), node.name
            checked += 1
    assert checked >= len(_operations())


def _component_models() -> dict[str, dict[str, Any]]:
    """Component schemas that are models of ``chatapi_client.models``, by class name."""
    exported = set(chatapi_client.models.__all__)
    found = {}
    for name, schema in SPEC["components"]["schemas"].items():
        class_name = "MessageRecord" if name == "Message" else name  # generator/config.yaml
        if class_name in exported and (schema.get("properties") or schema.get("allOf")):
            found[class_name] = schema
    return found


def test_every_model_a_method_names_has_a_section() -> None:
    sections = _sections()
    assert sections, "api.md has no models section"
    named = set(
        re.findall(r"`(?:Pager\[)?([A-Z][A-Za-z0-9]+)", REFERENCE.split("\n## Models\n")[0])
    )
    for section in sections.values():  # the models their fields name, transitively
        named |= set(re.findall(r"\b([A-Z][A-Za-z0-9]+)\b", section.split("| field |")[-1]))
    models = set(chatapi_client.models.__all__)
    missing = sorted((named & models) - set(sections))
    assert missing == []


def test_every_listed_model_and_field_has_its_description() -> None:
    document = Document(SPEC)
    sections = _sections()
    listed = {name: schema for name, schema in _component_models().items() if name in sections}
    assert {"Contact", "ContactFilter", "FilterCondition", "ContactFields"} <= set(listed)
    for name, schema in listed.items():
        section = _flat(sections[name])
        assert _flat(schema["description"]) in section, name
        properties = dict(schema.get("properties") or {})
        for part in schema.get("allOf", []):
            target, _ = document.resolve(part, "#")
            properties.update(target.get("properties") or {})
        for field, node in properties.items():
            target, _ = document.resolve(node, "#")
            parts = target.get("allOf") or []  # `allOf: [$ref]`, a reference with a default
            if not target.get("description") and len(parts) == 1:
                target, _ = document.resolve(parts[0], "#")
            text = node.get("description") or target.get("description")
            assert text, f"{name}.{field} has no description in openapi/chatapi.yaml"
            assert f"(`{field}`)" in section or f"| `{field}` |" in section, f"{name}.{field}"
            assert _flat(text) in section, f"{name}.{field}"


def test_constraints_are_said_in_words() -> None:
    sections = _sections()
    assert "1 ≤ value ≤ 100" in _flat(REFERENCE.split("\n## Models\n")[0])  # limit
    assert "exactly one of its fields must be given" in sections["ContactFilter"]
    assert "`+` then 6 to 15 digits (the pattern `^\\+[0-9]{6,15}$`)" in sections["ContactFields"]
    assert '`"phone:+60123456789"`' in REFERENCE  # identifier examples
    assert "1 to 10 items" in REFERENCE  # tags
    assert "Existing values" not in REFERENCE  # the caveat says what to do instead
    assert "to change them, call `updateContact`" in _flat(REFERENCE)


def test_a_numeric_format_beside_other_types_is_said_of_the_numeric_branch() -> None:
    sections = _sections()
    rows = {
        line.split("|")[1].strip(): line
        for line in sections["CatalogProduct"].splitlines()
        if line.startswith("| `")
    }
    assert "as a number: a floating-point number" in rows["`price`"]  # float | str
    assert "as an integer: a 64-bit integer" in rows["`id`"]  # int | str
    assert "Must be: a 64-bit integer" not in rows["`id`"]
