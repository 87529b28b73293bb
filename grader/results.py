"""What grading produces: a part's result and a submission's report, as plain data.

Kept apart from the engine so that showing a stored report (a `grader check` whose answers, set
and grader have not changed) needs neither the kinds nor sympy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """The outcome of grading one part."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    INVALID = "invalid"
    MISSING = "missing"
    NEEDS_REVIEW = "needs_review"
    NOT_GRADED = "not_graded"


@dataclass(frozen=True)
class PartResult:
    """The outcome of one part: status, points and feedback for the student."""

    id: str
    problem: str
    kind: str
    status: Status
    score: float
    max_score: float
    feedback: tuple[str, ...] = ()
    answer: Any = None
    misconception: str | None = None
    # Why this result is not final (a budget ran out): the next `grader grade` tries again.
    provisional: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, which deep-copies every answer and was
        # a fifth of the batch grading time.
        return {
            "id": self.id,
            "problem": self.problem,
            "kind": self.kind,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "feedback": list(self.feedback),
            "answer": self.answer,
            "misconception": self.misconception,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class Report:
    """A graded submission."""

    student: str | None
    problem_set: str
    variant: str
    parts: list[PartResult]
    warnings: tuple[str, ...] = ()
    file: str | None = None
    spec_digest: str = ""

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.parts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.parts), 6)

    def counts(self) -> dict[str, int]:
        """How many parts ended in each status."""
        counts: dict[str, int] = {}
        for part in self.parts:
            counts[part.status.value] = counts.get(part.status.value, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "student": self.student,
            "problem_set": self.problem_set,
            "variant": self.variant,
            "score": self.score,
            "max_score": self.max_score,
            "parts": [p.to_dict() for p in self.parts],
            "warnings": list(self.warnings),
        }


def report_from_dict(data: dict[str, Any], spec_digest: str = "") -> Report:
    """The inverse of Report.to_dict(), for reports that crossed a process boundary."""
    parts = [
        PartResult(
            id=p["id"], problem=p["problem"], kind=p["kind"], status=Status(p["status"]), score=p["score"],
            max_score=p["max_score"], feedback=tuple(p["feedback"]), answer=p["answer"],
            misconception=p["misconception"], provisional=p.get("provisional"),
        )
        for p in data["parts"]
    ]
    return Report(
        student=data["student"], problem_set=data["problem_set"], variant=data["variant"], parts=parts,
        warnings=tuple(data.get("warnings", ())), spec_digest=spec_digest,
    )
