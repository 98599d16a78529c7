r"""A description's regular expression in words: ``^\+[0-9]{6,15}$`` is "+ then 6 to 15 digits".

Only the constructs simple patterns use are read: anchors, literal characters, character
classes, quantifiers and one level of alternation. Anything else gives None, and the
reference shows the pattern alone.
"""

from __future__ import annotations

import re

__all__ = ["pattern_words"]

_CLASSES = {
    "0-9": ("a digit", "digits"),
    "\\d": ("a digit", "digits"),
    "A-Z": ("a capital letter", "capital letters"),
    "a-z": ("a lower-case letter", "lower-case letters"),
    "A-Za-z0-9_": ("a letter, digit or underscore", "letters, digits or underscores"),
    "^\\s@": ("a character other than a space or @", "characters other than spaces and @"),
}
_TOKEN = re.compile(r"\\.|\[[^\]]*\]|[^\\\[]")
_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d+))?\}|[+*?]")


def pattern_words(pattern: str) -> str | None:
    """The pattern said in words, or None when it uses a construct this does not read."""
    if not (pattern.startswith("^") and pattern.endswith("$")):
        return None
    body = pattern[1:-1]
    if body.startswith("(") and body.endswith(")") and body.count("(") == 1:
        branches = [_sequence(branch) for branch in body[1:-1].split("|")]
        if any(branch is None for branch in branches):
            return None
        return "one of: " + "; or ".join(str(b) for b in branches)
    return _sequence(body)


def _sequence(text: str) -> str | None:
    parts: list[str] = []
    literal = ""
    position = 0
    while position < len(text):
        token = _TOKEN.match(text, position)
        if token is None or token.group() in "()|.":
            return None
        position = token.end()
        quantifier = _QUANTIFIER.match(text, position)
        position = quantifier.end() if quantifier else position
        atom = token.group()
        if atom.startswith("[") or atom == "\\d":
            names = _CLASSES.get(atom.strip("[]"))
            if names is None:
                return None
            if literal:
                parts.append(f"`{literal}`")
                literal = ""
            parts.append(_counted(names, quantifier.group() if quantifier else ""))
        elif quantifier:
            return None
        else:
            literal += atom[1:] if atom.startswith("\\") else atom
    if literal:
        parts.append(f"`{literal}`")
    return " then ".join(parts)


def _counted(names: tuple[str, str], quantifier: str) -> str:
    one, many = names
    if not quantifier:
        return one
    if quantifier == "+":
        return f"one or more {many}"
    if quantifier == "*":
        return f"any number of {many}"
    if quantifier == "?":
        return f"optionally {one}"
    low, _, high = quantifier.strip("{}").partition(",")
    if not high:
        return f"{low} {many}"
    return f"{low} to {high} {many}"
