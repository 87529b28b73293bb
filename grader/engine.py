"""Grading one submission against one problem set: a pure function from inputs to a Report."""

from __future__ import annotations

import difflib
import hashlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from grader import budget
from grader.answers import Submission
from grader.kinds import InvalidAnswer, Kind, Status, Verdict, get_kind
from grader.limits import LIMITS
from grader.notation import using_notation
from grader.results import PartResult as PartResult  # re-exported: the engine's output
from grader.results import Report as Report
from grader.rubric import part_options
from grader.solvers import get_solver
from grader.solvers.registry import grading_with
from grader.spec.models import PARAM_REF, Part, Problem, ProblemSet, SolverCall
from grader.variants import Variant, render_prompt, resolve_args

if TYPE_CHECKING:
    from grader.expected_store import ExpectedStore

MAX_ANSWER_CHARS = LIMITS.max_answer_chars
NOT_GRADED_MESSAGE = "This part is not graded automatically yet; your instructor will grade it."
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")  # what render_prompt fills in


def _default_store() -> ExpectedStore | None:
    from grader.expected_store import ExpectedStore

    return ExpectedStore.default()


@dataclass
class ExpectedCache:
    """Solver results keyed by (set digest, solver, resolved arguments): solvers are pure, so this
    is safe.

    Keying by the arguments rather than the variant lets students whose variants agree on a
    problem's parameters (all of them, for a problem that does not vary) share one computation.
    Results also go to the on-disk store (unless caching is off), so the next process reads them
    instead of running the solvers again; `use` names the set being graded, `save` writes.
    """

    values: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    kind_options: dict[tuple[str, str], Any] = field(default_factory=dict)
    store: ExpectedStore | None = field(default_factory=_default_store)
    digest: str = ""

    def use(self, problem_set: ProblemSet) -> ExpectedCache:
        """Look results up under this set's digest from now on."""
        self.digest = problem_set.digest
        return self

    def save(self) -> None:
        """Write new results to the on-disk store (a failure to write only costs time later)."""
        if self.store is not None:
            self.store.flush()

    def options(self, kind: Kind[Any, Any], part: Part, root: str) -> Any:
        """A part's validated kind options, with paths resolved against the set's folder (once)."""
        key = (root, part.id)
        if key not in self.kind_options:
            self.kind_options[key] = kind.options(part_options(part.options, root, part.prompt))
        return self.kind_options[key]

    def get(self, variant: Variant, problem: Problem, part: Part, call: SolverCall) -> Any:
        func, args = resolve_solver(variant, problem, part, call)
        # Two sets may give one name to different solvers: the set's table is part of the key.
        table = problem.solvers
        where = self.digest if table is None else f"{self.digest}\0{table.root}\0{table.digest}"
        key = (where, call.name, repr(sorted(args.items())))
        if key not in self.values:
            self.values[key] = self._stored_or_computed(variant.key, key, func, args)
        return self.values[key]

    def _stored_or_computed(self, variant: str, key: tuple[str, str, str], func: Callable[..., Any],
                            args: dict[str, Any]) -> Any:
        if self.store is None or not self.digest:
            return func(**args)
        from grader.expected_store import MISSING

        entry = f"{key[1]}\0{key[2]}"
        value = self.store.lookup(self.digest, variant, entry)
        if value is MISSING:
            value = func(**args)
            self.store.remember(self.digest, variant, entry, value)
        return value


@dataclass
class VerdictCache:
    """Part results keyed by (spec, part, parameters, answer): many students give the same answer.

    A part's result depends only on those: on the variant only through the parameters that
    `part_parameters` lists; an invalid answer's result also on the answer's line, which its
    message names. The oldest entries go first once `limit` is reached.
    """

    limit: int = 200_000
    results: dict[tuple[str, ...], PartResult] = field(default_factory=dict)
    parameters: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def parameters_of(self, problem_set: ProblemSet, part: Part) -> tuple[str, ...]:
        key = (problem_set.digest, part.id)
        if key not in self.parameters:
            self.parameters[key] = part_parameters(part)
        return self.parameters[key]

    def lookup(self, key: tuple[str, ...]) -> PartResult | None:
        found = self.results.get(key)
        self.hits += found is not None
        return found

    def store(self, key: tuple[str, ...], result: PartResult) -> None:
        self.misses += 1
        if len(self.results) >= self.limit:
            del self.results[next(iter(self.results))]
        self.results[key] = result


def answer_key(raw: Any) -> str | None:
    """A short, type-preserving key of a loaded answer (1, 1.0 and "1" differ), or None if unusual."""
    try:
        text = repr(raw)
    except RecursionError:
        return None
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def part_parameters(part: Part) -> tuple[str, ...]:
    """The parameters grading a part reads from the variant: its solvers' `$NAME` arguments (which
    misconception solvers inherit) and the `{NAME}` placeholders of its misconception feedback."""
    names: set[str] = set()
    for call in (part.solver, *(m.solver for m in part.misconceptions)):
        for value in call.args.values() if call is not None else ():
            ref = PARAM_REF.match(value) if isinstance(value, str) else None
            if ref:
                names.add(ref.group(1))
    for mistake in part.misconceptions:
        names.update(_PLACEHOLDER.findall(mistake.feedback))
    return tuple(sorted(names))


def compute_expected(variant: Variant, problem: Problem, part: Part, call: SolverCall) -> Any:
    """Run a solver for the variant; misconception solvers inherit the part's arguments."""
    func, args = resolve_solver(variant, problem, part, call)
    return func(**args)


def resolve_solver(
    variant: Variant, problem: Problem, part: Part, call: SolverCall
) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The solver function and the keyword arguments it is called with for this variant."""
    func = get_solver(call.name, problem.solvers)
    params = variant.params.get(problem.id, {})
    base = part.solver.args if part.solver is not None and call is not part.solver else {}
    args = resolve_args(SolverCall(name=call.name, args={**base, **call.args}), params)
    accepted = inspect.signature(func).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        args = {k: v for k, v in args.items() if k in accepted}
    return func, args


def grade(
    problem_set: ProblemSet,
    variant: Variant,
    submission: Submission,
    *,
    cache: ExpectedCache | None = None,
    verdicts: VerdictCache | None = None,
) -> Report:
    """Grade every part of the set; a bad or crashing answer costs only that part."""
    cache = (cache or ExpectedCache()).use(problem_set)
    answers = dict(submission.answers)
    for _, part in problem_set.parts():
        for alias in part.aliases:
            if alias in answers and part.id not in answers:
                answers[part.id] = answers.pop(alias)
    results = [
        _grade_part_cached(
            problem_set, problem, part, variant, answers.get(part.id), submission, cache, verdicts
        )
        for problem, part in problem_set.parts()
    ]
    cache.save()
    return Report(
        student=submission.student,
        problem_set=problem_set.id,
        variant=variant.key,
        parts=results,
        warnings=tuple(_unknown_ids(problem_set, answers)),
        file=submission.path,
        spec_digest=problem_set.digest,
    )


def _grade_part_cached(
    problem_set: ProblemSet, problem: Problem, part: Part, variant: Variant, raw: Any,
    submission: Submission, cache: ExpectedCache, verdicts: VerdictCache | None,
) -> PartResult:
    if verdicts is None:
        return grade_part(problem, part, variant, raw, submission, cache, problem_set.root)
    answer = answer_key(raw)
    values = variant.params.get(problem.id, {})
    params = answer_key([(name, values.get(name)) for name in verdicts.parameters_of(problem_set, part)])
    if answer is None or params is None:
        return grade_part(problem, part, variant, raw, submission, cache, problem_set.root)
    key = (problem_set.digest, part.id, params, answer)
    # Invalid-answer messages name the answer's line, so those are shared only by the same line.
    located = (*key, submission.where(part.id))
    found = verdicts.lookup(key) or verdicts.lookup(located)
    if found is None:
        found = grade_part(problem, part, variant, raw, submission, cache, problem_set.root)
        if found.provisional is None:  # another try may decide what this one could not
            verdicts.store(located if found.status is Status.INVALID else key, found)
    return found if found.answer is raw else replace(found, answer=raw)


def grade_part(
    problem: Problem,
    part: Part,
    variant: Variant,
    raw: Any,
    submission: Submission,
    cache: ExpectedCache,
    root: str = ".",
) -> PartResult:
    """Grade one answer; any failure inside a kind sends the part to review, not to zero.

    A budget that runs out anywhere in the part's checks makes the result provisional: the part
    is `needs_review` with the provisional score and feedback, unless the answer was found
    correct by the checks that did finish.
    """
    # Solver names in kind options and probability notation are the set's own.
    with grading_with(problem.solvers), using_notation(problem.notation), budget.watch() as exhausted:
        try:
            result = _grade_part(problem, part, variant, raw, submission, cache, root)
        except budget.OutOfBudget as err:
            if not exhausted:
                exhausted.append((err.reason, 0.0))
            result = _Result(part, problem, raw).finish(Status.NEEDS_REVIEW, 0.0, ())
    if not exhausted or result.status is Status.CORRECT:
        return result
    reason, seconds = exhausted[0]
    why = "the automatic check ran out of its budget" + (f": {budget.describe(reason, seconds)}" if seconds else "")
    note = f"This grade is provisional ({why}); a person will grade this part, and the grader will try again."
    return replace(result, status=Status.NEEDS_REVIEW, feedback=(*result.feedback, note), provisional=why)


def _grade_part(
    problem: Problem, part: Part, variant: Variant, raw: Any, submission: Submission,
    cache: ExpectedCache, root: str,
) -> PartResult:
    result = _Result(part, problem, raw)
    if _is_blank(raw):
        return result.finish(Status.MISSING, 0.0, ("No answer given.",))
    kind = get_kind(part.kind)
    if kind is None or (part.solver is None and kind.needs_solver):
        return result.finish(Status.NOT_GRADED, 0.0, (NOT_GRADED_MESSAGE,))
    if isinstance(raw, str) and len(raw) > MAX_ANSWER_CHARS:
        return result.finish(
            Status.INVALID, 0.0, (f"Your answer is {len(raw)} characters long; the limit is {MAX_ANSWER_CHARS}.",)
        )
    try:
        options = cache.options(kind, part, root)
        value = kind.parse(raw, options)
        if isinstance(value, InvalidAnswer):
            where = submission.where(part.id)
            prefix = f"{part.id} ({where})" if where else part.id
            return result.finish(Status.INVALID, 0.0, (f"{prefix}: {value.message}",))
        try:
            expected = None if part.solver is None else cache.get(variant, problem, part, part.solver)
        except Exception:  # noqa: BLE001 - a solver failure is the spec's fault, not the student's
            return result.finish(
                Status.NEEDS_REVIEW, 0.0,
                ("The expected answer could not be computed for your variant; a person will grade this part.",),
            )
        verdict = kind.compare(value, expected, options)
        misconception = None
        if verdict.status in (Status.INCORRECT, Status.PARTIAL):
            verdict, misconception = _apply_misconceptions(kind, options, value, verdict, variant, problem, part, cache)
    except budget.OutOfBudget:
        raise
    except Exception:  # noqa: BLE001 - the part boundary: one crash must not lose the others
        return result.finish(
            Status.NEEDS_REVIEW, 0.0,
            ("The grader could not check this answer automatically; a person will grade it.",),
        )
    feedback = verdict.feedback
    if part.hint and verdict.status in (Status.INCORRECT, Status.PARTIAL):
        feedback = (*feedback, f"Hint: {part.hint}")
    return result.finish(verdict.status, verdict.fraction * part.points, feedback, misconception)


def _apply_misconceptions(
    kind: Kind[Any, Any], options: Any, value: Any, verdict: Verdict, variant: Variant,
    problem: Problem, part: Part, cache: ExpectedCache,
) -> tuple[Verdict, str | None]:
    for mistake in part.misconceptions:
        try:
            produced = cache.get(variant, problem, part, mistake.solver)
        except Exception:  # noqa: BLE001, S112 - a misconception that does not apply to this variant
            continue
        if kind.matches(value, produced, options):
            message = render_prompt(mistake.feedback.strip(), variant.params.get(problem.id, {}))
            return Verdict.partial(max(mistake.credit, verdict.fraction), message, *verdict.feedback), mistake.id
    return verdict, None


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == {}


MAX_UNKNOWN_WARNINGS = 3  # "did you mean" lines for unknown part ids; the rest are counted


def _unknown_ids(problem_set: ProblemSet, answers: dict[str, Any]) -> list[str]:
    """A few warnings for keys that name no part, then a count: linear in the number of keys."""
    names = {name for _, part in problem_set.parts() for name in (part.id, *part.aliases)}
    unknown = [key for key in answers if key not in names]
    known = problem_set.part_ids()
    warnings = []
    for key in unknown[:MAX_UNKNOWN_WARNINGS]:
        near = difflib.get_close_matches(key[:100], known, n=1, cutoff=0.6)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        shown = key if len(key) <= 60 else key[:57] + "..."
        warnings.append(f"{shown!r} is not a part of this problem set{hint}; its answer was not graded.")
    if len(unknown) > MAX_UNKNOWN_WARNINGS:
        warnings.append(f"{len(unknown) - MAX_UNKNOWN_WARNINGS} more key(s) are not parts of this problem set "
                        "either; their answers were not graded.")
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
