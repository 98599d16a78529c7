r"""Read JSON bodies into values the sandbox can always answer with.

``json.loads`` accepts more than JSON can carry back out: a lone surrogate escape
(``"\ud800"``) becomes a string UTF-8 cannot encode, ``1e400`` becomes ``inf``, which
strict JSON cannot write, and a body nested thousands of levels deep exhausts the
recursion of whatever walks it next (the schema validator, the encoder). Stored, any of
these would make every later read of the record fail. They are refused here, before
anything is validated or stored, with a sentence that becomes a 400 answer.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ._numbers import MAX_DIGITS

__all__ = ["MAX_DEPTH", "UnreadableBodyError", "is_json_media", "read_json"]

MAX_DEPTH = 64
"""The deepest nesting of arrays and objects a body may have."""


class UnreadableBodyError(ValueError):
    """The body is not JSON the sandbox can store; ``str()`` is the sentence for the client."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _bounded(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"an integer has {len(text.lstrip('-'))} digits, at most {MAX_DIGITS}")
    return int(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(value: Any) -> None:
    """Walk ``value`` without recursion: depth, and strings UTF-8 can encode."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if not _encodable(node):
                raise UnreadableBodyError(
                    "request body has a string with a lone surrogate (\\ud800-\\udfff), "
                    "which is not Unicode text"
                )
        elif isinstance(node, dict | list):
            if depth >= MAX_DEPTH:
                raise UnreadableBodyError(f"request body is nested more than {MAX_DEPTH} deep")
            if isinstance(node, dict):
                stack.extend((key, depth + 1) for key in node)
                stack.extend((item, depth + 1) for item in node.values())
            else:
                stack.extend((item, depth + 1) for item in node)


def is_json_media(content_type: str | None) -> bool:
    """Whether a Content-Type names JSON (absent counts as JSON, as the validator reads it)."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def read_json(body: bytes) -> Any:
    """The JSON value of ``body``, refused unless every part of it can be answered back.

    Raises:
        UnreadableBodyError: not JSON, a non-finite or over-long number, a lone
            surrogate, or nesting deeper than ``MAX_DEPTH``.
    """
    try:
        value = json.loads(
            body, parse_float=_finite, parse_int=_bounded, parse_constant=_no_constant
        )
    except RecursionError:
        raise UnreadableBodyError(f"request body is nested more than {MAX_DEPTH} deep") from None
    except ValueError as error:
        raise UnreadableBodyError(f"request body is not valid JSON: {error}") from None
    _check(value)
    return value
