"""The small tree that probability notation is read into (and that reference solvers build).

The model behind every tree: one observed variable family x_i (i = 1..N, the data set) and one
discrete latent variable z. `p` names the generative model (p(z), p(x|z), p(x, z), the marginal
p(x) and the posterior p(z|x)); `q` names the variational family q(z|x).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Family = Literal["p", "q"]
RelOp = Literal["=", ">=", "<="]


@dataclass(frozen=True)
class Var:
    """A variable inside a density: `x` (the data point, index i when written x_i) or `z`."""

    name: Literal["x", "z"]
    index: str | None = None


@dataclass(frozen=True)
class Dist:
    """A density such as p(x_i|z), p(x, z), p(z), q(z|x_i); `spelled` keeps the student's name."""

    family: Family
    vars: tuple[Var, ...]
    given: tuple[Var, ...] = ()
    spelled: str = ""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class DataSize:
    """N, the number of data points."""


@dataclass(frozen=True)
class Add:
    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class Mul:
    factors: tuple[Expr, ...]


@dataclass(frozen=True)
class Neg:
    arg: Expr


@dataclass(frozen=True)
class Div:
    num: Expr
    den: Expr


@dataclass(frozen=True)
class Pow:
    base: Expr
    exponent: float


@dataclass(frozen=True)
class Log:
    arg: Expr


@dataclass(frozen=True)
class Exp:
    arg: Expr


@dataclass(frozen=True)
class SumZ:
    """A sum over the values of z; `integral` when the student wrote an integral over z."""

    body: Expr
    integral: bool = False


@dataclass(frozen=True)
class SumData:
    """A sum over the data set, i = 1..N."""

    index: str
    body: Expr


@dataclass(frozen=True)
class ProdData:
    """A product over the data set, i = 1..N (the likelihood of the data set)."""

    index: str
    body: Expr


@dataclass(frozen=True)
class Expect:
    """E_{z ~ dist}[body]: the dist must be a density over z."""

    dist: Dist
    body: Expr


@dataclass(frozen=True)
class KL:
    """KL(a || b), a sum over z."""

    a: Expr
    b: Expr


@dataclass(frozen=True)
class Entropy:
    """H(a) = -sum_z a log a; with `b`, the cross-entropy -sum_z a log b."""

    a: Expr
    b: Expr | None = None


Expr = Num | DataSize | Dist | Add | Mul | Neg | Div | Pow | Log | Exp | SumZ | SumData | ProdData | Expect | KL | Entropy


@dataclass(frozen=True)
class Chain:
    """What one line (or one answer) says: e0 r1 e1 r2 e2 ...; `leading` is a relation the line
    starts with ("= ..." continues the previous line), `label` a name such as L_i dropped in front."""

    items: tuple[Expr, ...]
    relations: tuple[RelOp, ...] = ()
    leading: RelOp | None = None
    label: str | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Sample:
    """`z ~ dist`: the answer to "which distribution is z sampled from"."""

    var: Var
    dist: Expr


def children(node: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of a node."""
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Mul):
        return node.factors
    if isinstance(node, (Neg, Log, Exp)):
        return (node.arg,)
    if isinstance(node, Div):
        return (node.num, node.den)
    if isinstance(node, Pow):
        return (node.base,)
    if isinstance(node, (SumZ, SumData, ProdData)):
        return (node.body,)
    if isinstance(node, Expect):
        return (node.dist, node.body)
    if isinstance(node, KL):
        return (node.a, node.b)
    if isinstance(node, Entropy):
        return (node.a,) if node.b is None else (node.a, node.b)
    return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of a tree, parents first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def free_indices(node: Expr) -> frozenset[str]:
    """The data indices (i, n, ...) used and not summed over; `x` without an index counts as ''."""
    if isinstance(node, Dist):
        return frozenset(v.index or "" for v in (*node.vars, *node.given) if v.name == "x")
    if isinstance(node, (SumData, ProdData)):
        return free_indices(node.body) - {node.index, ""}
    found: frozenset[str] = frozenset()
    for child in children(node):
        found |= free_indices(child)
    return found


def depends_on_z(node: Expr) -> bool:
    """Whether z is free in the expression (used outside any sum or expectation over z)."""
    if isinstance(node, Dist):
        return any(v.name == "z" for v in (*node.vars, *node.given))
    if isinstance(node, (SumZ, KL, Entropy)):
        return False
    if isinstance(node, Expect):
        return False
    return any(depends_on_z(child) for child in children(node))


def uses_integral(node: Expr) -> bool:
    return any(isinstance(n, SumZ) and n.integral for n in walk(node))


def uses_marginal(node: Expr) -> bool:
    """Whether p(x) appears as such (not written out as a sum over z)."""
    return any(
        isinstance(n, Dist) and n.family == "p" and not n.given and all(v.name == "x" for v in n.vars)
        for n in walk(node)
    )


def strip_data_sum(node: Expr) -> Expr | None:
    """The summand when the expression is a single sum over the data set, else None."""
    if isinstance(node, SumData):
        return node.body
    return None


EXPR_TYPES = (Num, DataSize, Dist, Add, Mul, Neg, Div, Pow, Log, Exp, SumZ, SumData, ProdData, Expect, KL, Entropy)


def is_expr(value: object) -> bool:
    """Whether a value is a probability expression tree."""
    return isinstance(value, EXPR_TYPES)
