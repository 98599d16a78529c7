"""What each release ships beside its YAML, and the index that lets a team pin and verify it.

For `chatapi-<version>.yaml` (self-contained: every `$ref` points inside the file):

- `chatapi-<version>.json`: the same document as JSON;
- `chatapi-<version>.dereferenced.json`: every `$ref` replaced by what it points to, for
  tools that do not follow references (a reference that would recurse is kept);

and `index.json` lists every release: its version, its date (from its changelog heading)
and the SHA-256 of each of its files. Everything here is derived from the YAML and the
changelog, byte for byte the same on every run.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from tools._files import Document, format_version, load_document, releases

__all__ = [
    "INDEX_NAME",
    "dereference",
    "derived_files",
    "index",
    "release_dates",
    "render_index",
    "write_release_files",
]

INDEX_NAME = "index.json"
_HEADING = re.compile(r"^## +(\d+\.\d+\.\d+) +\((\d{4}-\d{2}-\d{2})\)", re.MULTILINE)
_NEEDS_31 = (
    "Every release is OpenAPI 3.1 (type lists with null, `examples` in schemas); no 3.0 "
    "downgrade is shipped. Checked with this project's generators: openapi-typescript, "
    "@hey-api/openapi-ts, openapi-python-client and openapi-generator (typescript-fetch, go; "
    "its 3.1 support is marked beta) read 3.1. Generators that need 3.0, such as "
    "oapi-codegen (Go), cannot use these files as they are."
)


def _dump(document: Any, *, compact: bool = False) -> bytes:
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    return (json.dumps(document, ensure_ascii=False, **layout) + "\n").encode("utf-8")


def dereference(document: Document) -> Document:
    """`document` with every local `$ref` replaced by its target (recursive ones kept)."""

    def resolve(pointer: str) -> Any:
        node: Any = document
        for part in pointer.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def walk(node: Any, trail: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and ref not in trail:
                siblings = {k: walk(v, trail) for k, v in node.items() if k != "$ref"}
                target = walk(resolve(ref), (*trail, ref))
                return {**target, **siblings} if isinstance(target, dict) else target
            return {key: walk(value, trail) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item, trail) for item in node]
        return node

    resolved: Document = walk(document, ())
    return resolved


def derived_files(release_yaml: Path) -> dict[str, bytes]:
    """The files a release ships beside its YAML, by name."""
    document = load_document(release_yaml)
    stem = release_yaml.stem
    return {
        f"{stem}.json": _dump(document),
        # Compact: inlining every reference makes it ten times the size of the YAML.
        f"{stem}.dereferenced.json": _dump(dereference(document), compact=True),
    }


def write_release_files(release_yaml: Path) -> list[Path]:
    """Write the derived files of one release beside it; their paths."""
    written = []
    for name, data in derived_files(release_yaml).items():
        path = release_yaml.with_name(name)
        path.write_bytes(data)
        written.append(path)
    return written


def release_dates(changelog: Path) -> dict[str, str]:
    """Version -> date, from the changelog's `## X.Y.Z (YYYY-MM-DD)` headings."""
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else ""
    return dict(_HEADING.findall(text))


def index(released_dir: Path, changelog: Path) -> dict[str, Any]:
    """The releases index: every release, newest first, with the digest of each file."""
    dates = release_dates(changelog)
    entries = []
    for version, yaml_path in reversed(releases(released_dir)):
        shown = format_version(version)
        names = [yaml_path.name, *derived_files(yaml_path)]
        files = {}
        for name in names:
            path = released_dir / name
            data = path.read_bytes() if path.is_file() else b""
            files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        entries.append({"version": shown, "date": dates.get(shown), "files": files})
    return {
        "description": (
            "Releases of the ChatAPI v2 description, newest first. Pin a version and check "
            "the SHA-256 of the file you download. Each release ships its YAML, the same "
            "document as JSON, and a dereferenced JSON (no $ref)."
        ),
        "openapi": _NEEDS_31,
        "releases": entries,
    }


def render_index(released_dir: Path, changelog: Path) -> str:
    """`index` as the text of index.json."""
    return json.dumps(index(released_dir, changelog), indent=2, ensure_ascii=False) + "\n"
