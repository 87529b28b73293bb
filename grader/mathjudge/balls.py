"""Careful evaluation in ball arithmetic: every value carries a bound on its rounding error.

A ball (m, r) stands for the real numbers within r of m. Each operation propagates the radii
of its inputs (through derivative bounds for functions) and adds its own rounding error, so a
value computed by cancellation (1 - tanh(x)**2 at x = 1e6 is 0 with radius 2**-bits) is known
to be uncertain. This is what decides a point once the fast pass suspects a difference: two
balls further apart than the tolerance are a proven difference, not rounding. A sign that the
balls cannot tell (a Piecewise condition, Heaviside or sqrt of a value whose ball contains 0)
raises `Ambiguous`; a value that is certainly undefined raises `Undefined`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import sympy
from sympy import Basic

from grader.mathjudge.compile import (
    MAGNITUDE_BOUND,
    MAX_EXP_ARGUMENT,
    MAX_SUM_TERMS,
    NOT_REAL,
    RELATIONS,
    TooLarge,
    Undefined,
    Unsupported,
    combine_conditions,
)

Ball = tuple[Any, Any]
BallFn = Callable[[Sequence[Ball]], Ball]
_Cond = Callable[[Sequence[Ball]], bool]


class Ambiguous(Exception):
    """The sign of a quantity cannot be told at this precision."""


def compile_ball(
    expr: Basic, slots: dict[Basic, int], ctx: Any, tick: Callable[[], None]
) -> BallFn:
    """A closure evaluating `expr` in ball arithmetic with mpmath context `ctx`."""
    return _BallCompiler(slots, ctx, tick).compile(expr)




class _BallCompiler:
    def __init__(self, slots: dict[Basic, int], ctx: Any, tick: Callable[[], None]) -> None:
        self.slots = dict(slots)
        self.ctx = ctx
        self.tick = tick
        self.zero = ctx.mpf(0)

    def ulp(self) -> Any:
        """The relative rounding error of one operation at the current precision."""
        return self.ctx.ldexp(1, 1 - self.ctx.prec)

    def compile(self, node: Basic) -> BallFn:
        if node in NOT_REAL:
            def not_real(env: Sequence[Ball]) -> Ball:
                raise Undefined(f"{node} (not a real number)")
            return not_real
        if node.is_Symbol:
            if node not in self.slots:
                raise Unsupported(f"the symbol {node}")
            return operator.itemgetter(self.slots[node])
        if node.is_Number or node.is_NumberSymbol:
            return self._number(node)
        if node.is_Add:
            return self._add([self.compile(a) for a in node.args])
        if node.is_Mul:
            return self._mul([self.compile(a) for a in node.args])
        if node.is_Pow:
            return self._power(node)
        handler = _HANDLERS.get(type(node).__name__)
        if handler is not None:
            return handler(self, node)
        return self._function(node)

    # -- numbers and arithmetic -----------------------------------------------------------

    def _number(self, node: Basic) -> BallFn:
        ctx = self.ctx
        if node.is_Integer:
            with ctx.workprec(max(53, int(node).bit_length() + 2)):
                exact = (ctx.mpf(int(node)), ctx.mpf(0))
            return lambda env: exact
        if node.is_Float:
            value = ctx.make_mpf(node._mpf_)
            if not ctx.isfinite(value):
                raise Unsupported(f"the number {node}")
            exact_float = (value, ctx.mpf(0))
            return lambda env: exact_float
        if node.is_Rational:
            p, q = int(node.p), int(node.q)
            return lambda env: self._rounded(ctx.mpf(p) / q)
        name = {sympy.pi: "pi", sympy.E: "e", sympy.EulerGamma: "euler",
                sympy.Catalan: "catalan", sympy.GoldenRatio: "phi"}.get(node)
        if name is None:
            raise Unsupported(f"the number {node}")
        constant = getattr(ctx, name)
        return lambda env: self._rounded(+constant)

    def _rounded(self, value: Any, ulps: int = 1) -> Ball:
        return value, abs(value) * self.ulp() * ulps

    def _add(self, fns: list[BallFn]) -> BallFn:
        def add(env: Sequence[Ball]) -> Ball:
            mid = radius = magnitude = self.zero
            for fn in fns:
                m, r = fn(env)
                mid += m
                radius += r
                magnitude += abs(m)
            return mid, radius + magnitude * self.ulp()

        return add

    def _mul(self, fns: list[BallFn]) -> BallFn:
        head, rest = fns[0], fns[1:]

        def mul(env: Sequence[Ball]) -> Ball:
            m, r = head(env)
            for fn in rest:
                mb, rb = fn(env)
                r = abs(m) * rb + abs(mb) * r + r * rb
                m = m * mb
                r += abs(m) * self.ulp()
            return m, r

        return mul

    def _inverse(self, ball: Ball) -> Ball:
        m, r = ball
        if m == 0 and r == 0:
            raise Undefined("a division by zero")
        if abs(m) <= r:
            raise Ambiguous
        inverse = 1 / m
        return inverse, r / (abs(m) * (abs(m) - r)) + abs(inverse) * self.ulp()

    def _integer_power(self, ball: Ball, n: int) -> Ball:
        if n < 0:
            ball, n = self._inverse(ball), -n
        m, r = ball
        if n == 0:
            return self.ctx.mpf(1), self.zero
        value = m**n
        spread = n * r * (abs(m) + r) ** (n - 1) if r else self.zero
        return value, spread + abs(value) * self.ulp() * (n + 1)

    def _power(self, node: Basic) -> BallFn:
        base_node, exponent = node.args
        base = self.compile(base_node)
        if exponent.is_Integer:
            n = int(exponent)
            return lambda env: self._integer_power(base(env), n)
        if exponent == sympy.S.Half:
            return lambda env: self._sqrt(base(env))
        power = self.compile(exponent)
        return lambda env: self._general_power(base(env), power(env))

    def _sqrt(self, ball: Ball) -> Ball:
        ctx = self.ctx
        m, r = ball
        if m + r < 0:
            raise Undefined("the square root of a negative number")
        if m - r < 0 and (m < 0 or r > 0):
            raise Ambiguous
        low = ctx.sqrt(m - r) if m - r > 0 else self.zero
        root = ctx.sqrt(m)
        return root, (root - low) + abs(root) * self.ulp() * 2

    def _general_power(self, base: Ball, power: Ball) -> Ball:
        m, r = base
        if m == 0 and r == 0:
            if power == (0, 0):
                return self.ctx.mpf(1), self.zero  # 0**0 is 1, as in sympy
            if power[0] - power[1] > 0:
                return self.zero, self.zero
            if power[0] + power[1] < 0:
                raise Undefined("a division by zero")
            raise Ambiguous
        if m - r > 0:
            logarithm = self._log(base)
            product = self._mul([lambda env: power, lambda env: logarithm])([])
            return self._exp(product)
        if m + r < 0 and power[1] == 0 and self.ctx.isint(power[0]):
            n = int(power[0])
            if abs(n) > 10**6:
                raise TooLarge
            return self._integer_power(base, n)
        if m + r < 0:
            raise Undefined("a non-integer power of a negative number")
        raise Ambiguous

    def _exp(self, ball: Ball) -> Ball:
        ctx = self.ctx
        m, r = ball
        if abs(m) + r > MAX_EXP_ARGUMENT:
            raise TooLarge
        value = ctx.exp(m)
        return value, value * ctx.expm1(r) * 2 + value * self.ulp() * 4

    def _log(self, ball: Ball) -> Ball:
        ctx = self.ctx
        m, r = ball
        if m + r <= 0:
            raise Undefined("the log of a number that is not positive")
        if m - r <= 0:
            raise Ambiguous
        value = ctx.ln(m)
        spread = -ctx.log1p(-r / m) if r else self.zero
        return value, spread + abs(value) * self.ulp() * 4

    # -- kinks and cases ------------------------------------------------------------------

    def _abs(self, node: Basic) -> BallFn:
        arg = self.compile(node.args[0])

        def absolute(env: Sequence[Ball]) -> Ball:
            m, r = arg(env)
            return abs(m), r

        return absolute

    def _extremum(self, node: Basic) -> BallFn:
        args = [self.compile(a) for a in node.args]
        pick = max if isinstance(node, sympy.Max) else min

        def extremum(env: Sequence[Ball]) -> Ball:
            balls = [a(env) for a in args]
            return pick(b[0] for b in balls), max(b[1] for b in balls)

        return extremum

    def _sign_of(self, ball: Ball) -> int:
        m, r = ball
        if r and abs(m) <= r:
            raise Ambiguous
        return int(m > 0) - int(m < 0)

    def _sign(self, node: Basic) -> BallFn:
        arg = self.compile(node.args[0])
        return lambda env: (self.ctx.mpf(self._sign_of(arg(env))), self.zero)

    def _heaviside(self, node: Basic) -> BallFn:
        arg = self.compile(node.args[0])
        at_zero = node.args[1] if len(node.args) > 1 else sympy.Rational(1, 2)
        if at_zero is sympy.nan or not at_zero.is_number:
            def undefined_at_zero(env: Sequence[Ball]) -> Ball:
                raise Undefined("the step function at 0")
            at_zero_fn: BallFn = undefined_at_zero
        else:
            at_zero_fn = self.compile(at_zero)

        def heaviside(env: Sequence[Ball]) -> Ball:
            sign = self._sign_of(arg(env))
            if sign == 0:
                return at_zero_fn(env)
            return self.ctx.mpf(1 if sign > 0 else 0), self.zero

        return heaviside

    def _piecewise(self, node: Basic) -> BallFn:
        cases = [(self.compile(e), self._condition(c)) for e, c in node.args]

        def piecewise(env: Sequence[Ball]) -> Ball:
            for value, condition in cases:
                if condition(env):
                    return value(env)
            raise Undefined("no case of the definition applies")

        return piecewise

    def _condition(self, node: Basic) -> _Cond:
        if node is sympy.true:
            return lambda env: True
        if node is sympy.false:
            return lambda env: False
        compare = RELATIONS.get(type(node))
        if compare is not None:
            lhs, rhs = self.compile(node.lhs), self.compile(node.rhs)

            def relation(env: Sequence[Ball]) -> bool:
                (a, ra), (b, rb) = lhs(env), rhs(env)
                if (ra or rb) and abs(a - b) <= (ra + rb) * 2 + abs(a - b) * self.ulp():
                    raise Ambiguous
                return compare(a, b)

            return relation
        parts = [self._condition(a) for a in node.args]
        combined = combine_conditions(node, parts)
        if combined is None:
            raise Unsupported(f"the condition {node}")
        return combined

    def _rounding(self, node: Basic) -> BallFn:
        arg = self.compile(node.args[0])
        rounding = self.ctx.floor if isinstance(node, sympy.floor) else self.ctx.ceil

        def integer_part(env: Sequence[Ball]) -> Ball:
            m, r = arg(env)
            low, high = rounding(m - r), rounding(m + r)
            if low != high:
                raise Ambiguous
            return low, self.zero

        return integer_part

    def _sum(self, node: Basic) -> BallFn:
        if len(node.limits) != 1:
            raise Unsupported("a multiple sum with large bounds")
        variable, low, high = node.limits[0]
        if not (low.is_Integer and high.is_Integer) or int(high) - int(low) > MAX_SUM_TERMS:
            raise Unsupported("a sum whose bounds are not small integers")
        slot = max(self.slots.values(), default=-1) + 1
        inner = _BallCompiler({**self.slots, variable: slot}, self.ctx, self.tick)
        summand = inner.compile(node.function)
        lo, hi = int(low), int(high)

        def total(env: Sequence[Ball]) -> Ball:
            scratch = list(env) + [(self.zero, self.zero)] * (slot + 1 - len(env))
            mid = radius = magnitude = self.zero
            for n in range(lo, hi + 1):
                if n % 256 == 0:
                    self.tick()
                scratch[slot] = (self.ctx.mpf(n), self.zero)
                m, r = summand(scratch)
                mid, radius, magnitude = mid + m, radius + r, magnitude + abs(m)
            return mid, radius + magnitude * self.ulp()

        return total

    # -- functions ------------------------------------------------------------------------

    def _function(self, node: Basic) -> BallFn:
        name = type(node).__name__
        if len(node.args) != 1:
            raise Unsupported(f"the function {name}")
        arg = self.compile(node.args[0])
        if name == "exp":
            return lambda env: self._exp(arg(env))
        if name == "log":
            return lambda env: self._log(arg(env))
        if name in ("re", "conjugate"):
            return arg
        if name == "im":
            return lambda env: (self.zero, self.zero)
        spec = _FUNCTIONS.get(name)
        if spec is None:
            raise Unsupported(f"the function {name}")
        mp_name, domain, slope = spec
        fn = getattr(self.ctx, mp_name)
        return lambda env: self._apply(name, fn, domain, slope, arg(env))

    def _apply(
        self,
        name: str,
        fn: Callable[[Any], Any],
        domain: Callable[[Any], bool] | None,
        slope: Callable[[Any, Any, Any], Any] | None,
        ball: Ball,
    ) -> Ball:
        ctx = self.ctx
        m, r = ball
        if domain is not None and not domain(m):
            if r == 0 or (not domain(m - r) and not domain(m + r)):
                raise Undefined(f"{name} is not defined there")
            raise Ambiguous
        if domain is not None and r and not (domain(m - r) and domain(m + r)):
            raise Ambiguous
        if name in MAGNITUDE_BOUND and abs(m) + r > MAX_EXP_ARGUMENT:
            raise TooLarge
        value = _real(ctx, fn, m, name)
        if r == 0:
            spread = self.zero
        elif slope is not None:
            spread = r * slope(ctx, abs(m), r)
        else:
            wider = max(r, abs(m) * self.ulp() * 4)
            ends = [_real(ctx, fn, m - wider, name), _real(ctx, fn, m + wider, name)]
            spread = max(abs(e - value) for e in ends) * 2
        return value, spread + abs(value) * self.ulp() * 4


def _real(ctx: Any, fn: Callable[[Any], Any], value: Any, name: str) -> Any:
    try:
        result = fn(value)
    except (ValueError, ZeroDivisionError):
        raise Undefined(f"{name} is not defined there") from None
    if type(result) is not ctx.mpf:
        if getattr(result, "imag", 1) != 0:
            raise Undefined(f"{name} is not real there")
        result = result.real
    return result


def _lowest(magnitude: Any, radius: Any) -> Any:
    """The smallest |x| in the ball, capped at 1e6: the decreasing slope bounds below stay
    valid (sech(min(x, 1e6)) >= sech(x)) and stay cheap to compute for huge x."""
    low = magnitude - radius if magnitude > radius else 0 * magnitude
    return min(low, 10**6)


# Bounds on |f'| over [|m| - r, |m| + r], given (ctx, |m|, r).
_SlopeBound = Callable[[Any, Any, Any], Any]
_FUNCTIONS: dict[str, tuple[str, Callable[[Any], bool] | None, _SlopeBound | None]] = {
    "sin": ("sin", None, lambda ctx, a, r: 1),
    "cos": ("cos", None, lambda ctx, a, r: 1),
    "tanh": ("tanh", None, lambda ctx, a, r: ctx.sech(_lowest(a, r)) ** 2),
    "sech": ("sech", None, lambda ctx, a, r: ctx.sech(_lowest(a, r))),
    "sinh": ("sinh", None, lambda ctx, a, r: ctx.cosh(a + r)),
    "cosh": ("cosh", None, lambda ctx, a, r: ctx.cosh(a + r)),
    "atan": ("atan", None, lambda ctx, a, r: 1 / (1 + _lowest(a, r) ** 2)),
    "asinh": ("asinh", None, lambda ctx, a, r: 1),
    "erf": ("erf", None, lambda ctx, a, r: 2),
    "erfc": ("erfc", None, lambda ctx, a, r: 2),
    "sinc": ("sinc", None, lambda ctx, a, r: 1),
    "tan": ("tan", None, None),
    "sec": ("sec", None, None),
    "cot": ("cot", lambda v: v != 0, None),
    "csc": ("csc", lambda v: v != 0, None),
    "coth": ("coth", lambda v: v != 0, None),
    "csch": ("csch", lambda v: v != 0, None),
    "asin": ("asin", lambda v: -1 <= v <= 1, None),
    "acos": ("acos", lambda v: -1 <= v <= 1, None),
    "atanh": ("atanh", lambda v: -1 < v < 1, None),
    "acosh": ("acosh", lambda v: v >= 1, None),
    "gamma": ("gamma", lambda v: v > 0 or v != math.floor(v), None),
    "loggamma": ("loggamma", lambda v: v > 0, None),
}


def _factorial(self: _BallCompiler, node: Basic) -> BallFn:
    shifted = self.compile(node.args[0] + 1)
    fn = self.ctx.gamma
    domain = _FUNCTIONS["gamma"][1]
    return lambda env: self._apply("factorial", fn, domain, None, shifted(env))


def _mod(self: _BallCompiler, node: Basic) -> BallFn:
    a, b = (self.compile(x) for x in node.args)

    def mod(env: Sequence[Ball]) -> Ball:
        dividend, divisor = a(env), b(env)
        quotient = self._mul([lambda e: dividend, lambda e: self._inverse(divisor)])([])
        low, high = self.ctx.floor(quotient[0] - quotient[1]), self.ctx.floor(
            quotient[0] + quotient[1])
        if low != high:
            raise Ambiguous
        product = self._mul([lambda e: divisor, lambda e: (low, self.zero)])([])
        return self._add([lambda e: dividend, lambda e: (-product[0], product[1])])([])

    return mod


_HANDLERS: dict[str, Callable[[_BallCompiler, Basic], BallFn]] = {
    "Abs": _BallCompiler._abs,
    "sign": _BallCompiler._sign,
    "Heaviside": _BallCompiler._heaviside,
    "Max": _BallCompiler._extremum,
    "Min": _BallCompiler._extremum,
    "Piecewise": _BallCompiler._piecewise,
    "floor": _BallCompiler._rounding,
    "ceiling": _BallCompiler._rounding,
    "Sum": _BallCompiler._sum,
    "factorial": _factorial,
    "Mod": _mod,
}
