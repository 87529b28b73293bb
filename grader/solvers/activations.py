"""ReLU forward and backward passes (numpy, pure), and the mistakes students make with them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grader.solvers.registry import solver

Matrix = Sequence[Sequence[float]]


@solver("relu.forward")
def relu_forward(x: Matrix) -> np.ndarray:
    """ReLU applied entry by entry: max(0, x)."""
    out: np.ndarray = np.maximum(np.asarray(x, dtype=float), 0.0)
    return out


@solver("relu.backward")
def relu_backward(x: Matrix, upstream: Matrix) -> np.ndarray:
    """dL/dx = dL/dy where x > 0, else 0 (the derivative at 0 is taken as 0)."""
    inputs, gradient = np.asarray(x, dtype=float), np.asarray(upstream, dtype=float)
    return np.where(inputs > 0, gradient, 0.0)














