"""Compiling sympy expressions into Python closures over mpmath numbers or exact fractions.

A closure tree is built once per expression and then evaluated at many points; this is much
cheaper than `subs`/`evalf` and, unlike `lambdify`, keeps control over what "undefined" means.
Values must stay real: a square root or log of a negative number, a division by zero, a
complex result or a Piecewise with no applicable case raises `Undefined` with the reason.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import sympy
from sympy import Basic

Env = Sequence[Any]
Fn = Callable[[Env], Any]
Cond = Callable[[Env], bool]

# Beyond this argument size, exp builds numbers with astronomically long exponents, and
# mpmath's cost for exp, trigonometric, hyperbolic and gamma functions grows with the
# argument's magnitude (exp(-1e50000) needs ln 2 to 50000 digits): such a value is "too large
# to evaluate", never a guess.
MAX_EXP_ARGUMENT = 1e15
MAGNITUDE_BOUND = frozenset({
    "exp", "sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "sech", "csch", "coth",
    "sinc", "gamma", "loggamma", "factorial",
})
MAX_SUM_TERMS = 10**6
_MAX_EXACT_EXPONENT = 10**4
_MAX_EXACT_BITS = 10**6


NOT_REAL = frozenset({sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I})


class Unsupported(Exception):
    """The expression holds something that cannot be evaluated numerically."""


class Undefined(Exception):
    """The expression has no real value at this point; the argument says why."""


class TooLarge(Exception):
    """The value is too large to evaluate at this point."""


def compile_mp(expr: Basic, slots: dict[Basic, int], ctx: Any, tick: Callable[[], None]) -> Fn:
    """A closure evaluating `expr` with mpmath context `ctx` (precision set by the caller)."""
    return _MpCompiler(slots, ctx, tick).compile(expr)


def compile_exact(expr: Basic, slots: dict[Basic, int], tick: Callable[[], None]) -> Fn:
    """A closure evaluating `expr` exactly (ints and Fractions); Unsupported if it cannot."""
    return _ExactCompiler(slots, None, tick).compile(expr)


def switch_expressions(expr: Basic) -> list[Basic]:
    """Expressions whose sign change is a kink or jump: Piecewise conditions, Max/Min, Abs..."""
    found: list[Basic] = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Piecewise):
            for _, condition in node.args:
                found.extend(_relational_differences(condition))
        elif isinstance(node, (sympy.Max, sympy.Min)) and len(node.args) <= 6:
            args = node.args
            found.extend(a - b for k, a in enumerate(args) for b in args[k + 1 :])
        elif isinstance(node, (sympy.Abs, sympy.sign, sympy.Heaviside)):
            found.append(node.args[0])
        elif isinstance(node, sympy.log) or (node.is_Pow and node.args[1].is_Rational
                                              and not node.args[1].is_Integer):
            found.append(node.args[0])  # a domain boundary: sample both sides of it
    return [f for f in found if f.free_symbols]


def _relational_differences(condition: Basic) -> list[Basic]:
    if isinstance(condition, sympy.core.relational.Relational):
        return [condition.lhs - condition.rhs]
    if isinstance(condition, sympy.logic.boolalg.BooleanFunction):
        return [d for arg in condition.args for d in _relational_differences(arg)]
    return []


RELATIONS: dict[type, Callable[[Any, Any], bool]] = {
    sympy.StrictGreaterThan: operator.gt,
    sympy.GreaterThan: operator.ge,
    sympy.StrictLessThan: operator.lt,
    sympy.LessThan: operator.le,
    sympy.Equality: operator.eq,
    sympy.Unequality: operator.ne,
}


class _Compiler:
    """What the mpmath and the exact compilers share: structure, kinks and conditions."""

    def __init__(self, slots: dict[Basic, int], ctx: Any, tick: Callable[[], None]) -> None:
        self.slots = dict(slots)
        self.ctx = ctx
        self.tick = tick

    def compile(self, node: Basic) -> Fn:
        """Compile `node` into a closure over an environment of variable values."""
        if node in NOT_REAL:
            return _undefined(f"{node} (not a real number)")
        if node.is_Symbol:
            if node not in self.slots:
                raise Unsupported(f"the symbol {node}")
            return operator.itemgetter(self.slots[node])
        if node.is_Number or node.is_NumberSymbol:
            return self.number(node)
        if node.is_Add:
            return _fold(operator.add, [self.compile(a) for a in node.args])
        if node.is_Mul:
            return _fold(operator.mul, [self.compile(a) for a in node.args])
        if node.is_Pow:
            return self.power(node)
        method = _STRUCTURAL.get(type(node))
        if method is not None:
            return method(self, node)
        return self.function(node)

    def number(self, node: Basic) -> Fn:
        raise NotImplementedError

    def power(self, node: Basic) -> Fn:
        raise NotImplementedError

    def function(self, node: Basic) -> Fn:
        raise NotImplementedError

    def zero_one(self, truth: bool) -> Any:
        raise NotImplementedError

    def _abs(self, node: Basic) -> Fn:
        arg = self.compile(node.args[0])
        return lambda env: abs(arg(env))

    def _sign(self, node: Basic) -> Fn:
        arg = self.compile(node.args[0])
        zero, one = self.zero_one(False), self.zero_one(True)

        def sign(env: Env) -> Any:
            v = arg(env)
            return one if v > 0 else (-one if v < 0 else zero)

        return sign

    def _heaviside(self, node: Basic) -> Fn:
        arg = self.compile(node.args[0])
        at_zero = node.args[1] if len(node.args) > 1 else sympy.Rational(1, 2)
        if at_zero is sympy.nan or not at_zero.is_number:
            at_zero_fn: Fn = _undefined("the step function at 0")
        else:
            at_zero_fn = self.compile(at_zero)
        zero, one = self.zero_one(False), self.zero_one(True)

        def heaviside(env: Env) -> Any:
            v = arg(env)
            return one if v > 0 else (zero if v < 0 else at_zero_fn(env))

        return heaviside

    def _extremum(self, node: Basic) -> Fn:
        args = [self.compile(a) for a in node.args]
        pick = max if isinstance(node, sympy.Max) else min
        return lambda env: pick(a(env) for a in args)

    def _piecewise(self, node: Basic) -> Fn:
        cases = [(self.compile(e), self.condition(c)) for e, c in node.args]

        def piecewise(env: Env) -> Any:
            for value, condition in cases:
                if condition(env):
                    return value(env)
            raise Undefined("no case of the definition applies")

        return piecewise

    def _rounding(self, node: Basic) -> Fn:
        arg = self.compile(node.args[0])
        if isinstance(node, sympy.floor):
            return lambda env: self.integer_part(arg(env), math.floor)
        return lambda env: self.integer_part(arg(env), math.ceil)

    def integer_part(self, value: Any, rounding: Callable[[Any], int]) -> Any:
        return rounding(value)

    def _mod(self, node: Basic) -> Fn:
        a, b = (self.compile(x) for x in node.args)

        def mod(env: Env) -> Any:
            divisor = b(env)
            if divisor == 0:
                raise Undefined("a remainder modulo 0")
            dividend = a(env)
            return dividend - divisor * self.integer_part(dividend / divisor, math.floor)

        return mod

    def _sum(self, node: Basic) -> Fn:
        if len(node.limits) != 1:
            raise Unsupported("a multiple sum with large bounds")
        variable, low, high = node.limits[0]
        if not (low.is_Integer and high.is_Integer) or int(high) - int(low) > MAX_SUM_TERMS:
            raise Unsupported("a sum whose bounds are not small integers")
        slot = max(self.slots.values(), default=-1) + 1
        inner = type(self)({**self.slots, variable: slot}, self.ctx, self.tick)
        summand = inner.compile(node.function)
        lo, hi = int(low), int(high)
        convert = self.convert_int

        def total(env: Env) -> Any:
            scratch = list(env) + [None] * (slot + 1 - len(env))
            acc = self.zero_one(False)
            for n in range(lo, hi + 1):
                if n % 256 == 0:
                    self.tick()
                scratch[slot] = convert(n)
                acc += summand(scratch)
            return acc

        return total

    def convert_int(self, n: int) -> Any:
        return n

    def condition(self, node: Basic) -> Cond:
        """Compile a boolean condition (relations combined with And, Or, Not)."""
        if node is sympy.true:
            return lambda env: True
        if node is sympy.false:
            return lambda env: False
        relation = RELATIONS.get(type(node))
        if relation is not None:
            lhs, rhs = self.compile(node.lhs), self.compile(node.rhs)
            return lambda env: relation(lhs(env), rhs(env))
        parts = [self.condition(a) for a in node.args]
        combined = combine_conditions(node, parts)
        if combined is None:
            raise Unsupported(f"the condition {node}")
        return combined


_STRUCTURAL: dict[type, Callable[[_Compiler, Basic], Fn]] = {
    sympy.Abs: _Compiler._abs,
    sympy.sign: _Compiler._sign,
    sympy.Heaviside: _Compiler._heaviside,
    sympy.Max: _Compiler._extremum,
    sympy.Min: _Compiler._extremum,
    sympy.Piecewise: _Compiler._piecewise,
    sympy.floor: _Compiler._rounding,
    sympy.ceiling: _Compiler._rounding,
    sympy.Mod: _Compiler._mod,
    sympy.Sum: _Compiler._sum,
}


class _MpCompiler(_Compiler):
    """Closures over mpmath numbers of context `ctx`."""

    def number(self, node: Basic) -> Fn:
        ctx = self.ctx
        if node.is_Integer:
            value = _exact_mpf(ctx, int(node))
            return lambda env: value
        if node.is_Rational:
            numerator, denominator = _exact_mpf(ctx, int(node.p)), int(node.q)
            return lambda env: numerator / denominator
        if node.is_Float:
            constant = ctx.make_mpf(node._mpf_)
            if not ctx.isfinite(constant):
                return _undefined(f"the number {node}")
            return lambda env: constant
        named = {sympy.pi: "pi", sympy.E: "e", sympy.EulerGamma: "euler",
                 sympy.Catalan: "catalan", sympy.GoldenRatio: "phi"}.get(node)
        if named is not None:
            constant_obj = getattr(ctx, named)
            return lambda env: +constant_obj
        return _undefined(f"{node} (not a real number)")

    def zero_one(self, truth: bool) -> Any:
        return self.ctx.mpf(1 if truth else 0)

    def convert_int(self, n: int) -> Any:
        return self.ctx.mpf(n)

    def integer_part(self, value: Any, rounding: Callable[[Any], int]) -> Any:
        ctx = self.ctx
        return ctx.floor(value) if rounding is math.floor else ctx.ceil(value)

    def power(self, node: Basic) -> Fn:
        base_node, exponent = node.args
        base = self.compile(base_node)
        ctx = self.ctx
        if exponent.is_Integer:
            n = int(exponent)

            def integer_power(env: Env) -> Any:
                v = base(env)
                if n < 0 and v == 0:
                    raise Undefined("a division by zero")
                return v**n

            return integer_power
        if exponent == sympy.S.Half:

            def square_root(env: Env) -> Any:
                v = base(env)
                if v < 0:
                    raise Undefined("the square root of a negative number")
                return ctx.sqrt(v)

            return square_root
        power = self.compile(exponent)

        def general_power(env: Env) -> Any:
            v, w = base(env), power(env)
            if v > 0:
                if abs(w * ctx.ln(v)) > MAX_EXP_ARGUMENT:
                    raise TooLarge
                return ctx.power(v, w)
            if v == 0:
                if w >= 0:
                    return v if w > 0 else v + 1  # 0**0 is 1, as in sympy
                raise Undefined("a division by zero")
            if ctx.isint(w) and abs(w) <= 10**6:
                return v ** int(w)
            raise Undefined("a non-integer power of a negative number")

        return general_power

    def function(self, node: Basic) -> Fn:
        name = type(node).__name__
        part = _REAL_PARTS.get(name)
        if part is not None:
            arg = self.compile(node.args[0])
            return lambda env: part(arg(env))
        special = _MP_SPECIAL.get(name)
        if special is not None:
            arg = self.compile(node.args[0])
            return special(self.ctx, arg)
        mp_name = _MP_PLAIN.get(name)
        if mp_name is None or len(node.args) != 1:
            raise Unsupported(f"the function {name}")
        return _real_valued(self.ctx, getattr(self.ctx, mp_name), self.compile(node.args[0]),
                            name)


class _ExactCompiler(_Compiler):
    """Closures over Python ints and Fractions; only rational arithmetic and kinks."""

    def number(self, node: Basic) -> Fn:
        if node.is_Integer:
            value: Any = int(node)
        elif node.is_Rational:
            value = Fraction(int(node.p), int(node.q))
        elif node.is_Float:
            sign, mantissa, exponent, _ = node._mpf_
            if mantissa == 0 and exponent != 0:
                raise Unsupported(f"the number {node}")
            value = Fraction(-mantissa if sign else mantissa) * Fraction(2) ** exponent
        else:
            raise Unsupported(f"the number {node}")
        return lambda env: value

    def zero_one(self, truth: bool) -> Any:
        return 1 if truth else 0

    def power(self, node: Basic) -> Fn:
        base_node, exponent = node.args
        if not exponent.is_Integer or abs(int(exponent)) > _MAX_EXACT_EXPONENT:
            raise Unsupported("a non-integer power")
        base, n = self.compile(base_node), int(exponent)

        def exact_power(env: Env) -> Any:
            v = base(env)
            if v == 0 and n < 0:
                raise Undefined("a division by zero")
            size = v.numerator.bit_length() + v.denominator.bit_length() if v else 0
            if size * abs(n) > _MAX_EXACT_BITS:
                raise TooLarge
            return Fraction(v) ** n

        return exact_power

    def function(self, node: Basic) -> Fn:
        raise Unsupported(f"the function {type(node).__name__}")


def combine_conditions(node: Basic, parts: list[Callable[[Any], bool]]
                       ) -> Callable[[Any], bool] | None:
    """The boolean connectives sympy builds in Piecewise conditions (None if unknown)."""
    if isinstance(node, sympy.And):
        return lambda env: all(p(env) for p in parts)
    if isinstance(node, sympy.Or):
        return lambda env: any(p(env) for p in parts)
    if isinstance(node, sympy.Not):
        return lambda env: not parts[0](env)
    if isinstance(node, sympy.ITE):
        test, then, otherwise = parts
        return lambda env: then(env) if test(env) else otherwise(env)
    if isinstance(node, sympy.Implies):
        premise, conclusion = parts
        return lambda env: (not premise(env)) or conclusion(env)
    if isinstance(node, sympy.Xor):
        return lambda env: sum(bool(p(env)) for p in parts) % 2 == 1
    if isinstance(node, sympy.Equivalent):
        return lambda env: len({bool(p(env)) for p in parts}) == 1
    return None


def _fold(op: Callable[[Any, Any], Any], fns: list[Fn]) -> Fn:
    if len(fns) == 2:
        first, second = fns
        return lambda env: op(first(env), second(env))
    head, rest = fns[0], fns[1:]

    def folded(env: Env) -> Any:
        acc = head(env)
        for fn in rest:
            acc = op(acc, fn(env))
        return acc

    return folded


def _undefined(reason: str) -> Fn:
    def raise_undefined(env: Env) -> Any:
        raise Undefined(reason)

    return raise_undefined


def _exact_mpf(ctx: Any, value: int) -> Any:
    with ctx.workprec(max(53, value.bit_length() + 2)):
        return ctx.mpf(value)


def _real_valued(ctx: Any, fn: Callable[[Any], Any], arg: Fn, name: str) -> Fn:
    mpf = ctx.mpf
    bounded = name in MAGNITUDE_BOUND

    def call(env: Env) -> Any:
        v = arg(env)
        if bounded and abs(v) > MAX_EXP_ARGUMENT:
            raise TooLarge
        try:
            value = fn(v)
        except (ValueError, ZeroDivisionError):
            raise Undefined(f"{name} is not defined there") from None
        if type(value) is not mpf:
            if getattr(value, "imag", 1) != 0:
                raise Undefined(f"{name} is not real there")
            value = value.real
        return value

    return call


def _mp_exp(ctx: Any, arg: Fn) -> Fn:
    def exponential(env: Env) -> Any:
        v = arg(env)
        if abs(v) > MAX_EXP_ARGUMENT:
            raise TooLarge
        return ctx.exp(v)

    return exponential


def _mp_log(ctx: Any, arg: Fn) -> Fn:
    def logarithm(env: Env) -> Any:
        v = arg(env)
        if v <= 0:
            raise Undefined("the log of a number that is not positive")
        return ctx.ln(v)

    return logarithm


def _bounded(name: str, low: float, high: float, strict: bool, mp_name: str) -> Callable[
    [Any, Fn], Fn
]:
    def make(ctx: Any, arg: Fn) -> Fn:
        fn = getattr(ctx, mp_name)

        def call(env: Env) -> Any:
            v = arg(env)
            inside = low < v < high if strict else low <= v <= high
            if not inside:
                raise Undefined(f"{name} is not defined there")
            return fn(v)

        return call

    return make


def _nonzero(name: str, mp_name: str) -> Callable[[Any, Fn], Fn]:
    def make(ctx: Any, arg: Fn) -> Fn:
        fn = getattr(ctx, mp_name)

        def call(env: Env) -> Any:
            v = arg(env)
            if v == 0:
                raise Undefined(f"{name} of 0 (a division by zero)")
            if abs(v) > MAX_EXP_ARGUMENT:
                raise TooLarge
            return fn(v)

        return call

    return make


def _gamma_like(shift: int) -> Callable[[Any, Fn], Fn]:
    def make(ctx: Any, arg: Fn) -> Fn:
        def call(env: Env) -> Any:
            v = arg(env) + shift
            if v <= 0 and ctx.isint(v):
                raise Undefined("the factorial or gamma function at a pole")
            if abs(v) > 10**8:
                raise TooLarge
            return ctx.gamma(v)

        return call

    return make


_MP_SPECIAL: dict[str, Callable[[Any, Fn], Fn]] = {
    "exp": _mp_exp,
    "log": _mp_log,
    "asin": _bounded("asin", -1, 1, False, "asin"),
    "acos": _bounded("acos", -1, 1, False, "acos"),
    "atanh": _bounded("atanh", -1, 1, True, "atanh"),
    "acosh": _bounded("acosh", 1, math.inf, False, "acosh"),
    "coth": _nonzero("coth", "coth"),
    "csch": _nonzero("csch", "csch"),
    "cot": _nonzero("cot", "cot"),
    "csc": _nonzero("csc", "csc"),
    "gamma": _gamma_like(0),
    "factorial": _gamma_like(1),
}

_MP_PLAIN: dict[str, str] = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sec": "sec",
    "atan": "atan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "sech": "sech",
    "asinh": "asinh",
    "erf": "erf",
    "erfc": "erfc",
    "loggamma": "loggamma",
    "sinc": "sinc",
}

# Values here are always real, so these are the identity or zero.
_REAL_PARTS: dict[str, Callable[[Any], Any]] = {
    "re": lambda v: v,
    "conjugate": lambda v: v,
    "im": lambda v: 0 * v,
}
