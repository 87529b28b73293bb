"""What a judgement returns: the verdict, how it was reached, and a message for each reader."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Equivalence(StrEnum):
    """The three outcomes of comparing two formulas; a StrEnum, so it equals its string."""

    EQUIVALENT = "equivalent"
    NOT_EQUIVALENT = "not_equivalent"
    UNDECIDED = "undecided"


Method = Literal["structural", "symbolic", "exact", "numeric", "shape", "timeout", "unsupported"]
"""How a verdict was reached (see the package docstring for what each one means)."""

Audience = Literal["student", "author"]

STUDENT_EQUIVALENT = "your answer is equivalent to the expected one"
STUDENT_UNDECIDED = "your answer could not be checked automatically; a person will review it"


@dataclass(frozen=True)
class Judgement:
    """The outcome of one check.

    `message` is for an author or reviewer and may show the expected answer's value at the
    witness; `student_message` says where the answers differ without giving that value away.
    """

    verdict: Equivalence
    message: str
    student_message: str
    method: Method
    witness: dict[str, int | float] | None = None
    seconds: float = 0.0
    student_value: str | None = None
    expected_value: str | None = None

    @property
    def is_equivalent(self) -> bool:
        """True only for a proven (or carefully sampled) equivalence."""
        return self.verdict is Equivalence.EQUIVALENT

    def message_for(self, audience: Audience) -> str:
        """The message to show `audience`: the student-safe one, or the full one for an author."""
        return self.student_message if audience == "student" else self.message


def equivalent(method: Method, message: str) -> Judgement:
    """An equivalence, with the student told only that it is correct."""
    return Judgement(Equivalence.EQUIVALENT, message, STUDENT_EQUIVALENT, method)


TO_A_HUMAN = "; sent to a human"


def undecided(method: Method, message: str, student: str | None = None) -> Judgement:
    """A check that could not decide: it goes to a human and is never scored as wrong.

    The student is told the reason (what could not be evaluated or checked, never the expected
    value) unless `student` says otherwise, as it must when the reason is an internal failure."""
    if student is None:
        student = f"your answer could not be checked automatically ({message.removesuffix(TO_A_HUMAN)}); " \
                  "a person will review it"
    return Judgement(Equivalence.UNDECIDED, message, student, method)
