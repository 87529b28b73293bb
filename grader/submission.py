"""A student's answer file once read: the one type every answer format is read into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Submission:
    """One answer file: who, which set, and the raw answers keyed by part id."""

    student: str | None
    problem_set: str | None
    answers: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    path: str | None = None

    def where(self, part_id: str) -> str:
        """`line N` of a part's answer when known, for messages."""
        line = self.lines.get(part_id)
        return f"line {line}" if line else ""
