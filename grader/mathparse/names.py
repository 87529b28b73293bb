"""The names the parser knows, as data: Greek letters, constants and the function table.

Adding a function is adding a row to `FUNCTIONS` (or to `SPECIAL_FORMS` when its arguments
are not plain expressions); the grammar and the builder need no change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import sympy as sp

# Greek letter names as sympy spells them: `lamda`, because `lambda` is a Python keyword and
# sympy's own parser and `sympy.abc` use `lamda` too (it still prints as λ).
# fmt: off
GREEK_NAMES: tuple[str, ...] = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lamda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lamda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
)

# One unicode character -> the name it stands for. Σ (U+03A3) and ∑ are summation signs, so
# they are not here.
GREEK_CHARS: dict[str, str] = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lamda", "μ": "mu", "µ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi",
    "ρ": "rho", "ϱ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lamda", "Ξ": "Xi", "Π": "Pi",
    "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
# fmt: on

# Other spellings of a name -> the canonical one (applied to typed names, LaTeX commands and
# the names a problem author declares).
# fmt: off
NAME_ALIASES: dict[str, str] = {
    "lambda": "lamda", "Lambda": "Lamda",
    "varepsilon": "epsilon", "varphi": "phi", "vartheta": "theta", "varrho": "rho",
    "varsigma": "sigma",
}
# fmt: on

CONSTANTS: dict[str, sp.Basic] = {
    "e": sp.E,
    "E": sp.E,
    "pi": sp.pi,
    "True": sp.true,
    "False": sp.false,
}

# Names that read as something we refuse on purpose, with the reason shown to the student.
REFUSED_NAMES: dict[str, str] = {
    "oo": "infinity is not allowed in an answer",
    "inf": "infinity is not allowed in an answer",
    "infty": "infinity is not allowed in an answer",
    "infinity": "infinity is not allowed in an answer",
    "nan": "'nan' is not a number you can use in an answer",
}


class Ops(Protocol):
    """What a function's builder may ask of the parser: safe powers and a cost check."""

    def power(self, base: sp.Expr, exponent: sp.Expr) -> sp.Expr: ...

    def cheap(self, args: Sequence[sp.Expr]) -> bool: ...


@dataclass(frozen=True)
class FunctionSpec:
    """One function students may call: its arity and how to build it from sympy arguments."""

    name: str
    min_args: int
    max_args: int
    build: Callable[[Sequence[sp.Expr], Ops], sp.Expr]

    def arity_text(self) -> str:
        """Describe the accepted number of arguments in words."""
        if self.min_args == self.max_args:
            return f"{self.min_args} argument" + ("" if self.min_args == 1 else "s")
        return f"{self.min_args} to {self.max_args} arguments"


def logistic(t: sp.Expr) -> sp.Expr:
    """The logistic sigmoid 1/(1+exp(-t)), built as a plain expression so it evaluates."""
    return 1 / (1 + sp.exp(-t))


def _one(f: Callable[[sp.Expr], sp.Expr]) -> Callable[[Sequence[sp.Expr], Ops], sp.Expr]:
    return lambda args, ops: f(args[0])


def _guarded(cls: type[sp.Function]) -> Callable[[Sequence[sp.Expr], Ops], sp.Expr]:
    # Abs, sign, Max, ... decide signs numerically; with huge numbers sympy raises the
    # precision again and again (hundreds of ms), so such calls stay unevaluated.
    return lambda args, ops: cls(*args, evaluate=ops.cheap(args))


def _log(args: Sequence[sp.Expr], ops: Ops) -> sp.Expr:
    return sp.log(args[0]) if len(args) == 1 else sp.log(args[0], args[1])


def _log_base(base: int) -> Callable[[Sequence[sp.Expr], Ops], sp.Expr]:
    return lambda args, ops: sp.log(args[0], base)


def _acot(args: Sequence[sp.Expr], ops: Ops) -> sp.Expr:
    # The continuous convention, values in (0, pi): acot(0) = pi/2, acot(-1) = 3*pi/4.
    return sp.pi / 2 - sp.atan(args[0])


def _atan2(args: Sequence[sp.Expr], ops: Ops) -> sp.Expr:
    """atan2(y, x): the angle of the point (x, y), in (-pi, pi], undefined at the origin.

    Built from atan and cases, so that the judge sees the jumps on the negative x axis."""
    y, x = args
    if y.is_number and x.is_number and ops.cheap(args):
        if y.is_zero and x.is_zero:
            return sp.nan  # refused by the parser as undefined
        return sp.atan2(y, x)
    ratio = sp.atan(y / x)
    return sp.Piecewise(
        (ratio, x > 0),
        (ratio + sp.pi, sp.And(x < 0, y >= 0)),
        (ratio - sp.pi, sp.And(x < 0, y < 0)),
        (sp.pi / 2, sp.And(sp.Eq(x, 0), y > 0)),
        (-sp.pi / 2, sp.And(sp.Eq(x, 0), y < 0)),
    )


# n! of a literal is computed: 400! has 869 digits, within the limit on numbers.
MAX_FACTORIAL = 400


def factorial(arg: sp.Expr) -> sp.Expr:
    """n! for a whole number n >= 0 (ValueError with the reason otherwise)."""
    if arg.is_integer is not True or arg.is_negative:
        raise ValueError("the factorial n! is defined for whole numbers n >= 0")
    if arg.is_Integer and int(arg) > MAX_FACTORIAL:
        raise ValueError(f"the factorial is limited to n <= {MAX_FACTORIAL}")
    return sp.factorial(arg)


def binomial(n: sp.Expr, k: sp.Expr) -> sp.Expr:
    """The binomial coefficient as factorials, which the judge evaluates exactly."""
    return factorial(n) / (factorial(k) * factorial(n - k))


def _factorial(args: Sequence[sp.Expr], ops: Ops) -> sp.Expr:
    return factorial(args[0])


def _binomial(args: Sequence[sp.Expr], ops: Ops) -> sp.Expr:
    return binomial(args[0], args[1])


def _relu(args: Sequence[sp.Expr], ops: Ops) -> sp.Expr:
    return sp.Max(0, args[0], evaluate=ops.cheap(args))


# Max and Min compare every pair of arguments symbolically: 20 symbols take ~0.15 s, 50 take
# ~1 s. Ten arguments are plenty for an answer.
_MAX_MINMAX_ARGS = 10

_EXP = FunctionSpec("exp", 1, 1, _one(sp.exp))
_LOG = FunctionSpec("log", 1, 2, _log)
_LN = FunctionSpec("ln", 1, 1, _one(sp.log))
_SQRT = FunctionSpec("sqrt", 1, 1, lambda args, ops: ops.power(args[0], sp.Rational(1, 2)))
_ABS = FunctionSpec("abs", 1, 1, _guarded(sp.Abs))
_SIGN = FunctionSpec("sign", 1, 1, _guarded(sp.sign))
_MAX = FunctionSpec("max", 1, _MAX_MINMAX_ARGS, _guarded(sp.Max))
_MIN = FunctionSpec("min", 1, _MAX_MINMAX_ARGS, _guarded(sp.Min))
_RELU = FunctionSpec("ReLU", 1, 1, _relu)
_SIGMOID = FunctionSpec("sigmoid", 1, 1, _one(logistic))
_HEAVISIDE = FunctionSpec("Heaviside", 1, 2, _guarded(sp.Heaviside))

_ASIN = FunctionSpec("asin", 1, 1, _one(sp.asin))
_ACOS = FunctionSpec("acos", 1, 1, _one(sp.acos))
_ATAN = FunctionSpec("atan", 1, 1, _one(sp.atan))
_ACOT = FunctionSpec("acot", 1, 1, _acot)
_ASINH = FunctionSpec("asinh", 1, 1, _one(sp.asinh))
_ACOSH = FunctionSpec("acosh", 1, 1, _one(sp.acosh))
_ATANH = FunctionSpec("atanh", 1, 1, _one(sp.atanh))

# fmt: off
FUNCTIONS: dict[str, FunctionSpec] = {
    "exp": _EXP,
    "log": _LOG,
    "ln": _LN,
    "sqrt": _SQRT,
    "abs": _ABS, "Abs": _ABS,
    "sign": _SIGN, "sgn": _SIGN,
    "max": _MAX, "Max": _MAX,
    "min": _MIN, "Min": _MIN,
    "relu": _RELU, "ReLU": _RELU, "Relu": _RELU,
    "sigmoid": _SIGMOID, "sigma": _SIGMOID, "logistic": _SIGMOID,
    "Heaviside": _HEAVISIDE, "heaviside": _HEAVISIDE,
    "log10": FunctionSpec("log10", 1, 1, _log_base(10)),
    "lg": FunctionSpec("lg", 1, 1, _log_base(10)),
    "log2": FunctionSpec("log2", 1, 1, _log_base(2)),
    "lb": FunctionSpec("lb", 1, 1, _log_base(2)),
    "tanh": FunctionSpec("tanh", 1, 1, _one(sp.tanh)),
    "sinh": FunctionSpec("sinh", 1, 1, _one(sp.sinh)),
    "cosh": FunctionSpec("cosh", 1, 1, _one(sp.cosh)),
    "sech": FunctionSpec("sech", 1, 1, _one(sp.sech)),
    "csch": FunctionSpec("csch", 1, 1, _one(sp.csch)),
    "coth": FunctionSpec("coth", 1, 1, _one(sp.coth)),
    "sin": FunctionSpec("sin", 1, 1, _one(sp.sin)),
    "cos": FunctionSpec("cos", 1, 1, _one(sp.cos)),
    "tan": FunctionSpec("tan", 1, 1, _one(sp.tan)),
    "sec": FunctionSpec("sec", 1, 1, _one(sp.sec)),
    "csc": FunctionSpec("csc", 1, 1, _one(sp.csc)),
    "cot": FunctionSpec("cot", 1, 1, _one(sp.cot)),
    "asin": _ASIN, "arcsin": _ASIN,
    "acos": _ACOS, "arccos": _ACOS,
    "atan": _ATAN, "arctan": _ATAN,
    "acot": _ACOT, "arccot": _ACOT,
    "atan2": FunctionSpec("atan2", 2, 2, _atan2), "arctan2": FunctionSpec("atan2", 2, 2, _atan2),
    "asinh": _ASINH, "arsinh": _ASINH, "arcsinh": _ASINH,
    "acosh": _ACOSH, "arcosh": _ACOSH, "arccosh": _ACOSH,
    "atanh": _ATANH, "artanh": _ATANH, "arctanh": _ATANH,
    "factorial": FunctionSpec("factorial", 1, 1, _factorial),
    "binomial": FunctionSpec("binomial", 2, 2, _binomial),
    "binom": FunctionSpec("binomial", 2, 2, _binomial),
}
# fmt: on

# Functions whose arguments are not plain expressions (a summation range, (value, condition)
# pairs, a list of rows, ...): name -> the builder method that reads the raw arguments.
SPECIAL_FORMS: dict[str, str] = {
    "sum": "form_sum",
    "Sum": "form_sum",
    "Piecewise": "form_piecewise",
    "Eq": "form_eq",
    "Matrix": "form_matrix",
    "Rational": "form_rational",
}


def is_builtin_function(name: str) -> bool:
    """True when `name` is a function the parser provides (not counting a context's own)."""
    return name in FUNCTIONS or name in SPECIAL_FORMS


def canonical_name(name: str) -> str:
    """The canonical spelling of a typed or declared name (θ -> theta, lambda -> lamda)."""
    if len(name) == 1 and name in GREEK_CHARS:
        return GREEK_CHARS[name]
    return NAME_ALIASES.get(name, name)
