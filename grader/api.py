"""The library's front door: each CLI command is one call of a function here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.answers import Submission, read_submission
from grader.engine import ExpectedCache, Report, grade
from grader.errors import ProblemSetNotFound, SubmissionUnreadable, UsageError
from grader.kinds import InvalidAnswer, get_kind
from grader.rubric import part_options
from grader.spec import ProblemSet, load_problem_set
from grader.variants import Variant, default_variant, variant_for

PROBLEMS_ENV = "GRADER_PROBLEMS"


def locate_problem_set(set_id: str, near: str | Path | None = None) -> Path:
    """Find `problems/<set_id>` in $GRADER_PROBLEMS, the working directory or above `near`."""
    roots = [Path(p) for p in os.environ.get(PROBLEMS_ENV, "").split(os.pathsep) if p]
    roots.append(Path.cwd() / "problems")
    if near is not None:
        roots += [parent / "problems" for parent in Path(near).resolve().parents]
    for root in roots:
        if (root / set_id / "set.yaml").is_file():
            return root / set_id
    raise ProblemSetNotFound(
        f"Problem set {set_id!r} was not found under {', '.join(str(r) for r in roots[:3])}; "
        f"pass --set PATH to the problem-set folder or set {PROBLEMS_ENV}."
    )


def resolve_set_for(submission: Submission, set_path: str | Path | None) -> ProblemSet:
    """The problem set a submission is graded against: --set wins, else its `problem_set` key."""
    if set_path is not None:
        problem_set = load_problem_set(set_path)
        check_set_matches(submission, problem_set)
        return problem_set
    if not submission.problem_set:
        raise SubmissionUnreadable(
            f"{submission.path}: the file does not say which problem set it answers; "
            "add a line 'problem_set: <id>' or pass --set PATH."
        )
    return load_problem_set(locate_problem_set(submission.problem_set, submission.path))


def check_set_matches(submission: Submission, problem_set: ProblemSet) -> None:
    """Refuse a submission whose `problem_set` line names another set."""
    if submission.problem_set and submission.problem_set != problem_set.id:
        raise SubmissionUnreadable(
            f"{submission.path}: this file is for problem set {submission.problem_set!r}, "
            f"not {problem_set.id!r}; fix its 'problem_set' line or pass the right --set."
        )


def check_file(path: str | Path, set_path: str | Path | None = None) -> Report:
    """Grade one answer file for its student's variant."""
    submission = read_submission(path)
    problem_set = resolve_set_for(submission, set_path)
    return grade(problem_set, variant_for(problem_set, submission.student), submission)


def grade_submission(problem_set: ProblemSet, submission: Submission, cache: ExpectedCache | None = None) -> Report:
    """Grade an already-read submission (used by batch grading)."""
    return grade(problem_set, variant_for(problem_set, submission.student), submission, cache=cache)


@dataclass
class Validation:
    """What `grader validate` found: errors make the set unusable, notes are informational."""

    problem_set: str
    variants_checked: int
    parts_checked: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(set_path: str | Path, variants: int = 20) -> Validation:
    """Load a set, run every solver for the default and `variants` random variants, and check
    each reference is accepted by its kind and no misconception coincides with it."""
    problem_set = load_problem_set(set_path)
    checks = [default_variant(problem_set)]
    checks += [variant_for(problem_set, f"validate-{i}", force=True) for i in range(variants)]
    result = Validation(problem_set.id, len(checks))
    coincidences: dict[tuple[str, str], int] = {}
    # Variants that agree on a problem's parameters share its solver results.
    solved = ExpectedCache().use(problem_set)  # and the on-disk cache, which this fills
    for problem, part in problem_set.parts():
        kind = get_kind(part.kind)
        if kind is None or (part.solver is None and kind.needs_solver):
            result.notes.append(f"{part.id}: kind {part.kind!r} is not graded automatically yet")
            continue
        result.parts_checked += 1
        try:
            options = kind.options(part_options(part.options, problem_set.root, part.prompt))
        except Exception as err:  # noqa: BLE001 - report any options error against the part
            result.errors.append(f"{part.id}: options: {err}")
            continue
        if part.solver is None:  # judged by a rubric: its model answers must earn full marks
            verdict = kind.accepts_expected(None, options)
            if not verdict.is_full:
                result.errors.append(f"{part.id}: " + "; ".join(verdict.feedback))
            continue
        seen: set[str] = set()
        for variant in checks:
            params = repr(sorted(variant.params.get(problem.id, {}).items()))
            if params in seen:  # this problem does not vary between these two variants
                continue
            seen.add(params)
            _validate_part(problem, part, kind, options, variant, result, coincidences, solved)
    solved.save()
    for (part_id, mistake), count in sorted(coincidences.items()):
        result.notes.append(
            f"{part_id}: misconception {mistake} gives the right answer in {count} random variant(s); "
            "it is not used there"
        )
    return result


def _validate_part(problem: Any, part: Any, kind: Any, options: Any, variant: Variant,
                   result: Validation, coincidences: dict[tuple[str, str], int], solved: ExpectedCache) -> None:
    label = f"{part.id} (variant {variant.key})"
    try:
        expected = solved.get(variant, problem, part, part.solver)
    except Exception as err:  # noqa: BLE001 - the solver is under test here
        result.errors.append(f"{label}: solver {part.solver.name} failed: {type(err).__name__}: {err}")
        return
    if not kind.accepts_expected(expected, options).is_full:
        result.errors.append(f"{label}: the kind {part.kind} does not accept its own reference answer")
    if not _accepted_as_typed(kind, expected, expected, options):
        result.errors.append(f"{label}: the reference, written as a student would, is not accepted")
    for mistake in part.misconceptions:
        try:
            produced = solved.get(variant, problem, part, mistake.solver)
        except Exception as err:  # noqa: BLE001 - the misconception solver is under test here
            result.errors.append(f"{label}: misconception {mistake.id}: {type(err).__name__}: {err}")
            continue
        if _accepted_as_typed(kind, produced, expected, options):
            if variant.is_default:
                result.errors.append(f"{label}: misconception {mistake.id} coincides with the reference")
            else:
                coincidences[(part.id, mistake.id)] = coincidences.get((part.id, mistake.id), 0) + 1


def _accepted_as_typed(kind: Any, value: Any, expected: Any, options: Any) -> bool:
    """Whether `value`, typed in by a student the way the kind renders it, is judged correct."""
    parsed = kind.parse(kind.render(value), options)
    return not isinstance(parsed, InvalidAnswer) and kind.compare(parsed, expected, options).is_full


def template(set_path: str | Path, student: str, fmt: str = "yaml") -> str:
    """A blank answer file for a student, in yaml, toml or json."""
    from grader.template import FORMATS, answer_template

    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    problem_set = load_problem_set(set_path)
    return answer_template(problem_set, variant_for(problem_set, student), student, fmt)
