r"""JSON Schema ``pattern``s with ECMA-262 meaning, compiled for Python's ``re``.

JSON Schema patterns are ECMA-262 regular expressions, and clients (and schemathesis)
generate data by that meaning. Python's ``re`` differs where it matters for the
description's patterns: its ``\s``, ``\d`` and ``\w`` are Unicode-wide (``\s`` also
matches ``\x1c``-``\x1f`` and ``\x85``), and its ``$`` also matches before a final
newline. This rewrites those constructs to their ECMA-262 sets and to ``\Z``.
"""

from __future__ import annotations

import functools
import re

__all__ = ["ecma_regex"]

_SETS = {
    "d": "0-9",
    "w": "A-Za-z0-9_",
    "s": "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff",
}


@functools.lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled to match as ECMA-262 (unicode mode off) would."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            chars = _SETS.get(escaped.lower())
            if chars is None or (in_class and escaped.isupper()):
                out.append(char + escaped)  # a negated set inside a class: keep as written
            elif in_class:
                out.append(chars)
            else:
                out.append(f"[{'^' if escaped.isupper() else ''}{chars}]")
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = "\\Z"  # end of input only, not before a trailing newline
        out.append(char)
        index += 1
    return re.compile("".join(out))
