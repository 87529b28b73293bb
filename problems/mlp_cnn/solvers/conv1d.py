"""The tutorial's misconceptions about 1-D convolution written as a matrix."""

from __future__ import annotations

import sympy as sp

from grader import solver
from grader.solvers.conv1d import correlate, matrix, symbols_named


@solver("conv1d.mistake.true_convolution")
def true_convolution(n: int = 4, k: int = 3, pad: int = 1, x: str = "x", w: str = "w") -> sp.Matrix:
    """The kernel flipped (a true convolution), where the tutorial's convolution is a correlation."""
    weights = symbols_named(k, w)
    flip = dict(zip(weights, reversed(weights), strict=False))
    return correlate(n, k, pad, x, w).xreplace(flip)


@solver("conv1d.mistake.matrix_flipped")
def matrix_flipped(n: int = 4, k: int = 3, pad: int = 1, x: str = "x", w: str = "w") -> sp.Matrix:
    """W built from the flipped kernel."""
    weights = symbols_named(k, w)
    return matrix(n, k, pad, x, w).xreplace(dict(zip(weights, reversed(weights), strict=False)))


@solver("conv1d.mistake.matrix_transposed")
def matrix_transposed(n: int = 4, k: int = 3, pad: int = 1, x: str = "x", w: str = "w") -> sp.Matrix:
    """The transpose of W (the shape of the transpose convolution)."""
    return matrix(n, k, pad, x, w).T


@solver("conv1d.mistake.unpadded")
def unpadded(n: int = 4, k: int = 3, pad: int = 1, x: str = "x", w: str = "w") -> sp.Matrix:
    """The correlation of the unpadded input (the padding forgotten)."""
    del pad
    return correlate(n, k, 0, x, w)


@solver("conv1d.mistake.padded_once")
def padded_once(n: int = 4, pad: int = 1, x: str = "x") -> sp.Matrix:
    """Zeros at one end only."""
    return sp.Matrix(symbols_named(n, x) + [0] * pad)
