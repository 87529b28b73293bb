"""Canvas gradebook import CSV: identity block ending in `Section`, `Title (id)` columns.

See docs/lms.md, "Canvas". Canvas matches students by `ID`, then `SIS User ID`, then `SIS Login
ID`; `EX` excuses; a column without `(id)` becomes a new assignment. A blank cell over an existing
grade removes it, so a student without a grade in every column is left out of the file.
"""

from __future__ import annotations

from typing import Any, TextIO

from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportRefused,
    ExportResult,
    Safe,
    columns,
    csv_writer,
    export_rows,
    number,
    row_grades,
    skip_without,
    write_rows,
)
from grader.export.roster import CANVAS_IGNORED_COLUMNS, CANVAS_TITLE_ID, Roster
from grader.scores import ScoreTable

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
NEEDS = ("canvas_id", "sis_user_id", "sis_login_id")
POINTS_POSSIBLE = Safe("    Points Possible")  # as Canvas itself writes it
EXCUSED = Safe("EX")


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a Canvas gradebook import file."""
    result = ExportResult("canvas")
    cols = columns(table, per_part, options)
    headers = [_header(col.title, col.part is None, roster, options) for col in cols]
    new = [col.title for col, header in zip(cols, headers, strict=True) if header == col.title]
    if new:
        result.notes.append(
            f"Canvas will create {len(new)} new assignment(s) (no assignment id known): "
            f"{_listed(new)}; to update existing ones pass --assignment-id or import a Canvas "
            "gradebook export as the roster"
        )
    rows: list[list[Any]] = [[*IDENTITY, *headers], [POINTS_POSSIBLE, "", "", "", "", *(number(c.points) for c in cols)]]
    for xr in export_rows(table, roster, options, result):
        if skip_without(result, xr, "Canvas", NEEDS):
            continue
        section = xr.entry.section if xr.entry else ""
        name = xr.entry.sortable_name() if xr.entry else xr.name()
        ids = [xr.ids.get(f, "") for f in NEEDS]
        values = [EXCUSED] * len(cols) if xr.row.excused else row_grades(xr, cols, options, result)
        if values is None:
            continue
        rows.append([name, *ids, section, *values])
        result.written += 1
    if options.feedback:
        result.notes.append("Canvas's gradebook CSV import carries no comments; to send feedback use "
                            "--format lti --platform canvas --feedback")
    write_rows(csv_writer(out), rows)
    return result


def _header(title: str, is_total: bool, roster: Roster | None, options: ExportOptions) -> str:
    ignored = [word for word in CANVAS_IGNORED_COLUMNS if word in title]
    if ignored:
        raise ExportRefused(
            f"Canvas silently ignores columns whose title contains {ignored[0]!r}; "
            "choose another title with --title."
        )
    column_id = (options.assignment_id if is_total else None) or (roster.column_id("canvas", title) if roster else None)
    if column_id:
        if not column_id.isdigit():
            raise ExportRefused(f"The Canvas assignment id {column_id!r} is not a number; "
                                "it is the number at the end of the assignment's URL.")
        return f"{title} ({column_id})"
    if CANVAS_TITLE_ID.match(title):
        raise ExportRefused(
            f"Canvas would read the end of {title!r} as an assignment id; pass --assignment-id "
            "or a --title that does not end in a number in brackets."
        )
    return title


def _listed(titles: list[str], shown: int = 3) -> str:
    more = f" and {len(titles) - shown} more" if len(titles) > shown else ""
    return ", ".join(repr(t) for t in titles[:shown]) + more
