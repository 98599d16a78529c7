"""Data on stdout: a table for people, JSON, JSON lines or CSV for programs."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["emit", "emit_records"]


def emit(documents: Iterable[Any], output: str) -> None:
    """Print each document: pretty JSON (``json``) or one line each (``jsonl``)."""
    for document in documents:
        if output == "jsonl":
            sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit_records(records: Iterable[dict[str, Any]], output: str, fields: Sequence[str]) -> int:
    """Print records with ``fields`` (all fields of the first record when empty).

    Returns how many. ``table`` collects them first; the other forms stream.
    """
    count = 0
    if output == "table":
        rows = list(records)
        columns = list(fields) or (list(rows[0]) if rows else [])
        # Text, not str: rich would read "[/vip]" or "[link=...]" in the data as markup.
        table = Table()
        for column in columns:
            table.add_column(Text(column))
        for record in rows:
            table.add_row(*(Text(_cell(record.get(c))) for c in columns))
        Console(file=sys.stdout, highlight=False).print(table)
        return len(rows)
    writer: Any = None
    for record in records:
        chosen = {c: record.get(c) for c in fields} if fields else record
        if output == "csv":
            if writer is None:
                writer = csv.DictWriter(sys.stdout, list(chosen), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in chosen.items()})
        else:
            sys.stdout.write(json.dumps(chosen, ensure_ascii=False) + "\n")
        count += 1
    sys.stdout.flush()
    return count
