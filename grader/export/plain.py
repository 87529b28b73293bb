"""Plain CSV and JSON for any other tool: the total and one column per part."""

from __future__ import annotations

import json
from typing import Any, TextIO

from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportResult,
    columns,
    csv_writer,
    export_rows,
    row_grades,
    write_rows,
)
from grader.export.roster import Roster
from grader.scores import ScoreTable

FIXED = ("student", "name", "total", "max_total", "needs_review", "excused", "submitted_at",
         "late_days", "penalty", "comment")
DECIMALS = 6


def write_csv(table: ScoreTable, out: TextIO, *, per_part: bool = True, roster: Roster | None = None,
              options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """One row per student with a grade in every column.

    Like the LMS formats, the CSV never holds a blank grade (a spreadsheet merged back into an LMS
    would erase with it): a student without a counted submission, or with a part still waiting
    for a person, is left out and named in the result. The JSON format lists everyone.
    """
    result = ExportResult("csv")
    part_ids = [part for part, _ in table.parts]
    cols = [*columns(table, False, options), *columns(table, True, options)]
    rows: list[list[Any]] = [[*FIXED, *part_ids]]
    for xr in export_rows(table, roster, options, result):
        row = xr.row
        grades = row_grades(xr, cols, options, result, DECIMALS)
        if grades is None:
            continue
        rows.append([
            row.student, xr.name(), grades[0], table.max_total, row.needs_review, row.excused,
            row.submitted_at.isoformat() if row.submitted_at else "", row.late_days, row.penalty,
            row.comment, *grades[1:],
        ])
        result.written += 1
    write_rows(csv_writer(out), rows, decimals=DECIMALS)
    return result


def write_json(table: ScoreTable, out: TextIO, *, per_part: bool = True, roster: Roster | None = None,
               options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """The whole table as JSON: parts with their points, and per student every part's result."""
    result = ExportResult("json")
    students = []
    for xr in export_rows(table, roster, options, result):
        row = xr.row
        students.append({
            "student": row.student,
            "name": xr.name(),
            "total": row.total,
            "max_total": table.max_total,
            "needs_review": row.needs_review,
            "excused": row.excused,
            "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
            "late_days": row.late_days,
            "penalty": row.penalty,
            "comment": row.comment,
            "lms_ids": dict(sorted(xr.ids.items())),
            "parts": {
                p.part_id: {"score": p.score, "max_score": p.max_score, "status": p.status,
                            "feedback": list(p.feedback)}
                for p in row.parts.values()
            },
        })
        result.written += 1
    document = {
        "problem_set": table.problem_set,
        "title": table.title,
        "max_total": table.max_total,
        "parts": [{"id": p, "max_score": pts, "problem": table.part_titles.get(p, "")} for p, pts in table.parts],
        "students": students,
    }
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return result
