"""Checks made before anything is sent: the client's state, its event loop, the request's route.

Each one refuses a request that would otherwise go out and then fail in a way the caller
cannot tell from a failure after processing (a POST written to a connection of a closed
event loop), or that would reach another endpoint than the call names.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

import httpx

from chatapi_description import OperationIndex

from ._errors import ClientClosedError, ClientStateError, RequestInfo, RequestPathError
from ._transports.base import operation_of, relative_path

__all__ = ["PATH_TEMPLATE", "LoopBinding", "check_route", "closed_error"]

PATH_TEMPLATE = "chatapi.path_template"
"""Key of ``request.extensions`` naming the path template a generated function targets
(``/contact/{identifier}/message``); the generated code sets it
(``generator/upstream_overrides/endpoint_module.py.jinja``)."""

_UNADDRESSABLE = frozenset({"", ".", ".."})
_PARAMETER = re.compile(r"\{[^/{}]*\}")


class LoopBinding:
    """The event loop an async client's connections belong to: the first it sent from.

    httpcore's pooled connections are streams of the loop that opened them. On another
    loop, or once that loop is closed, writing a request can succeed and reading the answer
    then fails with ``RuntimeError: Event loop is closed``: a POST processed, reported as a
    bare failure. So a client serves one loop; ``check`` refuses the others before sending.
    """

    __slots__ = ("_loop",)

    def __init__(self) -> None:
        self._loop: object | None = None

    def check(self, request: httpx.Request) -> None:
        """Bind to the running loop on first use; raise ``ClientStateError`` on another one."""
        loop = _running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ClientStateError(
                "this client's connections belong to another event loop (closed, or running"
                " elsewhere): create the client inside the event loop that uses it, e.g. one"
                f" client per asyncio.run(); nothing was sent ({RequestInfo.of(request)})"
            )


def _running_loop() -> object:
    # Called from async requests only, when asyncio (or trio) is already imported: looked up
    # rather than imported, so that importing chatapi does not import asyncio.
    asyncio: Any = sys.modules.get("asyncio")
    if asyncio is not None:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            pass
    trio: Any = sys.modules.get("trio")  # httpx serves trio too: its token names the run
    if trio is not None:
        try:
            return trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
    return None


def closed_error(request: httpx.Request) -> ClientClosedError:
    """The error for a request sent through transports that were closed."""
    return ClientClosedError(f"the client was closed; nothing was sent ({RequestInfo.of(request)})")


def check_route(request: httpx.Request, index: OperationIndex, base_path: str) -> None:
    """Refuse, with ``RequestPathError``, a request that reaches another endpoint than meant.

    Two checks, both before sending:

    - A request from a generated function names its path template (``PATH_TEMPLATE``); the
      operation its final path matches must have that template. This catches every way a path
      parameter can move a request: ``.``/``..`` removed by httpx as dot segments
      (``send_message(".")`` would go out as createContact's ``POST /contact/message``), an
      empty one, and a value equal to a literal segment of a sibling template
      (``create_contact("list")`` is ``POST /contact/list``, listContacts). Comparing the
      outcome catches them all, where refusing values one by one (a list of literals, the
      identifier patterns) would miss the next one.
    - Any other request whose path matches no operation is refused when a segment is
      empty or a dot segment, encoded or not (``%2E``): a server or proxy may remove it
      and route the request elsewhere. Other unknown paths go out as they are.
    """
    expected = request.extensions.get(PATH_TEMPLATE)
    operation = operation_of(request, index, base_path)
    matched = None if operation is None else operation.operation_id
    if expected is not None and (operation is None or _shape(operation.path) != _shape(expected)):
        raise RequestPathError(
            f"a path parameter moves this request for {request.method} {expected} to "
            + (matched if matched else "no operation")
            + " (a '.', '..' or empty value, or one spelling a route of its own)",
            request=RequestInfo.of(request),
            expected=expected,
            matched=matched,
        )
    if operation is None and _has_unaddressable_segment(
        relative_path(request, base_path) or request.url.raw_path.decode("ascii")
    ):
        raise RequestPathError(
            "the path has an empty or dot segment, which may be removed on the way",
            request=RequestInfo.of(request),
            expected=expected,
            matched=None,
        )


@functools.cache
def _shape(template: str) -> str:
    """A path template with its parameters unnamed (generated code renames ``{messageId}``)."""
    return _PARAMETER.sub("{}", template)


def _has_unaddressable_segment(path: str) -> bool:
    if path == "/":
        return False
    segments = path.split("?", 1)[0].split("/")[1:]
    return any(
        segment.replace("%2E", ".").replace("%2e", ".") in _UNADDRESSABLE for segment in segments
    )
