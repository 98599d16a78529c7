"""Map a raw request path to the path template (and method) that serves it.

The rules, the same for the client and the sandbox:

- The path is matched raw (still percent-encoded), segment by segment, and each segment is
  percent-decoded on its own: an encoded slash inside an identifier (``email:a%2Fb@c``)
  stays inside that parameter, and ``/contact/%6Derge`` is ``/contact/merge``.
- A literal segment beats a parameter at the first position where templates differ, as
  OpenAPI requires: ``/contact/merge`` before ``/contact/{identifier}``.
- The most specific matching template decides whatever the method: a GET on
  ``/contact/merge`` (POST only) is a 405, not a ``getContact`` of contact ``merge``.
- An empty, ``.`` or ``..`` segment (encoded or not) matches nothing: servers and clients
  may remove dot segments, so such a path may reach another operation than it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import unquote_to_bytes

__all__ = ["PathMatcher", "Route", "relative_path"]

T = TypeVar("T")

_PARAMETER = re.compile(r"^\{([^/{}]+)\}$")
_UNADDRESSABLE = frozenset({"", ".", ".."})


def relative_path(raw_path: str, base_path: str) -> str | None:
    """A raw request path less its query and the server URL's path; None if not below it.

    Both are raw (percent-encoded): ``relative_path("/v2/contact/x?a=1", "/v2")`` is
    ``/contact/x``, and ``/v2x/contact/x`` is not below ``/v2``.
    """
    path = raw_path.split("?", 1)[0]
    base = base_path.rstrip("/")
    if not base:
        return path or "/"
    if path == base:
        return "/"
    return path[len(base) :] if path.startswith(base + "/") else None


@dataclass(frozen=True)
class Route(Generic[T]):
    """A match: what serves the request, and its path parameters, decoded (still strings)."""

    target: T
    path_params: dict[str, str]


@dataclass
class _Node(Generic[T]):
    literals: dict[str, _Node[T]] = field(default_factory=dict)
    parameter: _Node[T] | None = None
    # At a template's last segment: per method, what serves it and its parameters' names
    # in path order (two templates may name the parameter at one position differently).
    methods: dict[str, tuple[T, tuple[str, ...]]] = field(default_factory=dict)


class PathMatcher(Generic[T]):
    """A tree of path templates; ``match`` walks it literal-first, backtracking on failure."""

    def __init__(self, routes: Iterable[tuple[str, str, T]]) -> None:
        """Index ``(method, path template, target)`` triples.

        Raises:
            ValueError: two targets for one method and template, or a segment that mixes a
                parameter with text (``{name}.json``), which this matcher does not serve.
        """
        self._root: _Node[T] = _Node()
        for method, template, target in routes:
            node = self._root
            names: list[str] = []
            for segment in template.strip("/").split("/"):
                parameter = _PARAMETER.match(segment)
                if parameter is None:
                    if "{" in segment or "}" in segment:
                        raise ValueError(f"{template}: a segment mixes a parameter and text")
                    node = node.literals.setdefault(segment, _Node())
                    continue
                names.append(parameter.group(1))
                if node.parameter is None:
                    node.parameter = _Node()
                node = node.parameter
            if method.upper() in node.methods:
                raise ValueError(f"{method.upper()} {template} is described twice")
            node.methods[method.upper()] = (target, tuple(names))

    def match(self, method: str, raw_path: str) -> Route[T] | tuple[str, ...] | None:
        """The route for ``method``, the allowed methods (405), or None (no such path).

        ``raw_path`` is relative to the server URL and percent-encoded; a query is ignored.
        """
        raw_path = raw_path.split("?", 1)[0]
        if not raw_path.startswith("/"):
            return None
        segments: list[str] = []
        for raw in raw_path[1:].split("/"):
            try:
                segment = unquote_to_bytes(raw).decode() if "%" in raw else raw
            except UnicodeDecodeError:
                return None
            if segment in _UNADDRESSABLE:
                return None
            segments.append(segment)
        found = self._walk(self._root, segments, 0, [])
        if found is None:
            return None
        node, values = found
        served = node.methods.get(method.upper())
        if served is None:
            return tuple(sorted(node.methods))
        target, names = served
        return Route(target, dict(zip(names, values, strict=True)))

    def _walk(
        self, node: _Node[T], segments: list[str], index: int, values: list[str]
    ) -> tuple[_Node[T], list[str]] | None:
        if index == len(segments):
            return (node, values) if node.methods else None
        literal = node.literals.get(segments[index])
        if literal is not None:
            found = self._walk(literal, segments, index + 1, values)
            if found is not None:
                return found
        if node.parameter is None:
            return None
        return self._walk(node.parameter, segments, index + 1, [*values, segments[index]])
