"""Symbolic reference solvers (sympy): every formula is derived, none is typed in.

Each returns a sympy object built from the variant's names and constants; misconceptions are
solvers too and derive what a student who made that mistake would write.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

from grader.expected_store import stored
from grader.solvers.registry import solver


def _real(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _positive(name: str) -> sp.Symbol:
    return sp.Symbol(name, positive=True)


def _count(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


# --- activations -----------------------------------------------------------------------------


@solver("act.relu")
def relu(x: str = "x") -> sp.Expr:
    """ReLU(x) = max(0, x)."""
    return sp.Max(0, _real(x))


@solver("act.leaky_relu")
def leaky_relu(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """Leaky ReLU: x for x > 0, alpha * x otherwise."""
    t, a = _real(x), _positive(alpha)
    return sp.Piecewise((t, t > 0), (a * t, True))


@solver("act.elu")
def elu(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """ELU: x for x > 0, alpha * (exp(x) - 1) otherwise."""
    t, a = _real(x), _positive(alpha)
    return sp.Piecewise((t, t > 0), (a * (sp.exp(t) - 1), True))


@solver("act.relu_derivative")
def relu_derivative(x: str = "x") -> sp.Expr:
    """ReLU' obtained by differentiating each branch of ReLU."""
    t = _real(x)
    branches = sp.Piecewise((t, t > 0), (0, True))
    return sp.piecewise_fold(sp.diff(branches, t))


@solver("act.mistake.relu_abs")
def relu_abs(x: str = "x") -> sp.Expr:
    """|x|: negative inputs flipped instead of clipped."""
    return sp.Abs(_real(x))


@solver("act.mistake.relu_min")
def relu_min(x: str = "x") -> sp.Expr:
    """min(0, x): the wrong side kept."""
    return sp.Min(0, _real(x))


@solver("act.mistake.leaky_slope_wrong_side")
def leaky_slope_wrong_side(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """The small slope on the positive side."""
    t, a = _real(x), _positive(alpha)
    return sp.Piecewise((a * t, t > 0), (t, True))


@solver("act.mistake.leaky_is_relu")
def leaky_is_relu(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """Zero on the negative side: plain ReLU."""
    del alpha
    return relu(x)


@solver("act.mistake.elu_missing_minus_one")
def elu_missing_minus_one(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """alpha * exp(x) on the negative side, without the - 1 (discontinuous at 0)."""
    t, a = _real(x), _positive(alpha)
    return sp.Piecewise((t, t > 0), (a * sp.exp(t), True))


@solver("act.mistake.elu_linear_negative")
def elu_linear_negative(x: str = "x", alpha: str = "alpha") -> sp.Expr:
    """alpha * x on the negative side: leaky ReLU, not ELU."""
    return leaky_relu(x, alpha)


@solver("act.mistake.relu_derivative_wrong_side")
def relu_derivative_wrong_side(x: str = "x") -> sp.Expr:
    """1 for negative inputs and 0 for positive ones."""
    t = _real(x)
    return sp.Piecewise((0, t > 0), (1, True))


@solver("act.mistake.relu_derivative_is_relu")
def relu_derivative_is_relu(x: str = "x") -> sp.Expr:
    """ReLU itself instead of its derivative."""
    return relu(x)


# --- tanh --------------------------------------------------------------------------------------


def _tanh_as_sigmoid(t: sp.Symbol) -> sp.Expr:
    """tanh written as in the tutorial, 2 sigma(2t) - 1, with sigma the logistic function."""
    return 2 / (1 + sp.exp(-2 * t)) - 1


@solver("tanh.derivative")
@lru_cache(maxsize=64)  # the check below runs simplify; the result depends on the name only
def tanh_derivative(x: str = "x") -> sp.Expr:
    """d/dx tanh(x), by differentiating 2 sigma(2x) - 1 and rewriting in tanh."""
    t = _real(x)
    derivative = sp.diff(_tanh_as_sigmoid(t), t)
    # The derivative equals 1 - tanh^2; check it rather than trust it, then give the usual form.
    usual = 1 - sp.tanh(t) ** 2
    assert sp.simplify((derivative - usual).rewrite(sp.exp)) == 0
    return usual


@solver("tanh.mistake.missing_square")
def tanh_missing_square(x: str = "x") -> sp.Expr:
    """1 - tanh(x): the square forgotten."""
    t = _real(x)
    return tanh_derivative(x).subs(sp.tanh(t) ** 2, sp.tanh(t))


@solver("tanh.mistake.sech_not_squared")
def tanh_sech_not_squared(x: str = "x") -> sp.Expr:
    """sech(x) instead of sech(x)^2."""
    return sp.sqrt(tanh_derivative(x).rewrite(sp.sech)).simplify()


@solver("tanh.mistake.sigmoid_derivative")
def tanh_sigmoid_derivative(x: str = "x") -> sp.Expr:
    """The logistic function's derivative sigma(x)(1 - sigma(x)), as if tanh were the sigmoid."""
    t = _real(x)
    sigma = 1 / (1 + sp.exp(-t))
    return sp.diff(sigma, t)


# --- the neuron and Xavier initialisation -------------------------------------------------------


def _neuron_symbols(weights: str, inputs: str, bias: str, size: str) -> tuple:
    i, j = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
    return sp.IndexedBase(weights), sp.IndexedBase(inputs), sp.IndexedBase(bias), _count(size), i, j


@solver("neuron.preactivation")
def neuron_preactivation(weights: str = "W", inputs: str = "a", bias: str = "b", size: str = "D_a") -> sp.Expr:
    """z_i = sum_j W_ij a_j + b_i."""
    W, a, b, D, i, j = _neuron_symbols(weights, inputs, bias, size)
    return sp.Sum(W[i, j] * a[j], (j, 1, D)) + b[i]


@solver("neuron.mistake.no_bias")
def neuron_no_bias(weights: str = "W", inputs: str = "a", bias: str = "b", size: str = "D_a") -> sp.Expr:
    """The bias left out."""
    *_, b, _, i, _ = _neuron_symbols(weights, inputs, bias, size)
    return neuron_preactivation(weights, inputs, bias, size) - b[i]


@solver("neuron.mistake.indices_swapped")
def neuron_indices_swapped(weights: str = "W", inputs: str = "a", bias: str = "b", size: str = "D_a") -> sp.Expr:
    """W_ji instead of W_ij (a column of W instead of a row)."""
    W, a, b, D, i, j = _neuron_symbols(weights, inputs, bias, size)
    return sp.Sum(W[j, i] * a[j], (j, 1, D)) + b[i]


def var(arg: sp.Expr) -> sp.Expr:
    """Var(arg) as an opaque function, the way students write it."""
    return sp.Function("Var")(arg)


@solver("xavier.condition")
def xavier_condition(output: str = "z", inputs: str = "a") -> sp.Eq:
    """Var(z) = Var(a): the variance is the same from one layer to the next."""
    return sp.Eq(var(_real(output)), var(_real(inputs)))


def _linear_slope_at_zero() -> sp.Expr:
    """tanh'(0): near 0, tanh(t) ≈ tanh'(0) t (question 2.1)."""
    t = _real("t")
    return sp.series(sp.tanh(t), t, 0, 2).removeO().coeff(t)


def _stats() -> Any:
    """sympy.stats, imported when a solver first needs it (it is slow to import)."""
    from sympy import stats

    return stats


@lru_cache(maxsize=1)
def _var_of_product() -> tuple[sp.Expr, sp.Symbol, sp.Symbol]:
    """Var(W a) for independent zero-mean W and a, computed with sympy.stats."""
    sw, sa = _positive("sigma_W"), _positive("sigma_a")
    W, a = _stats().Normal("W", 0, sw), _stats().Normal("a", 0, sa)
    return sp.simplify(_stats().variance(W * a)), sw, sa


@solver("xavier.variance")
@stored  # sympy.stats takes seconds; the result depends on the names only, so it is computed once
def xavier_variance(size: str = "D_a", fan_out: str = "D_b") -> sp.Expr:
    """Var(W_ij) that keeps Var(a) constant through a tanh layer of fan-in `size`.

    Var(z_i) = D_a Var(W a) (a sum of independent terms, zero bias); near 0 tanh is linear with
    slope tanh'(0), so Var(tanh(z_i)) ≈ tanh'(0)^2 Var(z_i); setting it equal to Var(a) and
    solving for Var(W) gives the variance.
    """
    del fan_out
    D = _count(size)
    var_wa, sw, sa = _var_of_product()
    vW = _positive("v_W")
    condition = sp.Eq(_linear_slope_at_zero() ** 2 * D * var_wa.subs(sw, sp.sqrt(vW)), sa**2)
    (solution,) = sp.solve(condition, vW)
    return sp.simplify(solution)


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


# --- reparametrisation ----------------------------------------------------------------------------


def _reparam_parts(mean: str, std: str | float, power: int) -> tuple[sp.Symbol, sp.Expr, sp.Expr]:
    theta = _real(mean)
    s = _positive(std) if isinstance(std, str) else sp.nsimplify(std)
    eps = _stats().Normal("epsilon", 0, 1)
    return theta, s, (theta + s * eps) ** power


@solver("reparam.gradient")
def reparam_gradient(mean: str = "theta", std: str | float = 1, power: int = 2) -> sp.Expr:
    """d/dtheta E_{x~N(theta, s^2)}[x^p] with x = theta + s * eps: E[d/dtheta (theta + s eps)^p]."""
    theta, _, integrand = _reparam_parts(mean, std, power)
    return sp.expand(sp.simplify(_stats().E(sp.diff(integrand, theta))))


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
    theta = _real(mean)
    x = _real("x")
    return sp.diff(x**power, theta)


@solver("reparam.mistake.objective_not_gradient")
def reparam_objective_not_gradient(mean: str = "theta", std: str | float = 1, power: int = 2) -> sp.Expr:
    """E_q[x^p] itself (theta^2 + 1) instead of its gradient."""
    _, _, integrand = _reparam_parts(mean, std, power)
    return sp.expand(_stats().E(integrand))
