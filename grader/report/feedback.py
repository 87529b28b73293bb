"""Showing a student's Report as text for the terminal."""

from __future__ import annotations

import textwrap
from typing import Any

from grader.results import Report, Status

STATUS_LABEL = {
    Status.CORRECT: "correct",
    Status.PARTIAL: "partial",
    Status.INCORRECT: "incorrect",
    Status.INVALID: "invalid",
    Status.MISSING: "missing",
    Status.NEEDS_REVIEW: "needs review",
    Status.NOT_GRADED: "not graded yet",
}


def format_points(value: float) -> str:
    """Points without a trailing .0."""
    return f"{value:g}"


def report_text(report: Report, *, verbose: bool = True, readings: dict[str, Any] | None = None) -> str:
    """Per part: id, status, score/max, how the answer was read (when `readings` are given) and
    feedback; then the total and a status summary."""
    who = report.student or "(no student id)"
    lines = [f"{report.problem_set} — {who} — variant {report.variant}"]
    lines += [f"warning: {w}" for w in report.warnings]
    width = max(len(p.id) for p in report.parts) if report.parts else 0
    for part in report.parts:
        score = f"{format_points(part.score)}/{format_points(part.max_score)}"
        lines.append(f"  {part.id:<{width}}  {STATUS_LABEL[part.status]:<14} {score:>7}")
        reading = (readings or {}).get(part.id)
        if reading is not None:
            first, *rest = reading.text.split("\n")
            lines.append(" " * (width + 4) + "reads as: " + first)
            lines += [" " * (width + 14) + line for line in rest]
        if verbose and part.status not in (Status.CORRECT, Status.MISSING, Status.NOT_GRADED):
            for message in part.feedback:
                lines += _feedback_lines(message, " " * (width + 4))
    counts = ", ".join(f"{n} {STATUS_LABEL[Status(s)]}" for s, n in report.counts().items())
    lines.append(f"Total: {format_points(report.score)}/{format_points(report.max_score)}  ({counts})")
    return "\n".join(lines)


def _feedback_lines(message: str, indent: str) -> list[str]:
    """A feedback message as a bullet: its first line wrapped, later lines (a formula with a
    caret under it) kept as they are so the caret stays under its character."""
    first, *rest = message.split("\n")
    lines = textwrap.wrap(first, 96, initial_indent=indent + "- ", subsequent_indent=indent + "  ") or [indent + "-"]
    return lines + [indent + "  " + line for line in rest]
