"""The sandbox's live parts, built once from the description: routes, validators, state."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import Scope

from chatapi_description import DescriptionError, Operation, OperationIndex, Schemas, read_index

from ._counters import Tally
from ._example_only import example_handler
from ._faults import FaultPlan
from ._handlers import HANDLERS, Handler
from ._options import SandboxOptions
from ._ratelimit import SlidingWindowLimiter
from ._seed import seed
from ._state import Workspace
from ._validation import RequestValidator

__all__ = ["ConnectionCloser", "SandboxCore", "SpecError"]

logger = logging.getLogger("chatapi_sandbox")


class SpecError(DescriptionError):
    """A handler without operation, or a description the sandbox cannot serve."""


ConnectionCloser = Callable[[Scope], bool]
"""Closes the connection a request came on, at once; False if it cannot."""


class SandboxCore:
    """Operations, validators, limiter, faults, counters and workspaces of one sandbox.

    Lives on the server's event loop: only the loop's thread touches it.
    """

    def __init__(
        self,
        spec: Mapping[str, Any],
        options: SandboxOptions,
        handlers: Mapping[str, Handler] = HANDLERS,
        index: OperationIndex | None = None,
    ) -> None:
        """Pair each operation of ``spec`` with its handler and build every validator.

        An operation without a handler is served from its success example
        (``example_only`` lists them).

        ``index`` is ``spec``'s operation index (``chatapi_client.operations.INDEX`` for the
        bundled description); it is built from ``spec`` when not given.

        Raises:
            SpecError: a handler without operation, an operation with neither handler nor
                example, or a construct of the description the sandbox cannot serve.
        """
        self.options = options
        try:
            self.index = read_index(spec) if index is None else index
        except DescriptionError as problem:
            raise SpecError(str(problem)) from None
        operations = self.index.operations
        self.base_path = self.index.base_path
        declared = {op.operation_id for op in operations}
        orphans = sorted(handlers.keys() - declared)
        if orphans:
            raise SpecError(
                f"the description and the handlers disagree: handlers without operation: {orphans}"
            )
        self.operations: dict[str, Operation] = {op.operation_id: op for op in operations}
        self.example_only = tuple(sorted(declared - handlers.keys()))
        """Operations without a handler, answered with the description's success example."""
        try:
            self.handlers = {
                op_id: handlers[op_id]
                if op_id in handlers
                else example_handler(spec, self.operations[op_id])
                for op_id in self.operations
            }
        except DescriptionError as problem:
            raise SpecError(str(problem)) from None
        if self.example_only:
            logger.info("example-only operations: %s", ", ".join(self.example_only))
        self.schemas = Schemas(spec)
        try:
            self.validators = {
                op.operation_id: RequestValidator(self.schemas, op) for op in operations
            }
            for operation in operations:
                for pointer in operation.responses.values():
                    if pointer is not None:
                        self.schemas.validator(pointer)
        except DescriptionError as problem:
            raise SpecError(str(problem)) from None
        self.organizations = {t.token: t.organization for t in options.tokens}
        self.limiter = SlidingWindowLimiter(clock=options.clock)
        self.faults = FaultPlan()
        self.tally = Tally()
        self.workspaces: dict[str, Workspace] = {}
        self.close_connection: ConnectionCloser | None = None

    def workspace(self, organization: str) -> Workspace:
        """The organization's workspace, seeded on first use."""
        found = self.workspaces.get(organization)
        if found is None:
            found = self.workspaces[organization] = Workspace()
            seed(found)
        return found

    def organization(self, authorization: str | None) -> str | None:
        """The organization of a ``Bearer`` token, or None for a missing or unknown one."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.organizations.get(token.strip())

    def reset(self) -> None:
        """Back to a fresh start: seeded workspaces, empty windows, no fault, zero counters."""
        self.workspaces.clear()
        self.limiter.reset()
        self.faults.clear()
        self.tally.reset()
