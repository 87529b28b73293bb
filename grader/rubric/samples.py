"""Files of graded sample answers, as an instructor writes them.

A samples file is a YAML list. Each item is an answer (a string or a list of lines) or a
mapping `{answer, expected_points, expected_status, note}` (the last three optional).
`grader rubric-test` scores such a file against a rubric; a rubric may also list such files as
its graded `examples` (`grader.rubric.examples`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UsageError

STATUSES = ("correct", "partial", "incorrect", "needs_review", "invalid", "missing")


class SamplesInvalid(UsageError):
    """A samples file that cannot be read as a list of answers."""


@dataclass(frozen=True)
class Sample:
    """One sample answer and, optionally, what an instructor expects for it."""

    answer: Any
    expected_points: float | None = None
    expected_status: str | None = None
    note: str = ""


def load_samples(path: str | Path) -> list[Sample]:
    """Read a samples file (a YAML list of answers or of {answer, expected_points, ...})."""
    from grader.spec.yamlsafe import YamlError, load_yaml

    path = Path(path)
    if not path.is_file():
        raise SamplesInvalid(f"No samples file at {path}; write a YAML list of answers there.")
    try:
        data, _ = load_yaml(path.read_text(encoding="utf-8"))
    except YamlError as err:
        raise SamplesInvalid(f"{path}:{err.line or '?'}: {err.message}") from None
    if isinstance(data, dict) and isinstance(data.get("samples"), list):
        data = data["samples"]
    if not isinstance(data, list):
        raise SamplesInvalid(f"{path}: expected a YAML list of answers (or of {{answer, expected_points}} items).")
    return [_sample(item, path, i) for i, item in enumerate(data, start=1)]


def _sample(item: Any, path: Path, number: int) -> Sample:
    if not isinstance(item, dict):
        return Sample(item)
    unknown = set(item) - {"answer", "expected_points", "expected_status", "note"}
    if "answer" not in item or unknown:
        what = f"unknown key(s) {', '.join(sorted(map(str, unknown)))}" if unknown else "no 'answer'"
        raise SamplesInvalid(f"{path}: item {number} has {what}; use answer, expected_points, expected_status, note.")
    points = item.get("expected_points")
    if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float))):
        raise SamplesInvalid(f"{path}: item {number}: expected_points must be a number, not {points!r}.")
    status = item.get("expected_status")
    if status is not None and status not in STATUSES:
        raise SamplesInvalid(f"{path}: item {number}: expected_status {status!r} is not one of {', '.join(STATUSES)}.")
    return Sample(item["answer"], None if points is None else float(points), status, str(item.get("note") or ""))
