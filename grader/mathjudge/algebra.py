"""Exact identity testing: are two expressions equal as algebraic expressions in their atoms?

This stands in for sympy's expand/cancel/together of the difference, and for rewriting tanh,
sech and the logistic function to exp, at a fraction of the cost: both sides are evaluated
exactly in the integers modulo the prime p = 2**61 - 1 at random points.

* Symbols, and every sub-expression that is not rational arithmetic (Abs, Max, Piecewise, log,
  sin, pi, x**(1/2), ...), are atoms: each distinct one gets an independent random residue.
* `exp(c1*m1 + c2*m2 + ...)` with rational c_k becomes a product of powers of generators, one
  per monomial m_k (so exp(2*x) is exp(x)**2, exp(x + 1) is E*exp(x)); tanh, sinh, cosh, sech,
  csch and coth are written through exp; b**e with a symbolic e uses generators of base b.

Treating atoms as independent can only lose identities, never invent them: an identity in
independent unknowns holds for any values, including the true ones. So "identical" is a proof
(up to the Schwartz-Zippel bound: a non-zero difference of degree d vanishes at a random point
with probability at most d/p < 1e-10 here, and three points must agree), valid wherever both
sides are defined: removable singularities such as x*(x - 1)/(x - 1) against x are ignored.
"Not identical" proves nothing; the numeric stage decides then.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from fractions import Fraction
from math import lcm

import sympy
from sympy import Basic

PRIME = (1 << 61) - 1
MAX_EXPONENT = 10**4
_TRIALS = 3
_ATTEMPTS = 8

_HYPERBOLIC = (sympy.tanh, sympy.sinh, sympy.cosh, sympy.sech, sympy.csch, sympy.coth)
_E = sympy.E


class _NotAlgebraic(Exception):
    """The expression holds something the modular evaluation cannot represent."""


class _Pole(Exception):
    """A denominator vanished at this random point; another point is drawn."""


def identical(a: Basic, b: Basic, seed: int = 0) -> bool:
    """True when a == b is proven as an algebraic identity (exact check at random points)."""
    values = _values_at_random_points([a, b], seed, _TRIALS)
    return values is not None and all(va == vb for va, vb in values)


def proportional(a: Basic, b: Basic, seed: int = 0) -> bool:
    """True when a == c*b for a non-zero constant c (so a = 0 and b = 0 have the same roots)."""
    values = _values_at_random_points([a, b], seed, _TRIALS + 1)
    if values is None:
        return False
    a0, b0 = values[0]
    if a0 == 0 or b0 == 0:
        return False
    return all(ai * b0 % PRIME == a0 * bi % PRIME for ai, bi in values[1:])


def _values_at_random_points(
    exprs: Sequence[Basic], seed: int, trials: int
) -> list[tuple[int, ...]] | None:
    try:
        evaluator = _ModularEvaluator(exprs, random.Random(seed))
        results: list[tuple[int, ...]] = []
        for _ in range(_ATTEMPTS):
            evaluator.new_point()
            try:
                results.append(tuple(evaluator.value(e) for e in exprs))
            except _Pole:
                continue
            if len(results) == trials:
                return results
    except (_NotAlgebraic, RecursionError):
        return None
    return None


class _ModularEvaluator:
    """Evaluates expressions mod PRIME at one random assignment of atoms and generators."""

    def __init__(self, exprs: Sequence[Basic], rng: random.Random) -> None:
        self._rng = rng
        self._scale: dict[tuple[Basic, Basic], int] = {}
        self._random: dict[object, int] = {}
        self._memo: dict[Basic, int] = {}
        for expr in exprs:
            for node in sympy.preorder_traversal(expr):
                self._register(node)

    def new_point(self) -> None:
        """Draw fresh random residues for every atom and generator."""
        self._random.clear()
        self._memo.clear()

    def _register(self, node: Basic) -> None:
        exponent = _exponent_of(node)
        if exponent is None:
            return
        base, argument = exponent
        for monomial, coeff in _linear_terms(argument).items():
            key = (base, monomial)
            self._scale[key] = lcm(self._scale.get(key, 1), coeff.denominator)
            if self._scale[key] > MAX_EXPONENT:
                raise _NotAlgebraic

    def _atom(self, key: object) -> int:
        value = self._random.get(key)
        if value is None:
            value = self._random[key] = self._rng.randrange(2, PRIME - 1)
        return value

    def value(self, node: Basic) -> int:
        """The residue of `node` at the current point; _Pole when a denominator vanishes."""
        cached = self._memo.get(node)
        if cached is None:
            cached = self._memo[node] = self._compute(node)
        return cached

    def _compute(self, node: Basic) -> int:
        if node.is_Number:
            return _number(node)
        if node.is_Add:
            return sum(self.value(a) for a in node.args) % PRIME
        if node.is_Mul:
            product = 1
            for factor in node.args:
                product = product * self.value(factor) % PRIME
            return product
        if node.is_Pow:
            return self._power(node)
        if isinstance(node, sympy.exp) or node is _E:
            return self._exp(_E, node.args[0] if node.args else sympy.Integer(1))
        handler = _HYPERBOLIC_FORMULAS.get(type(node))
        if handler is not None:
            return handler(self._exp(_E, node.args[0]))
        return self._atom(node)

    def _power(self, node: Basic) -> int:
        base, exponent = node.args
        if exponent.is_Integer:
            n = int(exponent)
            if abs(n) > MAX_EXPONENT:
                raise _NotAlgebraic
            value = self.value(base)
            return pow(_inverse(value) if n < 0 else value, abs(n), PRIME)
        if exponent.is_Rational:
            if abs(exponent.p) > MAX_EXPONENT or exponent.q > MAX_EXPONENT:
                raise _NotAlgebraic
            root = self._atom(("root", base, exponent.q))
            return pow(_inverse(root) if exponent.p < 0 else root, abs(exponent.p), PRIME)
        return self._exp(base, exponent)

    def _exp(self, base: Basic, argument: Basic) -> int:
        product = 1
        for monomial, coeff in _linear_terms(argument).items():
            key = (base, monomial)
            power = coeff * self._scale.get(key, 1)
            if power.denominator != 1:
                raise _NotAlgebraic
            generator = self._atom(("exp", key))
            n = int(power)
            product = product * pow(_inverse(generator) if n < 0 else generator, abs(n), PRIME)
        return product % PRIME


def _exponent_of(node: Basic) -> tuple[Basic, Basic] | None:
    """(base, exponent) for nodes evaluated through generators, else None."""
    if isinstance(node, (sympy.exp, *_HYPERBOLIC)):
        return _E, node.args[0]
    if node is _E:
        return _E, sympy.Integer(1)
    if node.is_Pow and not node.args[1].is_Rational:
        return node.args[0], node.args[1]
    return None


def _linear_terms(argument: Basic) -> dict[Basic, Fraction]:
    if argument.is_Mul and any(f.is_Add for f in argument.args):
        argument = sympy.expand_mul(argument)
    terms: dict[Basic, Fraction] = {}
    for term in sympy.Add.make_args(argument):
        coeff, rest = term.as_coeff_Mul()
        exact = _fraction(coeff)
        if exact is None:
            exact, rest = Fraction(1), term
        terms[rest] = terms.get(rest, Fraction(0)) + exact
    return terms


def _fraction(number: Basic) -> Fraction | None:
    if number.is_Rational:
        return Fraction(int(number.p), int(number.q))
    if number.is_Float:
        sign, mantissa, exponent, _ = number._mpf_
        if mantissa == 0 and exponent != 0:
            return None  # inf or nan
        value = Fraction(mantissa) * Fraction(2) ** int(exponent)
        return -value if sign else value
    return None


def _number(node: Basic) -> int:
    exact = _fraction(node)
    if exact is None:
        raise _NotAlgebraic
    return exact.numerator % PRIME * _inverse(exact.denominator % PRIME) % PRIME


def _inverse(value: int) -> int:
    if value % PRIME == 0:
        raise _Pole
    return pow(value, PRIME - 2, PRIME)


def _ratio(numerator: int, denominator: int) -> int:
    return numerator % PRIME * _inverse(denominator) % PRIME


_HYPERBOLIC_FORMULAS: dict[type, Callable[[int], int]] = {
    sympy.tanh: lambda e: _ratio(e * e - 1, e * e + 1),
    sympy.coth: lambda e: _ratio(e * e + 1, e * e - 1),
    sympy.sinh: lambda e: _ratio(e * e - 1, 2 * e),
    sympy.cosh: lambda e: _ratio(e * e + 1, 2 * e),
    sympy.sech: lambda e: _ratio(2 * e, e * e + 1),
    sympy.csch: lambda e: _ratio(2 * e, e * e - 1),
}
