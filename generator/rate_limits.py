"""Render the ``chatapi_client.rate_limits`` module from the spec's ``x-rate-limit`` extensions.

The generator's templates cannot see ``x-`` extensions, so this table is written by the
pipeline itself. Its order is the matching order: for each method, the operation whose
path has a literal segment earliest wins (``/contact/list`` before ``/contact/{identifier}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["OperationLimit", "read_limits", "render_module"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PARAMETER = re.compile(r"^\{[^/{}]+\}$")


@dataclass(frozen=True)
class OperationLimit:
    """One operation's limit as the spec states it."""

    operation_id: str
    method: str
    path: str
    bucket: str
    requests_per_second: int

    @property
    def pattern(self) -> str:
        """A regular expression that fullmatches raw request paths of this operation."""
        return "".join(
            "/[^/]+" if _PARAMETER.match(segment) else "/" + re.escape(segment)
            for segment in self.path.strip("/").split("/")
        )

    @property
    def specificity(self) -> tuple[int, ...]:
        """Sort key: literal segments (0) before parameters (1), segment by segment."""
        return tuple(int(bool(_PARAMETER.match(s))) for s in self.path.strip("/").split("/"))


class SpecError(ValueError):
    """The spec lacks or misstates a rate limit."""


def _limit(where: str, extension: Any) -> tuple[str, int]:
    if not isinstance(extension, dict):
        raise SpecError(f"{where}: x-rate-limit is missing or not a mapping")
    bucket = extension.get("bucket")
    rps = extension.get("requests-per-second")
    if not isinstance(bucket, str) or not bucket:
        raise SpecError(f"{where}: x-rate-limit.bucket must be a non-empty string")
    if not isinstance(rps, int) or isinstance(rps, bool) or rps < 1:
        raise SpecError(f"{where}: x-rate-limit.requests-per-second must be a positive integer")
    return bucket, rps


def read_limits(spec: dict[str, Any]) -> tuple[list[OperationLimit], OperationLimit]:
    """Every operation's limit in matching order, and the default for unmatched requests."""
    limits: list[OperationLimit] = []
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            where = f"{method.upper()} {path}"
            bucket, rps = _limit(where, operation.get("x-rate-limit"))
            limits.append(
                OperationLimit(operation["operationId"], method.upper(), path, bucket, rps)
            )
    bucket, rps = _limit("x-rate-limit-default", spec.get("x-rate-limit-default"))
    limits.sort(key=lambda limit: (limit.method, limit.specificity, limit.path))
    return limits, OperationLimit("", "", "", bucket, rps)


def render_module(spec: dict[str, Any]) -> str:
    """The Python source of ``chatapi_client/rate_limits.py``."""
    limits, default = read_limits(spec)
    base_path = urlsplit(spec["servers"][0]["url"]).path.rstrip("/")
    rows = "\n".join(
        "    RateLimit("
        f"operation_id={limit.operation_id!r}, method={limit.method!r}, path={limit.path!r}, "
        f"bucket={limit.bucket!r}, requests_per_second={limit.requests_per_second}, "
        f"pattern=re.compile({limit.pattern!r})),"
        for limit in limits
    )
    return f'''"""Per-operation rate limits of the API, read from the spec's ``x-rate-limit``.

Limits are per organization: operations naming the same ``bucket`` share one budget of
``requests_per_second``. ``find_rate_limit`` maps a request to its operation's limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["BASE_PATH", "DEFAULT_RATE_LIMIT", "RATE_LIMITS", "RateLimit", "find_rate_limit"]

BASE_PATH = {base_path!r}
"""The path of the spec's server URL: what request paths start with on the wire."""


@dataclass(frozen=True)
class RateLimit:
    """The rate limit of one operation.

    Attributes:
        operation_id: The operation's ``operationId``.
        method: The HTTP method, upper case.
        path: The path template, relative to the server URL.
        bucket: The budget this operation draws from; shared by operations naming it.
        requests_per_second: The budget, per organization.
        pattern: Fullmatches a raw (percent-encoded) request path relative to the server URL.
    """

    operation_id: str
    method: str
    path: str
    bucket: str
    requests_per_second: int
    pattern: re.Pattern[str]


RATE_LIMITS: tuple[RateLimit, ...] = (
{rows}
)
"""Every operation's limit, most specific path first within each method."""

DEFAULT_RATE_LIMIT = RateLimit(
    operation_id="",
    method="",
    path="",
    bucket={default.bucket!r},
    requests_per_second={default.requests_per_second},
    pattern=re.compile(".*"),
)
"""The limit of a request that matches no operation (``x-rate-limit-default``)."""


def find_rate_limit(method: str, path: str) -> RateLimit:
    """The limit of the operation serving ``method`` and ``path``, else ``DEFAULT_RATE_LIMIT``.

    ``path`` is a request's path, raw (``/v2/contact/phone%3A%2B6012``) or decoded, with or
    without ``BASE_PATH``, or a whole URL; a query string is ignored. A client whose server
    URL has another path strips it first.
    """
    method = method.upper()
    if "://" in path:
        path = urlsplit(path).path
    path = path.split("?", 1)[0]
    if BASE_PATH and path.startswith(BASE_PATH + "/"):
        path = path[len(BASE_PATH) :]
    for limit in RATE_LIMITS:
        if limit.method == method and limit.pattern.fullmatch(path):
            return limit
    return DEFAULT_RATE_LIMIT
'''
