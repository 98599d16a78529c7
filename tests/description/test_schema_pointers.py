"""Every schema the hand-written packages name by pointer exists in the bundled description.

A schema renamed in the description must not leave a pointer behind that fails only when a
user reaches that code (an import that cannot read its first row).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatapi_client.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
POINTER = re.compile(r"[\"'](#/components/schemas/[A-Za-z0-9_.-]+)[\"']")
SOURCES = sorted(
    path
    for folder in ("overlays", "sandbox", "description")
    for path in (ROOT / folder).rglob("*.py")
)
NAMED = sorted(
    {
        (path.relative_to(ROOT).as_posix(), m)
        for path in SOURCES
        for m in POINTER.findall(path.read_text())
    }
)


def test_the_hand_written_packages_name_schemas_by_pointer() -> None:
    assert len(NAMED) >= 4, NAMED


@pytest.mark.parametrize(("source", "pointer"), NAMED)
def test_a_named_schema_exists(source: str, pointer: str) -> None:
    schemas = load_spec()["components"]["schemas"]
    assert pointer.rsplit("/", 1)[1] in schemas, f"{source} names {pointer}, not in the description"
