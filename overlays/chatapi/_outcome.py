"""What to call to learn whether a request of unknown outcome was processed.

An ``OutcomeUnknownError`` names it: the read of the same resource, found in the operation
index (a GET whose path extends the request's, as listMessages extends sendMessage's, or
the GET of the path the request's trailing words act on, as getContact for addTags; else a
GET of the same path parameters, as getContact for createOrUpdateContact), with
the request's own path parameters filled in: ``client.messaging.list('phone:+60123456789')``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from chatapi_description import Operation, OperationIndex, Route

__all__ = ["check_call"]

_PARAMETER = re.compile(r"\{([^/{}]+)\}")
_WORD = re.compile(r"(?<!^)(?=[A-Z])")


def check_call(method: str, path: str, index: OperationIndex | None = None) -> str | None:
    """``client.<resource>.<method>(...)`` that reads what ``method path`` wrote, or None."""
    if index is None:
        from chatapi_client.operations import INDEX

        index = INDEX
    raw = path.split("?", 1)[0]
    route = None
    for start in [i for i, c in enumerate(raw) if c == "/"]:  # whatever the base path
        found = index.match(method, raw[start:])
        if isinstance(found, Route):
            route = found
            break
    if route is None:
        return None
    read = _read_of(route.target, index)
    if read is None:
        return None
    arguments = []
    for name in _PARAMETER.findall(read.path):
        value = route.path_params.get(name)
        if value is None:
            return None
        kinds = {p.name: p.scalar_type for p in read.parameters if p.location == "path"}
        arguments.append(value if kinds.get(name) == "integer" else repr(unquote(value)))
    action = _WORD.sub("_", read.action).lower()
    return f"client.{read.resource}.{action}({', '.join(arguments)})"


def _read_of(operation: Operation, index: OperationIndex) -> Operation | None:
    reads = [o for o in index.operations if o.method == "GET"]
    extending = [o for o in reads if o.path.startswith(operation.path)]
    if extending:
        return min(extending, key=lambda o: len(o.path))
    segments = operation.path.split("/")
    while segments and not _PARAMETER.fullmatch(segments[-1]):
        segments.pop()
    parent = "/".join(segments)
    found = next((o for o in reads if o.path == parent), None) if parent else None
    if found is None:  # a GET of the same parameters under the same first segment
        names = _PARAMETER.findall(operation.path)
        first = operation.path.split("/")[1]
        same = [o for o in reads if names and _PARAMETER.findall(o.path) == names]
        same = [o for o in same if o.path.split("/")[1] == first]
        found = min(same, key=lambda o: len(o.path), default=None)
    return found
