"""Evaluate a probability expression on a finite model.

Every value is an array of shape (rows, cols): rows is N when the expression depends on the
data index i (x_i, or x written alone) and 1 otherwise; cols is K when z is free and 1
otherwise. Sums over i and over z collapse the matching axis; an expression with a free i is
thus evaluated for every data point at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.probability.model import FiniteModel
from grader.probability.nodes import (
    KL,
    Add,
    DataSize,
    Dist,
    Div,
    Entropy,
    Exp,
    Expect,
    Expr,
    Log,
    Mul,
    Neg,
    Num,
    Pow,
    ProdData,
    SumData,
    SumZ,
)


class EvaluationError(ValueError):
    """A tree the evaluator does not know (never raised for trees made by the parser)."""


def evaluate(node: Expr, model: FiniteModel) -> np.ndarray:
    """The value of `node` in `model`, as a (rows, cols) array (see the module docstring)."""
    with np.errstate(all="ignore"):
        return _eval(node, model)


def _full(value: np.ndarray, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    shape = (rows or value.shape[0], cols or value.shape[1])
    return np.broadcast_to(value, shape)


def density(dist: Dist, model: FiniteModel) -> np.ndarray:
    """The table of a density, indexed by (data point, z)."""
    if dist.family == "q":
        return model.q
    names = [v.name for v in dist.vars]
    given = [v.name for v in dist.given]
    if given == ["z"]:
        return model.px_given_z
    if given == ["x"]:
        return model.posterior
    if names == ["z"]:
        return model.pz
    if names == ["x"]:
        return model.marginal
    if sorted(names) == ["x", "z"]:
        return model.joint
    raise EvaluationError(f"unknown density {dist}")


def _eval(node: Expr, model: FiniteModel) -> np.ndarray:
    value: np.ndarray = _compute(node, model)
    return value


def _compute(node: Expr, model: FiniteModel) -> Any:
    """The value of one node (numpy's operators are typed as returning Any)."""
    if isinstance(node, Num):
        return np.full((1, 1), node.value)
    if isinstance(node, DataSize):
        return np.full((1, 1), float(model.N))
    if isinstance(node, Dist):
        return density(node, model)
    if isinstance(node, Add):
        total = _eval(node.terms[0], model)
        for term in node.terms[1:]:
            total = total + _eval(term, model)
        return total
    if isinstance(node, Mul):
        product = _eval(node.factors[0], model)
        for factor in node.factors[1:]:
            product = product * _eval(factor, model)
        return product
    if isinstance(node, Neg):
        return -_eval(node.arg, model)
    if isinstance(node, Div):
        return _eval(node.num, model) / _eval(node.den, model)
    if isinstance(node, Pow):
        return np.power(_eval(node.base, model), node.exponent)
    if isinstance(node, Log):
        return np.log(_eval(node.arg, model))
    if isinstance(node, Exp):
        return np.exp(_eval(node.arg, model))
    if isinstance(node, SumZ):
        body = _eval(node.body, model)
        return _full(body, cols=model.K).sum(axis=1, keepdims=True)
    if isinstance(node, SumData):
        body = _eval(node.body, model)
        return _full(body, rows=model.N).sum(axis=0, keepdims=True)
    if isinstance(node, ProdData):
        body = _eval(node.body, model)
        return _full(body, rows=model.N).prod(axis=0, keepdims=True)
    if isinstance(node, Expect):
        weights = _eval(node.dist, model)
        return (weights * _eval(node.body, model)).sum(axis=1, keepdims=True)
    if isinstance(node, KL):
        a, b = _eval(node.a, model), _eval(node.b, model)
        return _full(a * (np.log(a) - np.log(b)), cols=model.K).sum(axis=1, keepdims=True)
    if isinstance(node, Entropy):
        a = _eval(node.a, model)
        b = a if node.b is None else _eval(node.b, model)
        return -_full(a * np.log(b), cols=model.K).sum(axis=1, keepdims=True)
    raise EvaluationError(f"cannot evaluate {type(node).__name__}")
