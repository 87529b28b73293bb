"""IMS LTI 1.3 Assignment and Grade Services Score objects, one per student.

See FORMATS.md §7. Each object is the body of one `POST {lineitem}/scores` with
`Content-Type: application/vnd.ims.lis.v1.score+json`; `userId` is the LTI user id (never an
SIS id or email). Only `FullyGraded` scores are final: rows with parts waiting for a person are
`PendingManual`, students without a submission `NotReady` with no `scoreGiven`.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from grader.errors import UsageError
from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportResult,
    export_rows,
    iso_millis,
    note_excused,
    skip_without,
)
from grader.export.table import ScoreTable
from grader.roster import Roster

MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a JSON array of Score objects."""
    if per_part:
        raise UsageError("LTI AGS scores go to one line item per assignment; export without --per-part.")
    result = ExportResult("lti")
    stamp = iso_millis(options.timestamp())
    scores: list[dict[str, Any]] = []
    excused = []
    for xr in export_rows(table, roster, options, result):
        if skip_without(result, xr, "LTI AGS", ("lti_user_id",)):
            continue
        if xr.row.excused:
            excused.append(xr.student)
            continue
        score: dict[str, Any] = {"userId": xr.ids["lti_user_id"]}
        total = xr.row.total if xr.row.total is not None else (0.0 if options.missing_as_zero else None)
        if total is None:
            score.update(activityProgress="Initialized", gradingProgress="NotReady")
        else:
            score.update(
                scoreGiven=round(total, 6), scoreMaximum=table.max_total,
                activityProgress="Completed" if xr.submitted else "Initialized",
                gradingProgress="PendingManual" if xr.row.needs_review else "FullyGraded",
            )
        if xr.row.comment:
            score["comment"] = xr.row.comment
        score["timestamp"] = stamp
        if xr.row.submitted_at is not None:
            score["submission"] = {"submittedAt": iso_millis(xr.row.submitted_at)}
        scores.append(score)
        result.written += 1
    note_excused(result, excused, "LTI AGS")
    result.notes.append(f"POST each object to <line item URL>/scores with Content-Type: {MEDIA_TYPE}")
    json.dump(scores, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return result
