"""Turning trusted sympy objects into formulas over named variables that can be sampled.

What happens, in order (every step keeps both sides consistent):

* Symbols are matched by name: every symbol of one name becomes one object (the reference's
  where it has one), whatever assumptions it was built with on either side. Sampling uses
  `domains`, where names not listed are real; build symbols without assumptions, or with
  ones that agree with their domain, since sympy simplifies with them (Abs(x) is x for a
  positive x) before the judge sees the expression.
* Derivatives are evaluated (`doit`), so `Derivative(theta**2 + 1, theta)` is `2*theta`.
* Each distinct application of an undefined function (`Var(z)`, `Var(W[i, j])`) becomes one
  positive variable named after it. Inside such an application an indexed element stands for
  its whole array (`Var(W[i, j])`, `Var(W[k, l])` and `Var(W)` are one quantity), since the
  course's variances are those of i.i.d. entries.
* Sums whose bounds are symbols are checked by instances: every bound symbol takes the values
  1, 2, 3 and 5 in turn, every free index (the `i` of `b[i]`) a small positive integer, and the
  sums are unrolled. Each element that results (`W[2, 1]`, `a[3]`) is a variable of its own,
  with the domain given for its array name (`W`), real by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy
from sympy import Basic, Derivative, Expr, Indexed, Integer, Sum, Symbol
from sympy.core.function import AppliedUndef

from grader.budget import Deadline
from grader.mathjudge.domains import POSITIVE, REAL, Domain

BOUND_VALUES = (1, 2, 3, 5)
INDEX_VALUES = (1, 2, 1, 3)
MAX_UNROLLED_TERMS = 2000


@dataclass(frozen=True)
class Variable:
    """A sampled variable: its symbol and its domain."""

    symbol: Symbol
    domain: Domain

    @property
    def name(self) -> str:
        """The name shown in messages and witnesses."""
        return str(self.symbol.name)


@dataclass(frozen=True)
class Instance:
    """The formulas to compare with every sum bound and free index fixed to an integer."""

    exprs: tuple[Expr, ...]
    variables: tuple[Variable, ...]
    fixed: dict[str, int] = field(default_factory=dict)


def as_sympy(value: object) -> Basic:
    """Accept a sympy object or a plain number; refuse text, which must go through a parser."""
    if isinstance(value, Basic):
        return value
    if isinstance(value, bool):
        return sympy.true if value else sympy.false
    if isinstance(value, int):
        return Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        return sympy.Float(value)
    raise TypeError(
        f"The judge compares sympy objects, not {type(value).__name__}: parse text with "
        "grader.mathparse first (raw text is never evaluated)."
    )


def prepare(
    exprs: Sequence[Basic], domains: Mapping[str, Domain], deadline: Deadline
) -> Iterator[Instance]:
    """Rewrite `exprs` (student first) over plain variables; one Instance per bound choice.

    Instances are produced lazily, so a difference found in the first one costs no more.
    """
    scans = [_Scan(e) for e in exprs]
    items, chosen = _canonical_symbols(exprs, scans)
    found: set[str] = set().union(*(scan.kinds for scan in scans))
    if not found & {"Derivative", "AppliedUndef", "Sum", "Indexed", "Binder"}:
        variables = _variables_of(chosen.values(), domains, {})
        yield Instance(tuple(items), variables, {})
        return
    extra: dict[str, Domain] = {}
    if "Derivative" in found:
        items = [_evaluate_derivatives(e) for e in items]
    deadline.check()
    items = _replace_applications(items, domains, extra)
    bounds, indices = _sum_bounds_and_indices(items)
    for fixed in _instance_values(bounds, indices):
        deadline.check()
        substituted = [_substitute(e, fixed) for e in items]
        unrolled = [_unroll_sums(e) for e in substituted]
        flat = _replace_indexed(unrolled, domains, extra)
        variables = _variables(flat, domains, extra)
        named = {symbol.name: value for symbol, value in fixed.items()}
        yield Instance(tuple(flat), variables, named)


class _Scan:
    """One walk over an expression: its symbols, and which special kinds of node it holds."""

    _SPECIAL: tuple[tuple[type, str], ...] = (
        (Derivative, "Derivative"),
        (AppliedUndef, "AppliedUndef"),
        (Sum, "Sum"),
        (Indexed, "Indexed"),
        (sympy.Integral, "Binder"),
        (sympy.Lambda, "Binder"),
        (sympy.Product, "Binder"),
    )

    def __init__(self, expr: Basic) -> None:
        self.symbols: set[Symbol] = set()
        self.kinds: set[str] = set()
        seen: set[Basic] = set()
        stack = [expr]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if isinstance(node, Symbol):
                if not isinstance(node, sympy.Dummy):
                    self.symbols.add(node)
                continue
            for kind, name in self._SPECIAL:
                if isinstance(node, kind):
                    self.kinds.add(name)
            stack.extend(node.args)


def _canonical_symbols(
    exprs: Sequence[Basic], scans: Sequence[_Scan]
) -> tuple[list[Basic], dict[str, Symbol]]:
    """Make every symbol of one name the same object: the reference's, where it has one.

    Only a side whose symbol differs is rewritten (rewriting makes sympy re-evaluate, which
    is slow for Max and Min), so symbols keep the assumptions they were built with; the
    domains used for sampling come from `domains`, not from those assumptions.
    """
    chosen: dict[str, Symbol] = {}
    for scan in reversed(scans):  # the reference comes after the student
        for symbol in scan.symbols:
            chosen.setdefault(symbol.name, symbol)
    rewritten = []
    for expr, scan in zip(exprs, scans, strict=True):
        mapping = {s: chosen[s.name] for s in scan.symbols if chosen[s.name] != s}
        rewritten.append(expr.xreplace(mapping) if mapping else expr)
    return rewritten, chosen


def _evaluate_derivatives(expr: Basic) -> Basic:
    derivatives = expr.atoms(Derivative)
    if not derivatives:
        return expr
    return expr.xreplace({d: d.doit() for d in derivatives})


def _replace_applications(
    exprs: list[Basic], domains: Mapping[str, Domain], extra: dict[str, Domain]
) -> list[Basic]:
    mapping: dict[Basic, Basic] = {}
    for expr in exprs:
        # Derivatives left after doit() are of undefined functions: opaque, like applications.
        for opaque in expr.atoms(Derivative, AppliedUndef):
            if opaque in mapping:
                continue
            canonical = opaque.xreplace({ix: ix.base.label for ix in opaque.atoms(Indexed)})
            name = str(canonical)
            default = REAL if isinstance(opaque, Derivative) else POSITIVE
            func_name = type(opaque).__name__
            domain = domains.get(name) or domains.get(func_name) or default
            extra[name] = domain
            mapping[opaque] = Symbol(name, **domain.assumptions())
    if not mapping:
        return exprs
    return [expr.xreplace(mapping) for expr in exprs]


def _sum_bounds_and_indices(exprs: Iterable[Basic]) -> tuple[list[Symbol], list[Symbol]]:
    bounds: set[Symbol] = set()
    indices: set[Symbol] = set()
    for expr in exprs:
        free = expr.free_symbols
        for total in expr.atoms(Sum):
            for _, low, high in total.limits:
                bounds |= {s for s in (low.free_symbols | high.free_symbols) if s in free}
        for indexed in expr.atoms(Indexed):
            for index in indexed.indices:
                indices |= {s for s in index.free_symbols if s in free}
    indices -= bounds
    return sorted(bounds, key=lambda s: s.name), sorted(indices, key=lambda s: s.name)


def _instance_values(
    bounds: list[Symbol], indices: list[Symbol]
) -> list[dict[Symbol, int]]:
    if not bounds and not indices:
        return [{}]
    count = len(BOUND_VALUES) if bounds else 2
    instances = []
    for k in range(count):
        values = {s: BOUND_VALUES[(k + t) % len(BOUND_VALUES)] for t, s in enumerate(bounds)}
        values |= {s: INDEX_VALUES[(k + t) % len(INDEX_VALUES)] for t, s in enumerate(indices)}
        instances.append(values)
    return instances


def _substitute(expr: Basic, fixed: Mapping[Symbol, int]) -> Basic:
    if not fixed:
        return expr
    return expr.xreplace({s: Integer(v) for s, v in fixed.items()})


def _unroll_sums(expr: Basic) -> Basic:
    """Replace sums with integer bounds by their terms; bigger sums stay for the evaluator."""
    sums = [s for s in expr.atoms(Sum) if _unrollable(s)]
    if not sums:
        return expr
    outer = [s for s in sums if not any(s != o and o.has(s) for o in sums)]
    return expr.xreplace({s: _unroll_sums(_unroll(s)) for s in outer})


def _unrollable(total: Sum) -> bool:
    count = 1
    for _, low, high in total.limits:
        if not (low.is_Integer and high.is_Integer):
            return False
        count *= abs(int(high) - int(low)) + 1
    return count <= MAX_UNROLLED_TERMS


def _unroll(total: Sum) -> Basic:
    terms: list[Basic] = [total.function]
    sign = 1
    for variable, low, high in total.limits:
        lo, hi = int(low), int(high)
        if hi < lo - 1:
            # Karr's convention, as sympy: a sum from a to b < a - 1 is minus the sum b+1..a-1.
            lo, hi, sign = hi + 1, lo - 1, -sign
        terms = [t.xreplace({variable: Integer(n)}) for t in terms for n in range(lo, hi + 1)]
    return sign * sympy.Add(*terms)


def _replace_indexed(
    exprs: list[Basic], domains: Mapping[str, Domain], extra: dict[str, Domain]
) -> list[Basic]:
    mapping: dict[Basic, Basic] = {}
    for expr in exprs:
        for indexed in expr.atoms(Indexed):
            name = str(indexed)
            domain = domains.get(name) or domains.get(indexed.base.label.name) or REAL
            extra[name] = domain
            mapping[indexed] = Symbol(name, **domain.assumptions())
    if not mapping:
        return exprs
    return [expr.xreplace(mapping) for expr in exprs]


def _variables(
    exprs: Sequence[Basic], domains: Mapping[str, Domain], extra: Mapping[str, Domain]
) -> tuple[Variable, ...]:
    symbols: set[Symbol] = set()
    for expr in exprs:
        symbols |= {s for s in expr.free_symbols if isinstance(s, Symbol)}
    return _variables_of(symbols, domains, extra)


def _variables_of(
    symbols: Iterable[Symbol], domains: Mapping[str, Domain], extra: Mapping[str, Domain]
) -> tuple[Variable, ...]:
    ordered = sorted(symbols, key=lambda s: s.name)
    return tuple(
        Variable(s, extra.get(s.name) or domains.get(s.name) or REAL) for s in ordered
    )
