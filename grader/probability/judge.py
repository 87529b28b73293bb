"""Judging probability expressions on random finite models.

Two expressions are equivalent when they agree on every draw (several K, N and seeds, and draws
where q(z|x) is the exact posterior); an inequality holds when it holds on every draw. The first
draw where a claim fails is kept, so the feedback can say in words when the two sides differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from grader.probability.evaluate import evaluate
from grader.probability.model import DRAWS, FiniteModel
from grader.probability.nodes import Expr, RelOp

REL_TOL = 1e-9
ABS_TOL = 1e-12
SYMBOL = {"=": "=", ">=": "≥", "<=": "≤"}


@lru_cache(maxsize=8192)
def values(expr: Expr) -> tuple[np.ndarray, ...]:
    """The expression evaluated on every standard draw."""
    return tuple(evaluate(expr, model) for model in DRAWS)


@dataclass(frozen=True)
class Comparison:
    """How two expressions compare over all draws."""

    equal: bool
    ge: bool  # left >= right on every draw
    le: bool  # left <= right on every draw
    equal_at_posterior: bool  # equal on every draw where q(z|x) is the posterior
    first_difference: FiniteModel | None = None
    left: float = 0.0
    right: float = 0.0
    undefined: bool = False  # a side is not a number (log of a non-positive value) somewhere

    def witness(self) -> str:
        """Where the two sides differ, in words."""
        if self.first_difference is None:
            return ""
        return (
            f"for {self.first_difference.describe()}, the left side is {self.left:.4g} "
            f"and the right side is {self.right:.4g}"
        )


def _tolerance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    scale = np.maximum(np.abs(np.nan_to_num(a, posinf=0, neginf=0)), np.abs(np.nan_to_num(b, posinf=0, neginf=0)))
    tolerance: np.ndarray = REL_TOL * np.maximum(scale, 1.0) + ABS_TOL
    return tolerance


def compare(left: Expr, right: Expr) -> Comparison:
    """Compare two expressions on every draw."""
    equal = ge = le = at_posterior = True
    undefined = False
    witness: tuple[FiniteModel, float, float] | None = None
    for model, a, b in zip(DRAWS, values(left), values(right), strict=False):
        a, b = np.broadcast_arrays(a, b)
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        both_nan = nan_a & nan_b
        one_nan = nan_a ^ nan_b
        same_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
        with np.errstate(all="ignore"):
            diff = np.where(both_nan | same_inf | one_nan, 0.0, a - b)
        tol = _tolerance(a, b)
        eq_here = bool(np.all((np.abs(diff) <= tol) & ~one_nan))
        ge_here = bool(np.all((diff >= -tol) & ~one_nan))
        le_here = bool(np.all((diff <= tol) & ~one_nan))
        undefined = undefined or bool(np.any(nan_a | nan_b))
        if not eq_here and witness is None:
            k = int(np.argmax(np.where(one_nan, np.inf, np.abs(diff) - tol)))
            witness = (model, float(a.flat[k]), float(b.flat[k]))
        equal, ge, le = equal and eq_here, ge and ge_here, le and le_here
        if model.q_is_posterior:
            at_posterior = at_posterior and eq_here
    if witness is None:
        return Comparison(equal, ge, le, at_posterior, None, 0.0, 0.0, undefined)
    model, lv, rv = witness
    return Comparison(equal, ge, le, at_posterior, model, lv, rv, undefined)


def equivalent(left: Expr, right: Expr) -> bool:
    """Whether two expressions agree on every draw."""
    return compare(left, right).equal


@dataclass(frozen=True)
class StepCheck:
    """The verdict on one step `left REL right`: ok, or why not (and which known mistake it is)."""

    ok: bool
    message: str = ""
    mistake: str | None = None  # "wrong_direction" | "equality_only_at_posterior" | None


def check_relation(left: Expr, right: Expr, claimed: RelOp) -> StepCheck:
    """Whether `left claimed right` holds on every draw; the message says when it does not."""
    c = compare(left, right)
    if claimed == "=":
        if c.equal:
            return StepCheck(True)
        if c.ge or c.le:
            bigger = "≥" if c.ge else "≤"
            if c.equal_at_posterior:
                return StepCheck(
                    False,
                    "this step claims equality, but the two sides differ when q(z|x) is not the posterior "
                    f"p(z|x) (the left side is always {bigger} the right side: this is an inequality)",
                    "equality_only_at_posterior",
                )
            return StepCheck(
                False,
                f"this step claims equality, but the two sides differ ({c.witness()}); "
                f"the left side is always {bigger} the right side",
            )
        return StepCheck(False, f"this step claims equality, but the two sides differ ({c.witness()})")
    holds, reverse = (c.ge, c.le) if claimed == ">=" else (c.le, c.ge)
    if holds:
        return StepCheck(True)
    symbol = SYMBOL[claimed]
    side = "smaller" if claimed == ">=" else "larger"
    if reverse:
        when = (
            "for a model where q(z|x) differs from the posterior p(z|x)"
            if c.equal_at_posterior else f"for {c.first_difference.describe() if c.first_difference else 'some models'}"
        )
        return StepCheck(
            False,
            f"this step claims {symbol}, but the inequality goes the other way: {when}, the left side is {side}",
            "wrong_direction",
        )
    return StepCheck(
        False,
        f"this step claims {symbol}, but it does not hold on every model: the left side is {side} "
        f"for some models and not for others ({c.witness()})",
    )


def compose(relations: list[RelOp] | tuple[RelOp, ...]) -> RelOp | None:
    """What a chain of relations proves about its two ends: '=', '>=', '<=' or None if they mix."""
    strict = {r for r in relations if r != "="}
    if not strict:
        return "="
    if len(strict) == 1:
        return next(iter(strict))
    return None


_FLIPPED: dict[RelOp, RelOp] = {"=": "=", ">=": "<=", "<=": ">="}


def flip(relation: RelOp) -> RelOp:
    return _FLIPPED[relation]
