"""Reference solvers of the optimisation and normalisation set, computed with numpy and sympy.

Conventions, stated in the prompts: SGD with momentum keeps v_t = mu v_{t-1} + g_t and steps
w_t = w_{t-1} - eta v_t; Adam keeps m_t = b1 m_{t-1} + (1 - b1) g_t and v_t = b2 v_{t-1} +
(1 - b2) g_t^2, corrects them by 1 - b^t and steps w_t = w_{t-1} - eta m_hat / (sqrt(v_hat) + eps).
Vectors are rows. Every misconception computes what a student who made that mistake would answer.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from grader import solver
from grader.probability.reference import Derivation

EPS = 1e-8


def _row(values) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(1, -1)


# --- SGD and momentum ------------------------------------------------------------------------------


@solver("sgd.step")
def sgd_step(w, g, eta: float) -> np.ndarray:
    return _row(w) - eta * _row(g)


@solver("sgd.mistake.ascent")
def sgd_ascent(w, g, eta: float) -> np.ndarray:
    return _row(w) + eta * _row(g)


@solver("momentum.velocity")
def velocity(v, g, mu: float) -> np.ndarray:
    return mu * _row(v) + _row(g)


@solver("momentum.mistake.no_gradient")
def velocity_no_gradient(v, g, mu: float) -> np.ndarray:
    del g
    return mu * _row(v)


@solver("momentum.mistake.gradient_only")
def velocity_gradient_only(v, g, mu: float) -> np.ndarray:
    del v, mu
    return _row(g)


@solver("momentum.step")
def momentum_step(w, v, g, mu: float, eta: float) -> np.ndarray:
    return _row(w) - eta * velocity(v, g, mu)


@solver("momentum.mistake.plain_sgd")
def momentum_plain_sgd(w, v, g, mu: float, eta: float) -> np.ndarray:
    del v, mu
    return sgd_step(w, g, eta)


@solver("momentum.mistake.old_velocity")
def momentum_old_velocity(w, v, g, mu: float, eta: float) -> np.ndarray:
    del g, mu
    return _row(w) - eta * _row(v)


# --- Adam ------------------------------------------------------------------------------------------


def _moments(m, v, g, b1: float, b2: float) -> tuple[np.ndarray, np.ndarray]:
    return b1 * _row(m) + (1 - b1) * _row(g), b2 * _row(v) + (1 - b2) * _row(g) ** 2


@solver("adam.first_moment")
def first_moment(m, v, g, b1: float, b2: float) -> np.ndarray:
    return _moments(m, v, g, b1, b2)[0]


@solver("adam.mistake.no_one_minus_beta")
def first_moment_no_one_minus(m, v, g, b1: float, b2: float) -> np.ndarray:
    del v, b2
    return b1 * _row(m) + _row(g)


@solver("adam.second_moment")
def second_moment(m, v, g, b1: float, b2: float) -> np.ndarray:
    return _moments(m, v, g, b1, b2)[1]


@solver("adam.mistake.gradient_not_squared")
def second_moment_not_squared(m, v, g, b1: float, b2: float) -> np.ndarray:
    del m, b1
    return b2 * _row(v) + (1 - b2) * _row(g)


@solver("adam.corrected_first_moment")
def corrected_first_moment(m, v, g, b1: float, b2: float, t: int) -> np.ndarray:
    return first_moment(m, v, g, b1, b2) / (1 - b1**t)


@solver("adam.mistake.uncorrected")
def uncorrected_first_moment(m, v, g, b1: float, b2: float, t: int) -> np.ndarray:
    del t
    return first_moment(m, v, g, b1, b2)


@solver("adam.mistake.corrected_by_beta_t")
def corrected_by_beta_t(m, v, g, b1: float, b2: float, t: int) -> np.ndarray:
    return first_moment(m, v, g, b1, b2) / (b1**t)


@solver("adam.step")
def adam_step(w, m, v, g, b1: float, b2: float, t: int, eta: float) -> np.ndarray:
    m1, v1 = _moments(m, v, g, b1, b2)
    m_hat, v_hat = m1 / (1 - b1**t), v1 / (1 - b2**t)
    return _row(w) - eta * m_hat / (np.sqrt(v_hat) + EPS)


@solver("adam.mistake.step_without_correction")
def adam_step_without_correction(w, m, v, g, b1: float, b2: float, t: int, eta: float) -> np.ndarray:
    del t
    m1, v1 = _moments(m, v, g, b1, b2)
    return _row(w) - eta * m1 / (np.sqrt(v1) + EPS)


@solver("adam.mistake.step_without_sqrt")
def adam_step_without_sqrt(w, m, v, g, b1: float, b2: float, t: int, eta: float) -> np.ndarray:
    m1, v1 = _moments(m, v, g, b1, b2)
    m_hat, v_hat = m1 / (1 - b1**t), v1 / (1 - b2**t)
    return _row(w) - eta * m_hat / (v_hat + EPS)


# --- batch normalisation --------------------------------------------------------------------------


@solver("bn.mean")
def batch_mean(x) -> float:
    return float(np.mean(np.asarray(x, dtype=float)))


@solver("bn.variance")
def batch_variance(x) -> float:
    return float(np.var(np.asarray(x, dtype=float)))


@solver("bn.mistake.unbiased_variance")
def unbiased_variance(x) -> float:
    return float(np.var(np.asarray(x, dtype=float), ddof=1))


@solver("bn.mistake.standard_deviation")
def standard_deviation(x) -> float:
    return float(np.std(np.asarray(x, dtype=float)))


@solver("bn.normalised")
def normalised(x, eps: float = 0.0) -> np.ndarray:
    values = _row(x)
    return (values - values.mean()) / np.sqrt(values.var() + eps)


@solver("bn.mistake.divided_by_variance")
def divided_by_variance(x, eps: float = 0.0) -> np.ndarray:
    values = _row(x)
    return (values - values.mean()) / (values.var() + eps)


@solver("bn.mistake.not_centred")
def not_centred(x, eps: float = 0.0) -> np.ndarray:
    values = _row(x)
    return values / np.sqrt(values.var() + eps)


# --- a derivation: bias correction undoes the zero start ----------------------------------------------


@solver("adam.constant_gradient_derivation")
def constant_gradient_derivation() -> Derivation:
    """m_2 / (1 - b1^2) with m_0 = 0 and g at both steps, simplified to g: the lines are built
    from the update rule and checked to be equal, not typed in."""
    b1, g = sp.Symbol("b1", positive=True), sp.Symbol("g", real=True)
    m = sp.Integer(0)
    for _ in range(2):
        m = b1 * m + (1 - b1) * g
    written = sp.Mul(sp.Add(b1 * (1 - b1) * g, (1 - b1) * g, evaluate=False), 1 / (1 - b1**2), evaluate=False)
    factored = (1 - b1) * (1 + b1) * g / (1 - b1**2)
    result = sp.simplify(m / (1 - b1**2))
    assert sp.simplify(written - m / (1 - b1**2)) == 0 and sp.simplify(factored - result) == 0
    return Derivation((written, factored, result), ("=", "="), ("update rule", "factor", ""))


@solver("adam.mistake.constant_gradient_uncorrected")
def constant_gradient_uncorrected() -> sp.Expr:
    b1, g = sp.Symbol("b1", positive=True), sp.Symbol("g", real=True)
    return (1 - b1) * g
