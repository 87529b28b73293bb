"""Gradescope autograder `results.json`: one per submission, a test per part.

See docs/lms.md, "Gradescope". Parts a person still has to grade become informational tests (no score), so
the top-level `score` is always given. The same function feeds `grader gradescope-bundle`'s
`run_autograder` and `grader export --format gradescope`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.export.common import DEFAULT_OPTIONS, ExportOptions, ExportResult, export_rows
from grader.export.roster import Roster
from grader.scores import PartScore, ScoreTable, StudentRow

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
PENDING_TEXT = "Your instructor grades this part."
NO_FEEDBACK = {"correct": "Correct.", "missing": "No answer given."}


def results_json(table: ScoreTable, row: StudentRow, options: ExportOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    """The results.json document of one student's submission."""
    if options.visibility not in VISIBILITIES:
        raise UsageError(f"--visibility must be one of {', '.join(VISIBILITIES)}, not {options.visibility!r}.")
    tests = [_test(table, part_id, points, row.parts.get(part_id), options) for part_id, points in table.parts]
    graded = sum(1 for t in tests if "score" in t)
    pending = len(tests) - graded
    total = row.total or 0.0
    summary = f"{_num(total)} of {_num(sum(t['max_score'] for t in tests if 'max_score' in t))} points " \
              f"from {graded} automatically graded part(s)."
    if pending:
        summary += f" {pending} part(s) are graded by your instructor; their points are added later."
    if row.excused:
        summary += " You are excused from this assignment."
    return {
        "score": _num(total),
        "output": summary,
        "output_format": "text",
        "test_output_format": "text",
        "visibility": options.visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"student": row.student, "problem_set": table.problem_set,
                       "needs_review": row.needs_review, "excused": row.excused},
    }


def _test(table: ScoreTable, part_id: str, points: float, part: PartScore | None,
          options: ExportOptions) -> dict[str, Any]:
    problem = table.part_titles.get(part_id)
    test: dict[str, Any] = {
        "name": f"{part_id} ({problem})" if problem else part_id,
        "number": part_id[1:] if part_id[:1] == "p" and part_id[1:2].isdigit() else part_id,
    }
    if part is None or part.score is None:
        feedback = [] if part is None else [f for f in part.feedback if f]
        test["output"] = "\n".join([PENDING_TEXT, *feedback])
    else:
        test["score"] = _num(part.score)
        test["max_score"] = _num(points)
        test["status"] = "passed" if part.score >= points else "failed"
        test["output"] = "\n".join(part.feedback) or NO_FEEDBACK.get(part.status, part.status)
    test["visibility"] = options.visibility
    return test


def _num(value: float) -> float | int:
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def write(table: ScoreTable, out: Path, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write `OUT/<student>/results.json` for every student with a submission."""
    from grader.students import sanitise_student_id

    result = ExportResult("gradescope")
    out.mkdir(parents=True, exist_ok=True)
    for xr in export_rows(table, roster, options, result):
        if not xr.submitted:
            result.skipped.append(f"{xr.student}: no submission, so no results.json")
            continue
        folder = out / sanitise_student_id(xr.student)
        folder.mkdir(exist_ok=True)
        target = folder / "results.json"
        target.write_text(dump(results_json(table, xr.row, options)), encoding="utf-8")
        result.files.append(target)
        result.written += 1
    return result


def dump(document: dict[str, Any]) -> str:
    """results.json text: UTF-8, `\\n` line ends, as Gradescope asks."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
