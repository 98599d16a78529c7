"""Fixtures of the spec-sharing layer: the built dist/ files, released copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tools.spec_dist import build


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make spec-dist` writes, built once into a temporary folder by the same code."""
    out = tmp_path_factory.mktemp("dist")
    build(out)
    return out


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of openapi/ to release into, reset to one release: the description as 1.0.0.

    The reset keeps the release tests independent of how many releases the repository
    holds: the copy's description is version 1.0.0 and so is its only release.
    """
    source = Path(__file__).resolve().parents[2] / "openapi"
    target = tmp_path / "openapi"
    shutil.copytree(source, target)
    spec = target / "chatapi.yaml"
    text = spec.read_text(encoding="utf-8")
    version = load_yaml(spec)["info"]["version"]
    spec.write_text(text.replace(f"version: {version}", "version: 1.0.0", 1), encoding="utf-8")
    for old in (target / "released").iterdir():
        old.unlink()
    shutil.copyfile(spec, target / "released" / "chatapi-1.0.0.yaml")
    return target
