"""Match a raw request path to an operation of the description.

Matching runs on the raw (still percent-encoded) path, segment by segment, and decodes each
path parameter on its own: an encoded slash inside an identifier (``email:a%2Fb@c``) stays
inside that parameter instead of splitting the path. Concrete segments beat templated ones
at the first position where candidates differ, as OpenAPI requires (``/contact/merge``
before ``/contact/{identifier}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from ._spec import Operation

__all__ = ["MethodNotAllowed", "Route", "Router"]

_PARAMETER = re.compile(r"^\{([^/{}]+)\}$")


@dataclass(frozen=True)
class Route:
    """A matched operation and its decoded path parameters (still strings)."""

    operation: Operation
    path_params: dict[str, str]


@dataclass(frozen=True)
class MethodNotAllowed:
    """The path exists, but not with this method; ``allowed`` goes in the ``Allow`` header."""

    allowed: tuple[str, ...]


@dataclass(frozen=True)
class _Template:
    segments: tuple[str, ...]
    names: tuple[str | None, ...]  # the parameter name of each segment, None when literal

    @classmethod
    def parse(cls, path: str) -> _Template:
        segments = tuple(path.strip("/").split("/"))
        names = tuple(match.group(1) if (match := _PARAMETER.match(s)) else None for s in segments)
        return cls(segments, names)

    @property
    def specificity(self) -> tuple[int, ...]:
        return tuple(0 if name is None else 1 for name in self.names)

    def match(self, raw_segments: list[str]) -> dict[str, str] | None:
        if len(raw_segments) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for literal, name, raw in zip(self.segments, self.names, raw_segments, strict=True):
            if name is None:
                if unquote(raw) != literal:
                    return None
            elif not raw:
                return None
            else:
                params[name] = unquote(raw, errors="replace")
        return params


class Router:
    """Finds the operation serving a method and a raw path relative to the base path.

    The most specific path template that matches decides, whatever the method: a GET on
    ``/contact/merge`` (POST only) is a 405, not a ``getContact`` of contact ``merge``.
    """

    def __init__(self, operations: Iterable[Operation]) -> None:
        """Index ``operations`` by path template, most specific first."""
        by_path: dict[str, dict[str, Operation]] = {}
        for operation in operations:
            by_path.setdefault(operation.path, {})[operation.method] = operation
        entries = [(_Template.parse(path), methods) for path, methods in by_path.items()]
        self._entries = sorted(entries, key=lambda entry: entry[0].specificity)

    def match(self, method: str, raw_path: str) -> Route | MethodNotAllowed | None:
        """The route for ``method`` and ``raw_path``, a 405 answer, or None (no such path)."""
        if not raw_path.startswith("/"):
            return None
        raw_segments = raw_path[1:].split("/")
        for template, methods in self._entries:
            params = template.match(raw_segments)
            if params is None:
                continue
            operation = methods.get(method.upper())
            if operation is None:
                return MethodNotAllowed(tuple(sorted(methods)))
            return Route(operation, params)
        return None
