"""Brightspace (D2L) grade import: `#`-guarded ids, `<Item> Points Grade`, End-of-Line Indicator.

See docs/lms.md, "Brightspace". The `#` before ids keeps spreadsheets from reading them as
numbers; the last column is `#` on every row. No grade cell is ever empty: a student without a
grade in every column is left out.
"""

from __future__ import annotations

from typing import Any, TextIO

from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportRefused,
    ExportResult,
    ExportRow,
    Safe,
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

KEYS = (("org_defined_id", "OrgDefinedId"), ("username", "Username"))
END_OF_LINE = "End-of-Line Indicator"
EOL = Safe("#")


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a Brightspace grade import file."""
    result = ExportResult("brightspace")
    cols = columns(table, per_part, options)
    for col in cols:
        if "<" in col.title or ">" in col.title:
            raise ExportRefused(f"Brightspace reads '<...>' in a header as item settings; "
                                f"choose a --title without them (not {col.title!r}).")
    candidates = [xr for xr in export_rows(table, roster, options, result)
                  if not skip_without(result, xr, "Brightspace", [k for k, _ in KEYS])]
    keys = _key_columns(candidates)
    rows: list[list[Any]] = [[
        *(header for _, header in keys),
        *(f"{c.title} Points Grade <Numeric MaxPoints:{number(c.points)}>" for c in cols),
        END_OF_LINE,
    ]]
    excused = []
    for xr in candidates:
        if not all(xr.ids.get(field) for field, _ in keys):
            missing = " and ".join(h for f, h in keys if not xr.ids.get(f))
            result.skipped.append(f"{xr.student}: no {missing} while other students have one; "
                                  "complete the roster so one identifier column fits everyone")
            continue
        if xr.row.excused:
            excused.append(xr.student)
            continue
        values = row_grades(xr, cols, options, result)
        if values is None:
            continue
        ids = [Safe("#" + xr.ids[field]) for field, _ in keys]
        rows.append([*ids, *values, EOL])
        result.written += 1
    note_excused(result, excused, "Brightspace")
    if options.feedback:
        result.notes.append("The Brightspace import written here carries no feedback; --feedback was not used")
    write_rows(csv_writer(out), rows)
    return result


def _key_columns(rows: list[ExportRow]) -> list[tuple[str, str]]:
    """OrgDefinedId and/or Username: those every row has, else the one most rows have."""
    complete = [(f, h) for f, h in KEYS if all(xr.ids.get(f) for xr in rows)]
    if complete:
        return complete
    return [max(KEYS, key=lambda key: sum(1 for xr in rows if xr.ids.get(key[0])))]
