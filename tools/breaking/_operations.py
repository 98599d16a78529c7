"""Operation against operation: presence, ids, parameters, bodies, responses, rate limits."""

from __future__ import annotations

from typing import Any

from chatapi_description import escape
from tools._files import Document
from tools.breaking._documents import Operation, operations, resolve, resolve_object
from tools.breaking._model import Change, Direction
from tools.breaking._schemas import SchemaComparison

# A parameter by (in, name); its object, its resolved pointer and where the operation lists it.
Parameters = dict[tuple[str, str], tuple[dict[str, Any], str, str]]


def compare_operations(base: Document, head: Document) -> list[Change]:
    """Every breaking change from the release `base` to `head`, operation by operation."""
    return _OperationComparison(base, head).run()


class _OperationComparison:
    def __init__(self, base: Document, head: Document) -> None:
        self.base = base
        self.head = head
        self.schemas = SchemaComparison(base, head)
        self.base_ops = operations(base)
        self.head_ops = operations(head)

    def run(self) -> list[Change]:
        head_by_id = {op.operation_id: op for op in self.head_ops.values() if op.operation_id}
        head_paths = {path for path, _ in self.head_ops}
        changes: list[Change] = []
        for key, old in self.base_ops.items():
            new = self.head_ops.get(key)
            if new is None:
                changes.append(_gone(old, head_by_id.get(old.operation_id), head_paths))
                continue
            if new.operation_id != old.operation_id:
                message = (
                    f"operationId {old.operation_id!r} became {new.operation_id!r} "
                    "(generated clients name their functions after it)"
                )
                pointer = new.pointer + "/operationId"
                changes.append(Change("operation-id-changed", old.label, message, pointer))
            changes += self._parameters(old, new)
            changes += self._request_body(old, new)
            changes += self._responses(old, new)
            changes += self._rate_limit(old, new)
        return changes

    # Parameters ---------------------------------------------------------------------------

    @staticmethod
    def _parameter_map(document: Document, operation: Operation) -> Parameters:
        """The operation's parameters, its own overriding its path item's."""
        found: Parameters = {}
        path_pointer = operation.pointer.rsplit("/", 1)[0]
        levels = (
            (operation.path_item.get("parameters") or [], path_pointer),
            (operation.body.get("parameters") or [], operation.pointer),
        )
        for parameters, owner in levels:
            for index, raw in enumerate(parameters):
                listed = f"{owner}/parameters/{index}"
                parameter, pointer = resolve_object(document, raw, listed)
                where, name = str(parameter.get("in", "")), str(parameter.get("name", ""))
                found[where, name.lower() if where == "header" else name] = (
                    parameter,
                    pointer,
                    listed,
                )
        return found

    def _parameters(self, old: Operation, new: Operation) -> list[Change]:
        changes: list[Change] = []
        base = self._parameter_map(self.base, old)
        head = self._parameter_map(self.head, new)
        for key, (parameter, pointer, listed) in base.items():
            label = f"{key[0]} parameter {parameter.get('name')!r}"
            if key not in head:
                changes.append(Change("parameter-removed", old.label, f"{label} is gone", listed))
                continue
            new_parameter, new_pointer, _ = head[key]
            if new_parameter.get("required") and not parameter.get("required"):
                message = f"{label} became required"
                pointer_required = new_pointer + "/required"
                changes.append(
                    Change("parameter-now-required", old.label, message, pointer_required)
                )
            where = f"{old.label} {label}"
            if "schema" in parameter or "schema" in new_parameter:
                changes += self.schemas.compare(
                    parameter.get("schema", {}),
                    f"{pointer}/schema",
                    new_parameter.get("schema", {}),
                    f"{new_pointer}/schema",
                    Direction.REQUEST,
                    where,
                )
            else:
                changes += self._content(
                    parameter, pointer, new_parameter, new_pointer, Direction.REQUEST, where
                )
        for key, (parameter, _, listed) in head.items():
            if key not in base and parameter.get("required"):
                message = f"new required {key[0]} parameter {parameter.get('name')!r}"
                changes.append(Change("parameter-added-required", old.label, message, listed))
        return changes

    # Bodies ---------------------------------------------------------------------------------

    def _request_body(self, old: Operation, new: Operation) -> list[Change]:
        where = f"{old.label} request body"
        base_raw, head_raw = old.body.get("requestBody"), new.body.get("requestBody")
        if base_raw is None:
            if head_raw is None:
                return []
            head, pointer = resolve_object(self.head, head_raw, new.pointer + "/requestBody")
            if not head.get("required"):
                return []
            return [Change("request-body-added", where, "a required body is new", pointer)]
        if head_raw is None:
            pointer = old.pointer + "/requestBody"
            return [Change("request-body-removed", where, "the body is gone", pointer)]
        base, base_pointer = resolve_object(self.base, base_raw, old.pointer + "/requestBody")
        head, head_pointer = resolve_object(self.head, head_raw, new.pointer + "/requestBody")
        changes: list[Change] = []
        if head.get("required") and not base.get("required"):
            pointer = head_pointer + "/required"
            changes.append(
                Change("request-body-now-required", where, "the body became required", pointer)
            )
        changes += self._content(base, base_pointer, head, head_pointer, Direction.REQUEST, where)
        return changes

    def _content(
        self,
        base: dict[str, Any],
        base_pointer: str,
        head: dict[str, Any],
        head_pointer: str,
        direction: Direction,
        where: str,
    ) -> list[Change]:
        """The media types of a body (or parameter) and their schemas."""
        changes: list[Change] = []
        head_content = head.get("content") or {}
        for media_type, media in (base.get("content") or {}).items():
            at = f"{base_pointer}/content/{escape(media_type)}"
            if media_type not in head_content:
                rule = f"{direction.value}-media-type-removed"
                changes.append(Change(rule, where, f"{media_type} is gone", at))
                continue
            changes += self.schemas.compare(
                (media or {}).get("schema", {}),
                f"{at}/schema",
                (head_content[media_type] or {}).get("schema", {}),
                f"{head_pointer}/content/{escape(media_type)}/schema",
                direction,
                f"{where} {media_type}",
            )
        return changes

    # Responses ------------------------------------------------------------------------------

    def _responses(self, old: Operation, new: Operation) -> list[Change]:
        changes: list[Change] = []
        head_responses = new.body.get("responses") or {}
        for status, raw in (old.body.get("responses") or {}).items():
            where = f"{old.label} response {status}"
            listed = f"{old.pointer}/responses/{status}"
            if status not in head_responses:
                changes.append(
                    Change("response-removed", where, f"status {status} is gone", listed)
                )
                continue
            base, base_pointer = resolve_object(self.base, raw, listed)
            head, head_pointer = resolve_object(
                self.head, head_responses[status], f"{new.pointer}/responses/{status}"
            )
            changes += self._headers(base, base_pointer, head, head_pointer, where)
            changes += self._content(
                base, base_pointer, head, head_pointer, Direction.RESPONSE, where
            )
        return changes

    def _headers(
        self,
        base: dict[str, Any],
        base_pointer: str,
        head: dict[str, Any],
        head_pointer: str,
        where: str,
    ) -> list[Change]:
        changes: list[Change] = []
        head_headers = {name.lower(): (name, h) for name, h in (head.get("headers") or {}).items()}
        for name, raw in (base.get("headers") or {}).items():
            listed = f"{base_pointer}/headers/{escape(name)}"
            if name.lower() not in head_headers:
                changes.append(
                    Change("response-header-removed", where, f"header {name} is gone", listed)
                )
                continue
            header, pointer = resolve_object(self.base, raw, listed)
            new_name, new_raw = head_headers[name.lower()]
            new_header, new_pointer = resolve_object(
                self.head, new_raw, f"{head_pointer}/headers/{escape(new_name)}"
            )
            if header.get("required") and not new_header.get("required"):
                message = f"header {name} is no longer always sent"
                changes.append(Change("response-header-now-optional", where, message, new_pointer))
            changes += self.schemas.compare(
                header.get("schema", {}),
                f"{pointer}/schema",
                new_header.get("schema", {}),
                f"{new_pointer}/schema",
                Direction.RESPONSE,
                f"{where} header {name}",
            )
        return changes

    # Rate limits ----------------------------------------------------------------------------

    def _rate_limit(self, old: Operation, new: Operation) -> list[Change]:
        """A lower limit, or a bucket now shared with another operation, throttles clients."""
        base_limit, head_limit = _limit(self.base, old), _limit(self.head, new)
        pointer = new.pointer + "/x-rate-limit"
        if base_limit is None:
            return []
        if head_limit is None:
            message = "x-rate-limit is gone: clients can no longer pace the operation"
            return [Change("rate-limit-removed", old.label, message, new.pointer)]
        changes: list[Change] = []
        if head_limit[1] < base_limit[1]:
            message = f"{base_limit[1]:g} -> {head_limit[1]:g} requests per second"
            changes.append(Change("rate-limit-lowered", old.label, message, pointer))
        before = _sharing(self.base, self.base_ops, base_limit[0])
        after = _sharing(self.head, self.head_ops, head_limit[0])
        joined = [self.base_ops[key] for key in self.base_ops if key in after - before]
        if joined:
            names = ", ".join(op.operation_id or op.label for op in joined)
            message = f"bucket {head_limit[0]!r} now shares its budget with {names}"
            changes.append(Change("rate-limit-bucket-shared", old.label, message, pointer))
        return changes


def _gone(old: Operation, moved: Operation | None, head_paths: set[str]) -> Change:
    if moved is not None:
        message = f"now {moved.method.upper()} {moved.path}"
        return Change("operation-moved", old.label, message, moved.pointer)
    if old.path not in head_paths:
        return Change("path-removed", old.label, f"the path {old.path} is gone", old.pointer)
    return Change("operation-removed", old.label, "the operation is gone", old.pointer)


def _limit(document: Document, operation: Operation) -> tuple[str, float] | None:
    """The operation's (bucket, requests per second) from its own `x-rate-limit`.

    Every operation must carry one (the description model refuses one without): the
    `x-rate-limit-default` is for requests no operation serves, not a fallback.
    """
    limit = operation.body.get("x-rate-limit")
    limit, _ = resolve(document, limit, operation.pointer + "/x-rate-limit")
    if not isinstance(limit, dict):
        return None
    rate = limit.get("requests-per-second")
    if not isinstance(rate, int | float) or isinstance(rate, bool):
        return None
    return str(limit.get("bucket", "")), float(rate)


def _sharing(
    document: Document, ops: dict[tuple[str, str], Operation], bucket: str
) -> set[tuple[str, str]]:
    """The operations whose limit is the budget of `bucket`."""
    return {
        key
        for key, op in ops.items()
        if (limit := _limit(document, op)) is not None and limit[0] == bucket
    }
