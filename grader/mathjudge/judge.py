"""Judging two formulas by meaning: structure, an exact identity test, then careful sampling."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy
from sympy import Basic
from sympy.core.relational import Relational
from sympy.matrices import MatrixBase

from grader.budget import BudgetExceeded, Deadline, describe, time_budget
from grader.mathjudge import numeric
from grader.mathjudge.algebra import identical
from grader.mathjudge.domains import Domain, parse_domains
from grader.mathjudge.numeric import (
    NumericOutcome,
    Settings,
    format_number,
    format_pair,
    witness_value,
)
from grader.mathjudge.prepare import Instance, Variable, as_sympy, prepare
from grader.mathjudge.result import STUDENT_UNDECIDED, Judgement, Method, Verdict, equivalent, undecided

DomainSpec = Mapping[str, "str | Domain"] | None
IgnorePoints = Sequence[Mapping[str, float]] | None

# sympy.simplify is the last resort, only under a preemptive timer and on modest inputs.
_SIMPLIFY_MIN_SECONDS = 0.2
_SIMPLIFY_MAX_OPS = 300
# A floating-point number (from a solver's numeric code) is an approximation: equal within
# this relative tolerance, well above double rounding.
FLOAT_TOL = 1e-12
_METHOD_STRENGTH: dict[str, int] = {"structural": 0, "symbolic": 1, "exact": 2, "numeric": 3}


def judge(
    student: Any,
    reference: Any,
    domains: DomainSpec = None,
    *,
    budget: float = 2.0,
    rel_tol: float = 0.0,
    ignore_points: IgnorePoints = None,
    seed: int = 0,
) -> Judgement:
    """Decide whether two sympy expressions (or matrices) are the same function on `domains`."""
    if isinstance(student, Relational) or isinstance(reference, Relational):
        from grader.mathjudge.relations import judge_relation

        return judge_relation(student, reference, domains, budget=budget, rel_tol=rel_tol,
                              ignore_points=ignore_points, seed=seed)
    parsed = parse_domains(domains)
    student_obj, reference_obj = _as_matrix_or_expr(student), _as_matrix_or_expr(reference)
    if rel_tol == 0 and (_has_float(student_obj) or _has_float(reference_obj)):
        rel_tol = FLOAT_TOL
    settings = make_settings(rel_tol, seed, ignore_points)
    return run_with_budget(
        budget, lambda deadline: _judge_objects(student_obj, reference_obj, parsed, settings,
                                                deadline)
    )


def _has_float(value: Basic | MatrixBase) -> bool:
    """Whether a value holds a binary floating-point number (only code makes those: the
    parser reads every decimal exactly)."""
    return bool(value.atoms(sympy.Float))


def make_settings(rel_tol: float, seed: int, ignore_points: IgnorePoints) -> Settings:
    """Validate and bundle the options shared by judge and judge_relation."""
    if not 0 <= rel_tol < 1:
        raise ValueError(f"rel_tol must be in [0, 1), not {rel_tol!r}.")
    ignore = tuple(dict(entry) for entry in (ignore_points or ()))
    return Settings(rel_tol=rel_tol, seed=seed, ignore=ignore)


def run_with_budget(budget: float, check: Callable[[Deadline], Judgement]) -> Judgement:
    """Run one check under `budget` seconds of CPU time; running out gives `undecided`, never `wrong`."""
    if budget <= 0:
        raise ValueError(f"budget must be positive, not {budget!r}.")
    started = time.perf_counter()
    try:
        with time_budget(budget) as deadline:
            result = check(deadline)
    except BudgetExceeded as exceeded:
        spent = describe(exceeded.reason, budget)
        result = undecided("timeout", f"could not decide: {spent}; sent to a human",
                           f"your answer could not be checked automatically ({spent}); a person will review it")
    except Exception as error:  # noqa: BLE001 - the one boundary: see below
        # sympy raises many exception types on unusual inputs (PolynomialError,
        # NotImplementedError, TypeError from comparing non-real values, ...); whatever
        # escapes the deliberate handling inside, one answer must end in a verdict, and
        # "could not decide" sends it to a human instead of crashing the batch.
        # The exception is for the author and the reviewer; the student is told only that a person looks.
        result = undecided("unsupported", f"the check failed ({type(error).__name__}: {error}); sent to a human",
                           STUDENT_UNDECIDED)
    return replace(result, seconds=time.perf_counter() - started)


def _as_matrix_or_expr(value: Any) -> Basic | MatrixBase:
    if isinstance(value, MatrixBase):
        return value
    if isinstance(value, list | tuple):
        # Convert entries first: Matrix() would sympify strings, i.e. evaluate raw text.
        rows = [[as_sympy(v) for v in row] if isinstance(row, list | tuple) else [as_sympy(row)]
                for row in value]
        return sympy.ImmutableMatrix(rows)
    return as_sympy(value)


def _judge_objects(
    student: Basic | MatrixBase,
    reference: Basic | MatrixBase,
    domains: Mapping[str, Domain],
    settings: Settings,
    deadline: Deadline,
) -> Judgement:
    student_is_matrix = isinstance(student, MatrixBase)
    reference_is_matrix = isinstance(reference, MatrixBase)
    if not student_is_matrix and not reference_is_matrix:
        return judge_formula(student, reference, domains, settings, deadline)
    if student_is_matrix != reference_is_matrix or student.shape != reference.shape:
        return _shape_mismatch(student, reference)
    return _judge_entries(student, reference, domains, settings, deadline)


def _shape_mismatch(student: Any, reference: Any) -> Judgement:
    def shape(value: Any) -> str:
        if isinstance(value, MatrixBase):
            rows, cols = value.shape
            return f"a {rows}x{cols} matrix"
        return "a single expression"

    message = f"your answer is {shape(student)}, the expected answer is {shape(reference)}"
    student_message = f"your answer is {shape(student)}, which is not the expected shape"
    return Judgement(Verdict.NOT_EQUIVALENT, message, student_message, "shape")


def _judge_entries(
    student: MatrixBase,
    reference: MatrixBase,
    domains: Mapping[str, Domain],
    settings: Settings,
    deadline: Deadline,
) -> Judgement:
    rows, cols = reference.shape
    pending: Judgement | None = None
    methods: list[Method] = []
    for i in range(rows):
        for j in range(cols):
            result = judge_formula(student[i, j], reference[i, j], domains, settings, deadline)
            where = f"entry ({i + 1}, {j + 1})" if cols > 1 and rows > 1 else (
                f"entry {max(i, j) + 1}")
            if result.verdict is Verdict.NOT_EQUIVALENT:
                return _prefixed(result, where)
            if result.verdict is Verdict.UNDECIDED and pending is None:
                pending = _prefixed(result, where)
            methods.append(result.method)
    if pending is not None:
        return pending
    method = _weakest(methods) if methods else "structural"
    return equivalent(method, f"all {rows * cols} entries are equivalent")


def _prefixed(result: Judgement, where: str) -> Judgement:
    student_message = result.student_message
    if result.verdict is Verdict.NOT_EQUIVALENT:
        student_message = f"{where}: {student_message}"
    return replace(result, message=f"{where}: {result.message}", student_message=student_message)


def _weakest(methods: Sequence[Method]) -> Method:
    return max(methods, key=lambda m: _METHOD_STRENGTH.get(m, 0))


def judge_formula(
    student: Basic,
    reference: Basic,
    domains: Mapping[str, Domain],
    settings: Settings,
    deadline: Deadline,
) -> Judgement:
    """Judge two scalar sympy expressions (already under a budget)."""
    instances: list[Instance] = []
    results: list[Judgement] = []
    for instance in prepare([student, reference], domains, deadline):
        instances.append(instance)
        result = _judge_instance(instance, settings, deadline)
        if result.verdict is Verdict.NOT_EQUIVALENT:
            return result
        results.append(result)
    for result in results:
        if result.verdict is Verdict.UNDECIDED:
            return result
    method = _weakest([r.method for r in results])
    message = next(r.message for r in results if r.method == method)
    bound_note = _bound_note(instances)
    return equivalent(method, message + bound_note)


def _bound_note(instances: Sequence[Instance]) -> str:
    if len(instances) < 2 or not instances[0].fixed:
        return ""
    names = sorted(instances[0].fixed)
    values = "; ".join(
        ", ".join(f"{n} = {inst.fixed[n]}" for n in names) for inst in instances
    )
    return f" (sums checked with {values})"


def _judge_instance(instance: Instance, settings: Settings, deadline: Deadline) -> Judgement:
    student, reference = instance.exprs
    if student == reference:
        return equivalent("structural", "the two expressions are identical")
    deadline.check()
    if identical(student, reference, settings.seed):
        return equivalent(
            "exact", "they are equal as algebraic expressions (exact check at random points)"
        )
    deadline.check()
    outcome = numeric.compare(student, reference, instance.variables, instance.fixed, settings,
                              deadline)
    if outcome.status == "differ":
        return difference_judgement(outcome, instance)
    if outcome.status == "agree":
        return equivalent("numeric", _agreement_message(outcome))
    if _simplifies_to_zero(student, reference, deadline):
        return equivalent("symbolic", "their difference simplifies to 0 (sympy.simplify)")
    return _undecided_message(outcome)


def _simplifies_to_zero(student: Basic, reference: Basic, deadline: Deadline) -> bool:
    """The last resort: sympy.simplify, only where a timer can interrupt it."""
    if not deadline.guarded or deadline.remaining() < _SIMPLIFY_MIN_SECONDS:
        return False
    difference = student - reference
    if sympy.count_ops(difference) > _SIMPLIFY_MAX_OPS:
        return False
    try:
        return bool(sympy.simplify(difference) == 0)
    except (TypeError, ValueError, NotImplementedError, RecursionError, ZeroDivisionError):
        # sympy raises these on inputs it cannot simplify; that decides nothing.
        return False


def _agreement_message(outcome: NumericOutcome) -> str:
    covered = ", ".join(outcome.covered[:8]) + (", ..." if len(outcome.covered) > 8 else "")
    kinks = ""
    if outcome.kinks:
        shown = ", ".join(outcome.kinks[:4]) + (", ..." if len(outcome.kinks) > 4 else "")
        kinks = f"; both sides of the kink{'s' if len(outcome.kinks) > 1 else ''} at {shown}"
    if not covered and not kinks:
        return "they agree (numerically: there is no variable to sample)"
    return f"they agree at all {outcome.agreeing} sample points ({covered}{kinks})"


def _undecided_message(outcome: NumericOutcome) -> Judgement:
    if outcome.reason:
        method: Method = "unsupported" if outcome.unsupported else "numeric"
        return undecided(method, f"{outcome.reason}; sent to a human")
    missing = ", ".join(outcome.missing[:5])
    return undecided(
        "numeric",
        f"they agree wherever they could be compared, but {missing} could not be checked; "
        "sent to a human",
    )


def difference_judgement(outcome: NumericOutcome, instance: Instance) -> Judgement:
    """A not-equivalent verdict with a witness, told fully to authors and safely to students."""
    checked = outcome.witness
    assert checked is not None and checked.reference is not None and checked.student is not None
    witness: dict[str, int | float] = dict(instance.fixed)
    witness.update({v.name: witness_value(x)
                    for v, x in zip(instance.variables, checked.point, strict=True)})
    at = ", ".join(f"{name} = {format_number(value)}" for name, value in witness.items())
    place = f" at {at}" if at else ""
    note = _extra_symbols_note(instance)
    if not checked.reference.defined:
        yours = format_number(checked.student.value)
        reason = checked.reference.reason
        message = (f"{place.strip()} your answer is {yours} but the expected answer is undefined "
                   f"({reason}): they are not defined on the same values{note}").strip()
        student_message = (f"your answer is defined{place} (it gives {yours}), where the expected "
                           f"answer is not: the two are not defined for the same values{note}")
        return Judgement(Verdict.NOT_EQUIVALENT, message, student_message, "numeric", witness,
                         student_value=yours, expected_value=None)
    if not checked.student.defined:
        expected = format_number(checked.reference.value)
        reason = checked.student.reason
        message = (f"{place.strip()} the expected answer is {expected} but yours is undefined "
                   f"({reason}){note}").strip()
        student_message = (f"your answer is undefined{place} ({reason}), "
                           f"where the expected answer is defined{note}")
        return Judgement(Verdict.NOT_EQUIVALENT, message, student_message, "numeric", witness,
                         student_value=None, expected_value=expected)
    yours, expected = format_pair(checked.student.value, checked.reference.value)
    note += _exact_value_note(instance.exprs[0], checked.student.value, checked.reference.value)
    message = (f"they differ{place}: your answer gives {yours}, "
               f"the expected answer gives {expected}{note}")
    where = _where(instance, checked.point)
    if where and not where.startswith("at "):
        student_message = (f"your answer differs from the expected one {where} "
                           f"(e.g. at {at}, where your answer gives {yours}){note}")
    else:
        there = " there" if at else ""
        student_message = (f"your answer differs from the expected one{place} "
                           f"(your answer gives {yours}{there}){note}")
    return Judgement(Verdict.NOT_EQUIVALENT, message, student_message, "numeric", witness,
                     student_value=yours, expected_value=expected)


# A decimal within 1 % of the expected value reads as an approximation of it.
_APPROXIMATION = 1e-2


def _exact_value_note(student: Basic, yours: Any, expected: Any) -> str:
    """'give the exact value' when the answer holds a decimal and comes close."""
    decimals = [q for q in (r.q for r in student.atoms(sympy.Rational)) if q > 1
                and _only_twos_and_fives(int(q))]
    if not decimals or not abs(yours - expected) <= _APPROXIMATION * abs(expected):
        return ""
    return ("; your answer is close, but a decimal is an approximation: give the exact value "
            "(a fraction, a root, pi, ...)")


def _only_twos_and_fives(q: int) -> bool:
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def _where(instance: Instance, point: Sequence[Any]) -> str:
    if len(instance.variables) != 1 or instance.fixed:
        return ""
    variable: Variable = instance.variables[0]
    region = variable.domain.region(float(point[0]))
    return variable.domain.describe_region(region, variable.name)


def _extra_symbols_note(instance: Instance) -> str:
    student, reference = instance.exprs[0], instance.exprs[1]
    extra = sorted(s.name for s in student.free_symbols - reference.free_symbols
                   if isinstance(s, sympy.Symbol))
    if not extra:
        return ""
    listed = ", ".join(extra)
    verb = "uses" if len(extra) == 1 else "use"
    return f" (your answer {verb} {listed}, which the expected answer does not)"
