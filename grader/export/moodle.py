"""Moodle CSV grade import: one identity column, a grade column (and feedback), `-` = no grade.

See FORMATS.md §2. Moodle aborts the whole import on a row whose user it cannot find, so a row
is never written with a blank identifier; excused has no meaning there.
"""

from __future__ import annotations

from typing import Any, TextIO

from grader.errors import UsageError
from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportResult,
    Safe,
    columns,
    csv_writer,
    export_rows,
    grade,
    note_excused,
    number,
    skip_without,
    write_rows,
)
from grader.export.table import ScoreTable
from grader.roster import Roster

# The Moodle "Map from" column for each identity, named as Moodle's own export names it.
KEY_HEADERS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}
NO_GRADE = Safe("-")
MOODLE_MAX_GRADE = 100


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a Moodle CSV grade import file."""
    if options.moodle_key not in KEY_HEADERS:
        raise UsageError(f"--moodle-key must be one of {', '.join(KEY_HEADERS)}, not {options.moodle_key!r}.")
    result = ExportResult("moodle")
    cols = columns(table, per_part, options)
    rows_in = export_rows(table, roster, options, result)
    with_feedback = not per_part and any(xr.row.comment for xr in rows_in)
    header: list[Any] = [KEY_HEADERS[options.moodle_key], *(c.title for c in cols)]
    if with_feedback:
        header.append(f"{cols[0].title} feedback")
    rows: list[list[Any]] = [header]
    excused = []
    for xr in rows_in:
        if skip_without(result, xr, f"Moodle ({KEY_HEADERS[options.moodle_key]})", (options.moodle_key,)):
            continue
        if xr.row.excused:
            excused.append(xr.student)
            continue
        values = [_value(grade(xr.row, col, options)) for col in cols]
        rows.append([xr.ids[options.moodle_key], *values, *([xr.row.comment] if with_feedback else [])])
        result.written += 1
    note_excused(result, excused, "Moodle")
    if max(c.points for c in cols) > MOODLE_MAX_GRADE:
        result.notes.append(f"Moodle refuses grades above {MOODLE_MAX_GRADE} unless the site allows "
                            "them (Site administration > Grades > unlimitedgrades)")
    if options.moodle_key == "email":
        result.notes.append("Map from 'Email address' to 'Email address' (useremail); Moodle matches "
                            "emails case-sensitively")
    write_rows(csv_writer(out), rows)
    return result


def _value(points: float | None) -> str:
    return NO_GRADE if points is None else number(points)
