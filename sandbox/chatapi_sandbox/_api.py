"""The ASGI app serving the API: every request takes the same steps, in this order.

1. route (404 no such path, 405 no such method), counted per operation;
2. authenticate (401), the token naming the organization;
3. rate limit per (organization, bucket) (429 with ``Retry-After``); every answer from here
   on carries ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``;
4. an injected fault that strikes before processing;
5. validate parameters and body against the description (400): first what the sandbox could
   not answer back (see ``_json_body``, ``_numbers``), on a worker thread for a large body;
6. the operation's handler (its answer, or 404/400 with the Error body);
7. an injected fault that strikes after processing, else the answer.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from urllib.parse import quote, urlencode

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from chatapi_description import Operation, relative_path

from ._core import SandboxCore
from ._edge import mark_injected
from ._faults import Fault, FaultKind, When
from ._handlers import ApiError, Call
from ._numbers import oversized_parameter
from ._responses import error, fault_answer
from ._validation import InvalidRequestError, ValidRequest

__all__ = ["ApiApp"]

logger = logging.getLogger("chatapi_sandbox")

OFF_LOOP_BYTES = 64 * 1024
"""Bodies larger than this are parsed and validated on a worker thread."""


class _ConnectionDroppedError(Exception):
    """Raised after a partial answer when the server offers no way to close the connection.

    Servers close the connection when an app fails after starting its answer.
    """


class ApiApp:
    """Serves the description's operations under the base path (``/v2``)."""

    def __init__(self, core: SandboxCore) -> None:
        """Serve with ``core``'s routes, validators, limiter, faults and workspaces."""
        self.core = core

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request (``Edge``, around the whole app, counts the answers)."""
        await self._serve(scope, receive, send)

    def _relative_raw_path(self, scope: Scope) -> str:
        """The raw, still percent-encoded path below the base path."""
        raw = bytes(scope.get("raw_path") or b"").decode("latin-1")
        relative = relative_path(raw, self.core.base_path)
        if relative is not None:
            return relative
        # No raw path from the server, or an encoded base path: re-encode the decoded one.
        return quote(str(scope["path"])[len(self.core.base_path) :], safe="/")

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        core = self.core
        request = Request(scope, receive)
        relative = self._relative_raw_path(scope)
        found = core.index.match(request.method, relative)
        if found is None:
            response = error(404, f"No operation at {request.method} {core.base_path}{relative}.")
            await response(scope, receive, send)
            return
        if isinstance(found, tuple):
            allow = ", ".join(found)
            message = f"{request.method} is not allowed here; allowed: {allow}."
            await error(405, message, {"Allow": allow})(scope, receive, send)
            return
        operation = found.target
        limit = operation.rate_limit
        core.tally.by_operation[operation.operation_id] += 1
        organization = core.organization(request.headers.get("authorization"))
        if organization is None:
            # Nothing was counted against any organization's budget.
            unknown = {
                "X-RateLimit-Limit": str(limit.requests_per_second),
                "X-RateLimit-Remaining": str(limit.requests_per_second),
            }
            response = error(401, "Missing or invalid access token.", unknown)
            await response(scope, receive, send)
            return
        decision = core.limiter.hit(
            (organization, limit.bucket),
            limit.requests_per_second,
            enforce=core.options.rate_limit,
        )
        core.tally.by_bucket[limit.bucket] += 1
        headers = {
            "X-RateLimit-Limit": str(decision.limit),
            "X-RateLimit-Remaining": str(decision.remaining),
        }
        if not decision.allowed:
            core.tally.limited_by_bucket[limit.bucket] += 1
            headers["Retry-After"] = str(decision.retry_after)
            message = (
                f"Too many requests: {limit.bucket} allows {limit.requests_per_second} "
                f"per second; retry after {decision.retry_after} s."
            )
            await error(429, message, headers)(scope, receive, send)
            return
        try:
            # Read now: a request the server accepted is processed even if its client gives
            # up during an injected delay, as a real server behind a gateway would.
            body = await request.body()
        except ClientDisconnect:
            return
        fault = core.faults.take(operation.operation_id, organization)
        if fault is not None:
            core.tally.fault(operation.operation_id, fault.kind.value)
        if await self._fault_at(When.BEFORE, fault, None, headers, scope, receive, send):
            return
        response = await self._process(request, body, operation, found.path_params, organization)
        response.headers.update(headers)
        if await self._fault_at(When.AFTER, fault, response, headers, scope, receive, send):
            return
        await response(scope, receive, send)

    def _validate(
        self,
        operation: Operation,
        path: dict[str, str],
        query: dict[str, str],
        headers: Headers,
        body: bytes,
    ) -> ValidRequest | Response:
        """The request converted and checked, or its 400 answer.

        Reads only what never changes after start-up (the operation, its validator), so it
        may run on a worker thread.
        """
        content_type = headers.get("content-type")
        problem = oversized_parameter(operation, path, query)
        if problem is not None:
            return error(400, f"Invalid request: {problem}.")
        validator = self.core.validators[operation.operation_id]
        try:
            return validator.validate(path, query, headers, body, content_type)
        except InvalidRequestError as invalid:
            return error(400, f"Invalid request: {invalid}.")

    async def _process(
        self,
        request: Request,
        body: bytes,
        operation: Operation,
        path: dict[str, str],
        organization: str,
    ) -> Response:
        """Validate, run the handler, and check its answer against the description."""
        core = self.core
        validate = functools.partial(
            self._validate, operation, path, dict(request.query_params), request.headers, body
        )
        # Parsing and validating a large body takes long enough to stall every other
        # client if done on the event loop; the handler itself runs back on the loop.
        valid = await asyncio.to_thread(validate) if len(body) > OFF_LOOP_BYTES else validate()
        if isinstance(valid, Response):
            return valid
        call = Call(
            workspace=core.workspace(organization),
            path=valid.path,
            query=valid.query,
            body=valid.body,
            tally=core.tally,
            now=int(core.options.wall_clock()),
            page_url=_page_url(request),
        )
        try:
            reply = core.handlers[operation.operation_id](call)
        except ApiError as failure:
            if str(failure.status) not in operation.responses:
                return self._bug(operation, f"it answered {failure.status}, not declared")
            return error(failure.status, failure.message)
        except Exception as crash:  # a handler bug must still get an answer, and a name
            logger.exception("handler of %s failed", operation.operation_id)
            return self._bug(operation, f"its handler raised {crash!r}")
        status = reply.status or operation.success_statuses[0]
        if core.options.check_responses:
            pointer = operation.responses.get(str(status))
            problem = None if pointer is None else core.schemas.problem(pointer, reply.body, "body")
            if str(status) not in operation.responses or problem:
                return self._bug(operation, problem or f"it answered {status}, not declared")
        try:
            return JSONResponse(reply.body, status)
        except (ValueError, TypeError, RecursionError) as unanswerable:
            # Write-time checks keep such values out; should one slip in, say so in JSON.
            return self._bug(operation, f"its answer cannot be written as JSON: {unanswerable}")

    @staticmethod
    def _bug(operation: Operation, what: str) -> Response:
        logger.error("sandbox bug in %s: %s", operation.operation_id, what)
        return error(500, f"Sandbox bug in {operation.operation_id}: {what}.")

    async def _fault_at(
        self,
        when: When,
        fault: Fault | None,
        processed: Response | None,
        headers: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> bool:
        """Carry out ``fault`` if it strikes ``when``; True when it answered the request itself."""
        if fault is None or fault.when is not when:
            return False
        if fault.kind is FaultKind.DELAY:
            await asyncio.sleep(fault.delay)
            return False
        await self._strike(fault, processed, headers, scope, receive, send)
        return True

    async def _strike(
        self,
        fault: Fault,
        processed: Response | None,
        headers: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Send the fault's answer, or break the connection."""
        mark_injected(scope)
        if fault.kind is FaultKind.DROP:
            await self._close(scope)
            return
        if fault.kind is FaultKind.TRUNCATE:
            # Only an answer that exists can be cut short: Fault refuses truncate "before".
            answer = processed or error(500, "Truncated.", headers)
            body = bytes(answer.body)
            await send(
                {
                    "type": "http.response.start",
                    "status": answer.status_code,
                    "headers": answer.raw_headers,
                }
            )
            half = body[: len(body) // 2]
            await send({"type": "http.response.body", "body": half, "more_body": True})
            await self._close(scope)
            return
        answer = fault_answer(fault, headers, self.core.options.wall_clock())
        await answer(scope, receive, send)

    async def _close(self, scope: Scope) -> None:
        closer = self.core.close_connection
        if closer is not None and closer(scope):
            # Let the server notice the closed transport before the app returns, so it
            # does not try to answer or log an unfinished response.
            await asyncio.sleep(0)
            return
        raise _ConnectionDroppedError("no connection closer; relying on the server to close")


def _page_url(request: Request) -> Callable[[int, int | None], str]:
    raw = bytes(request.scope.get("raw_path") or request.url.path.encode()).decode("latin-1")
    origin = f"{request.url.scheme}://{request.url.netloc}"

    def page_url(limit: int, cursor: int | None) -> str:
        query: dict[str, int] = {"limit": limit}
        if cursor is not None:
            query["cursorId"] = cursor
        return f"{origin}{raw.split('?', 1)[0]}?{urlencode(query)}"

    return page_url
