"""TypeScript generators accept the description: openapi-typescript, openapi-fetch, @hey-api.

In a temporary folder, openapi-typescript (pinned in package.json) turns the bundled
description into `chatapi.d.ts`, and @hey-api/openapi-ts generates its types, SDK and fetch
client into `hey/`. Each typescript/*usage.ts, a client's use of several operations (with
openapi-fetch on the openapi-typescript types, or with the @hey-api SDK), must then compile
with `tsc --noEmit --strict`, without a cast; each typescript/*rejected_*.ts, a request the
description forbids (a createContact body without `firstName`, or with a misspelled field),
must fail on the line marked `// rejected:` with the expected error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from chatapi_client.operations import INDEX
from tools._files import NODE_BIN
from tools._node import run_node_tool

pytestmark = pytest.mark.tools

SOURCES = Path(__file__).resolve().parent / "typescript"
TSC_OPTIONS = (
    "--noEmit", "--strict", "--target", "es2022", "--module", "esnext",
    "--moduleResolution", "bundler", "--pretty", "false",
)  # fmt: skip
_TIMEOUT_S = 300

# Each rejected file: the TypeScript error expected on its `// rejected:` line, and what its
# message must say.
REJECTED = {
    "rejected_text_without_text.ts": ("TS2322", ["Property 'text' is missing"]),
    "rejected_status_closed.ts": (
        "TS2820",
        ["""Type '"closed"' is not assignable""", """'"open" | "close"'"""],
    ),
    "fetch_rejected_empty_body.ts": ("TS2322", ["Property 'firstName' is missing"]),
    "fetch_rejected_misspelled_field.ts": ("TS2561", ["'lastNmae' does not exist"]),
    "hey_rejected_empty_body.ts": ("TS2322", ["Property 'firstName' is missing"]),
    "hey_rejected_misspelled_field.ts": ("TS2561", ["'lastNmae' does not exist"]),
}
USAGE = ("usage.ts", "fetch_usage.ts", "hey_usage.ts")


def _run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_node_tool(tool, *args, cwd=cwd, timeout=_TIMEOUT_S)


@pytest.fixture(scope="session")
def typescript_dir(dist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """chatapi.d.ts and hey/ generated from the bundle, and copies of the .ts sources.

    The folder links the project's node_modules, so `openapi-fetch` resolves as a client's
    own dependency would.
    """
    folder = tmp_path_factory.mktemp("typescript")
    (folder / "node_modules").symlink_to(NODE_BIN.parent, target_is_directory=True)
    generated = _run(
        "openapi-typescript", str(dist_dir / "openapi.yaml"), "-o", "chatapi.d.ts", cwd=folder
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    hey = _run("openapi-ts", "-i", str(dist_dir / "openapi.json"), "-o", "hey", cwd=folder)
    assert hey.returncode == 0, hey.stdout + hey.stderr
    assert (folder / "hey" / "sdk.gen.ts").is_file(), hey.stdout + hey.stderr
    for source in SOURCES.glob("*.ts"):
        shutil.copyfile(source, folder / source.name)
    return folder


def test_generated_types_cover_every_operation(typescript_dir: Path) -> None:
    declarations = (typescript_dir / "chatapi.d.ts").read_text(encoding="utf-8")
    operations_block = declarations.split("export interface operations {", 1)[1]
    operation_ids = re.findall(r"^    (\w+): \{$", operations_block, flags=re.MULTILINE)
    assert sorted(operation_ids) == sorted(op.operation_id for op in INDEX.operations)


@pytest.fixture(scope="session")
def tsc_output(typescript_dir: Path) -> str:
    """What one strict tsc run over every usage file and every rejected file printed.

    One run, not one per file: each start of tsc costs seconds. Each file is a module (it
    imports from ./chatapi), so one file's declarations cannot reach another's.
    """
    result = _run("tsc", *TSC_OPTIONS, *USAGE, *sorted(REJECTED), cwd=typescript_dir)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"tsc accepted every rejected file:\n{output}"
    return output


def _errors(output: str, name: str) -> list[tuple[int, str, str]]:
    """Each error tsc reported in file ``name``: line, code, message."""
    found = re.findall(rf"^{re.escape(name)}\((\d+),\d+\): error (TS\d+): (.*)$", output, re.M)
    return [(int(line), code, message) for line, code, message in found]


@pytest.mark.parametrize("name", USAGE)
def test_usage_compiles_strictly(tsc_output: str, name: str) -> None:
    code = re.sub(r"//.*", "", (SOURCES / name).read_text(encoding="utf-8"))
    assert not re.search(r"\bas\s+(?!const\b)[A-Za-z{(\[]|<\w+>\s*\w", code), f"{name} casts"
    assert _errors(tsc_output, name) == [], tsc_output
    # Every error names one of the rejected files (no error in chatapi.d.ts or the options).
    for line in tsc_output.splitlines():
        if "error TS" in line:
            assert line.startswith(tuple(REJECTED)), tsc_output


def test_every_source_file_is_checked() -> None:
    rejected = sorted(path.name for path in SOURCES.glob("*rejected_*.ts"))
    assert rejected == sorted(REJECTED)
    assert sorted(p.name for p in SOURCES.glob("*.ts")) == sorted([*REJECTED, *USAGE])


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_tsc_rejects_what_the_description_forbids(tsc_output: str, name: str) -> None:
    code, phrases = REJECTED[name]
    lines = (SOURCES / name).read_text(encoding="utf-8").splitlines()
    marked = [number for number, line in enumerate(lines, start=1) if "// rejected:" in line]
    assert len(marked) == 1, f"{name}: mark exactly one line with `// rejected:`"
    errors = _errors(tsc_output, name)
    assert errors, f"no error reported in {name}:\n{tsc_output}"
    assert [(line, err) for line, err, _ in errors] == [(marked[0], code)], tsc_output
    # The error's message (it may go on over the next lines of the output) says why.
    message = tsc_output.split(f"{name}({marked[0]},", 1)[1].split("\n" + name, 1)[0]
    for other in (n for n in REJECTED if n != name):
        message = message.split("\n" + other, 1)[0]
    for phrase in phrases:
        assert phrase in message, tsc_output
