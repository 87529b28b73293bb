"""Blackboard Learn Grade Center upload (comma variant): every value quoted, `Username` key.

See docs/lms.md, "Blackboard". A column is matched by the Column ID after `|` in its header; a column
without one becomes a new text column worth 0 points.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportResult,
    columns,
    csv_writer,
    export_rows,
    note_excused,
    number,
    row_grades,
    skip_without,
    write_rows,
)
from grader.export.roster import Roster
from grader.scores import ScoreTable

IDENTITY = ("Last Name", "First Name", "Username")


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a Blackboard Grade Center upload file."""
    result = ExportResult("blackboard")
    cols = columns(table, per_part, options)
    headers, new = [], []
    for col in cols:
        column_id = (options.assignment_id if col.part is None else None) or (
            roster.column_id("blackboard", col.title) if roster else None)
        if column_id:
            headers.append(f"{col.title} [Total Pts: {number(col.points)}] |{column_id}")
        else:
            headers.append(col.title)
            new.append(repr(col.title))
    if new:
        shown = ", ".join(new[:3]) + (f" and {len(new) - 3} more" if len(new) > 3 else "")
        result.notes.append(
            f"Blackboard will create {len(new)} new text column(s) worth 0 points (no column id known): "
            f"{shown}; pass --assignment-id or import the Grade Center download as the roster"
        )
    rows: list[list[Any]] = [[*IDENTITY, *headers]]
    excused = []
    for xr in export_rows(table, roster, options, result):
        if skip_without(result, xr, "Blackboard", ("username",)):
            continue
        if xr.row.excused:
            excused.append(xr.student)
            continue
        values = row_grades(xr, cols, options, result)
        if values is None:
            continue
        first, last = xr.first_last()
        rows.append([last, first, xr.ids["username"], *values])
        result.written += 1
    note_excused(result, excused, "Blackboard")
    if options.feedback:
        result.notes.append("The Blackboard upload written here carries no feedback; --feedback was not used")
    write_rows(csv_writer(out, quoting=csv.QUOTE_ALL), rows)
    return result
