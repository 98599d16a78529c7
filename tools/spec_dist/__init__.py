"""The description as other-language teams take it (`make spec-dist`, `python -m tools.spec_dist`).

Four files, each standing alone:

- `openapi.yaml` and `openapi.json`: the description bundled by Redocly into one file each,
  the same document as openapi/chatapi.yaml (tests/spec_sharing checks that they parse equal).
- `rate-limits.json`: every operation's limit in match order (`_rate_limits`).
- `chatapi-v2.html`: the reference docs, Redoc with its scripts inlined (`build-docs
  --inlineBundle`), built with telemetry off, so the page loads nothing from the network.
  Each operation states its rate limit, and the page ends with the changelog (`_docs_view`).

Redoc 3 still draws its sidebar logo from a CDN (Redocly's docs say so) and keeps the base
URL of an icon CDN in its script; `make_offline` swaps both for inline data, and `build`
fails if `external_loads` still finds anything the page would fetch.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from chatapi_description import DescriptionError, load_yaml
from tools._files import CHANGELOG_PATH, REPO_ROOT, SPEC_PATH
from tools._node import NodeToolMissingError, run_node_tool
from tools.spec_dist._docs_view import docs_view
from tools.spec_dist._rate_limits import RATE_LIMITS_NAME, render_rate_limits

__all__ = ["DOCS_NAME", "RATE_LIMITS_NAME", "DistError", "build", "external_loads", "make_offline"]

DOCS_NAME = "chatapi-v2.html"
DOCS_TITLE = "ChatAPI v2 reference"
REDOCLY_CONFIG = REPO_ROOT / "redocly.yaml"
_TIMEOUT_S = 300

# The attribution logo Redoc loads from its CDN, drawn inline instead: the word, no request.
_LOGO_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='58' height='16' viewBox='0 0 58 16'>"
    "<text x='0' y='12' font-family='sans-serif' font-size='12' font-weight='600' "
    "fill='%23555'>Redocly</text></svg>"
)
_LOGO = "data:image/svg+xml," + quote(_LOGO_SVG, safe="%=' /:")
_OFFLINE_SWAPS = (
    (re.compile(r"https://cdn\.redoc\.ly/redoc/logo-mini(?:-full)?\.svg"), _LOGO),
    # Icon packs Redoc would load by URL; no part of these docs draws one.
    (re.compile(r"https://cdn\.redocly\.com/icons/[A-Za-z0-9._/-]*"), "data:,"),
)

_URL = r"""\s*["']?\s*(?:https?:)?//"""
_TAGS_WITH_SRC = "script|img|iframe|source|audio|video|embed|track"
_LOADS = (
    re.compile(rf"<(?:{_TAGS_WITH_SRC})\b[^>]*\bsrc\s*={_URL}", re.I),
    re.compile(rf"<link\b[^>]*\bhref\s*={_URL}", re.I),
    re.compile(rf"\burl\({_URL}", re.I),
    re.compile(rf"@import\s+(?:url\()?{_URL}", re.I),
)  # fmt: skip
_CDN_HOST = re.compile(
    r"""(?:https?:)?//((?:[a-z0-9-]+\.)*(?:cdn[a-z0-9-]*|unpkg|jsdelivr|cdnjs|esm|skypack)"""
    r"""\.[a-z0-9.-]+|fonts\.(?:googleapis|gstatic)\.com|ajax\.googleapis\.com)""",
    re.I,
)


class DistError(Exception):
    """A file could not be built, or the docs page would still load something."""


def build(out_dir: Path, spec: Path = SPEC_PATH, changelog: Path = CHANGELOG_PATH) -> list[Path]:
    """Write the bundles, the limits and the docs page of `spec` into `out_dir`; their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    yaml_path, json_path, limits_path, docs_path = (
        out_dir / "openapi.yaml",
        out_dir / "openapi.json",
        out_dir / RATE_LIMITS_NAME,
        out_dir / DOCS_NAME,
    )
    for bundle in (yaml_path, json_path):
        _redocly("bundle", str(spec), "--output", str(bundle), "--ext", bundle.suffix[1:])
    try:
        data = load_yaml(spec)
        limits_path.write_text(render_rate_limits(data), encoding="utf-8")
        view = docs_view(data, changelog)
    except DescriptionError as error:
        raise DistError(f"{spec.name}: {error}") from error
    with tempfile.TemporaryDirectory(prefix="chatapi-docs-") as tmp:
        view_path = Path(tmp) / "openapi.json"
        view_path.write_text(json.dumps(view, ensure_ascii=False), encoding="utf-8")
        _redocly(
            "build-docs",
            str(view_path),
            "--inlineBundle",
            "--title",
            DOCS_TITLE,
            "--output",
            str(docs_path),
            "--config",
            str(REDOCLY_CONFIG),
        )
    html = make_offline(docs_path.read_text(encoding="utf-8"))
    loads = external_loads(html)
    if loads:
        raise DistError(f"{docs_path.name} would still load: {', '.join(loads)}")
    docs_path.write_text(html, encoding="utf-8")
    return [yaml_path, json_path, limits_path, docs_path]


def make_offline(html: str) -> str:
    """The page with the assets Redoc fetches from its CDNs replaced by inline data."""
    for pattern, replacement in _OFFLINE_SWAPS:
        html = pattern.sub(replacement, html)
    return html


def external_loads(html: str) -> list[str]:
    """What the page would fetch from another host, each found text once.

    Remote script, stylesheet and image tags, CSS `url(...)` and `@import`, and any CDN
    address at all: the page's scripts build their requests from such addresses.
    """
    found = [match.group(0) for pattern in _LOADS for match in pattern.finditer(html)]
    found += [f"CDN address {match.group(0)}" for match in _CDN_HOST.finditer(html)]
    return sorted(set(found))


def _redocly(*args: str) -> None:
    try:
        completed = run_node_tool("redocly", *args, timeout=_TIMEOUT_S)
    except NodeToolMissingError as error:
        raise DistError(f"{error}: run `make bootstrap`") from None
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-3000:]
        raise DistError(f"redocly {args[0]} failed (exit {completed.returncode}):\n{output}")
