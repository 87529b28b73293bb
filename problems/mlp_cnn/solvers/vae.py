"""Reference solvers for the VAE questions (Problem 4.3-4.6) and the derivation steps of 2.3b.

Every reference is built as a tree in code (grader.probability.nodes), not parsed from text:
the log-likelihood of a discrete latent variable model, the Jensen bound, the ELBO, the
distribution z is sampled from, and the reference derivations that connect them. Misconceptions
are solvers too; a mistake that lives in a step (Jensen's inequality the wrong way) is a
StepPattern that the derivation kind recognises in the student's steps.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

from grader import solver
from grader.probability.formula_steps import ReparamFacts, VarianceFacts
from grader.probability.nodes import (
    KL,
    Add,
    Dist,
    Div,
    Expect,
    Expr,
    Log,
    Mul,
    Neg,
    SumData,
    SumZ,
    Var,
    walk,
)
from grader.probability.reference import Alternatives, Derivation, StepPattern
from grader.solvers.symbolic import var

from .formulas import xavier_variance

# --- the model's densities -----------------------------------------------------------------------


def _x(index: str) -> Var:
    return Var("x", index)


def prior() -> Dist:
    """p_Z(z), the prior of the latent variable."""
    return Dist("p", (Var("z"),), (), "p_Z")


def likelihood(index: str = "i") -> Dist:
    """p_theta(x_i|z), the decoder."""
    return Dist("p", (_x(index),), (Var("z"),), "p_theta")


def encoder(index: str = "i") -> Dist:
    """q_phi(z|x_i), the approximate posterior."""
    return Dist("q", (Var("z"),), (_x(index),), "q_phi")


def posterior(index: str = "i") -> Dist:
    """p_theta(z|x_i), the true posterior."""
    return Dist("p", (Var("z"),), (_x(index),), "p_theta")


def marginal(index: str = "i") -> Dist:
    """p_theta(x_i), the evidence."""
    return Dist("p", (_x(index),), (), "p_theta")


def _joint_factored(index: str) -> Expr:
    return Mul((likelihood(index), prior()))


def _over_data(body: Expr, index: str, per_point: bool) -> Expr:
    return body if per_point else SumData(index, body)


def _bound_summand(index: str) -> Expr:
    """E_q[log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z)], the summand of the Jensen bound."""
    return Expect(encoder(index), Add((Log(prior()), Neg(Log(encoder(index))), Log(likelihood(index)))))


# --- references ----------------------------------------------------------------------------------


@solver("vae.log_likelihood")
def log_likelihood(index: str = "i", per_point: bool = False) -> Expr:
    """sum_{i=1}^N log sum_z p_theta(x_i|z) p_Z(z): the marginal written out for a discrete z."""
    return _over_data(Log(SumZ(_joint_factored(index))), index, per_point)


@solver("vae.evidence")
def evidence(index: str = "i", per_point: bool = False) -> Expr:
    """sum_{i=1}^N log p_theta(x_i): the objective as stated, the start of the Jensen derivation."""
    return _over_data(Log(marginal(index)), index, per_point)


@solver("vae.jensen_bound")
def jensen_bound(index: str = "i", per_point: bool = False) -> Expr:
    """sum_i E_{q(z|x_i)}[log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z)]."""
    return _over_data(_bound_summand(index), index, per_point)


@solver("vae.elbo")
def elbo(index: str = "i") -> Expr:
    """L_i = E_{z~q(z|x_i)}[log p_theta(x_i|z)] - KL(q(z|x_i) || p(z))."""
    return Add((Expect(encoder(index), Log(likelihood(index))), Neg(KL(encoder(index), prior()))))


@solver("vae.sampling_distribution")
def sampling_distribution(index: str = "i") -> Expr:
    """q_phi(z|x_i): z is sampled from the encoder's distribution, not from the prior."""
    return encoder(index)


@solver("vae.jensen_derivation")
def jensen_derivation(index: str = "i") -> Derivation:
    """From sum_i log p(x_i) to the bound: write p(x_i) as a sum over z, multiply and divide by
    q(z|x_i), read the sum as an expectation under q and move the concave log inside (Jensen)."""
    i = index
    ratio = Div(_joint_factored(i), encoder(i))
    lines = (
        evidence(i),
        SumData(i, Log(SumZ(_joint_factored(i)))),
        SumData(i, Log(SumZ(Mul((encoder(i), ratio))))),
        SumData(i, Log(Expect(encoder(i), ratio))),
        SumData(i, Expect(encoder(i), Log(ratio))),
        jensen_bound(i),
    )
    return Derivation(lines, ("=", "=", "=", ">=", "="), ("marginal", "", "", "Jensen", "log"))


@solver("vae.elbo_derivation")
def elbo_derivation(index: str = "i") -> Derivation:
    """From the summand of the bound to the ELBO: split the log and recognise KL(q || p)."""
    i = index
    lines = (
        _bound_summand(i),
        Add((Expect(encoder(i), Log(likelihood(i))),
             Neg(Expect(encoder(i), Add((Log(encoder(i)), Neg(Log(prior())))))))),
        elbo(i),
    )
    return Derivation(lines, ("=", "="), ("linearity", "definition of KL"))


# --- misconceptions ---------------------------------------------------------------------------------


@solver("vae.mistake.jensen_wrong_direction")
def jensen_wrong_direction(index: str = "i") -> StepPattern:
    """log E_q[Y] <= E_q[log Y]: Jensen's inequality for the concave log turned around."""
    del index
    return StepPattern("wrong_direction", "an inequality step that goes the other way")


@solver("vae.mistake.kl_added")
def kl_added(index: str = "i") -> Expr:
    """E_q[log p(x_i|z)] + KL(q || p): the KL term added instead of subtracted."""
    return Add((Expect(encoder(index), Log(likelihood(index))), KL(encoder(index), prior())))


@solver("vae.mistake.kl_swapped")
def kl_swapped(index: str = "i") -> Expr:
    """E_q[log p(x_i|z)] - KL(p(z) || q(z|x_i)): the arguments of the KL divergence swapped."""
    return Add((Expect(encoder(index), Log(likelihood(index))), Neg(KL(prior(), encoder(index)))))


@solver("vae.mistake.sample_prior")
def sample_prior(index: str = "i") -> Expr:
    """p(z): sampling from the prior, as at generation time, instead of from q(z|x_i)."""
    del index
    return prior()


@solver("vae.mistake.sample_true_posterior")
def sample_true_posterior(index: str = "i") -> Expr:
    """p_theta(z|x_i): the true posterior, which is intractable (that is why q is introduced)."""
    return posterior(index)


@solver("vae.mistake.log_of_sum_as_sum_of_logs")
def log_of_sum_as_sum_of_logs(index: str = "i", form: str = "expression") -> Any:
    """log sum_z f(z) turned into sum_z log f(z) without Jensen.

    As a value (form "expression", for the log-likelihood): sum_i sum_z log(p(x_i|z) p(z)), or
    the log moved inside the prior's expectation, sum_i E_{p(z)}[log p(x_i|z)]. As a step (form
    "step", for a derivation): an equality that moves a log inside a sum over z.
    """
    if form == "step":
        return StepPattern(
            "log_of_sum_as_sum_of_logs", "an equality that moves the log inside a sum over z", detect=moves_log_inside
        )
    i = index
    return Alternatives((
        SumData(i, SumZ(Log(_joint_factored(i)))),
        SumData(i, SumZ(Add((Log(likelihood(i)), Log(prior()))))),
        SumData(i, Expect(prior(), Log(likelihood(i)))),
    ))


def _log_of_sum(expr: Any) -> int:
    """Logs of a sum over z (or of the marginal p(x), itself such a sum)."""
    count = 0
    for node in walk(expr):
        if isinstance(node, Log) and any(
            isinstance(n, (SumZ, Expect)) or (isinstance(n, Dist) and n.family == "p" and not n.given
                                              and [v.name for v in n.vars] == ["x"])
            for n in walk(node.arg)
        ):
            count += 1
    return count


def _sum_of_log(expr: Any) -> int:
    """Sums over z (or expectations) of a log."""
    return sum(
        1 for node in walk(expr)
        if isinstance(node, (SumZ, Expect)) and any(isinstance(n, (Log, KL)) for n in walk(node.body))
    )


def moves_log_inside(before: Any, after: Any, relation: str) -> bool:
    """A step claimed as an equality that moves a log inside a sum over z (or an expectation)."""
    return relation == "=" and _log_of_sum(after) < _log_of_sum(before) and _sum_of_log(after) > _sum_of_log(before)


@solver("vae.mistake.missing_data_sum")
def missing_data_sum(index: str = "i") -> Expr:
    """log sum_z p(x_i|z) p(z) for one data point: the sum over the data set left out."""
    return log_likelihood(index, per_point=True)


# --- formula derivations: Xavier (2.3b) and the reparametrisation gradient (4.7) -------------------------

# xavier.variance derives its value with sympy.stats (a tenth of a second); solvers are pure, so
# the derivation and its facts reuse one result per size name.
_variance_of = lru_cache(maxsize=64)(xavier_variance)


def _xavier_names(size: str) -> tuple[sp.Symbol, sp.Symbol, sp.Symbol, Any, Any, Any, Any]:
    D = sp.Symbol(size, integer=True, positive=True)
    i, j = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
    return D, i, j, sp.IndexedBase("W"), sp.IndexedBase("a"), sp.IndexedBase("z"), sp.IndexedBase("b")


@solver("xavier.derivation")
def xavier_derivation(size: str = "D_a", fan_out: str = "D_b") -> Derivation:
    """The steps of the Xavier derivation as sympy equations, ending at Var(W_ij) = 1/D_a.

    Var(z_i) = D_a Var(W_ij) Var(a_j) (a sum of D_a independent zero-mean products, zero bias);
    near 0 tanh is linear with slope 1, so Var(a_j) = Var(z_i) = D_a Var(W_ij) Var(a_j); hence
    D_a Var(W_ij) = 1. The last line's value comes from xavier.variance.
    """
    D, i, j, W, a, z, _ = _xavier_names(size)
    result = _variance_of(size, fan_out)
    lines = (
        sp.Eq(var(z[i]), D * var(W[i, j]) * var(a[j])),
        sp.Eq(var(a[j]), D * var(W[i, j]) * var(a[j])),
        sp.Eq(D * var(W[i, j]), 1),
        sp.Eq(var(W[i, j]), result),
    )
    return Derivation(lines, ("⇒", "⇒", "⇒"), ("independence, zero mean", "tanh linear near 0", "", ""))


@solver("xavier.step_facts")
def xavier_step_facts(size: str = "D_a") -> VarianceFacts:
    """What the steps of 2.3b may use: W_ij and a_j independent and zero-mean with variances
    Var(W) and Var(a), z_i = sum_j W_ij a_j + b_i with b_i = 0, tanh(t) ~ t near 0 (slope
    tanh'(0) = 1), and the condition Var(z_i) = Var(a_j), which holds when Var(W) = 1/D_a."""
    D, _, j, W, a, _, b = _xavier_names(size)
    v_w, v_a = sp.Symbol("v_W", positive=True), sp.Symbol("v_a", positive=True)
    variance = _variance_of(size)
    return VarianceFacts(
        variances={"W": v_w, "a": v_a},
        definitions={"z": lambda i_: sp.Sum(W[i_, j] * a[j], (j, 1, D)) + b[i_]},
        zeros=("b",),
        linear=("tanh",),
        condition={v_w: variance},
        domains={"v_W": "positive", "v_a": "positive", size: "positive_integer"},
    )


@solver("reparam.step_facts")
def reparam_step_facts(mean: str = "theta", std: str | float = 1, power: int = 2) -> ReparamFacts:
    """What the steps of 4.7 may use: x = theta + s epsilon with epsilon ~ N(0, 1)."""
    del power
    theta = sp.Symbol(mean, real=True)
    s = sp.Symbol(std, positive=True) if isinstance(std, str) else sp.nsimplify(std)
    eps = (sp.Symbol("epsilon", real=True), sp.Symbol("eps", real=True))
    return ReparamFacts(theta=theta, std=s, x=sp.Symbol("x", real=True), eps=eps,
                        domains={mean: "real", "epsilon": "real", "eps": "real", "x": "real"})
