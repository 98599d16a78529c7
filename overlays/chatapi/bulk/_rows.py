"""Rows of a contacts CSV file, mapped to the API's fields and checked against the description.

Columns named like the API's fields (``firstName``, ``lastName``, ``email``, ``phone``,
``language``, ``countryCode``, ``profilePic``, ``tags``) need no mapping; others are mapped
with ``mapping`` (``{"first_name": "firstName", "plan": "custom:plan"}``). Checking needs no
network: each row is validated with the description's own schemas and patterns.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from chatapi_client.spec import load_spec
from chatapi_description import Schemas

__all__ = [
    "CONTACT_FIELDS",
    "ContactRow",
    "RowProblem",
    "RowSettings",
    "file_fingerprint",
    "read_contact_rows",
]

CONTACT_FIELDS = (
    "firstName",
    "lastName",
    "email",
    "phone",
    "language",
    "countryCode",
    "profilePic",
)
"""The writable contact fields a column may feed (``ContactFields`` in the description)."""
_TAGS = "tags"
_CUSTOM = "custom:"
_FIELDS_SCHEMA = "#/components/schemas/ContactFields"
_IDENTIFIER_SCHEMA = "#/components/schemas/EmailOrPhoneIdentifier"
_TAGS_SCHEMA = "#/components/schemas/TagNames"


@dataclass(frozen=True)
class RowSettings:
    """How to read the rows.

    Attributes:
        mapping: Column name to field name (one of ``CONTACT_FIELDS``, ``tags``, or
            ``custom:<custom field name>``); unmapped columns named like a field feed it,
            other columns are ignored.
        identifiers: The fields that name the contact, in order of preference.
        tags_column: The column holding the tags, after mapping.
        tag_separator: What separates tags in that column.
        custom_columns: Columns whose values go to the custom field of the same name.
    """

    mapping: Mapping[str, str] = field(default_factory=dict)
    identifiers: Sequence[str] = ("email", "phone")
    tags_column: str = _TAGS
    tag_separator: str = ";"
    custom_columns: Sequence[str] = ()


@dataclass(frozen=True)
class ContactRow:
    """One valid row: the contact's identifier, fields, custom fields and tags."""

    line: int
    identifier: str
    fields: dict[str, Any]
    tags: list[str]
    raw: dict[str, str]

    def payload(self) -> dict[str, Any]:
        """The row as a journal item's payload."""
        return {
            "line": self.line,
            "identifier": self.identifier,
            "fields": self.fields,
            "tags": self.tags,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be sent, and why (one sentence)."""

    line: int
    reason: str
    raw: dict[str, str]


@cache
def _schemas() -> Schemas:
    return Schemas(load_spec())


def read_contact_rows(
    path: str | Path, settings: RowSettings | None = None
) -> Iterator[ContactRow | RowProblem]:
    """Every data row of the CSV file ``path``, valid or not, in file order.

    Raises:
        ValueError: the file has no header or two columns of one name, or the settings
            name a column it lacks or a field the API does not have.
    """
    settings = RowSettings() if settings is None else settings
    for target in settings.mapping.values():
        if target not in (*CONTACT_FIELDS, _TAGS) and not target.startswith(_CUSTOM):
            raise ValueError(
                f"cannot map a column to {target!r}: use one of {', '.join(CONTACT_FIELDS)}, "
                "tags or custom:NAME"
            )
    bad_ids = [i for i in settings.identifiers if i not in ("email", "phone")]
    if bad_ids:
        raise ValueError(f"an identifier column maps to email or phone, not {bad_ids[0]!r}")
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        if not header:
            raise ValueError(f"{path} has no header line")
        repeated = sorted({c for c in header if header.count(c) > 1})
        if repeated:  # csv keeps the last column of a name: the others would vanish unseen
            raise ValueError(f"{path} has more than one column named {repeated[0]!r}")
        missing = [c for c in (*settings.mapping, *settings.custom_columns) if c not in header]
        if missing:
            raise ValueError(f"{path} has no column {missing[0]!r}")
        for raw in reader:
            row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
            yield _row(reader.line_num, row, settings)


def _row(line: int, raw: dict[str, str], settings: RowSettings) -> ContactRow | RowProblem:
    fields: dict[str, Any] = {}
    custom: dict[str, str] = {}
    tags: list[str] = []
    for column, value in raw.items():
        target = settings.mapping.get(column, column)
        if column in settings.custom_columns:
            target = _CUSTOM + column
        if not value:
            continue
        if target == settings.tags_column or target == _TAGS:
            tags = [t.strip() for t in value.split(settings.tag_separator) if t.strip()]
        elif target.startswith(_CUSTOM):
            custom[target.removeprefix(_CUSTOM)] = value
        elif target in CONTACT_FIELDS:
            fields[target] = value
    if custom:
        fields["custom_fields"] = [{"name": k, "value": v} for k, v in custom.items()]
    kind = next((i for i in settings.identifiers if fields.get(i)), None)
    if kind is None:
        names = " or ".join(settings.identifiers)
        return RowProblem(line, f"line {line}: no {names} to identify the contact", raw)
    identifier = f"{kind}:{fields[kind]}"
    schemas = _schemas()
    problem = (
        schemas.problem(_IDENTIFIER_SCHEMA, identifier, "the identifier")
        or schemas.problem(_FIELDS_SCHEMA, fields, "the contact")
        or (schemas.problem(_TAGS_SCHEMA, tags, "the tags") if tags else None)
    )
    if problem is not None:
        return RowProblem(line, f"line {line}: {problem}", raw)
    return ContactRow(line, identifier, fields, tags, raw)


def file_fingerprint(path: str | Path) -> str:
    """A digest of the file's bytes: a journal belongs to one input."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
