"""Human review: the parts a person must score, decisions on them, and a CSV round trip.

The queue holds the parts of each student's counted submission whose status waits for a person
(`needs_review`: the checker could not decide; `not_graded`: no automatic checker yet). The CSV
has one row per such part; an instructor fills `score` (and `comment`) in a spreadsheet and
imports it back. Rows with an empty score are left alone, so an unfilled export imports as a no-op.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from grader.errors import SubmissionNotFound, UsageError
from grader.scores import PENDING_STATUSES
from grader.spreadsheet import neutralise, restore
from grader.store.gradebook import Decision, EffectivePart, Gradebook, Override, SetRef

REVIEW_STATUSES = tuple(sorted(PENDING_STATUSES))
CSV_COLUMNS = (
    "submission", "student", "part", "status", "provisional", "max", "score", "comment", "answer", "feedback",
)
REQUIRED_COLUMNS = ("submission", "part", "score")


@dataclass(frozen=True)
class ReviewItem:
    """One part of one counted submission that a person has to (or did) score."""

    submission_id: int
    student: str
    part: EffectivePart

    @property
    def override(self) -> Override | None:
        return self.part.override


@dataclass(frozen=True)
class ImportResult:
    """What a CSV import recorded."""

    recorded: list[Override]
    unchanged: int
    blank: int


def review_queue(
    gradebook: Gradebook,
    problem_set: SetRef = None,
    *,
    statuses: Iterable[str] = REVIEW_STATUSES,
    decided: bool = False,
) -> list[ReviewItem]:
    """Parts of counted submissions in the given statuses that no person scored yet; with decided,
    also every part a person scored (whatever its status)."""
    wanted = set(statuses)
    items = []
    for student in gradebook.students(problem_set):
        if student.counted is None:
            continue
        for part in student.counted.parts:
            if (part.override is None and part.status in wanted) or (decided and part.override is not None):
                items.append(ReviewItem(student.counted.submission_id, student.student, part))
    return items


def set_score(
    gradebook: Gradebook, problem_set: SetRef, student: str, part_id: str, score: float, *,
    comment: str = "", author: str,
) -> Override:
    """Override one part of the submission that counts for a student."""
    info = gradebook.set_info(problem_set)
    counted = gradebook.student(info, student).counted
    if counted is None:
        raise SubmissionNotFound(
            f"Student {student!r} has no readable submission for {info.id!r}, so there is nothing to score; "
            "`grader report` lists the failed files."
        )
    return gradebook.set_override(counted.submission_id, info.id, part_id, score, comment=comment, author=author)


def export_csv(items: Iterable[ReviewItem], out: TextIO) -> int:
    """Write the queue as CSV (formula-safe cells); return the number of rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for item in items:
        part, override = item.part, item.override
        writer.writerow([
            item.submission_id, neutralise(item.student), part.id, part.status, f"{part.score:g}", f"{part.max_score:g}",
            "" if override is None else f"{override.score:g}", neutralise(override.comment if override else ""),
            neutralise(answer_text(part.answer)), neutralise(" | ".join(part.feedback)),
        ])
        count += 1
    return count


def write_csv(items: Iterable[ReviewItem], path: str | Path) -> int:
    """Export the queue to a file (UTF-8 with a BOM, so spreadsheets read accents right)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        return export_csv(items, out)


def import_csv(
    gradebook: Gradebook, problem_set: SetRef, path: str | Path, *, author: str
) -> ImportResult:
    """Record the scores filled into an exported review CSV; nothing is recorded if any row is wrong."""
    info = gradebook.set_info(problem_set)
    path = Path(path)
    if not path.is_file():
        raise SubmissionNotFound(f"No CSV file at {path}; export one with `grader review export`.")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=_delimiter(sample))
        header = reader.fieldnames or []
        rows = list(reader)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise UsageError(
            f"{path}: the CSV has no column {', '.join(missing)}; import the file `grader review export` wrote."
        )
    in_force = {(o.submission_id, o.part_id): o for o in gradebook.overrides(info.id)}
    decisions, errors, unchanged, blank = [], [], 0, 0
    for number, row in enumerate(rows, start=2):
        raw_score = (row.get("score") or "").strip()
        if not raw_score:
            blank += 1
            continue
        try:
            decision = Decision(
                submission_id=int(float((row.get("submission") or "").strip())),
                part_id=(row.get("part") or "").strip(),
                score=_number(raw_score),
                comment=restore((row.get("comment") or "").strip()),
            )
        except ValueError:
            errors.append(f"row {number}: {raw_score!r} or the submission id is not a number")
            continue
        current = in_force.get((decision.submission_id, decision.part_id))
        if current is not None and current.score == decision.score and current.comment == decision.comment:
            unchanged += 1
            continue
        decisions.append(decision)
    if errors:
        raise UsageError(f"{path}: nothing was recorded:\n  " + "\n  ".join(errors))
    recorded = gradebook.set_overrides(info.id, decisions, author=author) if decisions else []
    return ImportResult(recorded, unchanged, blank)


def answer_text(answer: Any) -> str:
    """An answer as one line of text for tables: strings as typed, other values as JSON."""
    if answer is None:
        return ""
    if isinstance(answer, str):
        return answer
    return json.dumps(answer, ensure_ascii=False)


def _delimiter(sample: str) -> str:
    """The header line's separator: spreadsheets in decimal-comma locales save with ';'."""
    header = sample.splitlines()[0] if sample else ""
    return max((",", ";", "\t"), key=header.count)


def _number(text: str) -> float:
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value
