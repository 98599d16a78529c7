"""Fixtures of the spec layer: the real description, the product overview, broken copies."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tests.spec._broken import SPECTRAL_CASES
from tests.spec._spec import OVERVIEW_PATH, SPEC_PATH, Spec
from tests.spec._tools import SpectralFindings, spectral_problems_of


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


@pytest.fixture(scope="session")
def spectral_findings(
    pristine_spec: Spec, tmp_path_factory: pytest.TempPathFactory
) -> SpectralFindings:
    """The description and every broken copy of tests/spec/_broken.py, linted by one Spectral.

    One Node process for them all: each start of Spectral costs seconds.
    """
    folder = tmp_path_factory.mktemp("spectral")
    paths: dict[str, tuple[str, Path]] = {}
    for case in SPECTRAL_CASES:
        document = copy.deepcopy(pristine_spec)
        where = case.breaks(document)
        path = folder / f"{case.id}.json"
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        paths[case.id] = (where, path)
    found = spectral_problems_of([SPEC_PATH, *(path for _, path in paths.values())])
    return SpectralFindings(
        pristine=found[SPEC_PATH],
        broken={case_id: (where, found[path]) for case_id, (where, path) in paths.items()},
    )
