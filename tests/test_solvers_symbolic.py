"""The symbolic solvers against independent numeric definitions (finite differences, Monte Carlo, numpy)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from grader.solvers import conv1d, symbolic
from grader.spec import load_problem_set
from tests.conftest import SET_DIR, tutorial_solvers

# The library's symbolic solvers and the tutorial's own (its Xavier and reparametrisation
# derivations, its misconceptions), looked up the way the tutorial's parts look them up.
formulas = tutorial_solvers("formulas")
SOLVERS = load_problem_set(SET_DIR).solvers

X = sp.Symbol("x", real=True)
ALPHA = sp.Symbol("alpha", positive=True)
POINTS = [-3.0, -1.2, -0.4, 0.3, 0.9, 2.5]


def numeric(expr, **values):
    subs = {sp.Symbol(k, real=True): v for k, v in values.items()}
    subs.update({sp.Symbol(k, positive=True): v for k, v in values.items()})
    return float(expr.subs(subs))


@pytest.mark.parametrize("point", POINTS)
def test_tanh_derivative_matches_finite_differences(point):
    h = 1e-6
    finite = (np.tanh(point + h) - np.tanh(point - h)) / (2 * h)
    assert numeric(symbolic.tanh_derivative(), x=point) == pytest.approx(finite, rel=1e-6)


@pytest.mark.parametrize("point", POINTS)
def test_activation_definitions_match_numpy(point):
    a = 0.1
    assert numeric(symbolic.relu(), x=point) == pytest.approx(max(0.0, point))
    assert numeric(symbolic.leaky_relu(), x=point, alpha=a) == pytest.approx(point if point > 0 else a * point)
    elu = point if point > 0 else a * (np.exp(point) - 1)
    assert numeric(symbolic.elu(), x=point, alpha=a) == pytest.approx(elu)
    h = 1e-6
    slope = (max(0.0, point + h) - max(0.0, point - h)) / (2 * h)
    assert numeric(symbolic.relu_derivative(), x=point) == pytest.approx(slope)


def test_xavier_variance_keeps_the_variance_in_simulation():
    rng = np.random.default_rng(0)
    for fan_in in (16, 64, 256):
        var_w = float(formulas.xavier_variance().subs(sp.Symbol("D_a", integer=True, positive=True), fan_in))
        a = rng.normal(0, 0.05, size=(4000, fan_in))  # small inputs: tanh is nearly linear there
        W = rng.normal(0, np.sqrt(var_w), size=(fan_in, 64))
        out = np.tanh(a @ W)
        assert out.var() == pytest.approx(a.var(), rel=0.08)


def test_xavier_misconceptions_derive_from_the_variance():
    D = sp.Symbol("D_a", integer=True, positive=True)
    ref = formulas.xavier_variance()
    assert sp.simplify(formulas.xavier_standard_deviation() ** 2 - ref) == 0
    assert sp.simplify(formulas.xavier_inverted() * ref) == 1
    assert formulas.xavier_glorot_average().subs(sp.Symbol("D_b", integer=True, positive=True), D) == ref


@pytest.mark.parametrize("theta,std,power", [(0.7, 1, 2), (-1.3, 1, 2), (0.5, 2, 2), (0.4, 1, 3)])
def test_reparam_gradient_matches_monte_carlo(theta, std, power):
    rng = np.random.default_rng(1)
    eps = rng.standard_normal(400_000)
    h = 1e-3
    f = lambda t: np.mean((t + std * eps) ** power)  # noqa: E731 - common random numbers
    finite = (f(theta + h) - f(theta - h)) / (2 * h)
    grad = formulas.reparam_gradient(std=std, power=power)
    assert float(grad.subs(sp.Symbol("theta", real=True), theta)) == pytest.approx(finite, abs=0.05)


@pytest.mark.parametrize("n,k", [(4, 3), (5, 2), (6, 3), (3, 3)])
def test_conv_matrix_reproduces_numpy_correlation(n, k):
    rng = np.random.default_rng(n * 10 + k)
    x, w = rng.normal(size=n), rng.normal(size=k)
    values = {sp.Symbol(f"x{i + 1}", real=True): x[i] for i in range(n)}
    values.update({sp.Symbol(f"w{i + 1}", real=True): w[i] for i in range(k)})
    xbar = np.pad(x, 1)
    expected = np.correlate(xbar, w, mode="valid")
    got = np.array(conv1d.correlate(n, k, 1).subs(values), dtype=float).ravel()
    np.testing.assert_allclose(got, expected)
    W = np.array(conv1d.matrix(n, k, 1).subs(values), dtype=float)
    np.testing.assert_allclose(W @ xbar, expected)
    np.testing.assert_allclose(np.array(conv1d.padded(n, 1).subs(values), dtype=float).ravel(), xbar)


def test_symbolic_misconceptions_differ_from_their_reference():
    pairs = [
        ("tanh.derivative", "tanh.mistake.missing_square"), ("tanh.derivative", "tanh.mistake.sech_not_squared"),
        ("act.relu", "act.mistake.relu_abs"), ("act.leaky_relu", "act.mistake.leaky_slope_wrong_side"),
        ("act.elu", "act.mistake.elu_missing_minus_one"), ("act.relu_derivative", "act.mistake.relu_derivative_wrong_side"),
        ("reparam.gradient", "reparam.mistake.variance_added"), ("reparam.gradient", "reparam.mistake.no_chain_factor"),
        ("xavier.variance", "xavier.mistake.standard_deviation"), ("conv1d.matrix", "conv1d.mistake.matrix_flipped"),
    ]
    for ref, mistake in pairs:
        a, b = SOLVERS.get(ref)(), SOLVERS.get(mistake)()
        values = {s: 0.37 + 0.11 * i for i, s in enumerate(sorted(a.free_symbols | b.free_symbols, key=str))}
        if isinstance(a, sp.MatrixBase):
            assert a != b, (ref, mistake)
        else:
            assert abs(float(a.subs(values)) - float(b.subs(values))) > 1e-6 or a.subs(X, -1.3) != b.subs(X, -1.3), (ref, mistake)
