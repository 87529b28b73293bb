"""Convolution as a matrix (question 1.2), derived symbolically for any input and filter length."""

from __future__ import annotations

import sympy as sp

from grader.solvers.registry import solver


def symbols_named(n: int, name: str) -> list[sp.Symbol]:
    return [sp.Symbol(f"{name}{k}", real=True) for k in range(1, n + 1)]


@solver("conv1d.padded")
def padded(n: int = 4, pad: int = 1, x: str = "x") -> sp.Matrix:
    """x̄: the input x1..xn with `pad` zeros at each end, as a column vector."""
    return sp.Matrix([0] * pad + symbols_named(n, x) + [0] * pad)


@solver("conv1d.correlate")
def correlate(n: int = 4, k: int = 3, pad: int = 1, x: str = "x", w: str = "w") -> sp.Matrix:
    """x̄ * w (cross-correlation, stride 1): entry i is sum_m x̄[i + m] w[m]."""
    xbar = padded(n, pad, x)
    weights = symbols_named(k, w)
    length = len(xbar) - k + 1
    return sp.Matrix([sum(xbar[i + m] * weights[m] for m in range(k)) for i in range(length)])


@solver("conv1d.matrix")
def matrix(n: int = 4, k: int = 3, pad: int = 1, x: str = "x", w: str = "w") -> sp.Matrix:
    """W with W x̄ = x̄ * w: the Jacobian of the correlation with respect to the padded input."""
    placeholders = sp.symbols(f"p0:{n + 2 * pad}")
    xbar = padded(n, pad, x)
    stand_in = sp.Matrix(placeholders)
    weights = symbols_named(k, w)
    out = sp.Matrix([sum(stand_in[i + m] * weights[m] for m in range(k)) for i in range(len(xbar) - k + 1)])
    return out.jacobian(stand_in)










