"""The reading of a student's answer to a part: how the grader understood it, for display.

It reads the answer with the part's kind, so it sits above the kinds (which use `grader.reading`
to draw the readings themselves).
"""

from __future__ import annotations

from typing import Any

from grader.limits import LIMITS
from grader.reading import MAX_READING_CHARS, Reading


def read_answer(problem_set: Any, part_id: str, raw: Any) -> Reading | None:
    """How the grader reads `raw` as the answer to a part, or None when there is nothing to show
    (no answer, an answer it cannot read, or a kind shown as typed)."""
    from grader.kinds import InvalidAnswer, get_kind
    from grader.rubric import part_options

    found = problem_set.find_part(part_id)
    if found is None or raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    _, part = found
    kind = get_kind(part.kind)
    if kind is None or (isinstance(raw, str) and len(raw) > LIMITS.max_answer_chars):
        return None
    try:
        value = kind.parse(raw, kind.options(part_options(part.options, problem_set.root, part.prompt)))
        if isinstance(value, InvalidAnswer):
            return None
        reading: Reading | None = kind.read_form(value)
    except Exception:  # noqa: BLE001 - a reading is a display aid: without one the answer is shown as typed
        return None
    if reading is None or len(reading.mathml) > 50 * MAX_READING_CHARS:
        return None
    return reading


def report_readings(problem_set: Any, report: Any) -> dict[str, Reading]:
    """The reading of every answered part of a report, by part id."""
    readings = {}
    for part in report.parts:
        reading = read_answer(problem_set, part.id, part.answer)
        if reading is not None:
            readings[part.id] = reading
    return readings
