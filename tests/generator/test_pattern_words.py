"""Patterns of the description said in words, and the ones that cannot be."""

from __future__ import annotations

import pytest

from generator.pattern_words import pattern_words


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"^\+[0-9]{6,15}$", "`+` then 6 to 15 digits"),
        (r"^[A-Z]{2}$", "2 capital letters"),
        (r"^[A-Za-z0-9_]+$", "one or more letters, digits or underscores"),
        (r"^[0-9]+$", "one or more digits"),
        (
            r"^(id:[0-9]+|phone:\+[0-9]{6,15})$",
            "one of: `id:` then one or more digits; or `phone:+` then 6 to 15 digits",
        ),
    ],
)
def test_simple_patterns_are_said_in_words(pattern: str, words: str) -> None:
    assert pattern_words(pattern) == words


@pytest.mark.parametrize("pattern", [r"^a.b$", r"^(a|(b))$", r"^[b-d]+$", r"[0-9]+", r"^a+$"])
def test_other_patterns_give_none(pattern: str) -> None:
    assert pattern_words(pattern) is None
