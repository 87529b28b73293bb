"""Misconceptions of the MLP/CNN tutorial that earn partial credit: a shape in the other
channel order, an activation's parameter replaced by a number, and a neuron's output written
with its activation where the pre-activation is asked for.

Each builds on the library solver of its part, found by name, so it follows that solver's
conventions.
"""

from __future__ import annotations

import sympy as sp

from grader import solver
from grader.kinds.formula import ParameterFamily
from grader.solvers import get_solver

# The slope or scale written as a number instead of alpha: any number, found from the answer.
_NUMBER = sp.Symbol("c", real=True)


@solver("conv.mistake.channels_first")
def channels_first(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0,
    filters: int = 1,
) -> tuple[int, int, int]:
    """The right sizes in the order channels x height x width."""
    h, w, k = get_solver("conv.output_shape")(
        height=height, width=width, channels=channels, kernel=kernel, stride=stride,
        padding=padding, filters=filters,
    )
    return (k, h, w)


def _with_number(name: str, x: str, alpha: str) -> ParameterFamily:
    reference = get_solver(name)(x=x, alpha=alpha)
    parameter = next(s for s in reference.free_symbols if s.name == alpha)
    return ParameterFamily(reference.subs(parameter, _NUMBER), _NUMBER)


@solver("act.mistake.leaky_numeric_slope")
def leaky_numeric_slope(x: str = "x", alpha: str = "alpha") -> ParameterFamily:
    """The leaky ReLU with a number (0.01, 0.1, ...) as its slope instead of alpha."""
    return _with_number("act.leaky_relu", x, alpha)


@solver("act.mistake.elu_numeric_alpha")
def elu_numeric_alpha(x: str = "x", alpha: str = "alpha") -> ParameterFamily:
    """ELU with a number (1, 0.5, ...) in place of alpha."""
    return _with_number("act.elu", x, alpha)


@solver("neuron.mistake.activation_applied")
def activation_applied(weights: str = "W", inputs: str = "a", bias: str = "b",
                       size: str = "D_a") -> sp.Expr:
    """tanh of the weighted sum plus bias: the output after the activation."""
    z = get_solver("neuron.preactivation")(weights=weights, inputs=inputs, bias=bias, size=size)
    return sp.tanh(z)
