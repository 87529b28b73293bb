"""What the class got wrong: score distribution, per-part statistics, common wrong answers, review load.

Computed from each student's counted submission with overrides applied (the gradebook's view),
so the report agrees with the scores that are exported.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from grader.report.mathtext import answer_text
from grader.store.gradebook import Gradebook, SetRef

HISTOGRAM_BINS = 12  # at most; the width is rounded up to 1, 2 or 5 times a power of ten
TOP_WRONG_ANSWERS = 5
MAX_ANSWER_SHOWN = 200
WRONG_STATUSES = ("incorrect", "partial")


@dataclass(frozen=True)
class Bin:
    """Students whose total lies in [low, high) (the last bin includes its high end)."""

    low: float
    high: float
    count: int


@dataclass(frozen=True)
class WrongAnswer:
    """An answer given by several students that was not fully correct."""

    answer: str
    count: int
    misconception: str | None


@dataclass
class PartStats:
    """One part across the class."""

    id: str
    problem: str
    kind: str
    max_score: float
    answered: int = 0
    scored: int = 0  # parts with a score (not waiting for a person)
    mean: float | None = None
    share_correct: float | None = None
    discrimination: float | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    misconceptions: dict[str, int] = field(default_factory=dict)
    wrong_answers: list[WrongAnswer] = field(default_factory=list)
    waiting: int = 0  # sent to review and not decided yet


@dataclass(frozen=True)
class FailedFile:
    """A file that could not be graded."""

    student: str
    path: str
    error: str


@dataclass
class ClassStats:
    """Everything the class report shows."""

    problem_set: str
    title: str
    generated_at: str
    students: int
    graded_students: int
    submissions: int
    max_score: float
    mean_total: float | None
    median_total: float | None
    late_students: int
    histogram: list[Bin]
    parts: list[PartStats]
    failed: list[FailedFile]
    waiting_total: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def class_stats(gradebook: Gradebook, problem_set: SetRef = None) -> ClassStats:
    """Statistics of a set over every student's counted submission."""
    info = gradebook.set_info(problem_set)
    parts = {p.id: PartStats(p.id, p.problem, p.kind, p.points) for p in info.parts}
    scores: dict[str, list[float | None]] = {p.id: [] for p in info.parts}
    totals: list[float] = []
    wrong: dict[str, Counter[str]] = {p.id: Counter() for p in info.parts}
    wrong_misconceptions: dict[tuple[str, str], Counter[str]] = {}
    failed: list[FailedFile] = []
    students = submissions = late = 0
    for student in gradebook.students(info):
        students += 1
        submissions += len(student.submissions) + len(student.failures)
        failed += [FailedFile(f.student, f.path, f.error) for f in student.failures]
        counted = student.counted
        if counted is None:
            continue
        totals.append(counted.total)
        late += counted.late_days > 0
        by_id = {p.id: p for p in counted.parts}
        for part_id, stats in parts.items():
            part = by_id.get(part_id)
            scores[part_id].append(None if part is None else part.effective_score)
            if part is None:
                continue
            stats.statuses[part.effective_status] = stats.statuses.get(part.effective_status, 0) + 1
            stats.answered += part.status != "missing"
            stats.waiting += part.waiting
            if part.misconception:
                stats.misconceptions[part.misconception] = stats.misconceptions.get(part.misconception, 0) + 1
            if part.status in WRONG_STATUSES and not part.fully_correct:
                shown = shown_answer(part.answer)
                wrong[part_id][shown] += 1
                if part.misconception:
                    wrong_misconceptions.setdefault((part_id, shown), Counter())[part.misconception] += 1
    # Each student's sum over the parts (a part still to be scored counts 0), for discrimination.
    sums = [sum(values) for values in zip(*([v or 0.0 for v in own] for own in scores.values()), strict=True)]
    for part_id, stats in parts.items():
        _fill(stats, scores[part_id], sums, wrong[part_id], wrong_misconceptions)
    return ClassStats(
        problem_set=info.id,
        title=info.title,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        students=students,
        graded_students=len(totals),
        submissions=submissions,
        max_score=info.max_score,
        mean_total=_mean(totals),
        median_total=_median(totals),
        late_students=late,
        histogram=histogram(totals, info.max_score),
        parts=list(parts.values()),
        failed=failed,
        waiting_total=sum(p.waiting for p in parts.values()),
    )


def _fill(
    stats: PartStats, own: list[float | None], sums: list[float], wrong: Counter[str],
    wrong_misconceptions: dict[tuple[str, str], Counter[str]],
) -> None:
    values = [v for v in own if v is not None]
    stats.scored = len(values)
    stats.mean = _mean(values)
    if own:
        stats.share_correct = sum(1 for v in values if v >= stats.max_score - 1e-9) / len(own)
    # Item discrimination: this part against the rest of the score.
    pairs = [(v, total - v) for v, total in zip(own, sums, strict=True) if v is not None]
    stats.discrimination = correlation([v for v, _ in pairs], [r for _, r in pairs])
    stats.wrong_answers = [
        WrongAnswer(answer, count, _most_common(wrong_misconceptions.get((stats.id, answer))))
        for answer, count in wrong.most_common(TOP_WRONG_ANSWERS)
    ]


def histogram(totals: list[float], max_score: float, bins: int = HISTOGRAM_BINS) -> list[Bin]:
    """Counts of totals in bins of a round width (1, 2 or 5 times a power of ten) over [0, max_score]."""
    if max_score <= 0:
        return []
    width = _nice_width(max_score / bins)
    count = max(1, math.ceil(max_score / width - 1e-9))
    counts = [0] * count
    for total in totals:
        counts[min(count - 1, max(0, int(total / width)))] += 1
    return [Bin(round(i * width, 6), round(min((i + 1) * width, max_score), 6), c) for i, c in enumerate(counts)]


def _nice_width(raw: float) -> float:
    power = 10.0 ** math.floor(math.log10(raw))
    return next(step * power for step in (1.0, 2.0, 5.0, 10.0) if step * power >= raw - 1e-12)


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation, or None with fewer than 3 pairs or no spread."""
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return round(sxy / math.sqrt(sxx * syy), 4)


def shown_answer(answer: Any) -> str:
    """An answer on one line, as the report lists it among the common wrong answers."""
    text = " ".join(answer_text(answer).split())
    return text if len(text) <= MAX_ANSWER_SHOWN else text[: MAX_ANSWER_SHOWN - 1] + "…"


def _most_common(counter: Counter[str] | None) -> str | None:
    return counter.most_common(1)[0][0] if counter else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round((ordered[middle - 1] + ordered[middle]) / 2, 4)
