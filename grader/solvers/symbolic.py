"""Symbolic reference solvers (sympy): every formula is derived, none is typed in.

Each returns a sympy object built from the variant's names and constants; misconceptions are
solvers too and derive what a student who made that mistake would write.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from grader.solvers.registry import solver


def real_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def positive_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, positive=True)


def count_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


# --- activations -----------------------------------------------------------------------------


@solver("act.relu")
def relu(x: str = "x") -> sp.Expr:
    """ReLU(x) = max(0, x)."""
    return sp.Max(0, real_symbol(x))


@solver("act.leaky_relu")
def leaky_relu(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """Leaky ReLU: x for x > 0, alpha * x otherwise."""
    t, a = real_symbol(x), positive_symbol(alpha)
    return sp.Piecewise((t, t > 0), (a * t, True))


@solver("act.elu")
def elu(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """ELU: x for x > 0, alpha * (exp(x) - 1) otherwise."""
    t, a = real_symbol(x), positive_symbol(alpha)
    return sp.Piecewise((t, t > 0), (a * (sp.exp(t) - 1), True))


@solver("act.relu_derivative")
def relu_derivative(x: str = "x") -> sp.Expr:
    """ReLU' obtained by differentiating each branch of ReLU."""
    t = real_symbol(x)
    branches = sp.Piecewise((t, t > 0), (0, True))
    return sp.piecewise_fold(sp.diff(branches, t))


# --- tanh --------------------------------------------------------------------------------------


def _tanh_as_sigmoid(t: sp.Symbol) -> sp.Expr:
    """tanh written as in the tutorial, 2 sigma(2t) - 1, with sigma the logistic function."""
    return 2 / (1 + sp.exp(-2 * t)) - 1


@solver("tanh.derivative")
@lru_cache(maxsize=64)  # the result depends on the name only
def tanh_derivative(x: str = "x") -> sp.Expr:
    """d/dx tanh(x), by differentiating 2 sigma(2x) - 1 and rewriting in tanh."""
    t = real_symbol(x)
    derivative = sp.diff(_tanh_as_sigmoid(t), t)
    # The derivative equals 1 - tanh^2; check it rather than trust it, then give the usual form.
    # Written in exponentials the difference is a rational function of exp(x), which `cancel`
    # brings to 0 exactly (and twenty times faster than `simplify`).
    usual = 1 - sp.tanh(t) ** 2
    assert sp.cancel((derivative - usual).rewrite(sp.exp)) == 0
    return usual


# --- the neuron and Xavier initialisation -------------------------------------------------------


def neuron_symbols(
    weights: str, inputs: str, bias: str, size: str
) -> tuple[sp.IndexedBase, sp.IndexedBase, sp.IndexedBase, sp.Symbol, sp.Symbol, sp.Symbol]:
    i, j = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
    return sp.IndexedBase(weights), sp.IndexedBase(inputs), sp.IndexedBase(bias), count_symbol(size), i, j


@solver("neuron.preactivation")
def neuron_preactivation(weights: str = "W", inputs: str = "a", bias: str = "b", size: str = "D_a") -> sp.Expr:
    """z_i = sum_j W_ij a_j + b_i."""
    W, a, b, D, i, j = neuron_symbols(weights, inputs, bias, size)
    return sp.Sum(W[i, j] * a[j], (j, 1, D)) + b[i]


def var(arg: sp.Expr) -> sp.Expr:
    """Var(arg) as an opaque function, the way students write it."""
    return sp.Function("Var")(arg)


# --- reparametrisation ----------------------------------------------------------------------------












