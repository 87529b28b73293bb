"""The tutorial's ReLU-layer misconceptions (forward and backward passes, numerically)."""

from __future__ import annotations

import numpy as np

from grader import solver
from grader.solvers.activations import Matrix, relu_forward


@solver("relu.mistake.forward_min")
def forward_min(x: Matrix) -> np.ndarray:
    """Keeps the negative entries and zeroes the positive ones."""
    return np.minimum(np.asarray(x, dtype=float), 0.0)


@solver("relu.mistake.forward_abs")
def forward_abs(x: Matrix) -> np.ndarray:
    """Takes the absolute value instead of clipping at zero."""
    return np.abs(np.asarray(x, dtype=float))


@solver("relu.mistake.backward_passes_everything")
def backward_passes_everything(x: Matrix, upstream: Matrix) -> np.ndarray:
    """Passes the upstream gradient even where the input is negative."""
    del x
    return np.asarray(upstream, dtype=float)


@solver("relu.mistake.backward_sign_of_upstream")
def backward_sign_of_upstream(x: Matrix, upstream: Matrix) -> np.ndarray:
    """Masks by the sign of dL/dy instead of the sign of x, i.e. ReLU applied to dL/dy."""
    del x
    return np.maximum(np.asarray(upstream, dtype=float), 0.0)


@solver("relu.mistake.backward_mask_inverted")
def backward_mask_inverted(x: Matrix, upstream: Matrix) -> np.ndarray:
    """Passes the gradient where the input is negative and blocks it where it is positive."""
    inputs, gradient = np.asarray(x, dtype=float), np.asarray(upstream, dtype=float)
    return np.where(inputs > 0, 0.0, gradient)


@solver("relu.mistake.backward_times_input")
def backward_times_input(x: Matrix, upstream: Matrix) -> np.ndarray:
    """Multiplies dL/dy by ReLU(x) instead of by ReLU'(x)."""
    return relu_forward(x) * np.asarray(upstream, dtype=float)


@solver("relu.mistake.backward_returns_forward")
def backward_returns_forward(x: Matrix, upstream: Matrix) -> np.ndarray:
    """Answers the forward pass ReLU(x) instead of a gradient."""
    del upstream
    return relu_forward(x)
