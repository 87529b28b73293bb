"""Moodle CSV grade import: one identity column, a grade column per item (and feedback).

See docs/lms.md, "Moodle CSV". Moodle aborts the whole import on a row whose user it cannot find
(matching the identifier exactly), so a row is never written with a blank identifier and the
identifier is spelt as the roster has it. A blank or `-` grade would overwrite the grade Moodle
holds with "no grade", so a student without a grade in every column is left out. When the roster
came from a Moodle export, the columns are named as that export names the grade item
(`<Module>: <Item> (Real)` and `(Feedback)`), which Moodle's mapping step selects by itself.
"""

from __future__ import annotations

from typing import Any, TextIO

from grader.errors import UsageError
from grader.export.common import (
    DEFAULT_OPTIONS,
    Column,
    ExportOptions,
    ExportResult,
    columns,
    csv_writer,
    export_rows,
    feedback_summary,
    note_excused,
    row_grades,
    skip_without,
    write_rows,
)
from grader.export.roster import MOODLE_FEEDBACK, MOODLE_REAL, Roster
from grader.scores import ScoreTable, StudentRow

# The Moodle "Map from" column for each identity, named as Moodle's own export names it.
KEY_HEADERS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}
MOODLE_MAX_GRADE = 100


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a Moodle CSV grade import file."""
    if options.moodle_key not in KEY_HEADERS:
        raise UsageError(f"--moodle-key must be one of {', '.join(KEY_HEADERS)}, not {options.moodle_key!r}.")
    result = ExportResult("moodle")
    cols = columns(table, per_part, options)
    rows_in = export_rows(table, roster, options, result)
    items = [roster.column_id("moodle", col.title) if roster else None for col in cols]
    # Without --feedback an instructor's comment still goes out, in the whole-set export only.
    with_feedback = options.feedback or (not per_part and any(xr.row.comment for xr in rows_in))
    header: list[Any] = [KEY_HEADERS[options.moodle_key]]
    for col, item in zip(cols, items, strict=True):
        header.append(f"{item} {MOODLE_REAL}" if item else col.title)
    if with_feedback:
        for col, item in zip(cols, items, strict=True):
            header.append(f"{item} {MOODLE_FEEDBACK}" if item else f"{col.title} feedback")
    rows: list[list[Any]] = [header]
    excused, assumed = [], []
    for xr in rows_in:
        if skip_without(result, xr, f"Moodle ({KEY_HEADERS[options.moodle_key]})", (options.moodle_key,)):
            continue
        if xr.row.excused:
            excused.append(xr.student)
            continue
        values = row_grades(xr, cols, options, result)
        if values is None:
            continue
        if options.moodle_key in xr.assumed:
            assumed.append(xr.student)
        feedback = [_feedback(table, xr.row, col, options) for col in cols] if with_feedback else []
        rows.append([xr.ids[options.moodle_key], *values, *feedback])
        result.written += 1
    note_excused(result, excused, "Moodle")
    if max(c.points for c in cols) > MOODLE_MAX_GRADE:
        result.notes.append(f"Moodle refuses grades above {MOODLE_MAX_GRADE} unless the site allows "
                            "them (Site administration > Grades > unlimitedgrades)")
    result.notes.append(_mapping_note(options, cols, items))
    if assumed:
        result.notes.append(
            f"Moodle matches the {KEY_HEADERS[options.moodle_key]} exactly (a different case aborts the whole "
            f"import); {len(assumed)} student(s) have no Moodle spelling in the roster, so their grader id was "
            f"written as it is: {', '.join(assumed)}. Import the Moodle grade export as the roster to be sure")
    write_rows(csv_writer(out), rows)
    return result


def _feedback(table: ScoreTable, row: StudentRow, col: Column, options: ExportOptions) -> str:
    if not options.feedback:
        return row.comment
    if col.part is None:
        return feedback_summary(table, row)
    part = row.parts.get(col.part)
    return "\n".join(f for f in part.feedback if f) if part is not None else ""


def _mapping_note(options: ExportOptions, cols: list[Column], items: list[str | None]) -> str:
    key = KEY_HEADERS[options.moodle_key]
    moodle_to = {"email": "Email address (useremail)", "idnumber": "ID number (useridnumber)",
                 "username": "Username"}[options.moodle_key]
    note = f"In Moodle's import, map from '{key}' to {moodle_to}"
    unmapped = [col.title for col, item in zip(cols, items, strict=True) if not item]
    if not unmapped:
        return note + "; every grade column is named as the Moodle grade item, so Moodle selects it by itself"
    shown = ", ".join(repr(t) for t in unmapped[:3]) + (f" and {len(unmapped) - 3} more" if len(unmapped) > 3 else "")
    return (note + f"; Moodle ignores a column it does not know until you choose its grade item: map {shown} "
            "(and any feedback column) by hand, or import the Moodle grade export as the roster so the "
            "columns carry the item's own name")
