"""`rate-limits.json`: every operation's limit, in the order a path matcher tries templates.

A limiter in any language reads it without parsing the description or reimplementing its
matching rules: the first entry whose `pathRegex` matches a request's path is the template
that serves it (openapi/extensions.md says how, and why literal segments come first).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from chatapi_description import Operation, read_index

__all__ = ["RATE_LIMITS_NAME", "match_key", "path_regex", "rate_limits", "render_rate_limits"]

RATE_LIMITS_NAME = "rate-limits.json"
_PARAMETER = re.compile(r"^\{[^/{}]+\}$")


def match_key(path: str) -> tuple[tuple[int, str], ...]:
    """Sort key of a template: at the first segment where two differ, a literal comes first."""
    return tuple(
        (1, "") if _PARAMETER.match(segment) else (0, segment)
        for segment in path.strip("/").split("/")
    )


def path_regex(path: str) -> str:
    """An anchored regular expression matching the raw paths of a template (a segment each)."""
    parts = [
        "[^/]+" if _PARAMETER.match(segment) else re.escape(segment)
        for segment in path.strip("/").split("/")
    ]
    return "^/" + "/".join(parts) + "$"


def rate_limits(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The document `rate-limits.json` holds, built from a parsed description."""
    index = read_index(spec)
    ordered = sorted(index.operations, key=lambda op: (match_key(op.path), op.method))
    default = index.default_rate_limit
    return {
        "description": (
            "Rate limits of ChatAPI v2 per operation, from the x-rate-limit extensions of the "
            "description (openapi/extensions.md). Operations naming the same bucket share one "
            "budget per organization. Entries are in match order: the first whose pathRegex "
            "matches a request's path (relative to the server URL) serves it; a request that "
            "matches none spends the default."
        ),
        "version": str(spec["info"]["version"]),
        "basePath": index.base_path,
        "default": {
            "bucket": default.bucket,
            "requestsPerSecond": default.requests_per_second,
        },
        "operations": [_entry(order, op) for order, op in enumerate(ordered)],
    }


def render_rate_limits(spec: Mapping[str, Any]) -> str:
    """`rate_limits` as the file's text: stable key order, two-space indent, final newline."""
    return json.dumps(rate_limits(spec), indent=2, ensure_ascii=False) + "\n"


def _entry(order: int, operation: Operation) -> dict[str, Any]:
    return {
        "matchOrder": order,
        "operationId": operation.operation_id,
        "method": operation.method,
        "path": operation.path,
        "pathRegex": path_regex(operation.path),
        "bucket": operation.rate_limit.bucket,
        "requestsPerSecond": operation.rate_limit.requests_per_second,
    }
