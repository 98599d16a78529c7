"""Old model names kept as aliases in ``chatapi_client.models`` (generator/model_aliases.yaml).

When a schema is renamed (or merged into another) so that other languages' generators produce
natural types, the Python class follows the new name; the alias keeps ``from
chatapi_client.models import <old name>`` working. Each alias is a plain assignment, so
``isinstance`` and type checkers treat old and new names as the same class.
"""

from __future__ import annotations

import re
from pathlib import Path

from chatapi_description import DescriptionError, load_yaml

__all__ = ["AliasError", "add_aliases", "read_aliases"]

_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_ALL_BLOCK = re.compile(r"^__all__ = \(\n(?P<names>(?:    \"\w+\",\n)*)\)\n", re.MULTILINE)


class AliasError(ValueError):
    """The alias file is malformed, or names a model that does not exist or already exists."""


def read_aliases(path: Path) -> dict[str, str]:
    """Old name -> new name, as the file lists them; an empty file means no alias."""
    try:
        data = load_yaml(path) if path.exists() else {}
    except DescriptionError as exc:
        raise AliasError(str(exc)) from exc
    data = data or {}
    if not isinstance(data, dict):
        raise AliasError(f"{path.name}: expected a mapping of old name to new name")
    aliases: dict[str, str] = {}
    for old, new in data.items():
        if not (isinstance(old, str) and isinstance(new, str)):
            raise AliasError(f"{path.name}: {old!r}: {new!r} is not a pair of names")
        if not (_NAME.match(old) and _NAME.match(new)):
            raise AliasError(f"{path.name}: {old!r}: {new!r} is not a pair of class names")
        aliases[old] = new
    return aliases


def add_aliases(models_init: Path, aliases: dict[str, str]) -> None:
    """Append `Old = New` to the generated ``models/__init__.py`` and list the old names.

    Raises AliasError when a new name is no model there or an old name still is one.
    """
    if not aliases:
        return
    text = models_init.read_text(encoding="utf-8")
    block = _ALL_BLOCK.search(text)
    if block is None:
        raise AliasError(f"{models_init.name}: no `__all__ = (...)` block to extend")
    exported = set(re.findall(r"\"(\w+)\"", block.group("names")))
    for old, new in aliases.items():
        if new not in exported:
            raise AliasError(f"alias {old} -> {new}: the generator wrote no model {new}")
        if old in exported:
            raise AliasError(f"alias {old} -> {new}: {old} is still a model of its own")
    names = block.group("names") + "".join(f'    "{old}",\n' for old in aliases)
    text = text[: block.start()] + f"__all__ = (\n{names})\n" + text[block.end() :]
    lines = [
        "",
        "# Earlier names of renamed models (generator/model_aliases.yaml).",
        *(f"{old} = {new}" for old, new in aliases.items()),
        "",
    ]
    models_init.write_text(text.rstrip("\n") + "\n" + "\n".join(lines), encoding="utf-8")
