"""Reading pipe tables out of Markdown documents (the design's and the overview's)."""

from __future__ import annotations


def table_rows(text: str, header: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The body rows of the first pipe table whose header cells are exactly `header`.

    Cells are stripped of spaces and backticks. Raises LookupError when no such table exists,
    and ValueError for a row with the wrong number of cells: a reshaped table must be noticed.
    """
    lines = [line.strip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if _cells(line) == header:
            rows: list[tuple[str, ...]] = []
            for body_line in lines[index + 2 :]:  # skip the |---|---| rule
                if not body_line.startswith("|"):
                    break
                row = _cells(body_line)
                if len(row) != len(header):
                    raise ValueError(
                        f"row {body_line!r} does not have the {len(header)} cells of {header}"
                    )
                rows.append(row)
            return rows
    raise LookupError(f"no table with header {header}")


def _cells(line: str) -> tuple[str, ...]:
    if not line.startswith("|"):
        return ()
    return tuple(cell.strip().strip("`").strip() for cell in line.strip("|").split("|"))
