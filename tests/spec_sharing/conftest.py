"""Fixtures of the spec-sharing layer: the built dist/ files, released copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.spec_dist import build


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make spec-dist` writes, built once into a temporary folder by the same code."""
    out = tmp_path_factory.mktemp("dist")
    build(out)
    return out


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A temporary copy of openapi/ (description, releases, changelog) to release into."""
    source = Path(__file__).resolve().parents[2] / "openapi"
    target = tmp_path / "openapi"
    shutil.copytree(source, target)
    return target
