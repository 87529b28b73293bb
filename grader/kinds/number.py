"""Real numbers compared with an absolute and a relative tolerance."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from grader.kinds._numbers import NumberError, format_number, parse_number
from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict


class NumberOptions(KindOptions):
    abs_tol: float = Field(default=1e-9, ge=0)
    rel_tol: float = Field(default=1e-6, ge=0)


def within(value: float, expected: float, options: NumberOptions) -> bool:
    """Whether value is within the absolute or relative tolerance of expected."""
    diff = abs(value - expected)
    return diff <= options.abs_tol or diff <= options.rel_tol * abs(expected)


class NumberKind(Kind[NumberOptions, float]):
    name: ClassVar[str] = "number"
    description: ClassVar[str] = "a number such as 0.25, -1.5, 3/4 or 2.5e-3"
    Options: ClassVar[type[KindOptions]] = NumberOptions

    def parse(self, raw: Any, options: NumberOptions) -> float | InvalidAnswer:
        try:
            return parse_number(raw)
        except NumberError as err:
            return InvalidAnswer(f"{err}; write a number such as 0.25 or 3/4")

    def compare(self, value: float, expected: Any, options: NumberOptions) -> Verdict:
        if within(value, float(expected), options):
            return Verdict.correct()
        return Verdict.incorrect(f"{format_number(value)} is not within the tolerance of the expected value.")

    def render(self, value: Any) -> str:
        return format_number(float(value))

    def examples(self) -> list[Example]:
        return [
            Example(0.25, 0.25, "correct"),
            Example("1/4", 0.25, "correct"),
            Example("2.5e-1", 0.25, "correct"),
            Example("−0.5", -0.5, "correct"),
            Example(0.2500001, 0.25, "correct", {"rel_tol": 1e-6, "abs_tol": 1e-6}),
            Example(0.26, 0.25, "incorrect"),
            Example("0.25.1", 0.25, "invalid"),
            Example(None, 0.25, "invalid"),
        ]
