"""The Python package's public API against the commit of the last release, with griffe.

griffe (what `griffe check` runs) loads each top-level package as it was at the release's
commit (exported with `git archive`) and as it is in the work tree, and lists what breaks code
using it: public objects removed, parameters removed,
reordered or made required, types and defaults changed. The release's commit is the one that
added its file to openapi/released/.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from tools._files import REPO_ROOT
from tools.breaking._model import Change

__all__ = ["PACKAGES", "python_api_changes", "release_commit"]

# Top-level packages users import, and the folder each is found in.
PACKAGES = {
    "chatapi": "overlays",
    "chatapi_client": "generated_client",
    "chatapi_sandbox": "sandbox",
}


def release_commit(release: Path) -> str | None:
    """The commit that added `release`, or None when it is not committed in this repository."""
    try:
        relative = release.resolve().relative_to(REPO_ROOT)
        completed = subprocess.run(  # noqa: S603 - git, our arguments
            ["git", "log", "--diff-filter=A", "-1", "--format=%H", "--", str(relative)],  # noqa: S607
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (ValueError, OSError, subprocess.TimeoutExpired):
        return None
    commit = completed.stdout.strip()
    return commit if completed.returncode == 0 and commit else None


def python_api_changes(commit: str) -> list[Change]:
    """Each breaking change of the packages' public API since `commit`, one Change each."""
    import griffe  # a development tool: imported only when the comparison runs

    changes: list[Change] = []
    with tempfile.TemporaryDirectory(prefix="chatapi-release-") as folder:
        released = Path(folder)
        _export(commit, list(PACKAGES.values()), released)
        for package, where in PACKAGES.items():
            old = griffe.load(package, search_paths=[released / where], allow_inspection=False)
            new = griffe.load(package, search_paths=[REPO_ROOT / where], allow_inspection=False)
            for breakage in griffe.find_breaking_changes(old, new):
                message = breakage.kind.value
                if message != "Public object was removed":
                    old_value = getattr(breakage, "old_value", None)
                    new_value = getattr(breakage, "new_value", None)
                    if message == "Parameter default was changed":  # the values, not the name
                        message += f" ({_text(old_value)})"
                        old_value = getattr(old_value, "default", old_value)
                        new_value = getattr(new_value, "default", new_value)
                    message += f": {_text(old_value)} -> {_text(new_value)}"
                where_found = _public_path(package, breakage.obj.path)
                changes.append(Change("python-api", where_found, message))
    return changes


def _export(commit: str, folders: list[str], target: Path) -> None:
    """The folders as they were at `commit`, written under `target` (`git archive`).

    Not griffe's `load_git`: that adds a worktree and a branch to the repository, which two
    runs at once (`make watch` and a test) collide on, and a killed run leaves behind.
    """
    archive = subprocess.run(  # noqa: S603 - git, our arguments
        ["git", "archive", "--format=tar", commit, "--", *folders],  # noqa: S607
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def _public_path(package: str, path: str) -> str:
    """`chatapi._client.ChatAPI.call` as users spell it: `chatapi.ChatAPI.call`."""
    parts = path.split(".")
    # Private modules are left out; dunder methods (`__exit__`) are public names.
    kept = [parts[0], *(p for p in parts[1:] if not p.startswith("_") or p.endswith("__"))]
    return ".".join(kept) if kept[0] == package else path


def _text(value: object) -> str:
    text = "-" if value is None else str(getattr(value, "name", value))
    return text if len(text) <= 60 else text[:57] + "..."
