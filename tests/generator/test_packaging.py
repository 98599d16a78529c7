"""The one distribution ships the three packages, the spec as package data and py.typed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chatapi_description import load_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the working tree, as `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("chatapi-*.whl")
    return built


def test_wheel_ships_the_packages_the_spec_and_type_markers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "chatapi_client/__init__.py",
        "chatapi_client/openapi.json",
        "chatapi_client/generation.json",
        "chatapi_client/py.typed",
        "chatapi_client/operations.py",
        "chatapi_description/__init__.py",
        "chatapi_description/py.typed",
        "chatapi_client/api/messaging/send_message.py",
        "chatapi/__init__.py",
        "chatapi/py.typed",
        "chatapi_sandbox/__init__.py",
        "chatapi_sandbox/py.typed",
        "chatapi_client/resources.py",
    ]:
        assert required in names, required
    assert not any("__pycache__" in name or name.startswith("tests/") for name in names)
    metadata = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    entry_points = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "chatapi-sandbox = chatapi_sandbox.__main__:main" in entry_points
    assert "chatapi = chatapi.cli:main" in entry_points
    assert "chatapi/cli/__init__.py" in names
    assert "chatapi/bulk/__init__.py" in names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [
        line
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    # The server's dependencies come with the extra only; the client needs neither.
    for server in ("starlette", "uvicorn"):
        lines = [r.replace('"', "'") for r in requires if r.startswith(f"Requires-Dist: {server}")]
        assert any("extra == 'sandbox'" in line for line in lines), server
        assert all("extra == '" in line for line in lines), lines
    # The `chatapi` command's libraries come with every install: the command never fails
    # on a missing import.
    for command in ("click", "rich"):
        lines = [r for r in requires if r.startswith(f"Requires-Dist: {command}")]
        assert lines, command
        assert not any("extra ==" in line for line in lines), lines


def test_installed_wheel_imports_and_reads_its_bundled_spec(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import chatapi, chatapi_client, chatapi_client.spec as spec;"
        "from importlib.resources import files;"
        "assert chatapi_client.__file__.startswith(sys.argv[1]), chatapi_client.__file__;"
        "assert files('chatapi_client').joinpath('py.typed').is_file();"
        "print(spec.load_spec()['info']['version'], len(spec.load_spec()['paths']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repo root, whose folders would shadow the installed packages
    )
    source = load_yaml(ROOT / "openapi" / "chatapi.yaml")
    assert result.stdout.split() == [source["info"]["version"], str(len(source["paths"]))]
