"""Grading one submission against one problem set: a pure function from inputs to a Report."""

from __future__ import annotations

import difflib
import inspect
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.answers import Submission
from grader.kinds import InvalidAnswer, Kind, Status, Verdict, get_kind
from grader.solvers import get_solver
from grader.spec.models import Part, Problem, ProblemSet, SolverCall
from grader.variants import Variant, render_prompt, resolve_args

MAX_ANSWER_CHARS = 20_000
NOT_GRADED_MESSAGE = "This part is not graded automatically yet; your instructor will grade it."


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["feedback"] = list(self.feedback)
        return data


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


@dataclass
class ExpectedCache:
    """Expected answers per (variant, part, solver call): solvers are pure, so this is safe."""

    values: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def get(self, variant: Variant, problem: Problem, part: Part, label: str, call: SolverCall) -> Any:
        key = (variant.key, part.id, label)
        if key not in self.values:
            self.values[key] = compute_expected(variant, problem, part, call)
        return self.values[key]


def compute_expected(variant: Variant, problem: Problem, part: Part, call: SolverCall) -> Any:
    """Run a solver for the variant; misconception solvers inherit the part's arguments."""
    func = get_solver(call.name)
    params = variant.params.get(problem.id, {})
    base = part.solver.args if part.solver is not None and call is not part.solver else {}
    args = resolve_args(SolverCall(name=call.name, args={**base, **call.args}), params)
    accepted = inspect.signature(func).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        args = {k: v for k, v in args.items() if k in accepted}
    return func(**args)


def grade(
    problem_set: ProblemSet,
    variant: Variant,
    submission: Submission,
    *,
    cache: ExpectedCache | None = None,
) -> Report:
    """Grade every part of the set; a bad or crashing answer costs only that part."""
    cache = cache or ExpectedCache()
    answers = dict(submission.answers)
    for _, part in problem_set.parts():
        for alias in part.aliases:
            if alias in answers and part.id not in answers:
                answers[part.id] = answers.pop(alias)
    results = [
        grade_part(problem, part, variant, answers.get(part.id), submission, cache)
        for problem, part in problem_set.parts()
    ]
    return Report(
        student=submission.student,
        problem_set=problem_set.id,
        variant=variant.key,
        parts=results,
        warnings=tuple(_unknown_ids(problem_set, answers)),
        file=submission.path,
        spec_digest=problem_set.digest,
    )


def grade_part(
    problem: Problem,
    part: Part,
    variant: Variant,
    raw: Any,
    submission: Submission,
    cache: ExpectedCache,
) -> PartResult:
    """Grade one answer; any failure inside a kind sends the part to review, not to zero."""
    result = _Result(part, problem, raw)
    if _is_blank(raw):
        return result.finish(Status.MISSING, 0.0, ("No answer given.",))
    kind = get_kind(part.kind)
    if kind is None or part.solver is None:
        return result.finish(Status.NOT_GRADED, 0.0, (NOT_GRADED_MESSAGE,))
    if isinstance(raw, str) and len(raw) > MAX_ANSWER_CHARS:
        return result.finish(
            Status.INVALID, 0.0, (f"Your answer is {len(raw)} characters long; the limit is {MAX_ANSWER_CHARS}.",)
        )
    try:
        options = kind.options(part.options)
        value = kind.parse(raw, options)
        if isinstance(value, InvalidAnswer):
            where = submission.where(part.id)
            prefix = f"{part.id} ({where})" if where else part.id
            return result.finish(Status.INVALID, 0.0, (f"{prefix}: {value.message}",))
        try:
            expected = cache.get(variant, problem, part, "", part.solver)
        except Exception as err:  # noqa: BLE001 - a solver failure is the spec's fault, not the student's
            return result.finish(
                Status.NEEDS_REVIEW, 0.0,
                (f"The expected answer could not be computed ({type(err).__name__}); a person will grade this.",),
            )
        verdict = kind.compare(value, expected, options)
        misconception = None
        if verdict.status in (Status.INCORRECT, Status.PARTIAL):
            verdict, misconception = _apply_misconceptions(kind, options, value, verdict, variant, problem, part, cache)
    except Exception as err:  # noqa: BLE001 - the part boundary: one crash must not lose the others
        return result.finish(
            Status.NEEDS_REVIEW, 0.0,
            (f"The grader could not check this answer ({type(err).__name__}); a person will grade it.",),
        )
    feedback = verdict.feedback
    if part.hint and verdict.status in (Status.INCORRECT, Status.PARTIAL):
        feedback = (*feedback, f"Hint: {part.hint}")
    return result.finish(verdict.status, verdict.fraction * part.points, feedback, misconception)


def _apply_misconceptions(
    kind: Kind, options: Any, value: Any, verdict: Verdict, variant: Variant,
    problem: Problem, part: Part, cache: ExpectedCache,
) -> tuple[Verdict, str | None]:
    for mistake in part.misconceptions:
        try:
            produced = cache.get(variant, problem, part, mistake.id, mistake.solver)
        except Exception:  # noqa: BLE001 - a misconception that does not apply to this variant
            continue
        if kind.matches(value, produced, options):
            message = render_prompt(mistake.feedback.strip(), variant.params.get(problem.id, {}))
            return Verdict.partial(mistake.credit, message, *verdict.feedback), mistake.id
    return verdict, None


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == {}


def _unknown_ids(problem_set: ProblemSet, answers: dict[str, Any]) -> list[str]:
    known = problem_set.part_ids()
    warnings = []
    for key in answers:
        if problem_set.find_part(key) is None:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            warnings.append(f"'{key}' is not a part of this problem set{hint}; its answer was not graded.")
    return warnings


class _Result:
    """Collects the fixed fields of a PartResult so each exit path states only its outcome."""

    def __init__(self, part: Part, problem: Problem, raw: Any):
        self.part, self.problem, self.raw = part, problem, raw

    def finish(
        self, status: Status, score: float, feedback: tuple[str, ...], misconception: str | None = None
    ) -> PartResult:
        return PartResult(
            id=self.part.id,
            problem=self.problem.id,
            kind=self.part.kind,
            status=status,
            score=round(score, 6),
            max_score=self.part.points,
            feedback=feedback,
            answer=self.raw,
            misconception=misconception,
        )
