"""The tutorial's formula references and misconceptions: activations' mistakes, tanh', the neuron,
Xavier's variance (derived with sympy.stats) and the reparametrisation gradient."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

from grader import solver
from grader.expected_store import stored
from grader.solvers.symbolic import (
    count_symbol,
    leaky_relu,
    neuron_preactivation,
    neuron_symbols,
    positive_symbol,
    real_symbol,
    relu,
    tanh_derivative,
    var,
)


@solver("act.mistake.relu_abs")
def relu_abs(x: str = "x") -> sp.Expr:
    """|x|: negative inputs flipped instead of clipped."""
    return sp.Abs(real_symbol(x))


@solver("act.mistake.relu_min")
def relu_min(x: str = "x") -> sp.Expr:
    """min(0, x): the wrong side kept."""
    return sp.Min(0, real_symbol(x))


@solver("act.mistake.leaky_slope_wrong_side")
def leaky_slope_wrong_side(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """The small slope on the positive side."""
    t, a = real_symbol(x), positive_symbol(alpha)
    return sp.Piecewise((a * t, t > 0), (t, True))


@solver("act.mistake.leaky_is_relu")
def leaky_is_relu(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """Zero on the negative side: plain ReLU."""
    del alpha
    return relu(x)


@solver("act.mistake.elu_missing_minus_one")
def elu_missing_minus_one(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """alpha * exp(x) on the negative side, without the - 1 (discontinuous at 0)."""
    t, a = real_symbol(x), positive_symbol(alpha)
    return sp.Piecewise((t, t > 0), (a * sp.exp(t), True))


@solver("act.mistake.elu_linear_negative")
def elu_linear_negative(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """alpha * x on the negative side: leaky ReLU, not ELU."""
    return leaky_relu(x, alpha)


@solver("act.mistake.relu_derivative_wrong_side")
def relu_derivative_wrong_side(x: str = "x") -> sp.Expr:
    """1 for negative inputs and 0 for positive ones."""
    t = real_symbol(x)
    return sp.Piecewise((0, t > 0), (1, True))


@solver("act.mistake.relu_derivative_is_relu")
def relu_derivative_is_relu(x: str = "x") -> sp.Expr:
    """ReLU itself instead of its derivative."""
    return relu(x)


@solver("tanh.mistake.missing_square")
def tanh_missing_square(x: str = "x") -> sp.Expr:
    """1 - tanh(x): the square forgotten."""
    t = real_symbol(x)
    return tanh_derivative(x).subs(sp.tanh(t) ** 2, sp.tanh(t))


@solver("tanh.mistake.sech_not_squared")
def tanh_sech_not_squared(x: str = "x") -> sp.Expr:
    """sech(x) instead of sech(x)^2."""
    return sp.sqrt(tanh_derivative(x).rewrite(sp.sech)).simplify()


@solver("tanh.mistake.sigmoid_derivative")
def tanh_sigmoid_derivative(x: str = "x") -> sp.Expr:
    """The logistic function's derivative sigma(x)(1 - sigma(x)), as if tanh were the sigmoid."""
    t = real_symbol(x)
    sigma = 1 / (1 + sp.exp(-t))
    return sp.diff(sigma, t)


@solver("neuron.mistake.no_bias")
def neuron_no_bias(weights: str = "W", inputs: str = "a", bias: str = "b", size: str = "D_a") -> sp.Expr:
    """The bias left out."""
    *_, b, _, i, _ = neuron_symbols(weights, inputs, bias, size)
    return neuron_preactivation(weights, inputs, bias, size) - b[i]


@solver("neuron.mistake.indices_swapped")
def neuron_indices_swapped(weights: str = "W", inputs: str = "a", bias: str = "b", size: str = "D_a") -> sp.Expr:
    """W_ji instead of W_ij (a column of W instead of a row)."""
    W, a, b, D, i, j = neuron_symbols(weights, inputs, bias, size)
    return sp.Sum(W[j, i] * a[j], (j, 1, D)) + b[i]


@solver("xavier.condition")
def xavier_condition(output: str = "z", inputs: str = "a") -> sp.Eq:
    """Var(z) = Var(a): the variance is the same from one layer to the next."""
    return sp.Eq(var(real_symbol(output)), var(real_symbol(inputs)))


def _linear_slope_at_zero() -> sp.Expr:
    """tanh'(0): near 0, tanh(t) ≈ tanh'(0) t (question 2.1)."""
    t = real_symbol("t")
    # The first-order Taylor coefficient is the derivative at 0 (cheaper than sympy's `series`).
    return sp.diff(sp.tanh(t), t).subs(t, 0)


def _stats() -> Any:
    """sympy.stats, imported when a solver first needs it (it is slow to import)."""
    from sympy import stats

    return stats


@lru_cache(maxsize=1)
def _var_of_product() -> tuple[sp.Expr, sp.Symbol, sp.Symbol]:
    """Var(W a) for independent zero-mean W and a, computed with sympy.stats.

    Var(W a) = E[W^2 a^2] - E[W a]^2, and independence splits each expectation into a product
    of moments: E[W^2] E[a^2] - (E[W] E[a])^2. (Asking sympy.stats for the variance of the
    product directly gives the same result through a double integral, five times slower.)
    """
    stats = _stats()
    sw, sa = positive_symbol("sigma_W"), positive_symbol("sigma_a")
    W, a = stats.Normal("W", 0, sw), stats.Normal("a", 0, sa)
    moments = stats.moment(W, 2) * stats.moment(a, 2) - (stats.moment(W, 1) * stats.moment(a, 1)) ** 2
    return sp.factor(moments), sw, sa


@solver("xavier.variance")
@stored  # sympy.stats takes seconds; the result depends on the names only, so it is kept on disk
def xavier_variance(size: str = "D_a", fan_out: str = "D_b") -> sp.Expr:
    """Var(W_ij) that keeps Var(a) constant through a tanh layer of fan-in `size`.

    Var(z_i) = D_a Var(W a) (a sum of independent terms, zero bias); near 0 tanh is linear with
    slope tanh'(0), so Var(tanh(z_i)) ≈ tanh'(0)^2 Var(z_i); setting it equal to Var(a) and
    solving for Var(W) gives the variance.
    """
    del fan_out
    D = count_symbol(size)
    var_wa, sw, sa = _var_of_product()
    vW = positive_symbol("v_W")
    condition = sp.Eq(_linear_slope_at_zero() ** 2 * D * var_wa.subs(sw, sp.sqrt(vW)), sa**2)
    # The condition is linear in v_W: one solution, a ratio of polynomials in the sizes, which
    # `cancel` brings to lowest terms; sympy's check against the assumptions and its `simplify`
    # add nothing here but a fifth of a second.
    (solution,) = sp.solve(condition, vW, check=False, simplify=False)
    return sp.cancel(solution)


@solver("xavier.mistake.standard_deviation")
def xavier_standard_deviation(size: str = "D_a", fan_out: str = "D_b") -> sp.Expr:
    """The standard deviation sqrt(Var(W)) given as the variance."""
    return sp.sqrt(xavier_variance(size, fan_out))


@solver("xavier.mistake.glorot_average")
def xavier_glorot_average(size: str = "D_a", fan_out: str = "D_b") -> sp.Expr:
    """Glorot's compromise 2 / (D_a + D_b) between the forward and backward conditions."""
    forward = xavier_variance(size)
    backward = xavier_variance(fan_out)
    return sp.simplify(2 / (1 / forward + 1 / backward))


@solver("xavier.mistake.inverted")
def xavier_inverted(size: str = "D_a", fan_out: str = "D_b") -> sp.Expr:
    """D_a instead of 1 / D_a."""
    return sp.simplify(1 / xavier_variance(size, fan_out))


def _reparam_parts(mean: str, std: str | float, power: int) -> tuple[sp.Symbol, sp.Expr, sp.Expr]:
    theta = real_symbol(mean)
    s = positive_symbol(std) if isinstance(std, str) else sp.nsimplify(std)
    eps = _stats().Normal("epsilon", 0, 1)
    return theta, s, (theta + s * eps) ** power


@solver("reparam.gradient")
def reparam_gradient(mean: str = "theta", std: str | float = 1, power: int = 2) -> sp.Expr:
    """d/dtheta E_{x~N(theta, s^2)}[x^p] with x = theta + s * eps: E[d/dtheta (theta + s eps)^p]."""
    theta, _, integrand = _reparam_parts(mean, std, power)
    # The expectation of a polynomial in eps is a polynomial in theta and s: expanded, it is in
    # its canonical form without `simplify`.
    return sp.expand(_stats().E(sp.diff(integrand, theta)))


@solver("reparam.mistake.no_chain_factor")
def reparam_no_chain_factor(mean: str = "theta", std: str | float = 1, power: int = 2) -> sp.Expr:
    """E[x^(p-1)] (theta for p = 2): the factor p of the power rule dropped."""
    theta, s, _ = _reparam_parts(mean, std, power)
    eps = _stats().Normal("epsilon", 0, 1)
    return sp.expand(_stats().E((theta + s * eps) ** (power - 1)))


@solver("reparam.mistake.variance_added")
def reparam_variance_added(mean: str = "theta", std: str | float = 1, power: int = 2) -> sp.Expr:
    """The gradient plus the variance (e.g. 2 theta + 1): E[x^2] = theta^2 + s^2 differentiated
    as if s^2 were theta-dependent."""
    _, s, _ = _reparam_parts(mean, std, power)
    return reparam_gradient(mean, std, power) + s**2


@solver("reparam.mistake.without_reparametrising")
def reparam_without_reparametrising(mean: str = "theta", std: str | float = 1, power: int = 2) -> sp.Expr:
    """The sample x treated as independent of theta, so the gradient of x^p is 0."""
    theta = real_symbol(mean)
    x = real_symbol("x")
    return sp.diff(x**power, theta)


@solver("reparam.mistake.objective_not_gradient")
def reparam_objective_not_gradient(mean: str = "theta", std: str | float = 1, power: int = 2) -> sp.Expr:
    """E_q[x^p] itself (theta^2 + 1) instead of its gradient."""
    _, _, integrand = _reparam_parts(mean, std, power)
    return sp.expand(_stats().E(integrand))
