"""Formula answers judged by meaning: expression, equation, function, vector and matrix kinds.

Student text goes through the safe parser (grader.mathparse) and never through sympify; the
equivalence engine (grader.mathjudge) decides, under a time budget, and says "undecided"
rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal, TypeVar

import sympy as sp
from pydantic import Field

from grader.budget import DEFAULT_SECONDS, MAX_SECONDS
from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict
from grader.kinds.escapes import escape_problem, prose_problem
from grader.limits import LIMITS
from grader.mathjudge import judge, judge_relation
from grader.mathparse import MathContext, MathSyntaxError, parse_math, split_definition

MAX_FORMULA_CHARS = LIMITS.max_length


class FormulaOptions(KindOptions):
    variables: dict[str, str] = Field(default_factory=lambda: {"x": "real"})
    indexed: dict[str, int] = Field(default_factory=dict)
    indices: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)
    syntax: Literal["auto", "text", "latex"] = "auto"
    budget: float = Field(default=DEFAULT_SECONDS, gt=0, le=MAX_SECONDS)
    # Equivalent means equal: a part that accepts approximate values sets a relative tolerance.
    tolerance: float = Field(default=0.0, ge=0, le=1e-2)

    def context(self, *, indexed: bool = True) -> MathContext:
        """The parser's context; a name declared both plain and indexed is indexed here."""
        names = self.indexed if indexed else {}
        return MathContext(
            variables={k: v for k, v in self.variables.items() if k not in names},
            indexed=dict(names),
            indices=tuple(self.indices),
            functions=tuple(self.functions),
        )

    def domains(self) -> dict[str, str]:
        return dict(self.variables)


def parse_formula(raw: Any, options: FormulaOptions, *, indexed: bool = True) -> Any:
    """Parse a student's formula, or return InvalidAnswer with the caret message."""
    if isinstance(raw, bool) or raw is None:
        return InvalidAnswer("expected a formula such as 1 - tanh(x)^2")
    if isinstance(raw, (int, float)):
        raw = repr(raw)
    if isinstance(raw, list) and all(isinstance(item, (str, int, float)) for item in raw):
        raw = "[" + ", ".join(str(item) for item in raw) + "]"
    if not isinstance(raw, str):
        return InvalidAnswer("expected a formula written as text, e.g. 1 - tanh(x)^2")
    if len(raw) > MAX_FORMULA_CHARS:
        return InvalidAnswer(f"this formula is {len(raw)} characters long; the limit is {MAX_FORMULA_CHARS}")
    problem = escape_problem(raw, formula=True) or prose_problem(raw)
    if problem:
        return InvalidAnswer(problem)
    try:
        return parse_math(raw, options.context(indexed=indexed), syntax=options.syntax)
    except MathSyntaxError as err:
        return InvalidAnswer(err.render())


def verdict_from(judgement: Any) -> Verdict:
    """Turn the engine's judgement into a verdict; "undecided" goes to a person, never to zero."""
    if judgement.verdict == "equivalent":
        return Verdict.correct()
    if judgement.verdict == "undecided":
        # Never the judge's `message`: that one is for authors and may name an exception.
        return Verdict.undecided(student_message(judgement) + ".")
    return Verdict.incorrect(student_message(judgement))


def student_message(judgement: Any) -> str:
    """Where the answer differs (or why it goes to a person), without revealing the expected
    value, as a sentence."""
    text = judgement.student_message or "your formula is not equivalent to the expected one."
    return text[0].upper() + text[1:]


def as_expression(value: Any) -> InvalidAnswer | sp.Basic:
    """Refuse relations and matrices where a single expression is asked for."""
    if isinstance(value, sp.MatrixBase):
        return InvalidAnswer("expected a single expression, not a list or a matrix")
    if isinstance(value, sp.Rel) and not isinstance(value, sp.Eq):
        return InvalidAnswer("expected an expression, not an inequality")
    if isinstance(value, sp.Eq):
        name, rhs = split_definition(value)
        if name is None:  # an equation, not `f(x) = ...`
            return InvalidAnswer("expected a single expression; give only the right-hand side, without '='")
        return rhs
    return value


# The member of a family shown where one must be written out (`grader validate`).
_EXAMPLE_NUMBER = sp.Rational(1, 100)


@dataclass(frozen=True)
class ParameterFamily:
    """A misconception that is a family of answers: `expr` with any number for `parameter`,
    such as a leaky ReLU written with a numeric slope where the part asks for alpha."""

    expr: sp.Expr
    parameter: sp.Symbol
    example: sp.Expr = _EXAMPLE_NUMBER

    def instance(self, value: Any) -> sp.Expr:
        """The member of the family with `value` for the parameter."""
        return self.expr.subs(self.parameter, value)


# Where a family member is pinned down from an answer: simple points, negative ones first.
_PIN_POINTS = (-1, -2, 1, 2, sp.Rational(-1, 2), 3)


def family_member(value: Any, family: ParameterFamily, options: FormulaOptions) -> sp.Expr | None:
    """The member of `family` the answer could be (its number solved from the answer at one
    point), or None. An answer that uses a declared variable the family lacks is none of it."""
    if not isinstance(value, sp.Expr) or isinstance(value, sp.MatrixBase):
        return None
    names = {s.name for s in family.expr.free_symbols} - {family.parameter.name}
    if any(s.name not in names for s in value.free_symbols):
        return None
    symbols = sorted((s for s in family.expr.free_symbols if s != family.parameter), key=str)
    by_name = {s.name: s for s in value.free_symbols}
    for point in _PIN_POINTS:
        at_family = family.expr.subs({s: point for s in symbols})
        at_answer = value.subs({by_name[s.name]: point for s in symbols if s.name in by_name})
        if family.parameter not in at_family.free_symbols or not at_answer.is_number:
            continue
        solutions = sp.solve(sp.Eq(at_family, at_answer), family.parameter)
        # A zero parameter (a leaky ReLU of slope 0) is another answer, not a member.
        if len(solutions) == 1 and solutions[0].is_real and solutions[0] != 0:
            return family.instance(solutions[0])
        return None
    return None


FormulaOptionsT = TypeVar("FormulaOptionsT", bound=FormulaOptions)


class _SingleFormula(Kind[FormulaOptionsT, sp.Basic]):
    """What the expression and function kinds share: one formula, read and judged alike."""

    def parse(self, raw: Any, options: FormulaOptionsT) -> sp.Basic | InvalidAnswer:
        value = parse_formula(raw, options)
        return value if isinstance(value, InvalidAnswer) else as_expression(value)

    def compare(self, value: Any, expected: Any, options: FormulaOptionsT) -> Verdict:
        return verdict_from(judge(value, expected, options.domains(), budget=options.budget, rel_tol=options.tolerance))

    def render(self, value: Any) -> str:
        if isinstance(value, ParameterFamily):
            value = value.instance(value.example)
        return str(sp.sstr(value))

    def read_form(self, value: Any) -> Any:
        from grader.reading import expression_reading

        if isinstance(value, ParameterFamily):
            value = value.instance(value.example)
        return expression_reading(value)

    def matches(self, value: Any, other: Any, options: FormulaOptionsT) -> bool:
        if isinstance(other, ParameterFamily):
            member = family_member(value, other, options)
            return member is not None and self.compare(value, member, options).is_full
        return super().matches(value, other, options)


class ExpressionKind(_SingleFormula[FormulaOptions]):
    name: ClassVar[str] = "expression"
    description: ClassVar[str] = "a formula, e.g. 1 - tanh(x)^2 or \\frac{1}{D_a} (plain text or LaTeX)"
    Options: ClassVar[type[KindOptions]] = FormulaOptions

    def examples(self) -> list[Example]:
        x = sp.Symbol("x", real=True)
        reference = 1 - sp.tanh(x) ** 2
        return [
            Example("1 - tanh(x)^2", reference, "correct"),
            Example("sech(x)^2", reference, "correct"),
            Example(r"1-\tanh^2(x)", reference, "correct"),
            Example("4/(exp(x) + exp(-x))^2", reference, "correct"),
            Example("1 - tanh(x)", reference, "incorrect"),
            Example("1 - tanh(x)^^2", reference, "invalid"),
            Example("__import__('os').system('id')", reference, "invalid"),
        ]


class FunctionOptions(FormulaOptions):
    # At a jump of the reference (ReLU'(0)) the value is a convention: "any" accepts 0, 1 or
    # leaving it undefined. `kinks` lists the points; by default they are found in the reference.
    at_kinks: Literal["any", "exact"] = "any"
    kinks: list[dict[str, float]] = Field(default_factory=list)


@lru_cache(maxsize=256)  # called for every comparison against the same few references
def jump_points(expr: Any) -> tuple[dict[str, float], ...]:
    """Points where a one-variable reference jumps (a Piecewise or Heaviside boundary whose
    one-sided limits differ): the value there is a convention, not something to grade."""
    if not isinstance(expr, sp.Expr) or len(expr.free_symbols) > 2:
        return ()
    boundaries = [arg for h in expr.atoms(sp.Heaviside) for arg in h.args[:1]]
    for piecewise in expr.atoms(sp.Piecewise):
        for _, condition in piecewise.args:
            relations = [condition] if isinstance(condition, sp.Rel) else list(condition.atoms(sp.Rel))
            boundaries += [rel.lhs - rel.rhs for rel in relations]
    points = []
    for boundary in boundaries:
        symbols = [s for s in boundary.free_symbols if isinstance(s, sp.Symbol)]
        if len(symbols) != 1 or sp.degree(boundary, symbols[0]) != 1:
            continue
        (at,) = sp.solve(boundary, symbols[0])
        if not at.is_number:
            continue
        others = {s: sp.Rational(1, 2) for s in expr.free_symbols - {symbols[0]}}
        side = sp.Rational(1, 10**9)
        left, right = (expr.subs(others).subs(symbols[0], at + d) for d in (-side, side))
        if left.is_number and right.is_number and abs(float(left) - float(right)) > 1e-6:
            points.append({symbols[0].name: float(at)})
    return tuple(points)


class FunctionKind(_SingleFormula[FunctionOptions]):
    name: ClassVar[str] = "function"
    description: ClassVar[str] = (
        "a function of the named variables, e.g. max(0, x), x if x > 0 else alpha*x, or a LaTeX cases block"
    )
    Options: ClassVar[type[KindOptions]] = FunctionOptions

    def compare(self, value: Any, expected: Any, options: FunctionOptions) -> Verdict:
        ignore = (options.kinks or jump_points(expected)) if options.at_kinks == "any" else None
        return verdict_from(
            judge(value, expected, options.domains(), budget=options.budget, rel_tol=options.tolerance,
                  ignore_points=ignore or None)
        )

    def examples(self) -> list[Example]:
        x = sp.Symbol("x", real=True)
        relu = sp.Max(0, x)
        return [
            Example("max(0, x)", relu, "correct"),
            Example("(x + |x|)/2", relu, "correct"),
            Example("ReLU(x) = x if x > 0 else 0", relu, "correct"),
            Example(r"\begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}", relu, "correct"),
            Example("abs(x)", relu, "incorrect"),
            Example("max(0, x", relu, "invalid"),
        ]


class EquationOptions(FormulaOptions):
    # Var(z_i) and Var(z) name the same quantity when the layer is homogeneous.
    drop_indices: bool = False


class EquationKind(Kind[EquationOptions, sp.Equality]):
    name: ClassVar[str] = "equation"
    description: ClassVar[str] = "an equation such as Var(z) = Var(a) (any equivalent rearrangement)"
    Options: ClassVar[type[KindOptions]] = EquationOptions

    def parse(self, raw: Any, options: EquationOptions) -> sp.Equality | InvalidAnswer:
        value = parse_formula(raw, options)
        if isinstance(value, InvalidAnswer) and options.drop_indices:
            # Var(z) = Var(a) without indices names the same quantities as Var(z_i) = Var(a_j).
            plain = parse_formula(raw, options, indexed=False)
            value = value if isinstance(plain, InvalidAnswer) else plain
        if isinstance(value, InvalidAnswer):
            return value
        if not isinstance(value, sp.Eq):
            return InvalidAnswer("expected an equation with '=', e.g. Var(z) = Var(a)")
        name, _ = split_definition(value)
        if name is not None and not value.lhs.args:  # `y = ...`: y names nothing here
            return InvalidAnswer(f"unknown name '{name}': write an equation between the "
                                 "quantities of the question, e.g. Var(z) = Var(a)")
        return _drop_indices(value) if options.drop_indices else value

    def compare(self, value: Any, expected: Any, options: EquationOptions) -> Verdict:
        if options.drop_indices:
            expected = _drop_indices(expected)
        return verdict_from(
            judge_relation(value, expected, options.domains(), budget=options.budget, rel_tol=options.tolerance)
        )

    def render(self, value: Any) -> str:
        return f"{sp.sstr(value.lhs)} = {sp.sstr(value.rhs)}"

    def read_form(self, value: Any) -> Any:
        from grader.reading import expression_reading

        return expression_reading(value)

    def examples(self) -> list[Example]:
        var = sp.Function("Var")
        z, a = sp.Symbol("z", real=True), sp.Symbol("a", real=True)
        reference = sp.Eq(var(z), var(a))
        opts = {"variables": {"z": "real", "a": "real"}, "functions": ["Var"]}
        return [
            Example("Var(z) = Var(a)", reference, "correct", opts),
            Example("Var(a) = Var(z)", reference, "correct", opts),
            Example("Var(z) - Var(a) = 0", reference, "correct", opts),
            Example("Var(z) = 2 Var(a)", reference, "incorrect", opts),
            Example("Var(z)", reference, "invalid", opts),
        ]


def _drop_indices(value: sp.Basic) -> sp.Basic:
    """Replace every indexed name z[i] by the plain symbol z."""
    return value.replace(lambda e: isinstance(e, sp.Indexed), lambda e: sp.Symbol(str(e.base), real=True))


def rows_as_lists(text: str, *, split_spaces: bool = True) -> str:
    """Rows separated by `;` or new lines (`w1, w2, 0; 0, w1, w2`, or entries separated by
    spaces when no comma is used) written as the nested list the parser reads; other text is
    returned unchanged."""
    inner = text.strip()
    if "\\begin" in inner or (";" not in inner and "\n" not in inner):
        return text
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    if "[" in inner or "]" in inner:
        return text
    rows = [row.strip() for row in re.split(r";|\n", inner) if row.strip()]
    cells = [[c.strip() for c in re.split(r"[,&]", row)] if re.search(r"[,&]", row)
             else row.split() if split_spaces else [row] for row in rows]
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in cells) + "]"


class MatrixExprOptions(FormulaOptions):
    variables: dict[str, str] = Field(default_factory=dict)


class MatrixExprKind(Kind[MatrixExprOptions, sp.MatrixBase]):
    name: ClassVar[str] = "matrix_expr"
    description: ClassVar[str] = "a matrix of formulas, e.g. [[w1, w2, 0], [0, w1, w2]] or a LaTeX bmatrix"
    Options: ClassVar[type[KindOptions]] = MatrixExprOptions
    vector: ClassVar[bool] = False

    def parse(self, raw: Any, options: MatrixExprOptions) -> sp.MatrixBase | InvalidAnswer:
        if isinstance(raw, list) and raw and all(isinstance(row, list) for row in raw):
            raw = "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in raw) + "]"
        if isinstance(raw, str):
            raw = rows_as_lists(raw, split_spaces=not self.vector)
        value = parse_formula(raw, options)
        if isinstance(value, InvalidAnswer):
            return value
        if not isinstance(value, sp.MatrixBase):
            what = "a vector such as [0, x1, x2, 0]" if self.vector else "a matrix such as [[w1, w2], [0, w1]]"
            return InvalidAnswer(f"expected {what}")
        if self.vector:
            if min(value.shape) != 1:
                return InvalidAnswer(f"expected a vector, got a {value.shape[0]}×{value.shape[1]} matrix")
            return value.reshape(len(value), 1)
        return value

    def compare(self, value: Any, expected: Any, options: MatrixExprOptions) -> Verdict:
        if self.vector:
            expected = sp.Matrix(expected).reshape(len(expected), 1)
        if value.shape != expected.shape:
            noun = "entries" if self.vector else "rows × columns"
            got = value.shape[0] if self.vector else f"{value.shape[0]}×{value.shape[1]}"
            want = expected.shape[0] if self.vector else f"{expected.shape[0]}×{expected.shape[1]}"
            return Verdict.incorrect(f"Your answer has {got} {noun}; the expected one has {want}.")
        # mathjudge judges a matrix entry by entry under one budget and names the entry that differs
        return verdict_from(judge(value, expected, options.domains(), budget=options.budget, rel_tol=options.tolerance))

    def render(self, value: Any) -> str:
        rows = [[sp.sstr(v) for v in value.row(r)] for r in range(value.rows)]
        if self.vector:
            return "[" + ", ".join(row[0] for row in rows) + "]"
        return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"

    def read_form(self, value: Any) -> Any:
        from grader.reading import matrix_reading

        return matrix_reading(value.tolist(), column=self.vector)

    def examples(self) -> list[Example]:
        w1, w2 = sp.symbols("w1 w2", real=True)
        reference = sp.Matrix([[w1, w2, 0], [0, w1, w2]])
        opts = {"variables": {"w1": "real", "w2": "real"}}
        return [
            Example("[[w1, w2, 0], [0, w1, w2]]", reference, "correct", opts),
            Example(r"\begin{bmatrix} w_1 & w_2 & 0 \\ 0 & w_1 & w_2 \end{bmatrix}", reference, "correct", opts),
            Example("[[w2, w1, 0], [0, w2, w1]]", reference, "incorrect", opts),
            Example("[[w1, w2], [0, w1]]", reference, "incorrect", opts),
            Example("[[w1, w2, 0], [0, w1]]", reference, "invalid", opts),
        ]


class VectorExprKind(MatrixExprKind):
    name: ClassVar[str] = "vector_expr"
    description: ClassVar[str] = "a vector of formulas, e.g. [0, x1, x2, x3, x4, 0]"
    vector: ClassVar[bool] = True

    def examples(self) -> list[Example]:
        x1, x2 = sp.symbols("x1 x2", real=True)
        reference = sp.Matrix([0, x1, x2, 0])
        opts = {"variables": {"x1": "real", "x2": "real"}}
        return [
            Example("[0, x1, x2, 0]", reference, "correct", opts),
            Example(["0", "x1", "x2", "0"], reference, "correct", opts),
            Example(r"\begin{pmatrix} 0 \\ x_1 \\ x_2 \\ 0 \end{pmatrix}", reference, "correct", opts),
            Example("[x1, x2, 0]", reference, "incorrect", opts),
            Example("[0, x1, x2, 0", reference, "invalid", opts),
        ]
