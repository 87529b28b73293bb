"""Derivation steps written as formulas (Xavier's variance, the reparametrisation gradient).

Each line is split at its top-level relations (=, >=, <=, ≈) and every piece is read by the
safe formula parser (grader.mathparse). Two operators the formula parser does not know are
rewritten first into opaque functions: expectations `E[...]`, `E_q[...]`, `\\mathbb{E}_{...}[...]`
become Expect(...), and derivatives `d/dtheta`, `\\frac{d}{d\\theta}`, `\\nabla_\\theta`,
`∂/∂θ` become Deriv(...) of the rest of the bracket. A `Facts` model then gives them meaning
(the variance of a sum of independent zero-mean terms; the expectation over epsilon ~ N(0, 1)
with x = theta + s epsilon) before grader.mathjudge compares the two sides. Whatever the model
cannot rewrite is "undecided": a person looks at it, nothing is marked wrong for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef

from grader.probability.nodes import RelOp

EXPECT = "Expect"
DERIV = "Deriv"

RELATIONS = re.compile(
    r"(>=|<=|==|≥|≤|⩾|⩽|≈|≃|\\approx(?![A-Za-z])|\\simeq(?![A-Za-z])|\\geqslant|\\leqslant"
    r"|\\geq?(?![A-Za-z])|\\leq?(?![A-Za-z])|=)"
)
REL_NAMES: dict[str, RelOp] = {
    ">=": ">=", "≥": ">=", "⩾": ">=", "\\geq": ">=", "\\ge": ">=", "\\geqslant": ">=",
    "<=": "<=", "≤": "<=", "⩽": "<=", "\\leq": "<=", "\\le": "<=", "\\leqslant": "<=",
    "=": "=", "==": "=", "≈": "=", "≃": "=", "\\approx": "=", "\\simeq": "=",
}
OPENERS = {"(": ")", "[": "]", "{": "}"}

_EXPECT_HEAD = re.compile(
    r"(?<![A-Za-z\\])(?:\\mathbb\s*\{\s*E\s*\}|\\mathrm\s*\{\s*E\s*\}|\\operatorname\s*\{\s*E\s*\}|𝔼|E)"
    r"(?:\s*_\s*(?:\{(?P<brace>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}|(?P<word>\\?[A-Za-z]+)))?"
    r"\s*(?:\\left\s*)?(?P<open>[\[(])"
)
_DERIV_HEAD = re.compile(
    r"\\frac\s*\{\s*(?:d|\\partial|\\mathrm\s*\{\s*d\s*\})\s*\}\s*\{\s*(?:d|\\partial|\\mathrm\s*\{\s*d\s*\})\s*"
    r"(?:\\theta|θ|theta)\s*\}"
    r"|(?<![A-Za-z])(?:d|∂|\\partial)\s*/\s*(?:d|∂|\\partial)\s*(?:\\theta|θ|theta)(?![A-Za-z])"
    r"|\\nabla\s*_\s*(?:\{\s*(?:\\theta|θ|theta)\s*\}|\\theta|θ|theta)|∇\s*_?\s*(?:\{\s*(?:\\theta|θ|theta)\s*\}|θ|\\theta|theta)"
    r"|\\partial\s*_\s*(?:\{\s*(?:\\theta|θ|theta)\s*\}|\\theta|θ|theta)"
)
_NORMAL_HEAD = re.compile(r"(?:\\mathcal\s*\{\s*N\s*\}|N|𝒩)\s*(?:\\left\s*)?\(")
_SAMPLED = re.compile(r"~|\\sim(?![A-Za-z])|∼")


class Undecidable(Exception):
    """The facts model does not know this construct."""


# --- text ---------------------------------------------------------------------------------------------


def split_relations(text: str) -> tuple[RelOp | None, list[str], list[RelOp]]:
    """(leading relation, pieces, relations between them), split at relations outside brackets."""
    pieces: list[str] = []
    relations: list[RelOp] = []
    depth = 0
    start = 0
    k = 0
    while k < len(text):
        char = text[k]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = RELATIONS.match(text, k)
            if m and not _inside_condition(text, k):
                pieces.append(text[start:k])
                relations.append(REL_NAMES[m.group(0)])
                k = m.end()
                start = k
                continue
        k += 1
    pieces.append(text[start:])
    leading = None
    if pieces and not pieces[0].strip():
        leading = relations[0] if relations else None
        pieces, relations = pieces[1:], relations[1:]
    return leading, [p.strip() for p in pieces], relations


def _inside_condition(text: str, k: int) -> bool:
    """`x if x >= 0 else 0`: a comparison inside a case is not a step."""
    return bool(re.search(r"\bif\b", text[:k])) and not re.search(r"\belse\b", text[:k])


def normal_line(text: str, functions: tuple[str, ...]) -> str:
    """`W_ij ~ N(0, 1/D_a)` -> `Var(W_ij) = 1/D_a` (or the variance alone without Var); a
    distribution alone, `N(0, 1/D_a)` where a variance is asked, -> its variance `1/D_a`."""
    sampled = _SAMPLED.search(text)
    if sampled is None:
        variance = distribution_variance(text)
        return text if variance is None else variance
    lhs, rhs = text[: sampled.start()].strip(), text[sampled.end():].strip()
    head = _NORMAL_HEAD.match(rhs)
    if not lhs or head is None or not rhs.endswith(")"):
        return text
    inner = rhs[head.end(): -1].strip()
    if inner.endswith("\\right"):
        inner = inner[: -len("\\right")].strip()
    mean, comma, variance = inner.partition(",")
    if not comma or mean.strip() != "0" or not variance.strip():
        return text
    if "Var" in functions:
        return f"Var({lhs}) = {variance.strip()}"
    return variance.strip()


def distribution_variance(text: str) -> str | None:
    """The variance v of a centred normal written alone, `N(0, v)` or `\\mathcal{N}(0, v)`."""
    stripped = text.strip()
    head = _NORMAL_HEAD.match(stripped)
    if head is None or _matching(stripped, head.end() - 1) != len(stripped) - 1:
        return None
    inner = stripped[head.end(): -1].strip()
    if inner.endswith("\\right"):
        inner = inner[: -len("\\right")].strip()
    mean, comma, variance = inner.partition(",")
    if not comma or mean.strip() != "0" or not variance.strip() or "," in variance:
        return None
    return variance.strip()


def rewrite_operators(text: str) -> str:
    """Expectations and derivatives into the opaque calls Expect(...) and Deriv(...)."""
    for _ in range(50):
        m = _EXPECT_HEAD.search(text)
        if not m:
            break
        open_pos = m.start("open")
        close = _matching(text, open_pos)
        if close is None:
            break
        inner = text[open_pos + 1: close]
        after = close + 1
        if text.startswith("\\right", close - 6) and close >= 6:
            inner = text[open_pos + 1: close - 6]
        text = f"{text[: m.start()]}{EXPECT}({inner}){text[after:]}"
    for _ in range(50):
        m = _DERIV_HEAD.search(text)
        if not m:
            break
        end = _end_of_level(text, m.end())
        text = f"{text[: m.start()]}{DERIV}({text[m.end(): end]}){text[end:]}"
    return text


def _matching(text: str, pos: int) -> int | None:
    depth = 0
    for k in range(pos, len(text)):
        if text[k] in "([{":
            depth += 1
        elif text[k] in ")]}":
            depth -= 1
            if depth == 0:
                return k
    return None


def _end_of_level(text: str, pos: int) -> int:
    """Where the bracket level of `pos` closes (or the end of the text)."""
    depth = 0
    for k in range(pos, len(text)):
        if text[k] in "([{":
            depth += 1
        elif text[k] in ")]}":
            if depth == 0:
                end = k
                if text[:end].rstrip().endswith("\\right"):
                    end = text[:end].rstrip().rfind("\\right")
                return end
            depth -= 1
    return len(text)


# --- facts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Facts:
    """A model that gives meaning to the opaque calls in a step (identity by default).

    `domains` names the extra symbols the model introduces (for grader.mathjudge)."""

    domains: dict[str, str] = field(default_factory=dict)

    def rewrite(self, expr: sp.Basic) -> sp.Basic:
        return _walk(expr, self._call)

    def conditions(self) -> tuple[dict[sp.Basic, sp.Basic], ...]:
        """Substitutions under which a step may hold too (the condition being derived from)."""
        return ()

    def _call(self, call: AppliedUndef, args: tuple[sp.Basic, ...]) -> sp.Basic:
        raise Undecidable(str(call.func))

    def _atom(self, atom: sp.Basic) -> sp.Basic:
        return atom


def _walk(expr: sp.Basic, call: Any, atom: Any = None) -> sp.Basic:
    result: sp.Basic
    if isinstance(expr, AppliedUndef):
        args = tuple(_walk(a, call, atom) for a in expr.args) if expr.func.__name__ == DERIV else expr.args
        result = call(expr, args)
    elif not expr.args or isinstance(expr, sp.Indexed):
        result = atom(expr) if atom else expr
    else:
        result = expr.func(*(_walk(a, call, atom) for a in expr.args))
    return result


def _base_name(expr: sp.Basic) -> str | None:
    if isinstance(expr, sp.Indexed):
        return str(expr.base)
    if isinstance(expr, sp.Symbol):
        name: str = expr.name
        return name.split("_")[0]
    return None


@dataclass(frozen=True, eq=False)
class VarianceFacts(Facts):
    """Independent, zero-mean random variables with known variances (the Xavier setting).

    `variances` maps a base name (W, a) to its variance; `definitions` maps a base name (z) to a
    function of its indices (z_i = sum_j W_ij a_j + b_i); `zeros` are constants equal to 0 (b);
    `linear` functions are replaced by their argument (tanh near 0, slope tanh'(0) = 1);
    `condition` is the substitution the derivation solves for (Var(W) = 1/D_a).
    """

    variances: dict[str, sp.Expr] = field(default_factory=dict)
    definitions: dict[str, Any] = field(default_factory=dict)
    zeros: tuple[str, ...] = ()
    linear: tuple[str, ...] = ("tanh",)
    condition: dict[sp.Basic, sp.Basic] = field(default_factory=dict)

    def conditions(self) -> tuple[dict[sp.Basic, sp.Basic], ...]:
        return (self.condition,) if self.condition else ()

    def rewrite(self, expr: sp.Basic) -> sp.Basic:
        expr = self._values(expr)
        return _walk(expr, self._call)

    def _values(self, expr: sp.Basic) -> sp.Basic:
        """z_i -> its definition, b_i -> 0, tanh(u) -> u, outside Var and E as well."""
        def atom(e: sp.Basic) -> sp.Basic:
            name = _base_name(e)
            if name in self.zeros:
                return sp.Integer(0)
            if name in self.definitions:
                index = e.indices if isinstance(e, sp.Indexed) else (sp.Symbol("i", integer=True, positive=True),)
                return self._values(self.definitions[name](*index))
            return e

        def linearise(e: sp.Basic) -> sp.Basic:
            if isinstance(e, AppliedUndef):
                return e.func(*(linearise(a) for a in e.args))
            if e.func.__name__ in self.linear and len(e.args) == 1:
                return linearise(e.args[0])
            if not e.args or isinstance(e, sp.Indexed):
                return atom(e)
            return e.func(*(linearise(a) for a in e.args))

        return linearise(expr)

    def _call(self, call: AppliedUndef, args: tuple[sp.Basic, ...]) -> sp.Basic:
        name = call.func.__name__
        if name == "Var" and len(args) == 1:
            return self._var(self._values(args[0]))
        if name == EXPECT and len(args) == 1:
            return self._mean(self._values(args[0]))
        raise Undecidable(name)

    def _random(self, expr: sp.Basic) -> bool:
        return any(_base_name(a) in self.variances for a in expr.atoms(sp.Indexed, sp.Symbol))

    def _var(self, expr: sp.Basic) -> sp.Basic:
        if not self._random(expr):
            return sp.Integer(0)
        if isinstance(expr, sp.Add):
            return sp.Add(*(self._var(t) for t in expr.args))
        if isinstance(expr, sp.Sum):
            return sp.Sum(self._var(expr.function), *expr.limits).doit()
        if isinstance(expr, sp.Mul):
            constant = sp.Mul(*(f for f in expr.args if not self._random(f)))
            factors = [f for f in expr.args if self._random(f)]
            names = [_base_name(f) for f in factors]
            if None in names or len(set(names)) != len(names):
                raise Undecidable("product of dependent variables")
            product = sp.Mul(*(self._var(f) for f in factors))
            return constant**2 * product
        name = _base_name(expr)
        if name in self.variances:
            return self.variances[name]
        raise Undecidable(f"Var({expr})")

    def _mean(self, expr: sp.Basic) -> sp.Basic:
        if not self._random(expr):
            return expr
        if isinstance(expr, sp.Add):
            return sp.Add(*(self._mean(t) for t in expr.args))
        if isinstance(expr, sp.Sum):
            return sp.Sum(self._mean(expr.function), *expr.limits).doit()
        if isinstance(expr, sp.Pow) and expr.exp == 2:
            return self._var(expr.base)  # zero mean: E[X^2] = Var(X)
        if isinstance(expr, sp.Mul):
            factors = [f for f in expr.args if self._random(f)]
            if len(factors) == 1 and not isinstance(factors[0], sp.Pow):
                return sp.Integer(0)
            names = [_base_name(f) for f in factors]
            if None not in names and len(set(names)) == len(names):
                return sp.Integer(0)  # independent and zero-mean
            raise Undecidable("moment of a product")
        if _base_name(expr) in self.variances:
            return sp.Integer(0)
        raise Undecidable(f"E[{expr}]")


@dataclass(frozen=True, eq=False)
class ReparamFacts(Facts):
    """x ~ N(theta, s^2) written as x = theta + s * epsilon with epsilon ~ N(0, 1).

    Expect(f) is the expectation over epsilon of f with x replaced (a polynomial in epsilon, via
    the moments of N(0, 1)); Deriv(f) is the derivative with respect to theta of f, x included
    (the pathwise derivative that the reparametrisation makes valid).
    """

    theta: sp.Symbol = field(default_factory=lambda: sp.Symbol("theta", real=True))
    std: sp.Expr = field(default_factory=lambda: sp.Integer(1))
    x: sp.Symbol = field(default_factory=lambda: sp.Symbol("x", real=True))
    eps: tuple[sp.Symbol, ...] = field(default_factory=lambda: (sp.Symbol("epsilon", real=True),))

    def rewrite(self, expr: sp.Basic) -> sp.Basic:
        e0 = self.eps[0]
        expr = expr.xreplace({self.x: self.theta + self.std * e0, **{e: e0 for e in self.eps[1:]}})
        return self._rw(expr)

    def _rw(self, expr: sp.Basic) -> sp.Basic:
        if isinstance(expr, AppliedUndef):
            name = expr.func.__name__
            if len(expr.args) != 1:
                raise Undecidable(name)
            inner = self._rw(expr.args[0])
            if name == DERIV:
                return sp.diff(inner, self.theta)
            if name == EXPECT:
                return self._expect(inner)
            raise Undecidable(name)
        if not expr.args:
            return expr
        return expr.func(*(self._rw(a) for a in expr.args))

    def _expect(self, expr: sp.Basic) -> sp.Basic:
        e0 = self.eps[0]
        expanded = sp.expand(expr)
        if not expanded.has(e0):
            return expanded
        try:
            poly = sp.Poly(expanded, e0)
        except sp.PolynomialError:
            raise Undecidable("non-polynomial expectation") from None
        if poly.degree() > 40:
            raise Undecidable("degree")
        total = sp.Integer(0)
        for (k,), coeff in poly.terms():
            if k % 2 == 0:
                total += coeff * sp.factorial2(k - 1) if k else coeff
        return sp.expand(total)
