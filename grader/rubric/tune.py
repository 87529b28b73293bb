"""Tuning a rubric before grading a class: score sample answers and compare with expectations.

A samples file is a YAML list. Each item is an answer (a string or a list of lines) or a
mapping `{answer, expected_points, expected_status, note}` (the last three optional). An
answer is *within tolerance* when its provisional points differ from the expected points by at
most 25 % of the part's points.

The run also reports, per phrase of the rubric, the ones that never fired on any sample (dead or
misspelt phrases, or samples that do not cover an idea) and the ones that fired on a sample the
rubric scored above its expected points (a concept phrase that over-credits) or below them (a
misconception phrase that over-penalises), so an instructor knows which line to change.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from grader.rubric.match import Matcher
from grader.rubric.model import Rubric, misread_words
from grader.rubric.samples import Sample
from grader.rubric.score import AnswerProblem, RubricResult, _mask_copied, _mentions, answer_text, score_answer
from grader.rubric.text import prepare

TOLERANCE = 0.25


@dataclass(frozen=True)
class SampleOutcome:
    """A sample with its result."""

    sample: Sample
    result: RubricResult

    @property
    def within(self) -> bool | None:
        """Whether the provisional points are within 25 % of the part's points of the expected."""
        if self.sample.expected_points is None:
            return None
        return within_tolerance(self.result.points, self.sample.expected_points, self.result.max_points)

    @property
    def status_ok(self) -> bool | None:
        if self.sample.expected_status is None:
            return None
        return self.result.status == self.sample.expected_status


@dataclass(frozen=True)
class PhraseUse:
    """How one phrase of the rubric fared on the samples (sample numbers count from 1)."""

    owner: str  # "concept <id>" or "misconception <id>"
    phrase: str
    fired: tuple[int, ...]  # samples where it matched (not negated)
    suspect: tuple[int, ...]  # of those, samples it pushed away from the expected points

    def to_dict(self) -> dict[str, Any]:
        return {"owner": self.owner, "phrase": self.phrase, "fired": list(self.fired), "suspect": list(self.suspect)}


@dataclass(frozen=True)
class SampleRun:
    """Every sample of one rubric, scored."""

    part: str
    source: str
    max_points: float
    outcomes: tuple[SampleOutcome, ...]
    phrases: tuple[PhraseUse, ...] = ()
    misread: tuple[tuple[str, str], ...] = ()  # words written with symbols, and what is read in them

    @property
    def never_fired(self) -> tuple[PhraseUse, ...]:
        return tuple(p for p in self.phrases if not p.fired)

    @property
    def suspects(self) -> tuple[PhraseUse, ...]:
        return tuple(p for p in self.phrases if p.suspect)

    @property
    def with_expected(self) -> int:
        return sum(1 for o in self.outcomes if o.within is not None)

    @property
    def within(self) -> int:
        return sum(1 for o in self.outcomes if o.within)

    @property
    def review(self) -> int:
        return sum(1 for o in self.outcomes if o.result.status == "needs_review")

    @property
    def status_checked(self) -> int:
        return sum(1 for o in self.outcomes if o.status_ok is not None)

    @property
    def status_matches(self) -> int:
        return sum(1 for o in self.outcomes if o.status_ok)

    @property
    def as_expected(self) -> bool:
        return all(o.within is not False and o.status_ok is not False for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.part, "rubric": self.source, "max_points": self.max_points,
            "summary": {"answers": len(self.outcomes), "with_expected": self.with_expected,
                        "within_25_percent": self.within, "needs_review": self.review,
                        "status_checked": self.status_checked, "status_matches": self.status_matches},
            "never_fired": [p.to_dict() for p in self.never_fired],
            "fired_off_expectation": [p.to_dict() for p in self.suspects],
            "words_with_symbols": [{"written": written, "read_as": read} for written, read in self.misread],
            "answers": [
                {"answer": o.sample.answer, "note": o.sample.note, "expected_points": o.sample.expected_points,
                 "expected_status": o.sample.expected_status, "within_25_percent": o.within,
                 **o.result.to_dict()}
                for o in self.outcomes
            ],
        }


def within_tolerance(points: float, expected: float, max_points: float, tolerance: float = TOLERANCE) -> bool:
    """|points - expected| <= tolerance x max_points."""
    return abs(points - expected) <= tolerance * max_points + 1e-9


def run_samples(rubric: Rubric, samples: list[Sample], prompt: str = "", part: str = "") -> SampleRun:
    """Score every sample against a rubric."""
    outcomes = tuple(SampleOutcome(s, score_answer(rubric, s.answer, prompt)) for s in samples)
    return SampleRun(part or rubric.part or "", rubric.source, rubric.points, outcomes,
                     phrase_uses(rubric, outcomes, prompt), tuple(misread_words(rubric.spec)))


def phrase_uses(rubric: Rubric, outcomes: tuple[SampleOutcome, ...], prompt: str = "") -> tuple[PhraseUse, ...]:
    """Which phrases fired on which samples, and which fired where the score missed the expected.

    A concept phrase is suspect on a sample scored above its expected points; a misconception
    phrase on a sample scored below them.
    """
    owners = [(f"concept {c.id}", c.expressions, 1) for c in rubric.concepts]
    owners += [(f"misconception {m.id}", m.expressions, -1) for m in rubric.misconceptions]
    fired: dict[tuple[str, int], list[int]] = {}
    suspect: dict[tuple[str, int], list[int]] = {}
    question = prompt or rubric.spec.prompt
    for number, outcome in enumerate(outcomes, start=1):
        if outcome.result.status in ("missing", "invalid") or "copied_prompt" in outcome.result.flags:
            continue
        try:
            doc = prepare(answer_text(outcome.sample.answer))
        except AnswerProblem:
            continue
        if question:
            _mask_copied(doc, prepare(question))
        matcher = Matcher(doc)
        expected = outcome.sample.expected_points
        off = 0 if expected is None or outcome.within else (1 if outcome.result.points > expected else -1)
        for owner, expressions, sign in owners:
            for k, expression in enumerate(expressions):
                if _mentions(matcher, (expression,), stated_only=sign < 0).plain:
                    fired.setdefault((owner, k), []).append(number)
                    if off == sign:
                        suspect.setdefault((owner, k), []).append(number)
    return tuple(
        PhraseUse(owner, expression.source, tuple(fired.get((owner, k), ())), tuple(suspect.get((owner, k), ())))
        for owner, expressions, _ in owners for k, expression in enumerate(expressions)
    )


def format_run(run: SampleRun) -> str:
    """The run as text for the terminal: one block per answer, then a summary."""
    lines = [f"{run.part} — rubric {run.source} — {len(run.outcomes)} answers, {run.max_points:g} points"]
    for number, outcome in enumerate(run.outcomes, start=1):
        r, s = outcome.result, outcome.sample
        head = f"#{number:<3} {r.points:g}/{r.max_points:g}  {r.status:<12} confidence {r.confidence:.2f}  [{r.language}]"
        if s.expected_points is not None:
            head += f"  expected {s.expected_points:g}: {'within' if outcome.within else 'NOT within'} 25%"
        if outcome.status_ok is False:
            head += f"  (expected status {s.expected_status})"
        lines.append(head)
        text = s.answer if isinstance(s.answer, str) else " / ".join(map(str, s.answer or [])) if isinstance(
            s.answer, list) else repr(s.answer)
        preview = " ".join(str(text).split())
        lines.append("     " + (s.note + ": " if s.note else "") + repr(preview[:100] + ("…" if len(preview) > 100 else "")))
        if r.found:
            lines += _wrapped("found: " + "; ".join(f'{c.id} ("{c.quote}")' for c in r.found))
        if r.missing:
            lines += _wrapped("missing: " + ", ".join(c.id + (" (negated)" if c.negated_quote else "") for c in r.missing))
        mistakes = [m for m in r.misconceptions if m.found]
        if mistakes:
            lines += _wrapped("misconceptions: " + "; ".join(f'{m.id} ("{m.quote}")' for m in mistakes))
        if r.flags:
            lines.append("     flags: " + ", ".join(r.flags))
        if r.reasons:
            lines += _wrapped("review: " + "; ".join(r.reasons))
        if r.status in ("invalid", "missing"):
            lines += _wrapped(" ".join(r.feedback))
    if run.never_fired:
        lines.append("Phrases that never fired on these samples:")
        lines += [f"     {p.owner}: {p.phrase}" for p in run.never_fired]
    if run.suspects:
        lines.append("Phrases that fired where the score missed the expected points (concepts above it, "
                     "misconceptions below it):")
        lines += [f"     {p.owner}: {p.phrase}  (answers {', '.join(f'#{n}' for n in p.suspect)})"
                  for p in run.suspects]
    if run.misread:
        lines.append("Words written with symbols or as function words, and what the phrases read in them "
                     "(single letters, symbols and function words such as 'too' or 'de' vanish; a re: pattern "
                     "says them exactly):")
        lines += [f"     {written!r} reads as {read!r}" for written, read in run.misread]
    summary = f"Summary: {len(run.outcomes)} answers; {run.review} sent to review"
    if run.with_expected:
        summary += f"; {run.within}/{run.with_expected} within 25% of the expected points"
    if run.status_checked:
        summary += f"; {run.status_matches}/{run.status_checked} with the expected status"
    lines.append(summary + ".")
    return "\n".join(lines)


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, 100, initial_indent="     ", subsequent_indent="       ")
