r"""Integers read from text (paths, queries, identifiers, ``assignee``), bounded and ASCII only.

Python's ``int()`` accepts any Unicode digit (full-width ``"\uff14\uff12"`` is 42) and
refuses more than 4,300 digits with a ``ValueError``: read unchecked, a request could name
user 42 with full-width digits or crash the sandbox with a long number. Everything the
sandbox reads as an integer from text goes through here first.
"""

from __future__ import annotations

from collections.abc import Mapping

from chatapi_description import Operation

__all__ = ["MAX_DIGITS", "ascii_digits", "bounded_int", "oversized_parameter"]

MAX_DIGITS = 100
"""The most digits an integer read from text may have; far beyond any id or count."""


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more of ``0``-``9`` and nothing else."""
    return text.isascii() and text.isdigit()


def bounded_int(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """The value of ``text`` if it is 1 to ``max_digits`` ASCII digits, else None."""
    if not ascii_digits(text) or len(text) > max_digits:
        return None
    return int(text)


def oversized_parameter(
    operation: Operation, path: Mapping[str, str], query: Mapping[str, str]
) -> str | None:
    """A sentence about the first integer or number parameter longer than ``MAX_DIGITS``.

    Such a value is refused (400) before it is converted; anything shorter is left to the
    request validator, which checks its form and range against the description.
    """
    sources = {"path": path, "query": query}
    for parameter in operation.parameters:
        if parameter.scalar_type not in ("integer", "number"):
            continue
        raw = sources.get(parameter.location, {}).get(parameter.name)
        if raw is not None and len(raw) > MAX_DIGITS:
            return (
                f"{parameter.location} parameter '{parameter.name}' is too long "
                f"({len(raw)} characters, at most {MAX_DIGITS} digits)"
            )
    return None
