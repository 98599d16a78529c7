"""`make spec-dist`: the bundles are the description, and the docs page stands alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chatapi_description import load_yaml
from tests.spec._spec import SPEC_PATH, operations
from tools.spec_dist import DOCS_NAME, external_loads, make_offline
from tools.spec_dist.__main__ import main
from tools.spec_dist._docs_view import CHANGELOG_ANCHOR, limit_sentence


@pytest.mark.tools
def test_yaml_bundle_is_the_description(dist_dir: Path) -> None:
    assert load_yaml(dist_dir / "openapi.yaml") == load_yaml(SPEC_PATH)


@pytest.mark.tools
def test_json_bundle_is_the_description(dist_dir: Path) -> None:
    bundle = json.loads((dist_dir / "openapi.json").read_text(encoding="utf-8"))
    assert bundle == load_yaml(SPEC_PATH)


@pytest.mark.tools
def test_bundles_are_single_files(dist_dir: Path) -> None:
    for name in ("openapi.yaml", "openapi.json"):
        text = (dist_dir / name).read_text(encoding="utf-8")
        refs = re.findall(r"""["']?\$ref["']?\s*:\s*["']?([^"'\s,}]+)""", text)
        assert refs, f"{name}: expected the description's own $refs"
        outside = [ref for ref in refs if not ref.startswith("#")]
        assert not outside, f"{name} refers to other files: {outside}"


@pytest.mark.tools
def test_docs_page_has_every_operation(dist_dir: Path) -> None:
    html = (dist_dir / DOCS_NAME).read_text(encoding="utf-8")
    assert "<title>ChatAPI v2 reference</title>" in html
    missing = [
        op.operation_id
        for op in operations(load_yaml(SPEC_PATH))
        if f'"operationId":"{op.operation_id}"' not in html
    ]
    assert not missing, f"operations missing from the docs page: {missing}"


@pytest.mark.tools
def test_docs_page_loads_nothing_from_the_network(dist_dir: Path) -> None:
    html = (dist_dir / DOCS_NAME).read_text(encoding="utf-8")
    assert not re.search(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    assert not re.search(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    assert not re.search(r"(https?:)?//[a-z0-9.-]*\bcdn", html, re.I), "a CDN address is left"
    assert not re.search(r"unpkg\.com|jsdelivr\.net|fonts\.googleapis\.com", html, re.I)
    assert external_loads(html) == []
    # The Redoc scripts are inside the page (--inlineBundle), not fetched.
    assert len(html) > 500_000


@pytest.mark.tools
def test_docs_page_sends_no_telemetry(dist_dir: Path) -> None:
    html = (dist_dir / DOCS_NAME).read_text(encoding="utf-8")
    assert re.search(r'__redoc_options\s*=\s*\{[^}]*"disableTelemetry"\s*:\s*true', html), (
        "the page would send Redoc telemetry from readers' browsers"
    )


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example.org/redoc.standalone.js"></script>',
        "<script type=module src='//unpkg.com/x.js'></script>",
        '<link rel="stylesheet" href="https://example.org/site.css">',
        "<style>@import url('https://example.org/a.css');</style>",
        '<div style="background: url(http://example.org/bg.png)"></div>',
        '<img src="https://example.org/logo.svg">',
        "<script>const logo = `https://cdn.redoc.ly/redoc/logo-mini.svg`;</script>",
        "<script>fetch('https://fonts.googleapis.com/css?family=Roboto')</script>",
    ],
)
def test_external_loads_finds_what_a_page_would_fetch(html: str) -> None:
    assert external_loads(html), f"not caught: {html}"


def test_external_loads_leaves_links_and_namespaces_alone() -> None:
    html = (
        '<a href="https://www.chatapi.net/developers">docs</a>'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
        '<img src="data:image/svg+xml,%3Csvg%2F%3E"><script src="./local.js"></script>'
    )
    assert external_loads(html) == []


def test_make_offline_inlines_the_redoc_logo_and_icons() -> None:
    html = (
        "src:e?`https://cdn.redoc.ly/redoc/logo-mini-full.svg`:`https://cdn.redoc.ly/redoc/logo-mini.svg`"
        ',Zo={"font-awesome":`https://cdn.redocly.com/icons/fa/7.0.0`}'
    )
    offline = make_offline(html)
    assert external_loads(offline) == []
    assert offline.count("data:image/svg+xml,") == 2


@pytest.mark.tools
def test_command_fails_when_redocly_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "dist"), "--spec", str(tmp_path / "missing.yaml")]) == 1
    assert "spec-dist failed: redocly bundle failed" in capsys.readouterr().err


@pytest.mark.tools
def test_docs_page_shows_every_operations_limit_and_the_changelog(dist_dir: Path) -> None:
    html = (dist_dir / DOCS_NAME).read_text(encoding="utf-8")
    spec = load_yaml(SPEC_PATH)
    members: dict[str, list[str]] = {}
    for op in operations(spec):
        members.setdefault(op.body["x-rate-limit"]["bucket"], []).append(op.operation_id)
    missing = []
    for op in operations(spec):
        limit = op.body["x-rate-limit"]
        others = [o for o in members[limit["bucket"]] if o != op.operation_id]
        sentence = limit_sentence(limit["bucket"], limit["requests-per-second"], others)
        # The page embeds its description as JSON: the sentence appears JSON-escaped.
        if json.dumps(sentence)[1:-1] not in html:
            missing.append(op.operation_id)
    assert not missing, f"operations whose limit the page does not show: {missing}"
    assert "## Changelog" in html
    assert CHANGELOG_ANCHOR == "#section/Changelog"
    assert "### 1.0.0 (2026-11-25)" in html


def test_limit_sentence_names_the_limit_and_the_bucket_partners() -> None:
    assert limit_sentence("space-tags", 5, ["updateTag", "deleteTag"]) == (
        "**Rate limit:** 5 requests per second per organization (bucket `space-tags`, shared "
        "with `updateTag`, `deleteTag`). Changes to this operation are listed in the "
        "[changelog](#section/Changelog)."
    )
