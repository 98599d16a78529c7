"""Render ``chatapi_client/operations.py``: the operation index of the description.

The generator's templates cannot see ``x-`` extensions, so the pipeline writes this module
itself, from the same parse: ``chatapi_description.read_index`` builds the index and its
``repr`` is the Python that rebuilds it (ruff formats it afterwards).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatapi_description import DescriptionError, read_index

__all__ = ["DescriptionError", "render_index"]


def render_index(spec: Mapping[str, Any]) -> str:
    """The Python source of ``chatapi_client/operations.py`` for ``spec``.

    Raises:
        DescriptionError: the description lacks what the index needs (e.g. ``x-rate-limit``).
    """
    index = read_index(spec)
    return f'''"""Every operation of the description, as the code needs to know it.

``INDEX.match(method, raw_path)`` maps a request to its operation; each operation carries its
method, path template, tag, rate limit (``x-rate-limit``: operations naming the same bucket
share one budget per organization), parameters, body, responses, whether it pages and
whether it is safe to repeat (``x-idempotent``). The client's rate limiter, retries and
response check, the bulk jobs and the sandbox's router all use this index.
"""

from __future__ import annotations

from chatapi_description import (
    Operation,
    OperationIndex,
    Parameter,
    RateLimit,
    RequestBody,
)

__all__ = ["INDEX"]

INDEX = {index!r}
"""The operations of the bundled description (``openapi.json``), in document order."""
'''
