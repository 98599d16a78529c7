"""Reading the YAML description as JSON data, the way the generator reads it."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DescriptionError", "load_yaml"]


class DescriptionError(ValueError):
    """The description cannot be read, or says something the model cannot represent."""


_PARSED_LIMIT = 32
_parsed_lock = threading.Lock()
_parsed: OrderedDict[bytes, str] = OrderedDict()
"""The last documents read, as JSON text keyed by the SHA-256 of their bytes.

The YAML reader is pure Python (a second and more for the description), and the tools and
tests read the same few files again and again. JSON text keeps the cache immutable: each
call gets data of its own to change.
"""


def load_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML (or JSON) description as JSON data: YAML 1.2, string keys only.

    The reader is the one openapi-python-client parses the description with
    (``ruamel.yaml``, safe), so every part of the project sees the document the generator
    saw. ``ruamel.yaml`` comes with the generator; it is needed at build and test time
    only, never when the client runs (the generated package ships the description as JSON).

    Raises:
        DescriptionError: the file cannot be read, is not YAML, or is not a mapping.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DescriptionError(f"cannot read {path.name}: {error}") from None
    key = hashlib.sha256(raw).digest()
    with _parsed_lock:
        text = _parsed.get(key)
        if text is not None:
            _parsed.move_to_end(key)
    if text is not None:
        known: dict[str, Any] = json.loads(text)
        return known
    reader = YAML(typ="safe")
    reader.Constructor = _constructor()
    try:
        data = reader.load(raw)
    except YAMLError as error:
        raise DescriptionError(f"cannot read {path.name}: {error}") from None
    if not isinstance(data, dict):
        raise DescriptionError(f"{path.name}: the document is not a mapping")
    converted: dict[str, Any] = _as_json(data, "")
    text = json.dumps(converted)
    with _parsed_lock:
        _parsed[key] = text
        if len(_parsed) > _PARSED_LIMIT:
            _parsed.popitem(last=False)
    return converted


def _as_json(value: Any, pointer: str) -> Any:
    """``value`` as a JSON reader would hold it: ``200:`` is the key ``"200"``."""
    if isinstance(value, dict):
        return {_json_key(key): _as_json(item, f"{pointer}/{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item, f"{pointer}/{index}") for index, item in enumerate(value)]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    # Binary scalars and other tagged values have no JSON form: quote them.
    raise DescriptionError(f"{pointer or '/'}: {type(value).__name__} is not a JSON value")


@cache
def _constructor() -> Any:
    """ruamel.yaml's safe constructor, less timestamps: a plain ``2024-01-01`` stays a string.

    ruamel.yaml still resolves YAML 1.1 timestamps; YAML 1.2's core schema, and every other
    tool that reads the description, sees the scalar as written. A subclass, so the
    generator's own reader (the same class) is left as it is.
    """
    from ruamel.yaml.constructor import SafeConstructor

    class Constructor(SafeConstructor):
        pass

    def as_written(constructor: Any, node: Any) -> str:
        return str(constructor.construct_scalar(node))

    Constructor.add_constructor("tag:yaml.org,2002:timestamp", as_written)
    return Constructor


def _json_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)
