"""Random finite latent variable models: the worlds that probability expressions are judged in.

z takes K values, x takes M values and the data set holds N points x_1..x_N. The tables p(z),
p(x|z) and q(z|x) are random and strictly positive; p(x, z) = p(x|z) p(z), and the marginal
p(x) and the posterior p(z|x) are derived from them. Every table seen by the evaluator is
indexed by (data point, value of z).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

LATENT_SIZES = (2, 3, 5)
DATA_SIZES = (1, 2, 3)
ALPHABET_SIZES = (2, 3, 4)
FLOOR = 0.02


@dataclass(frozen=True, eq=False)
class FiniteModel:
    """One draw: the tables of the model and the data set."""

    prior: np.ndarray  # (K,)       p(z)
    likelihood: np.ndarray  # (M, K)  p(x = m | z = k)
    encoder: np.ndarray  # (M, K)     q(z = k | x = m)
    data: np.ndarray  # (N,)         indices of x_1..x_N
    seed: int = 0
    q_is_posterior: bool = False

    @property
    def K(self) -> int:
        return int(self.prior.shape[0])

    @property
    def N(self) -> int:
        return int(self.data.shape[0])

    @cached_property
    def pz(self) -> np.ndarray:
        return self.prior[None, :]

    @cached_property
    def px_given_z(self) -> np.ndarray:
        value: np.ndarray = self.likelihood[self.data, :]
        return value

    @cached_property
    def joint(self) -> np.ndarray:
        value: np.ndarray = self.px_given_z * self.pz
        return value

    @cached_property
    def marginal(self) -> np.ndarray:
        value: np.ndarray = self.joint.sum(axis=1, keepdims=True)
        return value

    @cached_property
    def posterior(self) -> np.ndarray:
        value: np.ndarray = self.joint / self.marginal
        return value

    @cached_property
    def q(self) -> np.ndarray:
        return self.encoder[self.data, :]

    def describe(self) -> str:
        """The model in words, for feedback."""
        from grader.notation import current

        show = current().show  # the set's own letters
        x, z, p, q = show("x"), show("z"), show("p"), show("q")
        relation = "equal to" if self.q_is_posterior else "different from"
        which = f"{q}({z}|{x}) {relation} the posterior {p}({z}|{x})"
        points = "1 data point" if self.N == 1 else f"{self.N} data points"
        return f"a model with {self.K} values of {z}, {points} and {which}"


def _simplex(rng: np.random.Generator, size: int, rows: int = 1) -> np.ndarray:
    draw = rng.dirichlet(np.ones(size), size=rows)
    draw = (1 - FLOOR * size) * draw + FLOOR  # strictly positive, still rows summing to 1
    simplex: np.ndarray = draw / draw.sum(axis=1, keepdims=True)
    return simplex


def random_model(seed: int, K: int, N: int, M: int = 3, q_is_posterior: bool = False) -> FiniteModel:
    """A random model; with q_is_posterior, q(z|x) is set to the exact posterior p(z|x)."""
    rng = np.random.default_rng(seed)
    prior = _simplex(rng, K)[0]
    likelihood = _simplex(rng, M, rows=K).T  # columns p(.|z) sum to 1
    encoder = _simplex(rng, K, rows=M)
    data = rng.integers(0, M, size=N)
    if q_is_posterior:
        joint = likelihood * prior[None, :]
        encoder = joint / joint.sum(axis=1, keepdims=True)
    return FiniteModel(prior, likelihood, encoder, data, seed, q_is_posterior)


def standard_draws(count: int = 24, posterior_draws: int = 6) -> tuple[FiniteModel, ...]:
    """The draws every judgement uses: all K and N, plus draws where q is the exact posterior."""
    models = []
    for s in range(count):
        K = LATENT_SIZES[s % len(LATENT_SIZES)]
        N = DATA_SIZES[(s // len(LATENT_SIZES)) % len(DATA_SIZES)]
        M = ALPHABET_SIZES[(s // 2) % len(ALPHABET_SIZES)]
        models.append(random_model(1000 + s, K, N, M))
    for s in range(posterior_draws):
        K = LATENT_SIZES[s % len(LATENT_SIZES)]
        N = DATA_SIZES[(s + 1) % len(DATA_SIZES)]
        models.append(random_model(5000 + s, K, N, 3, q_is_posterior=True))
    return tuple(models)


DRAWS = standard_draws()
