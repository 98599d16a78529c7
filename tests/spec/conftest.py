"""Fixtures of the spec layer: the real description, the product overview, broken copies."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.spec._spec import OVERVIEW_PATH, SPEC_PATH, Spec, load_spec


@pytest.fixture(scope="session")
def pristine_spec() -> Spec:
    """openapi/chatapi.yaml as loaded once; tests must not change it (use `spec`)."""
    return load_spec(SPEC_PATH)


@pytest.fixture
def spec(pristine_spec: Spec) -> Spec:
    """A private copy of the description, free to be broken by a negative test."""
    return copy.deepcopy(pristine_spec)


@pytest.fixture(scope="session")
def overview() -> str:
    """The product overview (shared/reference/api-v2-overview.md beside the clone).

    Missing means the checkout is not laid out as CI lays it out: that fails, it never skips.
    """
    if not OVERVIEW_PATH.is_file():
        pytest.fail(
            f"product overview not found at {OVERVIEW_PATH}: shared/ must sit beside the "
            "repository (as CI places it) for the rate-limit check to run"
        )
    return OVERVIEW_PATH.read_text(encoding="utf-8")


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[Spec], Path]:
    """Write a (broken) copy of the description to a temporary file for the CLI tools.

    JSON, a subset of YAML, so no tool can read the copy differently from the others.
    """

    def write(document: Spec) -> Path:
        path = tmp_path / "chatapi.json"
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        return path

    return write
