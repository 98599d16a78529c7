"""The description as the docs page shows it: each operation's limit in words, and the changelog.

Redoc does not render `x-` extensions into the page's text, so the page is built from a copy
whose operation descriptions end with their rate limit, and whose `info.description` ends
with the changelog's release entries, a section the limits link to (`#section/Changelog`).
The bundles are built from the description itself, unchanged.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chatapi_description import HTTP_METHODS, read_index

__all__ = ["CHANGELOG_ANCHOR", "changelog_section", "docs_view", "limit_sentence"]

CHANGELOG_ANCHOR = "#section/Changelog"
_RELEASE_HEADING = re.compile(r"^## +(?:\d+\.\d+\.\d+|Unreleased)\b.*$", re.MULTILINE)


def limit_sentence(bucket: str, rps: int, shared_with: list[str]) -> str:
    """The line the page shows under an operation's description."""
    shared = f", shared with {', '.join(f'`{o}`' for o in shared_with)}" if shared_with else ""
    return (
        f"**Rate limit:** {rps} requests per second per organization "
        f"(bucket `{bucket}`{shared}). Changes to this operation are listed in the "
        f"[changelog]({CHANGELOG_ANCHOR})."
    )


def changelog_section(changelog: Path) -> str:
    """The changelog's release entries, as a `## Changelog` section of the page."""
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else ""
    first = _RELEASE_HEADING.search(text)
    entries = text[first.start() :] if first else "No release yet.\n"
    # One level down: each release is a subsection of the Changelog section.
    entries = re.sub(r"^(#{2,5}) ", r"#\1 ", entries, flags=re.MULTILINE)
    return "## Changelog\n\n" + entries.strip() + "\n"


def docs_view(spec: Mapping[str, Any], changelog: Path) -> dict[str, Any]:
    """A copy of `spec` with each operation's limit and the changelog in its descriptions."""
    view = copy.deepcopy(dict(spec))
    index = read_index(spec)
    members: dict[str, list[str]] = {}
    for operation in index.operations:
        members.setdefault(operation.rate_limit.bucket, []).append(operation.operation_id)
    for item in (view.get("paths") or {}).values():
        for method in HTTP_METHODS:
            raw = item.get(method) if isinstance(item, dict) else None
            if not isinstance(raw, dict):
                continue
            limit = index[str(raw["operationId"])].rate_limit
            others = [o for o in members[limit.bucket] if o != raw["operationId"]]
            sentence = limit_sentence(limit.bucket, limit.requests_per_second, others)
            described = str(raw.get("description") or "").rstrip()
            raw["description"] = f"{described}\n\n{sentence}\n" if described else sentence + "\n"
    info = view.setdefault("info", {})
    info["description"] = (
        str(info.get("description") or "").rstrip() + "\n\n" + changelog_section(changelog)
    )
    return view
