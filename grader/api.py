"""The library's front door: each CLI command is one call of a function here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.answers import Submission, read_submission
from grader.budget import QUESTION_TEST_VARIANTS, VALIDATE_VARIANTS
from grader.engine import ExpectedCache, Report, grade
from grader.errors import SubmissionUnreadable, UsageError
from grader.kinds import InvalidAnswer, get_kind
from grader.notation import using_notation
from grader.rubric import part_options
from grader.sets import locate
from grader.solvers.registry import grading_with
from grader.spec import ProblemSet, load_problem_set
from grader.variants import Variant, default_variant, variant_for


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
    return load_problem_set(locate(submission.problem_set))


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


def check_file_read(
    path: str | Path, set_path: str | Path | None = None, *, readings: bool = True
) -> tuple[Report, dict[str, Any]]:
    """Grade one answer file and say how each answer was read (part id -> Reading; empty when
    `readings` is False)."""
    from grader.report.readings import report_readings

    submission = read_submission(path)
    problem_set = resolve_set_for(submission, set_path)
    report = grade(problem_set, variant_for(problem_set, submission.student), submission)
    return report, report_readings(problem_set, report) if readings else {}


def grade_submission(problem_set: ProblemSet, submission: Submission, cache: ExpectedCache | None = None) -> Report:
    """Grade an already-read submission (used by batch grading)."""
    return grade(problem_set, variant_for(problem_set, submission.student), submission, cache=cache)


@dataclass
class Validation:
    """What `grader validate` found: errors make the set unusable, notes are informational."""

    problem_set: str
    variants_checked: int
    parts_checked: int = 0
    tests_run: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors




def validate(set_path: str | Path, variants: int = VALIDATE_VARIANTS) -> Validation:
    """Load a set, run every solver for the default and `variants` random variants, check each
    reference is accepted by its kind and no misconception coincides with it, and run the
    parts' question tests (each failing test is an error naming it)."""
    from grader.authoring import run_question_tests

    problem_set = load_problem_set(set_path)
    checks = [default_variant(problem_set)]
    checks += [variant_for(problem_set, f"validate-{i}", force=True) for i in range(variants)]
    result = Validation(problem_set.id, len(checks))
    if problem_set.solvers is not None:
        result.notes.extend(problem_set.solvers.notes)
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
            with grading_with(problem.solvers), using_notation(problem.notation):
                try:
                    _validate_part(problem, part, kind, options, variant, result, coincidences, solved)
                except Exception as err:  # noqa: BLE001 - a reference its kind cannot handle is the author's to see
                    result.errors.append(
                        f"{part.id} (variant {variant.key}): the kind {part.kind} cannot check the reference "
                        f"{part.solver.name}{_failed_at(problem, err)} gives: {type(err).__name__}: {err}"
                    )
    solved.save()
    for (part_id, mistake), count in sorted(coincidences.items()):
        result.notes.append(
            f"{part_id}: misconception {mistake} gives the right answer in {count} random variant(s); "
            "it is not used there"
        )
    outcomes = run_question_tests(problem_set, variants=min(variants, QUESTION_TEST_VARIANTS))
    result.tests_run = len(outcomes)
    result.errors.extend(outcome.describe() for outcome in outcomes if not outcome.passed)
    return result


def question_tests(set_path: str | Path, part: str | None = None, variants: int = QUESTION_TEST_VARIANTS) -> Any:
    """Run a set's question tests (or one part's) and return their outcomes, for `grader test`."""
    from grader.authoring import run_question_tests

    problem_set = load_problem_set(set_path)
    if part is not None and problem_set.find_part(part) is None:
        import difflib

        near = difflib.get_close_matches(part, problem_set.part_ids(), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise UsageError(f"{problem_set.id} has no part {part!r}{hint}.")
    return run_question_tests(problem_set, variants=variants, part_id=part)


def _validate_part(problem: Any, part: Any, kind: Any, options: Any, variant: Variant,
                   result: Validation, coincidences: dict[tuple[str, str], int], solved: ExpectedCache) -> None:
    label = f"{part.id} (variant {variant.key})"
    try:
        expected = solved.get(variant, problem, part, part.solver)
    except Exception as err:  # noqa: BLE001 - the solver is under test here
        result.errors.append(f"{label}: solver {part.solver.name}{_failed_at(problem, err)} failed: "
                             f"{type(err).__name__}: {err}")
        return
    if not kind.accepts_expected(expected, options).is_full:
        result.errors.append(f"{label}: the kind {part.kind} does not accept its own reference answer")
    if not _accepted_as_typed(kind, expected, expected, options):
        result.errors.append(f"{label}: the reference, written as a student would, is not accepted")
    for mistake in part.misconceptions:
        try:
            produced = solved.get(variant, problem, part, mistake.solver)
        except Exception as err:  # noqa: BLE001 - the misconception solver is under test here
            result.errors.append(
                f"{label}: misconception {mistake.id}{_failed_at(problem, err)}: {type(err).__name__}: {err}"
            )
            continue
        if _accepted_as_typed(kind, produced, expected, options):
            if variant.is_default:
                result.errors.append(f"{label}: misconception {mistake.id} coincides with the reference")
            else:
                coincidences[(part.id, mistake.id)] = coincidences.get((part.id, mistake.id), 0) + 1


def _failed_at(problem: Any, err: BaseException) -> str:
    """` (file:line)` of the set solver file line that raised, when a set solver did."""
    table = problem.solvers
    where = table.where_failed(err) if table is not None else ""
    return f" ({where})" if where else ""


def _accepted_as_typed(kind: Any, value: Any, expected: Any, options: Any) -> bool:
    """Whether `value`, typed in by a student the way the kind renders it, is judged correct."""
    parsed = kind.parse(kind.render(value), options)
    return not isinstance(parsed, InvalidAnswer) and kind.compare(parsed, expected, options).is_full


def new_set(folder: str | Path, title: str) -> list[Path]:
    """Write a skeleton problem set (one part of each common kind, with tests) into a new folder."""
    from grader.authoring import new_set as write

    return write(folder, title)


def problem_sets() -> list[Any]:
    """The problem sets found under the search roots, with id, title, parts and points."""
    from grader.authoring import find_sets

    return find_sets()


def template(set_path: str | Path, student: str, fmt: str = "yaml") -> str:
    """A blank answer file for a student, in yaml, toml, json, md (Markdown) or ipynb (a notebook)."""
    from grader.template import FORMATS, answer_template

    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    problem_set = load_problem_set(set_path)
    return answer_template(problem_set, variant_for(problem_set, student), student, fmt)
