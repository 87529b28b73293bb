"""Whole numbers, compared exactly (e.g. a parameter count)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from grader.kinds._numbers import NumberError, parse_integer
from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict

# A count followed by its unit, as people write it: "750 weights", "1,024 parameters".
_WITH_UNIT = re.compile(r"^\s*([-+\d.,eE ]*\d)\s+([A-Za-z][A-Za-z-]*(?:\s+[A-Za-z][A-Za-z-]*)?)\s*\.?\s*$")


def without_unit(raw: Any) -> Any:
    """The number of "750 weights" (at most two words after it); anything else unchanged."""
    if isinstance(raw, str):
        match = _WITH_UNIT.match(raw)
        if match:
            return match.group(1).strip()
    return raw


class IntegerKind(Kind[KindOptions, int]):
    name: ClassVar[str] = "integer"
    description: ClassVar[str] = "a whole number, e.g. 750"

    def parse(self, raw: Any, options: KindOptions) -> int | InvalidAnswer:
        try:
            return parse_integer(without_unit(raw))
        except NumberError as err:
            return InvalidAnswer(f"{err}; write a whole number such as 750")

    def compare(self, value: int, expected: Any, options: KindOptions) -> Verdict:
        if value == int(expected):
            return Verdict.correct()
        return Verdict.incorrect(f"{value} is not the expected number.")

    def examples(self) -> list[Example]:
        return [
            Example(750, 750, "correct"),
            Example("750", 750, "correct"),
            Example(7.5e2, 750, "correct"),
            Example(760, 750, "incorrect"),
            Example("750 weights", 750, "correct"),
            Example("seven hundred", 750, "invalid"),
            Example(7.5, 750, "invalid"),
            Example([750], 750, "invalid"),
        ]
