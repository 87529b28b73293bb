"""Numeric comparison at sampled points: numbers disprove freely and prove only with care.

Exactness. By default (`rel_tol` = 0) equivalent means equal: a difference that ball
arithmetic proves non-zero, however small, is a difference. A positive `rel_tol` (a part's
`tolerance:`) lets values within it agree instead.

Evaluation. A fast pass evaluates both sides with mpmath at 113 bits (about 34 digits).
Values within `rel_tol` (relative, and never looser than 2**-93 in the exact mode) of each
other agree. Anything else (a suspected difference,
a side undefined only for the student) is decided by a careful pass in ball arithmetic (see
`balls`) at 512 bits and, while the balls cannot tell, at 2048 and 3400 bits (about 1000
digits): a difference is reported only when the balls are further apart than the tolerance,
so rounding never produces a "not equivalent". Values that stay within their own rounding
noise (1 - tanh(x)**2 against sech(x)**2 at x = 1e6) count as a weak agreement. When every
variable is an integer and both sides are rational functions with kinks (Max, Abs, Piecewise,
...), evaluation is exact instead, and where the expected value is an integer the student's
must equal it exactly.

Undefined values. Undefined means: log of a number that is not positive, division by zero,
a complex value, no applicable case. The two sides must be defined at the same points, so a
point where exactly one of them is defined is a difference, whichever side it is (the
verdict never depends on which side is the reference); a point where both are undefined is
skipped.

Sample. Every variable's ladder (see `domains`) is swept; with several variables, joint points
stratify the ladders so that each variable meets each region. For every kink or jump (the
argument of Abs, sign, Heaviside, the pairwise differences of Max/Min arguments, Piecewise
conditions, and the arguments of log and roots), its root is found along every sweep (exactly
when the argument is linear in the variable, by bracketing and regula falsi otherwise), and
points at the root and 2**-20 and 2**-7 (relative) on both sides of it are added.

Proof. Agreement at every point means "equivalent" only when, for every variable, each of its
domain's regions (both signs, tiny, moderate and large, zero, the ends of an interval) has an
agreeing point, unless the expected answer is undefined throughout that region, and both sides
of every kink (and the kink itself, when it is exactly representable and not ignored) agree.
"""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
from typing import Any

import mpmath
from sympy import Basic

from grader.budget import Deadline
from grader.mathjudge.balls import Ambiguous, BallFn, compile_ball
from grader.mathjudge.compile import (
    Fn,
    TooLarge,
    Undefined,
    Unsupported,
    compile_exact,
    compile_mp,
    switch_expressions,
)
from grader.mathjudge.domains import SampleValue
from grader.mathjudge.prepare import Variable

BASE_BITS = 113
CONFIRM_BITS = 512
MAX_BITS = 3400
_KINK_STEPS = (2.0**-20, 2.0**-7)
_MIN_AGREEING = 3
_MAX_ROOTS = 8
_REFINE_STEPS = 200
# In the exact mode (rel_tol = 0): the fast pass's agreement bound (rounding noise at 113
# bits leaves room for 20 bits of cancellation), the bound below which balls that overlap
# count as equal, and the precision at which agreeing points are re-checked before
# "equivalent", so a difference below the fast pass's noise (1e-30 relative) is still found.
FAST_EXACT_TOL = 2.0 ** -(BASE_BITS - 20)
BALL_EXACT_TOL = 2.0 ** -100
RECHECK_BITS = 320
_RECHECK_TOL = 2.0 ** -(RECHECK_BITS - 40)

Point = tuple[Any, ...]


class PointOutcome(Enum):
    """What one sampled point showed."""

    AGREE = "agree"
    WEAK = "weak"  # equal within the rounding noise of their own terms
    DIFFER = "differ"
    SKIP = "skip"  # the expected answer is undefined here
    UNRESOLVED = "unresolved"  # not even 1000 digits could tell
    IGNORED = "ignored"  # an author-declared convention point, e.g. ReLU'(0)


@dataclass(frozen=True)
class Value:
    """One side evaluated at one point."""

    value: Any = None
    error: Any = 0
    reason: str = ""
    unresolved: bool = False

    @property
    def defined(self) -> bool:
        """True when the side has a (resolved) real value here."""
        return self.value is not None


@dataclass(frozen=True)
class Checked:
    """A point and what comparing the two sides there showed."""

    point: Point
    kind: PointOutcome
    student: Value | None = None
    reference: Value | None = None


@dataclass(frozen=True)
class Kink:
    """A root of a switch expression along one variable, and the points around it."""

    variable: int
    root: SampleValue
    exact: bool
    sides: tuple[Point, ...]
    at: Point | None


@dataclass
class Plan:
    """The points to evaluate, and the kinks whose sides they cover."""

    points: list[Point]
    kinks: list[Kink]


@dataclass
class NumericOutcome:
    """The numeric stage's conclusion, with what it covered and what it could not check."""

    status: str  # "differ", "agree" or "unknown"
    witness: Checked | None = None
    agreeing: int = 0
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    kinks: list[str] = field(default_factory=list)
    reason: str = ""
    unsupported: bool = False


@dataclass(frozen=True)
class Settings:
    """Options shared by every check of one call."""

    rel_tol: float
    seed: int
    ignore: tuple[Mapping[str, float], ...] = ()


class _Local(threading.local):
    ctx: Any = None


_local = _Local()


def mp_context() -> Any:
    """This thread's own mpmath context, so precision changes never race between threads."""
    if _local.ctx is None:
        _local.ctx = mpmath.MPContext()
    return _local.ctx


class Compiled:
    """An expression compiled for the fast pass, and (on first need) for ball arithmetic."""

    def __init__(self, expr: Basic, sampler: Sampler) -> None:
        self.expr = expr
        self.plain: Fn = compile_mp(expr, sampler.slots, sampler.ctx, sampler.deadline.check)
        self._sampler = sampler
        self._ball: BallFn | None = None

    @property
    def ball(self) -> BallFn:
        """The ball-arithmetic closure (compiled lazily: most checks never need it)."""
        if self._ball is None:
            sampler = self._sampler
            self._ball = compile_ball(self.expr, sampler.slots, sampler.ctx,
                                      sampler.deadline.check)
        return self._ball


class Sampler:
    """Sample points, roots of switch expressions, and evaluation (fast and careful)."""

    def __init__(self, variables: Sequence[Variable], seed: int, deadline: Deadline) -> None:
        self.variables = tuple(variables)
        self.ctx = mp_context()
        self.rng = random.Random(seed)
        self.ladders = [v.domain.ladder(self.rng) for v in self.variables]
        self.slots: dict[Basic, int] = {v.symbol: k for k, v in enumerate(self.variables)}
        self.deadline = deadline

    def compile(self, expr: Basic) -> Compiled:
        """Compile `expr` over this sampler's variables (Unsupported if it cannot)."""
        return Compiled(expr, self)

    def set_bits(self, bits: int) -> None:
        """Set the working precision (setting mpmath's precision is slow, so only on change)."""
        if self.ctx._prec != bits:
            self.ctx.prec = bits

    def env(self, point: Point) -> list[Any]:
        """The point as exact mpf values (valid at every precision used)."""
        self.set_bits(BASE_BITS)
        mpf = self.ctx.mpf
        return [mpf(v) for v in point]

    def run(self, fn: Fn, env: Sequence[Any], bits: int = BASE_BITS) -> Any:
        """The fast pass: the value, or a Value describing why there is none."""
        ctx = self.ctx
        self.set_bits(bits)
        try:
            value = fn(env)
        except Undefined as undefined:
            return Value(reason=str(undefined))
        except ZeroDivisionError:
            return Value(reason="a division by zero")
        except ValueError:
            return Value(reason="a value outside a function's domain")
        except (TooLarge, OverflowError):
            return Value(reason="numbers too large to evaluate", unresolved=True)
        if not ctx.isfinite(value):
            return Value(reason="an infinite value")
        return value

    def careful(self, compiled: Compiled, point: Point, bits: int) -> Value:
        """The careful pass: the value with a bound on its rounding error (ball arithmetic)."""
        ctx = self.ctx
        self.set_bits(bits)
        zero = ctx.mpf(0)
        env = [(ctx.mpf(v), zero) for v in point]
        try:
            mid, radius = compiled.ball(env)
        except Undefined as undefined:
            return Value(reason=str(undefined))
        except ZeroDivisionError:
            return Value(reason="a division by zero")
        except ValueError:
            return Value(reason="a value outside a function's domain")
        except Ambiguous:
            return Value(reason="a sign that rounding cannot settle", unresolved=True)
        except (TooLarge, OverflowError):
            return Value(reason="numbers too large to evaluate", unresolved=True)
        if not (ctx.isfinite(mid) and ctx.isfinite(radius)):
            return Value(reason="an infinite value")
        return Value(mid, radius)

    def plan(self, switches: Sequence[tuple[Fn, frozenset[int]]]) -> Plan:
        """Joint points, and points at and around every kink found along a sweep.

        With one variable the joint points are its ladder; with several, the stratified joint
        points already take each variable through its whole ladder, so a sweep only serves
        to find the kinks (at moderate values of the other variables).
        """
        points: dict[Point, None] = dict.fromkeys(self.joint_points())
        kinks: list[Kink] = []
        kinked = sorted(set().union(*(indices for _, indices in switches)))
        single: dict[int, list[tuple[Any, bool]]] = {}
        for t in kinked:
            for base in self.bases():
                self.deadline.check()
                for k, (fn, indices) in enumerate(switches):
                    if t not in indices:
                        continue
                    if indices == {t}:
                        # The roots do not depend on the other variables: find them once.
                        if k not in single:
                            single[k] = self.roots(fn, base, t, precise=False)[0]
                        found = single[k]
                    else:
                        found = self.roots(fn, base, t, precise=False)[0]
                    for root, exact in found:
                        kink = self._kink(t, base, root, exact)
                        kinks.append(kink)
                        points.update(dict.fromkeys(kink.sides))
                        if kink.at is not None:
                            points[kink.at] = None
                        points.update(dict.fromkeys(self._far_sides(t, base, root)))
        return Plan(list(points), kinks)

    @functools.cached_property
    def _joint(self) -> tuple[Point, ...]:
        if not self.variables:
            return ((),)
        if len(self.variables) == 1:
            return tuple((v,) for v in self.ladders[0])
        size = max(len(ladder) for ladder in self.ladders)
        stratified = [
            tuple(ladder[(k + 3 * t) % len(ladder)] for t, ladder in enumerate(self.ladders))
            for k in range(size)
        ]
        mixed = [tuple(self.rng.choice(ladder) for ladder in self.ladders)
                 for _ in range(size // 2)]
        return tuple(stratified + mixed)

    def joint_points(self) -> list[Point]:
        """Points that stratify every ladder, so each variable meets each of its regions."""
        return list(self._joint)

    @functools.cached_property
    def _bases(self) -> tuple[Point, ...]:
        if len(self.variables) <= 1:
            return (tuple(ladder[0] for ladder in self.ladders),)
        typical = [v.domain.typical(ladder, self.rng)
                   for v, ladder in zip(self.variables, self.ladders, strict=True)]
        return tuple(tuple(values[b % len(values)] for values in typical) for b in range(2))

    def bases(self) -> list[Point]:
        """Points at which one variable is swept while the others stay at moderate values."""
        return list(self._bases)

    def roots(
        self, fn: Fn, base: Point, t: int, *, precise: bool, bits: int = BASE_BITS
    ) -> tuple[list[tuple[Any, bool]], bool]:
        """Roots of fn along variable t from `base`, each with whether it is exact.

        The flag returned with them is True when fn vanishes all along the sweep.
        """
        env = self.env(base)
        ctx = self.ctx

        def at(value: Any) -> Any:
            self.set_bits(BASE_BITS)
            env[t] = ctx.mpf(value)
            result = self.run(fn, env, bits)
            return None if isinstance(result, Value) else result

        linear = self._linear_root(at, t, bits)
        if linear == "zero":
            return [], True
        found: list[Any] = [linear] if linear is not None else self._scanned_roots(at, t, bits)
        domain = self.variables[t].domain
        roots = []
        for root in found[:_MAX_ROOTS]:
            snapped = self._snap(at, root, precise)
            if snapped is not None and domain.contains(float(snapped[0])):
                roots.append(snapped)
        return roots, False

    def _linear_root(self, at: Callable[[Any], Any], t: int, bits: int) -> Any:
        probes = [v for v in self.ladders[t]
                  if self.variables[t].domain.region(v).endswith("moderate")][:3]
        if len(probes) < 3:
            return None
        values = [at(p) for p in probes]
        if any(v is None for v in values):
            return None
        (pa, pb, pc), (ga, gb, gc) = probes, values
        slope = (gb - ga) / (pb - pa)
        intercept = ga - slope * pa
        slack = 2.0 ** (20 - bits) * (abs(ga) + abs(gb) + abs(gc) + abs(slope * pc))
        if abs(gc - (slope * pc + intercept)) > slack:
            return None
        if slope == 0:
            return "zero" if intercept == 0 else None
        root = -intercept / slope
        value = at(root) if self.ctx.isfinite(root) else None
        if value is None or abs(value) > 2.0 ** (20 - bits) * (abs(intercept) + abs(slope * root)):
            return None
        return root

    def _scanned_roots(self, at: Callable[[Any], Any], t: int, bits: int) -> list[Any]:
        roots: list[Any] = []
        previous: tuple[Any, Any] | None = None
        for v in sorted(self.ladders[t]):
            g = at(v)
            if g is None:
                previous = None
                continue
            if g == 0:
                roots.append(self.ctx.mpf(v))
            elif previous is not None and previous[1] != 0 and (previous[1] > 0) != (g > 0):
                refined = self._refine(at, previous[0], v, previous[1], g, bits)
                if refined is not None:
                    roots.append(refined)
            previous = (v, g)
        return roots

    def _refine(
        self, at: Callable[[Any], Any], lo: Any, hi: Any, glo: Any, ghi: Any, bits: int
    ) -> Any:
        """Regula falsi with the Illinois modification inside a sign-changing bracket."""
        ctx = self.ctx
        self.set_bits(bits)
        lo, hi = ctx.mpf(lo), ctx.mpf(hi)
        flo, fhi, side = glo, ghi, 0
        for step in range(_REFINE_STEPS):
            if step % 16 == 0:
                self.deadline.check()
            self.set_bits(bits)
            mid = (lo * fhi - hi * flo) / (fhi - flo) if fhi != flo else (lo + hi) / 2
            if not lo < mid < hi:
                mid = (lo + hi) / 2
            g = at(mid)
            if g is None:
                return None
            if g == 0:
                return mid
            if (g > 0) == (ghi > 0):
                hi, ghi, fhi = mid, g, g
                flo = flo / 2 if side == -1 else flo
                side = -1
            else:
                lo, glo, flo = mid, g, g
                fhi = fhi / 2 if side == 1 else fhi
                side = 1
            if hi - lo <= 2.0 ** (8 - bits) * max(abs(lo), abs(hi)):
                break
        return lo if abs(glo) < abs(ghi) else hi

    def _snap(self, at: Callable[[Any], Any], root: Any, precise: bool) -> tuple[Any, bool] | None:
        """Prefer an exactly representable root (an integer, a float) where fn is exactly 0."""
        if not self.ctx.isfinite(root):
            return None
        nearest = int(self.ctx.nint(root))
        if abs(root - nearest) <= 2.0**-40 * max(1, abs(nearest)) and at(nearest) == 0:
            return nearest, True
        as_float = float(root)
        if at(as_float) == 0:
            return as_float, True
        return (root if precise else as_float), False

    def _kink(self, t: int, base: Point, root: Any, exact: bool) -> Kink:
        domain = self.variables[t].domain
        if domain.is_integer:
            r = float(root)
            whole = exact and r == int(r)
            left, right = (int(r) - 1, int(r) + 1) if whole else (int(r // 1), -int(-r // 1))
            sides = tuple(_with(base, t, v) for v in (left, right) if domain.contains(v))
            at = _with(base, t, int(r)) if whole and domain.contains(r) else None
            return Kink(t, int(r) if whole else r, exact, sides, at)
        step = _KINK_STEPS[0] * max(1.0, abs(float(root)))
        sides = tuple(_with(base, t, float(root) + s * step) for s in (-1, 1)
                      if domain.contains(float(root) + s * step))
        at = _with(base, t, root) if exact else None
        return Kink(t, root, exact, sides, at)

    def _far_sides(self, t: int, base: Point, root: Any) -> list[Point]:
        domain = self.variables[t].domain
        if domain.is_integer:
            return []
        step = _KINK_STEPS[1] * max(1.0, abs(float(root)))
        return [_with(base, t, float(root) + s * step) for s in (-1, 1)
                if domain.contains(float(root) + s * step)]


def _with(base: Point, t: int, value: Any) -> Point:
    return (*base[:t], value, *base[t + 1:])


def compare(
    student: Basic,
    reference: Basic,
    variables: Sequence[Variable],
    fixed: Mapping[str, int],
    settings: Settings,
    deadline: Deadline,
) -> NumericOutcome:
    """Compare two prepared expressions at sampled points (see the module docstring)."""
    sampler = Sampler(variables, settings.seed, deadline)
    try:
        student_fn, reference_fn = sampler.compile(student), sampler.compile(reference)
    except Unsupported as unsupported:
        return NumericOutcome("unknown", reason=f"cannot evaluate {unsupported} numerically",
                              unsupported=True)
    exact = _exact_pair(student, reference, sampler)
    checker = _PointChecker(sampler, student_fn, reference_fn, settings.rel_tol, exact)
    ignored = ignored_predicate([v.name for v in sampler.variables], fixed, settings.ignore)
    results: dict[Point, Checked] = {}

    def evaluate(points: Iterable[Point]) -> Checked | None:
        for point in sorted(points, key=niceness):
            if point in results:
                continue
            deadline.check()
            if ignored(point):
                results[point] = Checked(point, PointOutcome.IGNORED)
                continue
            checked = results[point] = checker.check(point)
            if checked.kind is PointOutcome.DIFFER:
                return checked
        return None

    # Most wrong answers show at the plain ladder points: look there before seeking kinks.
    witness = evaluate(sampler.joint_points())
    if witness is None:
        plan = sampler.plan(compiled_switches_of([student, reference], sampler))
        witness = evaluate(plan.points)
    if witness is None and settings.rel_tol == 0 and exact is None:
        witness = _recheck_exactly(checker, results)
    if witness is not None:
        return NumericOutcome("differ", witness=witness)
    return _conclusion(sampler, plan, results)


def _recheck_exactly(checker: _PointChecker, results: dict[Point, Checked]) -> Checked | None:
    """Re-decide two points the fast pass agreed on, the simplest and the one with the smallest
    expected value (where an added constant is relatively largest), both non-zero: a difference
    below the fast pass's rounding (x*(1 + 10^-40) against x) is still a difference. A plain
    evaluation at RECHECK_BITS looks for one; only a suspected difference is proven in balls."""
    agreed = [c for c in results.values() if c.kind is PointOutcome.AGREE and c.reference is not None
              and c.reference.value]
    if not agreed:
        return None
    simplest = min(agreed, key=lambda c: niceness(c.point))
    # `agreed` keeps only checks with a reference value, which the lambda cannot know.
    smallest = min(agreed, key=lambda c: abs(c.reference.value))  # type: ignore[union-attr]
    sampler = checker.sampler
    for checked in dict.fromkeys((simplest.point, smallest.point)):
        sampler.set_bits(RECHECK_BITS)
        env = [sampler.ctx.mpf(v) for v in checked]
        student = sampler.run(checker.student.plain, env, RECHECK_BITS)
        reference = sampler.run(checker.reference.plain, env, RECHECK_BITS)
        if isinstance(student, Value) or isinstance(reference, Value):
            continue
        if abs(student - reference) <= _RECHECK_TOL * max(abs(student), abs(reference)):
            continue
        proven = checker.careful(checked)
        if proven.kind is PointOutcome.DIFFER:
            results[checked] = proven
            return proven
    return None


def _exact_pair(
    student: Basic, reference: Basic, sampler: Sampler
) -> tuple[Fn, Fn] | None:
    if not sampler.variables or not all(v.domain.is_integer for v in sampler.variables):
        return None
    try:
        return (compile_exact(student, sampler.slots, sampler.deadline.check),
                compile_exact(reference, sampler.slots, sampler.deadline.check))
    except Unsupported:
        return None


def compiled_switches_of(
    exprs: Iterable[Basic], sampler: Sampler, boundaries: Iterable[Basic] = ()
) -> list[tuple[Fn, frozenset[int]]]:
    """Compile the switch expressions of `exprs`, and `boundaries` themselves, each with the
    indices of the variables it depends on."""
    seen: set[Basic] = set()
    compiled = []
    candidates = [s for expr in exprs for s in switch_expressions(expr)] + list(boundaries)
    for switch in candidates:
        if switch in seen or -switch in seen:
            continue
        seen.add(switch)
        indices = frozenset(sampler.slots[s] for s in switch.free_symbols if s in sampler.slots)
        if not indices:
            continue
        try:
            compiled.append((sampler.compile(switch).plain, indices))
        except Unsupported:
            continue
    return compiled


def ignored_predicate(
    names: Sequence[str], fixed: Mapping[str, int], ignore: Sequence[Mapping[str, float]]
) -> Callable[[Point], bool]:
    """A test for the points an author declared free (a convention such as ReLU'(0))."""
    if not ignore:
        return lambda point: False
    position = {name: k for k, name in enumerate(names)}

    def matches(entry: Mapping[str, float], point: Point) -> bool:
        for name, value in entry.items():
            if name in position:
                if point[position[name]] != value:
                    return False
            elif fixed.get(name) != value:
                return False
        return True

    return lambda point: any(matches(entry, point) for entry in ignore)


def niceness(point: Point) -> int:
    """Simple points first, so that a reported witness is one a student can check by hand."""
    return sum(len(format(v, ".12g")) if isinstance(v, int | float) else 40 for v in point)


class _PointChecker:
    """Compares the sides at a point: a fast pass, then ball arithmetic when in doubt."""

    def __init__(
        self,
        sampler: Sampler,
        student: Compiled,
        reference: Compiled,
        rel_tol: float,
        exact: tuple[Fn, Fn] | None,
    ) -> None:
        self.sampler = sampler
        self.student, self.reference = student, reference
        self.rel_tol = rel_tol
        self.fast_tol = rel_tol if rel_tol > 0 else FAST_EXACT_TOL
        self.exact = exact

    def check(self, point: Point) -> Checked:
        """Compare the sides at `point`; a DIFFER returned here is proven, not rounding."""
        if self.exact is not None:
            return self._check_exact(point)
        sampler = self.sampler
        env = sampler.env(point)
        reference = sampler.run(self.reference.plain, env)
        if isinstance(reference, Value) and not reference.unresolved:
            return self.reference_undefined(point, reference)
        student = sampler.run(self.student.plain, env)
        if not isinstance(reference, Value) and not isinstance(student, Value):
            gap = abs(student - reference)
            if gap <= self.fast_tol * max(abs(student), abs(reference)):
                return Checked(point, PointOutcome.AGREE, Value(student), Value(reference))
        return self.careful(point)

    def careful(self, point: Point) -> Checked:
        """Decide a point in ball arithmetic, raising the precision while the balls overlap."""
        bits = CONFIRM_BITS
        while True:
            reference = self.sampler.careful(self.reference, point, bits)
            if not reference.defined and not reference.unresolved:
                return self.reference_undefined(point, reference, proven=True)
            student = self.sampler.careful(self.student, point, bits)
            kind = classify(student, reference, self.rel_tol)
            if kind is not PointOutcome.UNRESOLVED:
                return Checked(point, kind, student, reference)
            if bits >= MAX_BITS:
                break
            bits = min(bits * 4, MAX_BITS)
        return Checked(point, _weak_or_unresolved(student, reference), student, reference)

    def reference_undefined(self, point: Point, reference: Value, *, proven: bool = False
                            ) -> Checked:
        """Where the expected answer is undefined: a difference when the student's is defined
        (the mirror of an answer undefined where the expected one is defined, so that the
        verdict never depends on which side is the reference), else nothing to compare."""
        quick = self.sampler.run(self.student.plain, self.sampler.env(point))
        if isinstance(quick, Value) and not quick.unresolved:
            return Checked(point, PointOutcome.SKIP, None, reference)  # undefined on both sides
        student = self.sampler.careful(self.student, point, CONFIRM_BITS)
        if not student.defined:
            return Checked(point, PointOutcome.SKIP, None, reference)
        if proven:  # the balls found the expected answer undefined
            return Checked(point, PointOutcome.DIFFER, student, reference)
        # The fast pass may have lost the sign of a log's argument in rounding: a difference
        # is reported only when the balls, too, find the expected answer undefined.
        confirmed = self.sampler.careful(self.reference, point, CONFIRM_BITS)
        if confirmed.defined or confirmed.unresolved:
            return self.careful(point)
        return Checked(point, PointOutcome.DIFFER, student, confirmed)

    def _check_exact(self, point: Point) -> Checked:
        assert self.exact is not None
        student_fn, reference_fn = self.exact
        reference = _exact_value(reference_fn, point)
        student = _exact_value(student_fn, point)
        if not reference.defined:
            if reference.unresolved:
                return Checked(point, PointOutcome.UNRESOLVED, None, reference)
            if student.defined:
                return Checked(point, PointOutcome.DIFFER, student, reference)
            return Checked(point, PointOutcome.SKIP, None, reference)
        if student.unresolved:
            return Checked(point, PointOutcome.UNRESOLVED, student, reference)
        if not student.defined:
            return Checked(point, PointOutcome.DIFFER, student, reference)
        expected = Fraction(reference.value)
        if expected.denominator == 1:
            kind = PointOutcome.AGREE if student.value == expected else PointOutcome.DIFFER
        else:
            gap = abs(Fraction(student.value) - expected)
            bound = Fraction(self.rel_tol) * max(abs(Fraction(student.value)), abs(expected))
            kind = PointOutcome.DIFFER if gap > bound else PointOutcome.AGREE
        return Checked(point, kind, student, reference)


def _exact_value(fn: Fn, point: Point) -> Value:
    try:
        return Value(fn(point))
    except Undefined as undefined:
        return Value(reason=str(undefined))
    except ZeroDivisionError:
        return Value(reason="a division by zero")
    except TooLarge:
        return Value(reason="numbers too large to evaluate", unresolved=True)


def classify(student: Value, reference: Value, rel_tol: float) -> PointOutcome:
    """Compare two balls: a proven difference, a proven agreement, or unresolved."""
    if not reference.defined:
        return PointOutcome.UNRESOLVED if reference.unresolved else PointOutcome.SKIP
    if student.unresolved:
        return PointOutcome.UNRESOLVED
    if not student.defined:
        return PointOutcome.DIFFER
    gap = abs(student.value - reference.value)
    size = max(abs(student.value), abs(reference.value))
    error = student.error + reference.error
    if gap - error > rel_tol * (size + error):
        return PointOutcome.DIFFER
    # Exact mode: nothing is proven different, and the balls are narrow enough to call equal.
    agree_tol = rel_tol if rel_tol > 0 else BALL_EXACT_TOL
    if gap + error <= agree_tol * (size - error):
        return PointOutcome.AGREE
    return PointOutcome.UNRESOLVED


def _weak_or_unresolved(student: Value, reference: Value) -> PointOutcome:
    if not (student.defined and reference.defined):
        return PointOutcome.UNRESOLVED
    gap = abs(student.value - reference.value)
    return PointOutcome.WEAK if gap <= student.error + reference.error else PointOutcome.UNRESOLVED


def _conclusion(sampler: Sampler, plan: Plan, results: Mapping[Point, Checked]) -> NumericOutcome:
    agreeing = [c for c in results.values() if c.kind in (PointOutcome.AGREE, PointOutcome.WEAK)]
    if not any(c.kind is not PointOutcome.SKIP and c.kind is not PointOutcome.IGNORED for c in results.values()):
        return NumericOutcome(
            "unknown", reason="the expected answer could not be evaluated at any sample point"
        )
    covered, missing = region_coverage(sampler.variables, results.values())
    kink_words, kink_missing = kink_coverage(sampler.variables, plan.kinks, results)
    missing += kink_missing
    # Without variables the single point is the whole domain.
    needed = _MIN_AGREEING if sampler.variables else 1
    if len(agreeing) < needed and not missing:
        return NumericOutcome("unknown", agreeing=len(agreeing), reason=(
            f"they agree wherever both are defined, but that is only {len(agreeing)} of the "
            "sample points"))
    status = "unknown" if missing else "agree"
    return NumericOutcome(status, agreeing=len(agreeing), covered=covered, missing=missing,
                          kinks=kink_words)


def region_coverage(
    variables: Sequence[Variable], results: Iterable[Checked]
) -> tuple[list[str], list[str]]:
    """Descriptions of the regions covered and of those required but not covered."""
    results = list(results)
    covered_words: list[str] = []
    missing: list[str] = []
    for t, variable in enumerate(variables):
        domain = variable.domain
        defined: set[str] = set()
        covered: set[str] = set()
        for checked in results:
            if checked.kind in (PointOutcome.SKIP, PointOutcome.IGNORED):
                continue
            region = domain.region(float(checked.point[t]))
            defined.add(region)
            if checked.kind in (PointOutcome.AGREE, PointOutcome.WEAK):
                covered.add(region)
        for region in domain.required_regions():
            words = domain.describe_region(region, variable.name)
            if region in covered:
                covered_words.append(words)
            elif region in defined:
                missing.append(words)
    return covered_words, missing


def kink_coverage(
    variables: Sequence[Variable], kinks: Sequence[Kink], results: Mapping[Point, Checked]
) -> tuple[list[str], list[str]]:
    """The kinks checked on both sides, and those that could not be."""
    good = (PointOutcome.AGREE, PointOutcome.WEAK, PointOutcome.SKIP, PointOutcome.IGNORED)
    checked_words: list[str] = []
    missing: list[str] = []
    for kink in kinks:
        words = f"{variables[kink.variable].name} = {format_number(kink.root)}"
        needed = list(kink.sides) + ([kink.at] if kink.at is not None else [])
        kinds = [results[p].kind for p in needed if p in results]
        if len(kinds) == len(needed) and all(k in good for k in kinds):
            if words not in checked_words:
                checked_words.append(words)
        elif words not in missing:
            missing.append(f"both sides of the kink at {words}")
    return checked_words, missing


def format_number(value: Any, digits: int = 6) -> str:
    """A short, readable rendering of a sample value or result (ints stay ints)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        value = mp_context().mpf(value.numerator) / value.denominator
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return format(value, f".{digits}g")
    ctx = mp_context()
    if ctx.isint(value) and abs(value) < 10**15:
        return str(int(value))
    text = str(ctx.nstr(value, digits))
    mantissa, e, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa + e + exponent


def format_pair(first: Any, second: Any) -> tuple[str, str]:
    """Render two values with just enough digits to show that they differ."""
    for digits in (6, 10, 15, 20, 30, 45, 60, 100, 160):
        texts = format_number(first, digits), format_number(second, digits)
        if _as_decimal(texts[0]) != _as_decimal(texts[1]):
            return texts
    return texts


def _as_decimal(text: str) -> Decimal | str:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def witness_value(value: Any) -> int | float:
    """A sample value as a plain int or float for the witness dictionary."""
    if isinstance(value, int | float):
        return value
    return float(value)
