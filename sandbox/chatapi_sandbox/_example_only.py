"""Operations of the description without a handler, answered from the description's examples.

A new operation works in the sandbox as soon as it is described: its requests are validated
and rate-limited like every other's (the API app does that before any handler), and its
success answer is the example the description gives for it. A hand-written handler, when
one is added, replaces the example.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatapi_description import DescriptionError, Document, Operation, escape

from ._handlers import Call, Handler, Reply

__all__ = ["example_handler", "success_example"]


def success_example(spec: Mapping[str, Any], operation: Operation) -> tuple[int, Any]:
    """The lowest documented 2xx status of ``operation`` and the example of its JSON body.

    The example is the media type's ``example``, else its first ``examples`` entry, else the
    body schema's ``example`` or first ``examples``; a response without a body is None.

    Raises:
        DescriptionError: the answer has a body but the description gives no example of it.
    """
    if not operation.success_statuses:
        raise DescriptionError(f"{operation.operation_id} documents no 2xx answer")
    status = operation.success_statuses[0]
    document = Document(spec)
    pointer = f"#/paths/{escape(operation.path)}/{operation.method.lower()}/responses/{status}"
    response, where = document.resolve_mapping(document.at(pointer), pointer)
    media = (response.get("content") or {}).get("application/json")
    if media is None:
        return status, None
    if "example" in media:
        return status, media["example"]
    for name, entry in (media.get("examples") or {}).items():
        example, _ = document.resolve_mapping(entry, f"{where}/content/examples/{name}")
        if "value" in example:
            return status, example["value"]
    if "schema" in media:
        schema, _ = document.resolve(media["schema"], f"{where}/content/schema")
        if isinstance(schema, Mapping):
            if "example" in schema:
                return status, schema["example"]
            if schema.get("examples"):
                return status, schema["examples"][0]
    raise DescriptionError(
        f"{operation.operation_id} has no handler and its {status} answer no example: "
        "add an example to the description (or a handler to the sandbox)"
    )


def example_handler(spec: Mapping[str, Any], operation: Operation) -> Handler:
    """A handler that answers every valid request with the operation's success example."""
    status, body = success_example(spec, operation)

    def answer(_: Call) -> Reply:
        return Reply(body, status)

    return answer
