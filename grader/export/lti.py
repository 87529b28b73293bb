"""IMS LTI 1.3 Assignment and Grade Services Score objects, one per student.

See docs/lms.md, "LTI". Each object is the body of one `POST {lineitem}/scores` with
`Content-Type: application/vnd.ims.lis.v1.score+json`; `userId` is the LTI user id (never an SIS
id or email). A student without a grade is not posted at all: a Score without `scoreGiven` clears
the grade the platform holds. `--platform` follows one platform's own rules:

- canvas: Canvas reads the submission time only from its extension
  `https://canvas.instructure.com/lti/submission` (`submitted_at`, `new_submission`), and accepts
  the Canvas user id as `userId`.
- moodle: Moodle drops `scoreGiven` unless `gradingProgress` is `FullyGraded`, and refuses (409) a
  timestamp not newer, to the second, than the grade it holds.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, TextIO

from grader.errors import UsageError
from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportResult,
    export_rows,
    feedback_summary,
    iso_millis,
    no_grade_reason,
    note_excused,
    skip_without,
)
from grader.export.roster import Roster
from grader.scores import ScoreTable

MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"
PLATFORMS = ("canvas", "moodle")
PENDING_CHOICES = ("hold", "provisional")


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a JSON array of Score objects."""
    if per_part:
        raise UsageError("LTI AGS scores go to one line item per assignment; export without --per-part.")
    if options.platform is not None and options.platform not in PLATFORMS:
        raise UsageError(f"--platform must be one of {', '.join(PLATFORMS)}, not {options.platform!r}.")
    if options.pending not in PENDING_CHOICES:
        raise UsageError(f"--pending must be one of {', '.join(PENDING_CHOICES)}, not {options.pending!r}.")
    result = ExportResult("lti")
    canvas, moodle = options.platform == "canvas", options.platform == "moodle"
    stamp = iso_millis(_next_second(options.timestamp()) if moodle else options.timestamp())
    id_fields = ("lti_user_id", "canvas_id") if canvas else ("lti_user_id",)
    scores: list[dict[str, Any]] = []
    excused, held, provisional = [], [], []
    for xr in export_rows(table, roster, options, result):
        if skip_without(result, xr, "LTI AGS", id_fields):
            continue
        if xr.row.excused:
            excused.append(xr.student)
            continue
        total = xr.row.total if xr.row.total is not None else (0.0 if options.missing_as_zero else None)
        if total is None:
            result.skipped.append(f"{xr.student}: {no_grade_reason(xr.row, [], [])}")
            continue
        pending = xr.row.needs_review and xr.submitted
        if pending and moodle and options.pending == "hold":
            held.append(xr.student)
            continue
        if pending and moodle:
            provisional.append(xr.student)
        score: dict[str, Any] = {"userId": next(xr.ids[f] for f in id_fields if xr.ids.get(f))}
        score.update(
            scoreGiven=round(total, 6), scoreMaximum=table.max_total,
            activityProgress="Completed" if xr.submitted else "Initialized",
            gradingProgress="PendingManual" if pending and not moodle else "FullyGraded",
        )
        comment = feedback_summary(table, xr.row) if options.feedback else xr.row.comment
        if comment:
            score["comment"] = comment
        score["timestamp"] = stamp
        if canvas:
            extension: dict[str, Any] = {"new_submission": not options.regrade and xr.submitted}
            if xr.row.submitted_at is not None:
                extension["submitted_at"] = iso_millis(xr.row.submitted_at)
            score[CANVAS_SUBMISSION] = extension
        elif xr.row.submitted_at is not None:
            score["submission"] = {"submittedAt": iso_millis(xr.row.submitted_at)}
        scores.append(score)
        result.written += 1
    note_excused(result, excused, "LTI AGS")
    if held:
        result.skipped.extend(
            f"{s}: parts wait for a person, and Moodle drops a score that is not FullyGraded; held back "
            "(score them with grader review, or pass --pending provisional to post the partial total)"
            for s in held)
    if provisional:
        result.notes.append(f"{len(provisional)} student(s) posted to Moodle as FullyGraded with a provisional "
                            f"total (parts still wait for a person): {', '.join(provisional)}")
    if moodle:
        result.notes.append("Moodle refuses a score whose timestamp is not newer than the grade it holds (HTTP 409, "
                            "to the second): to post again, export again rather than re-posting this file")
    if options.platform is None and any(s["gradingProgress"] != "FullyGraded" for s in scores):
        result.notes.append("Scores with parts waiting for a person are PendingManual; Moodle drops such a score, "
                            "so for Moodle export with --platform moodle")
    result.notes.append(f"POST each object to <line item URL>/scores with Content-Type: {MEDIA_TYPE}")
    json.dump(scores, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return result


def _next_second(moment: datetime) -> datetime:
    """The first whole second after `moment`: Moodle compares timestamps to the second."""
    return moment.replace(microsecond=0) + timedelta(seconds=1)
