"""Judging equations and inequalities: equivalent when they hold at the same points.

Each relation is normalised to `big ~ small` with ~ one of =, !=, >=, >: `a <= b` becomes
`b >= a`, a bare expression `e` means `e = 0`, sympy's `True`/`False` (what `Eq(x, x)`
evaluates to) mean "always" and "never". Relations of different kinds are not equivalent.

Equations (and !=, whose solution set is the complement). After the cheap tests (identical
sides; either equation an identity, which is not a condition; f_student = c * f_reference for
a constant c != 0, checked exactly), the solution sets are compared numerically in both
directions: for every continuous variable v and several base points of the other variables
(drawn across their ladders: tiny, moderate and large), the source equation f = 0 is solved
for v (exactly when f is linear in v, by bracketing and regula falsi otherwise) and the other
equation must hold there to `rel_tol` relative to the size of its two sides. Where a source
equation holds along a whole sweep, every point of the sweep is such a solution. So
`Var(z) = D*Var(W)*Var(a)`, `D*Var(W)*Var(a) - Var(z) = 0` and `Var(W) = Var(z)/(D*Var(a))`
are equivalent; `Var(z) = Var(W)*Var(a)` is not. Integer variables are only solved for when
there is no continuous one; then they are treated as real while solving. At least three
solutions in each direction must be checked, else the verdict is `undecided`.

Inequalities (and any relation against a constant True or False, such as `x**2 >= 0` against
what sympy made of `Abs(x) >= 0`) are compared by truth value at the points of the numeric
plan, whose kinks include both boundaries, so both sides of each boundary and the boundary
itself are sampled (`x >= 0` and `x > 0` differ at 0). A value within `rel_tol` of the other
side counts as on the boundary. Agreement needs the same coverage as for expressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import sympy
from sympy import Basic
from sympy.core.relational import Relational

from grader.budget import Deadline
from grader.mathjudge.algebra import identical, proportional
from grader.mathjudge.compile import Fn, Unsupported
from grader.mathjudge.domains import Domain, parse_domains
from grader.mathjudge.judge import DomainSpec, IgnorePoints, make_settings, run_with_budget
from grader.mathjudge.numeric import (
    CONFIRM_BITS,
    MAX_BITS,
    Checked,
    Compiled,
    Kind,
    Point,
    Sampler,
    Settings,
    Value,
    classify,
    compiled_switches_of,
    format_number,
    format_pair,
    ignored_predicate,
    kink_coverage,
    niceness,
    region_coverage,
    witness_value,
)
from grader.mathjudge.prepare import Instance, as_sympy, prepare
from grader.mathjudge.result import Judgement, Verdict, equivalent, undecided

RelationKind = Literal["eq", "ne", "ge", "gt", "true", "false"]

_MIN_SOLUTIONS = 3
_BASES = 3
_TAUTOLOGY = "your equation holds for every value of the variables, so it is not a condition"
_LABELS: dict[str, str] = {
    "eq": "equation",
    "ne": "relation",
    "ge": "inequality",
    "gt": "inequality",
    "true": "statement (always true)",
    "false": "statement (never true)",
}
_WORDS: dict[str, str] = {
    "eq": "an equation",
    "ne": "a '!=' relation",
    "ge": "an inequality",
    "gt": "a strict inequality",
    "true": "a statement that is always true",
    "false": "a statement that is never true",
}


@dataclass(frozen=True)
class _Relation:
    kind: RelationKind
    big: Basic
    small: Basic


# Roots are refined to about 30 digits at 113 bits: agreement to 20 digits is equality there.
ROOT_TOL = 1e-20


def judge_relation(
    student: Any,
    reference: Any,
    domains: DomainSpec = None,
    *,
    budget: float = 2.0,
    rel_tol: float = 0.0,
    ignore_points: IgnorePoints = None,
    seed: int = 0,
) -> Judgement:
    """Decide whether two equations (or inequalities) hold at the same points of `domains`.

    An equation is checked at roots found numerically, which are exact only to the working
    precision: in the exact mode (`rel_tol` = 0) a side "holds" there within ROOT_TOL.
    """
    parsed = parse_domains(domains)
    settings = make_settings(rel_tol if rel_tol > 0 else ROOT_TOL, seed, ignore_points)
    student_rel, reference_rel = _normalise(student), _normalise(reference)
    return run_with_budget(
        budget,
        lambda deadline: _judge(student_rel, reference_rel, parsed, settings, deadline),
    )


def _normalise(value: Any) -> _Relation:
    value = as_sympy(value)
    zero = sympy.Integer(0)
    if value is sympy.true:
        return _Relation("true", zero, zero)
    if value is sympy.false:
        return _Relation("false", zero, zero)
    if isinstance(value, Relational):
        lhs, rhs = value.lhs, value.rhs
        if isinstance(value, sympy.Equality):
            return _Relation("eq", lhs, rhs)
        if isinstance(value, sympy.Unequality):
            return _Relation("ne", lhs, rhs)
        if isinstance(value, sympy.GreaterThan):
            return _Relation("ge", lhs, rhs)
        if isinstance(value, sympy.StrictGreaterThan):
            return _Relation("gt", lhs, rhs)
        if isinstance(value, sympy.LessThan):
            return _Relation("ge", rhs, lhs)
        if isinstance(value, sympy.StrictLessThan):
            return _Relation("gt", rhs, lhs)
    if isinstance(value, sympy.Expr):
        return _Relation("eq", value, zero)
    raise TypeError(f"judge_relation compares equations and inequalities, not {value!r}.")


def _family(kind: RelationKind) -> str:
    return {"eq": "eq", "ne": "eq", "ge": "ineq", "gt": "ineq"}.get(kind, "constant")


def _judge(
    student: _Relation,
    reference: _Relation,
    domains: Mapping[str, Domain],
    settings: Settings,
    deadline: Deadline,
) -> Judgement:
    student_family, reference_family = _family(student.kind), _family(reference.kind)
    if student_family == reference_family == "constant":
        if student.kind == reference.kind:
            return equivalent("structural", f"both are {_WORDS[student.kind]}")
        return _kind_mismatch(student.kind, reference.kind)
    constant = "constant" in (student_family, reference_family)
    if not constant and student_family != reference_family:
        return _kind_mismatch(student.kind, reference.kind)
    if not constant and student_family == "eq" and student.kind != reference.kind:
        return _kind_mismatch(student.kind, reference.kind)
    labels = (_LABELS[student.kind], _LABELS[reference.kind])
    always_true = student.kind == "true"
    student, reference = _as_truth_valued(student), _as_truth_valued(reference)
    exprs = [student.big, student.small, reference.big, reference.small]
    results: list[Judgement] = []
    for instance in prepare(exprs, domains, deadline):
        if student_family == reference_family == "eq":
            result = _judge_equations(instance, settings, deadline)
        else:
            result = _judge_truths(student.kind, reference.kind, instance, settings, deadline,
                                   labels)
        if result.verdict is Verdict.NOT_EQUIVALENT and always_true:
            return replace(result, student_message=_TAUTOLOGY)
        if result.verdict is not Verdict.EQUIVALENT:
            return result
        results.append(result)
    order = ("structural", "symbolic", "exact", "numeric")
    return max(results, key=lambda r: order.index(r.method) if r.method in order else 0)


def _as_truth_valued(relation: _Relation) -> _Relation:
    """True as 0 >= 0 and False as 0 > 0, so that they compare by truth value."""
    if relation.kind == "true":
        return _Relation("ge", relation.big, relation.small)
    if relation.kind == "false":
        return _Relation("gt", relation.big, relation.small)
    return relation


def _kind_mismatch(student: RelationKind, reference: RelationKind) -> Judgement:
    message = f"your answer is {_WORDS[student]}, the expected answer is {_WORDS[reference]}"
    student_message = f"your answer is {_WORDS[student]}, which is not the kind of answer expected"
    return Judgement(Verdict.NOT_EQUIVALENT, message, student_message, "structural")


# --- equations ---------------------------------------------------------------------------


@dataclass
class _Side:
    big: Compiled
    small: Compiled


@dataclass
class _Failure:
    point: Point
    direction: str  # "reference_root" or "student_root"
    big: Value
    small: Value


def _judge_equations(instance: Instance, settings: Settings, deadline: Deadline) -> Judgement:
    """Two equations (or two != relations, whose solution sets are complements)."""
    sb, ss, rb, rs = instance.exprs
    f_student, f_reference = sb - ss, rb - rs
    if (sb, ss) in ((rb, rs), (rs, rb)) or f_student in (f_reference, -f_reference):
        return equivalent("structural", "the two equations are the same")
    seed = settings.seed
    student_identity = f_student == 0 or identical(sb, ss, seed)
    reference_identity = f_reference == 0 or identical(rb, rs, seed)
    if student_identity or reference_identity:
        return _identity_verdict(student_identity, reference_identity)
    deadline.check()
    if proportional(f_student, f_reference, seed):
        return equivalent("exact", "one equation is a constant multiple of the other "
                                   "(exact check at random points)")
    return _EquationSolver(instance, settings, deadline).judge()


def _identity_verdict(student_identity: bool, reference_identity: bool) -> Judgement:
    if student_identity and reference_identity:
        return equivalent("exact", "both equations hold for every value of the variables")
    if student_identity:
        return Judgement(Verdict.NOT_EQUIVALENT, _TAUTOLOGY, _TAUTOLOGY, "exact")
    message = "the expected equation holds for every value of the variables, yours does not"
    return Judgement(Verdict.NOT_EQUIVALENT, message,
                     "your equation is a condition where none is expected", "exact")


class _EquationSolver:
    """Solves each equation along each variable and checks the other one there."""

    def __init__(self, instance: Instance, settings: Settings, deadline: Deadline) -> None:
        self.instance = instance
        self.settings = settings
        self.deadline = deadline
        self.sampler = Sampler(instance.variables, settings.seed, deadline)

    def judge(self) -> Judgement:
        try:
            sb, ss, rb, rs = (self.sampler.compile(e) for e in self.instance.exprs)
        except Unsupported as unsupported:
            return undecided("unsupported",
                             f"cannot evaluate {unsupported} numerically; sent to a human")
        student, reference = _Side(sb, ss), _Side(rb, rs)
        counts: dict[str, int] = {}
        for direction, source, target in (("reference_root", reference, student),
                                          ("student_root", student, reference)):
            count, failure = self._check_direction(source, target, direction)
            if failure is not None:
                return self._failure_judgement(failure)
            counts[direction] = count
        if min(counts.values()) >= _MIN_SOLUTIONS:
            total = sum(counts.values())
            return equivalent("numeric", f"they hold at the same points ({total} solutions, "
                                         "found along every variable, each satisfy the other)")
        if max(counts.values()) == 0:
            return undecided("numeric", "neither equation has a solution among the sampled "
                                        "points; sent to a human")
        return undecided("numeric", "could not find enough solutions of both equations to "
                                    "compare them; sent to a human")

    def _solve_variables(self) -> list[int]:
        variables = self.sampler.variables
        continuous = [t for t, v in enumerate(variables) if not v.domain.is_integer]
        return continuous or list(range(len(variables)))

    def _check_direction(
        self, source: _Side, target: _Side, direction: str
    ) -> tuple[int, _Failure | None]:
        difference = _difference(source)
        bases = self.sampler.joint_points()[:_BASES]
        count = 0
        for t in self._solve_variables():
            for base in bases:
                self.deadline.check()
                roots, everywhere = self.sampler.roots(difference, base, t, precise=True)
                if everywhere:
                    points = [_replace(base, t, v) for v in self.sampler.ladders[t]]
                else:
                    points = [_replace(base, t, root) for root, _ in roots]
                for point in points:
                    outcome = self._check_root(source, target, point, direction)
                    if isinstance(outcome, _Failure):
                        return count, outcome
                    count += outcome
        return count, None

    def _check_root(self, source: _Side, target: _Side, point: Point,
                    direction: str) -> int | _Failure:
        rel_tol = self.settings.rel_tol
        if _holds(self.sampler, source, point, rel_tol)[0] is not True:
            return 0  # not a usable solution (a pole, or lost in rounding)
        holds, big, small = _holds(self.sampler, target, point, rel_tol)
        if holds is True:
            return 1
        if holds is False or (direction == "reference_root" and _undefined(big, small)):
            return _Failure(point, direction, big, small)
        return 0

    def _failure_judgement(self, failure: _Failure) -> Judgement:
        at, witness = _point_words(self.instance, failure.point)
        if failure.direction == "reference_root":
            if _undefined(failure.big, failure.small):
                reason = failure.big.reason or failure.small.reason
                message = f"at {at} the expected equation holds but yours is undefined ({reason})"
                student_message = ("your equation is undefined at some values that satisfy the "
                                   f"expected one ({reason})")
            else:
                sides = " and ".join(format_pair(failure.big.value, failure.small.value))
                message = (f"at {at} the expected equation holds but yours does not "
                           f"(its sides are {sides})")
                student_message = "your equation fails at some values that satisfy the expected one"
        else:
            sides = " and ".join(format_pair(failure.big.value, failure.small.value))
            message = (f"at {at} your equation holds but the expected one does not "
                       f"(its sides are {sides})")
            student_message = f"your equation holds at {at}, which does not satisfy the " \
                              "expected condition"
        return Judgement(Verdict.NOT_EQUIVALENT, message, student_message, "numeric", witness)


def _difference(side: _Side) -> Fn:
    big, small = side.big.plain, side.small.plain
    return lambda env: big(env) - small(env)


def _replace(base: Point, t: int, value: Any) -> Point:
    return (*base[:t], value, *base[t + 1:])


def _undefined(big: Value, small: Value) -> bool:
    return (not big.defined and not big.unresolved) or (not small.defined and not small.unresolved)


def _holds(
    sampler: Sampler, side: _Side, point: Point, rel_tol: float
) -> tuple[bool | None, Value, Value]:
    """Whether big = small at `point` (None: undefined or unresolved), with the two values.

    The fast pass may only confirm; a failure or an undefined side is decided in balls.
    """
    env = sampler.env(point)
    big, small = sampler.run(side.big.plain, env), sampler.run(side.small.plain, env)
    plain = not isinstance(big, Value) and not isinstance(small, Value)
    if plain and abs(big - small) <= rel_tol * max(abs(big), abs(small)):
        return True, Value(big), Value(small)
    return _holds_carefully(sampler, side, point, rel_tol)


def _holds_carefully(
    sampler: Sampler, side: _Side, point: Point, rel_tol: float
) -> tuple[bool | None, Value, Value]:
    bits = CONFIRM_BITS
    while True:
        big = sampler.careful(side.big, point, bits)
        small = sampler.careful(side.small, point, bits)
        if big.defined and small.defined:
            kind = classify(big, small, rel_tol)
            if kind is Kind.AGREE:
                return True, big, small
            if kind is Kind.DIFFER:
                return False, big, small
        elif not (big.unresolved or small.unresolved):
            return None, big, small
        if bits >= MAX_BITS:
            break
        bits = min(bits * 4, MAX_BITS)
    if big.defined and small.defined and abs(big.value - small.value) <= big.error + small.error:
        return True, big, small
    return None, big, small


def _point_words(instance: Instance, point: Point) -> tuple[str, dict[str, int | float]]:
    witness: dict[str, int | float] = dict(instance.fixed)
    witness.update({v.name: witness_value(x)
                    for v, x in zip(instance.variables, point, strict=True)})
    words = ", ".join(f"{name} = {format_number(value)}" for name, value in witness.items())
    return words, witness


# --- comparison by truth value (inequalities, and anything against True or False) --------


def _judge_truths(
    student_kind: RelationKind,
    reference_kind: RelationKind,
    instance: Instance,
    settings: Settings,
    deadline: Deadline,
    labels: tuple[str, str],
) -> Judgement:
    sb, ss, rb, rs = instance.exprs
    g_student, g_reference = sb - ss, rb - rs
    same_kind = student_kind == reference_kind and student_kind in ("ge", "gt")
    if same_kind and ((sb, ss) == (rb, rs) or g_student == g_reference):
        return equivalent("structural", "the two inequalities are the same")
    sampler = Sampler(instance.variables, settings.seed, deadline)
    try:
        fns = [sampler.compile(e) for e in instance.exprs]
    except Unsupported as unsupported:
        return undecided("unsupported",
                         f"cannot evaluate {unsupported} numerically; sent to a human")
    student, reference = _Side(fns[0], fns[1]), _Side(fns[2], fns[3])
    if same_kind and proportional(g_student, g_reference, settings.seed) and _positive_ratio(
        sampler, student, reference, settings.rel_tol
    ):
        return equivalent("exact", "one inequality is a positive multiple of the other "
                                   "(exact check at random points)")
    plan = sampler.plan(compiled_switches_of(instance.exprs, sampler,
                                             boundaries=(g_student, g_reference)))
    ignored = ignored_predicate([v.name for v in instance.variables], instance.fixed,
                                settings.ignore)
    results: dict[Point, Checked] = {}
    kinds = (student_kind, reference_kind)
    for point in sorted(plan.points, key=niceness):
        deadline.check()
        if ignored(point):
            results[point] = Checked(point, Kind.IGNORED)
            continue
        kind, truths = _compare_truths(sampler, student, reference, kinds, point,
                                       settings.rel_tol, careful=False)
        if kind is not Kind.AGREE:
            kind, truths = _compare_truths(sampler, student, reference, kinds, point,
                                           settings.rel_tol, careful=True)
            if kind is Kind.DIFFER:
                return _truth_judgement(instance, point, truths, labels)
        results[point] = Checked(point, kind)
    _, missing = region_coverage(sampler.variables, results.values())
    _, kink_missing = kink_coverage(sampler.variables, plan.kinks, results)
    missing += kink_missing
    agreeing = sum(1 for c in results.values() if c.kind is Kind.AGREE)
    if missing or agreeing < _MIN_SOLUTIONS:
        what = ", ".join(missing[:5]) or "enough points"
        return undecided("numeric", f"they agree wherever they could be compared, but {what} "
                                    "could not be checked; sent to a human")
    return equivalent("numeric", f"they hold at the same points among all {agreeing} sample "
                                 "points, including both sides of every boundary")


def _positive_ratio(sampler: Sampler, student: _Side, reference: _Side, rel_tol: float) -> bool:
    """The sign of the constant ratio, read at the first point where both sides are non-zero."""
    for point in sampler.joint_points():
        env = sampler.env(point)
        values = []
        for side in (student, reference):
            diff = sampler.run(_difference(side), env)
            if isinstance(diff, Value) or diff == 0:
                break
            values.append(diff)
        if len(values) == 2:
            return bool((values[0] > 0) == (values[1] > 0))
    return False


def _truth(
    sampler: Sampler, side: _Side, kind: RelationKind, point: Point, rel_tol: float,
    careful: bool
) -> bool | str:
    if careful:
        holds, big, small = _holds_carefully(sampler, side, point, rel_tol)
    else:
        env = sampler.env(point)
        big_value = sampler.run(side.big.plain, env)
        small_value = sampler.run(side.small.plain, env)
        if isinstance(big_value, Value) or isinstance(small_value, Value):
            return "unresolved"  # let the careful pass tell undefined from rounding
        big, small = Value(big_value), Value(small_value)
        holds = abs(big_value - small_value) <= rel_tol * max(abs(big_value), abs(small_value))
    if holds is None:
        return "undefined" if _undefined(big, small) else "unresolved"
    if kind in ("eq", "ne"):
        return bool(holds) == (kind == "eq")
    if holds:
        return kind == "ge"
    return bool(big.value > small.value)


def _compare_truths(
    sampler: Sampler,
    student: _Side,
    reference: _Side,
    kinds: tuple[RelationKind, RelationKind],
    point: Point,
    rel_tol: float,
    *,
    careful: bool,
) -> tuple[Kind, tuple[bool | str, bool | str]]:
    expected = _truth(sampler, reference, kinds[1], point, rel_tol, careful)
    if expected == "undefined":
        return Kind.SKIP, ("", expected)
    if expected == "unresolved":
        return Kind.UNRESOLVED, ("", expected)
    yours = _truth(sampler, student, kinds[0], point, rel_tol, careful)
    if yours == "unresolved":
        return Kind.UNRESOLVED, (yours, expected)
    if yours == "undefined" or yours != expected:
        return Kind.DIFFER, (yours, expected)
    return Kind.AGREE, (yours, expected)


def _truth_judgement(
    instance: Instance,
    point: Point,
    truths: tuple[bool | str, bool | str],
    labels: tuple[str, str],
) -> Judgement:
    at, witness = _point_words(instance, point)
    yours, expected = truths
    your_label, expected_label = f"your {labels[0]}", f"the expected {labels[1]}"
    expected_words = "holds" if expected else "does not hold"
    if yours == "undefined":
        message = f"at {at} {your_label} is undefined, {expected_label} {expected_words}"
        student_message = f"{your_label} is undefined at {at}"
    else:
        verb = "holds" if yours else "does not hold"
        message = f"at {at} {your_label} {verb} but {expected_label} {expected_words}"
        student_message = f"{your_label} {verb} at {at}, which is not what is expected there"
    return Judgement(Verdict.NOT_EQUIVALENT, message, student_message, "numeric", witness)

