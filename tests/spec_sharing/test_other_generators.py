"""openapi-generator's typescript-fetch and go clients, generated from the bundle and built.

openapi-generator (the jar that `openapi-generator-cli`, pinned in pyproject.toml, bundles;
it runs on Java) writes each client into a temporary folder. Its warnings are counted
against a budget: each one is a place where a generator had to guess, and the description's
shapes are meant to leave it none. One warning is fixed: "OpenAPI 3.1 support is still in
beta", which every 3.1 description gets.

The typescript-fetch client must compile with `tsc --strict`. The go client is built as
package `chatapi` in a GOPATH, with Debian's Go 1.19 and Debian's gopkg.in/validator.v2
(`make setup` installs both): the Go module proxy may be out of reach, so no module is fetched.
go/main.go then decodes a text message as text, keeps an unknown kind in the catch-all and
sends a Unix time exactly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools._files import NODE_BIN

pytestmark = pytest.mark.tools

WARNING_BUDGET = 5
GO_SOURCES = Path(__file__).resolve().parent / "go"
DEBIAN_GOCODE = Path("/usr/share/gocode")
_SKIP_EXTRAS = "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false"
_TIMEOUT_S = 600


def generate(generator: str, bundle: Path, out: Path) -> list[str]:
    """Run openapi-generator; the warnings it logged (exit status 0 asserted)."""
    executable = Path(sys.executable).parent / "openapi-generator-cli"
    assert executable.exists(), f"{executable} is missing: run `make bootstrap`"
    result = subprocess.run(
        [
            str(executable), "generate", "-g", generator, "-i", str(bundle), "-o", str(out),
            "--additional-properties=packageName=chatapi",
            f"--global-property={_SKIP_EXTRAS}",
        ],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return [line for line in output.splitlines() if re.search(r"\]\s+WARN\b", line)]


def assert_within_budget(warnings: list[str]) -> None:
    assert any("3.1 support is still in beta" in line for line in warnings), warnings
    assert len(warnings) <= WARNING_BUDGET, "\n".join(warnings)


@pytest.fixture(scope="module")
def typescript_fetch(dist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("typescript-fetch")
    warnings = generate("typescript-fetch", dist_dir / "openapi.yaml", out)
    (out / "warnings.txt").write_text("\n".join(warnings), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def go_client(dist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GOPATH holding the generated client as src/chatapi and the proof as src/proof."""
    gopath = tmp_path_factory.mktemp("gopath")
    out = gopath / "src" / "chatapi"
    warnings = generate("go", dist_dir / "openapi.yaml", out)
    (gopath / "warnings.txt").write_text("\n".join(warnings), encoding="utf-8")
    shutil.copytree(GO_SOURCES, gopath / "src" / "proof")
    return gopath


def test_typescript_fetch_warnings_within_budget(typescript_fetch: Path) -> None:
    assert_within_budget((typescript_fetch / "warnings.txt").read_text().splitlines())


def test_typescript_fetch_keeps_the_schema_names(typescript_fetch: Path) -> None:
    models = {path.stem for path in (typescript_fetch / "models").glob("*.ts")}
    assert {"ErrorResponse", "CreateContactRequest", "KnownMessageContent"} <= models
    assert "ModelError" not in models


def test_typescript_fetch_client_compiles_strictly(typescript_fetch: Path) -> None:
    result = subprocess.run(
        [
            str(NODE_BIN / "tsc"), "--noEmit", "--strict", "--target", "es2022",
            "--module", "esnext", "--moduleResolution", "bundler", "--lib", "es2022,dom",
            "--pretty", "false", "index.ts",
        ],
        cwd=typescript_fetch,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_go_warnings_within_budget(go_client: Path) -> None:
    assert_within_budget((go_client / "warnings.txt").read_text().splitlines())


def test_go_client_builds_with_debian_go_and_decodes_messages(
    go_client: Path, tmp_path: Path
) -> None:
    go = shutil.which("go")
    assert go, "Debian's golang-go is missing: run `make setup`"
    validator = DEBIAN_GOCODE / "src" / "gopkg.in" / "validator.v2"
    assert validator.is_dir(), (
        f"{validator} is missing: the Debian package golang-gopkg-validator.v2-dev (`make setup`)"
    )
    env = os.environ | {
        "GO111MODULE": "off",  # GOPATH mode: nothing is fetched from a module proxy
        "GOPATH": f"{go_client}{os.pathsep}{DEBIAN_GOCODE}",
        "GOCACHE": str(tmp_path / "gocache"),
        "GOFLAGS": "",
    }
    result = subprocess.run(
        [go, "run", "."],
        cwd=go_client / "src" / "proof",
        env=env,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert output.strip().endswith("ok"), output
