"""Fixtures of the spec layer: the real description, the product overview, broken copies."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import OVERVIEW_PATH, SPEC_PATH, Spec


@pytest.fixture(scope="session")
def pristine_spec() -> Spec:
    """openapi/chatapi.yaml as loaded once; tests must not change it (use `spec`)."""
    return load_yaml(SPEC_PATH)


@pytest.fixture
def spec(pristine_spec: Spec) -> Spec:
    """A private copy of the description, free to be broken by a negative test."""
    return copy.deepcopy(pristine_spec)


@pytest.fixture(scope="session")
def overview() -> str:
    """The product overview's rate-limit table, as copied into tests/spec."""
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
