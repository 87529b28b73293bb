"""A safe parser from untrusted student text (plain or LaTeX) to sympy objects.

Student text never reaches `eval`, `exec`, `sympify` or `parse_expr`: a cheap pre-scan checks
sizes, brackets and LaTeX commands; an LALR grammar (lark) parses into a tree; a builder
constructs sympy objects from a whitelist of names and functions.

    from grader.mathparse import parse_math, MathContext, Limits, MathSyntaxError

    ctx = MathContext(variables={"x": "real", "alpha": "positive"})
    parse_math("x if x > 0 else alpha*(exp(x)-1)", ctx)    # Piecewise(...)
    parse_math(r"\\max(0, x)", ctx)                          # Max(0, x)

What comes back: a sympy Expr, a relational (`Eq`, `Ge`, ... for answers such as
`Var(z_i) = D_a Var(W) Var(a)` or `x >= 0`), a condition (`And`), a `Piecewise` (an Expr),
or a `sympy.Matrix`. A definition `f(x) = ...`, `ReLU(x) = ...` or
`\\operatorname{ReLU}(x) = ...` (a name that is not a variable applied to declared variables)
comes back as an `Eq` whose left side is a marked function application;
`split_definition(obj)` returns `("ReLU", rhs)` for it and `(None, obj)` for anything else.
Every error is a `MathSyntaxError` (a ValueError) with `.message`, `.position`, `.text` and
`.render()`, which draws a caret under the problem.

Syntax (plain text; `syntax="auto"` reads LaTeX when the text contains a backslash, and both
read everything below):

* operators `+ - * / ^ **`, unary minus, `−` (unicode minus), `·` `⋅` `×` for `*`, `²` `³`
  superscripts; implicit products `2x`, `2 theta`, `2(x+1)`, `(x+1)(x-1)`, `x y`, `W_ij a_j`.
  `1/2x` is refused as ambiguous (write `(1/2)x` or `1/(2x)`), as is `x 2` (a number after
  an implicit product).
* numbers `3`, `0.5`, `.5`, `1e-3`, read as exact rationals (0.5 is 1/2).
* names: declared variables, `D_a`, `x_1`, `x1`; Greek letters typed (`theta`) or as unicode
  (θ σ α β μ ε/ϵ φ/ϕ λ π ...). λ/`lambda` is the name `lamda` (sympy's spelling, printed λ).
  `e`, `E` are Euler's number and `pi`/π is π, unless declared as variables.
* functions (the table `names.FUNCTIONS`): `exp log ln log10 lg log2 lb sqrt abs sign`,
  `sin cos tan sec csc cot`, `asin/arcsin acos/arccos atan/arctan acot/arccot atan2`,
  `sinh cosh tanh sech csch coth asinh/arsinh acosh/arcosh atanh/artanh`, `sigmoid sigma
  relu ReLU Heaviside max min factorial binomial`, `log(x, b)`, `|x|`, `n!`; `sigma(t)` is
  the logistic 1/(1+exp(-t)) unless `sigma` is a declared variable; `tanh^2(x)` is
  tanh(x)**2; `relu(t)` is Max(0, t). Names listed in `MathContext.functions` (e.g. `Var`)
  are opaque sympy Functions. Any other name followed by `(` is an unknown function (an
  error with a suggestion), except a variable multiplying a bracket: a declared one, or with
  nothing declared a name also used alone (`x(x+1)`).
* angles in degrees `30°`, `30^\\circ`, `30^{\\circ}` (times pi/180).
* a lone unknown name left of a top-level `=` where names are declared (`z_i = ...`) names
  the answer, like a definition.
* indexed names from `MathContext.indexed`: `W_ij`, `W_{ij}`, `W_{i,j}`, `W[i,j]`, `a_j`,
  `a_{j+1}` -> `IndexedBase("W")[i, j]`, indices positive integer Symbols.
* sums `sum(W_ij a_j, j=1..D_a)`, `sum(f, j, 1, n)`, `Sum(f, (j, 1, n))`, `sum_{j=1}^{n} f`
  (the summand is the rest of the product term) -> unevaluated `Sum`.
* cases `x if x > 0 else alpha*(exp(x)-1)` (chains allowed), `Piecewise((x, x > 0), (0, True))`;
  conditions with `< <= > >= == != ≤ ≥ ≠`, chains `0 < x < 1`, `and`, `or`, `not`.
* relations at the top level: `=`, `==`, `<`, `<=`, `>`, `>=`, `≤`, `≥`, `Eq(a, b)`.
* matrices `[x1, x2, x3]` (a column), `[[1, 2], [3, 4]]`, `Matrix([[1, 2], [3, 4]])`;
  `[x + 1]` with one entry only groups.
* `Rational(1, 2)`; infinity (`oo`, `\\infty`) is refused.

LaTeX adds `\\frac \\dfrac \\tfrac \\cfrac`, `\\binom`, `\\cdot \\times`, `\\left( \\right)` and friends
(`\\mleft( \\mright)`, `\\lbrack`, `\\lgroup`, `\\bigl(`, ... are read as these), `\\{ \\}`,
`^{...}`, `_{...}`, `\\sqrt{..}`, `\\sqrt[n]{..}`, function commands (`\\tanh x`,
`\\tanh^2(x)`, `\\exp`, `\\log`, `\\log_b x`, `\\ln`, `\\lg`, `\\sec`, `\\arcsin`, `\\max`, `\\min`,
`\\operatorname{ReLU}`,
`\\mathrm{Var}`), Greek commands (`\\alpha`, `\\varepsilon`, `\\varphi`, ...), `\\sum_{j=1}^{n}`,
`\\begin{cases} x & x > 0 \\\\ 0 & \\text{otherwise} \\end{cases}` (also `\\text{if } ...` and
`\\left\\{\\begin{array}{ll} ... \\end{array}\\right.`),
`\\geq \\leq \\ge \\le \\gt \\lt \\neq`, `bmatrix`/`pmatrix`/`matrix`/`array`, and ignores every spacing
command (`\\, \\; \\! \\quad \\thinspace \\hspace{..}` ..., see latex.py), `\\boxed{..}`,
`\\displaystyle` and `$...$`; `a^{2}_{k}` is read as `a_{k}^{2}`. In LaTeX an unknown word made of declared one-letter
names is a product (`xy` is x*y); in plain text it is an error that suggests `x*y`.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import sympy as sp
from lark.exceptions import LarkError
from sympy.core.function import AppliedUndef
from sympy.polys.polyerrors import BasePolynomialError

from grader.budget import BudgetExceeded, OutOfBudget, describe, time_budget
from grader.mathparse.builder import Builder
from grader.mathparse.context import (
    DOMAINS,
    MathContext,
    index_symbol,
    interval_bounds,
    symbol_for,
    validate_domain,
)
from grader.mathparse.errors import MathSyntaxError, from_lark
from grader.mathparse.grammar import get_parser
from grader.mathparse.limits import Limits, prescan

Syntax: TypeAlias = Literal["auto", "text", "latex"]
# An Expr, a relational or other Boolean (both sympy Basic), or a Matrix.
MathResult: TypeAlias = sp.Basic | sp.MatrixBase

_DEFAULT_CONTEXT = MathContext()
_DEFAULT_LIMITS = Limits()

# sympy signals trouble with many exception types (TypeError for an invalid comparison,
# ValueError, ZeroDivisionError, polynomial errors, ...). The parser promises to raise only
# MathSyntaxError for any input text, so these are converted at this one boundary.
_SYMPY_FAILURES = (
    ArithmeticError,
    AssertionError,
    AttributeError,
    BasePolynomialError,
    IndexError,
    KeyError,
    NotImplementedError,
    TypeError,
    ValueError,
)


def uses_latex(text: str, syntax: Syntax) -> bool:
    """Whether `text` is read as LaTeX: `auto` means 'when it contains a backslash'."""
    if syntax == "auto":
        return "\\" in text
    if syntax in ("text", "latex"):
        return syntax == "latex"
    raise ValueError(f"syntax must be 'auto', 'text' or 'latex', not {syntax!r}")


def parse_math(
    text: str,
    ctx: MathContext | None = None,
    syntax: Syntax = "auto",
    limits: Limits | None = None,
) -> MathResult:
    """Parse student or author text into a sympy object; raise MathSyntaxError if unreadable.

    Building runs under `limits.max_seconds` of CPU time; running out raises OutOfBudget (not a
    MathSyntaxError: the text may be fine, and whoever grades sends it to a person).
    """
    ctx = _DEFAULT_CONTEXT if ctx is None else ctx
    limits = _DEFAULT_LIMITS if limits is None else limits
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = repr(text)
    if not isinstance(text, str):
        raise MathSyntaxError(f"expected a formula as text, not {type(text).__name__}")
    latex = uses_latex(text, syntax)
    prepared = prescan(text, limits, latex)
    try:
        tree = get_parser().parse(prepared)
    except LarkError as error:
        raise from_lark(error, text) from None
    try:
        with time_budget(limits.max_seconds):
            return Builder(ctx, limits, text, latex).build(tree)
    except BudgetExceeded as exceeded:
        raise OutOfBudget(
            f"reading this formula stopped early: {describe(exceeded.reason, limits.max_seconds)}",
            exceeded.reason,
        ) from None
    except MathSyntaxError:
        raise
    except RecursionError:
        raise MathSyntaxError("this answer is nested too deeply", None, text) from None
    except _SYMPY_FAILURES:
        raise MathSyntaxError("this cannot be read as a formula", None, text) from None


def split_definition(obj: object) -> tuple[str | None, object]:
    """(name, right side) of a definition such as `ReLU(x) = max(0, x)`, else (None, obj)."""
    if isinstance(obj, sp.Equality):
        head = obj.lhs
        if isinstance(head, AppliedUndef) and getattr(head.func, "_mathparse_definition", False):
            return str(head.func.__name__), obj.rhs
    return None, obj


def is_definition(obj: object) -> bool:
    """True when `obj` is a definition `f(x) = ...` returned by parse_math."""
    return split_definition(obj)[0] is not None


__all__ = [
    "DOMAINS",
    "Limits",
    "MathContext",
    "MathResult",
    "MathSyntaxError",
    "OutOfBudget",
    "Syntax",
    "index_symbol",
    "interval_bounds",
    "is_definition",
    "parse_math",
    "split_definition",
    "symbol_for",
    "uses_latex",
    "validate_domain",
]
