"""The derivation kind on the shipped parts (p4.3-p4.7, p2.3b), through the engine: equivalent
notations, each misconception's message, a single broken step reported where it is, the
inequality direction, the credit rules and hostile input."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.answers import Submission
from grader.engine import ExpectedCache, PartResult, grade_part
from grader.kinds import KINDS, InvalidAnswer, Status
from grader.variants import default_variant

JENSEN_STEPS = [
    "sum_{i=1}^N log p_theta(x_i)",
    "= sum_i log sum_z q(z|x_i) p_theta(x_i|z) p_Z(z) / q(z|x_i)",
    "= sum_i log E_{q(z|x_i)}[ p_theta(x_i|z) p_Z(z) / q(z|x_i) ]",
    ">= sum_i E_{q(z|x_i)}[ log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z) ]   # Jensen",
]
ELBO_STEPS = [
    "E_{q(z|x_i)}[ log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z) ]",
    "= E_q[ log p_theta(x_i|z) ] - E_q[ log q(z|x_i) - log p_Z(z) ]",
    "= E_q[ log p_theta(x_i|z) ] - KL(q(z|x_i) || p_Z(z))",
]
XAVIER_STEPS = [
    "Var(z_i) = sum_j Var(W_ij a_j) = D_a Var(W_ij) Var(a_j)",
    "Var(a_j) = Var(tanh(z_i)) = Var(z_i)",
    "Var(a_j) = D_a Var(W_ij) Var(a_j)",
    "Var(W_ij) = 1/D_a",
]

# Every answer here earns full marks: the same derivation (or value) in other notations.
EQUIVALENT_NOTATIONS = {
    "p4.3": [
        "sum_{i=1}^N log( sum_z p_theta(x_i|z) p(z) )",
        "sum_i log sum_z p(x_i, z)",
        "sum_{n=1}^{N} log sum_{z} p(z) p(x_n|z)",
        "log p_theta(X) = sum_i log sum_z p(x_i|z) p_Z(z)",
        r"\log \prod_{i=1}^{N} \sum_z p_\theta(x_i \mid z)\, p(z)",
        "sum_i log p(x_i) = sum_i log sum_z p(x_i|z) p(z)",
        r"\sum_{i=1}^{N} \log \left( \sum_{z} p_{\theta}(x_i \mid z)\, p_Z(z) \right)",
        r"\sum_{i=1}^N \log \sum_z p_\theta(x_i, z)",
        r"\sum_{i=1}^{N}\ln\sum_{z}p(x_i|z)p(z)",
        r"$\sum_i \log \sum_{z} p(z)\,p_\theta(x_i|z)$",
        "∑_{i=1}^N log ∑_z p_θ(x_i|z) p_Z(z)",
        r"\arg\max_{\theta} \sum_{i=1}^{N} \log \sum_z p_\theta(x_i|z)\, p(z)",
    ],
    "p4.4": [
        JENSEN_STEPS,
        "\n".join(JENSEN_STEPS),
        [
            "log p_theta(x_i)",
            "= log sum_z q(z|x_i) p(x_i, z) / q(z|x_i)",
            ">= sum_z q(z|x_i) log( p(x_i, z) / q(z|x_i) )   (Jensen)",
            "= E_{q(z|x_i)}[log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z)]",
        ],
        [
            "sum_i log p(x_i) = sum_i log sum_z p(x_i|z) p(z) = sum_i log E_q[p(x_i|z) p(z) / q(z|x_i)]",
            ">= sum_i E_q[log(p(x_i|z) p(z) / q(z|x_i))] = sum_i E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]",
        ],
        [
            r"\sum_{i=1}^{N} \log p_\theta(x_i) = \sum_{i=1}^{N} \log \sum_z q(z|x_i) \frac{p_\theta(x_i|z)\, p_Z(z)}{q(z|x_i)}",
            r"\geq \sum_{i=1}^{N} \sum_z q(z|x_i) \log \frac{p_\theta(x_i|z)\, p_Z(z)}{q(z|x_i)} \quad \text{(Jensen)}",
            r"= \sum_{i=1}^{N} \mathbb{E}_{q(z|x_i)}\left[\log p_Z(z) - \log q(z|x_i) + \log p_\theta(x_i|z)\right]",
        ],
        (
        "\\begin{align*}\n"
        r"\log p_\theta(x_i) &= \log \mathbb{E}_{z \sim q(z \mid x_i)}\left[\frac{p_\theta(x_i, z)}{q(z \mid x_i)}\right] \\"
        "\n"
        r"&\ge \mathbb{E}_{z \sim q(z \mid x_i)}\left[\log \frac{p_\theta(x_i, z)}{q(z \mid x_i)}\right] \\"
        "\n"
        r"&= \mathbb{E}_{q(z|x_i)}[\log p_Z(z) - \log q(z|x_i) + \log p_\theta(x_i|z)]"
        "\n\\end{align*}"
        ),
        [
            "sum_i log p(x_i)",
            "= sum_i log int p(x_i|z) p(z) dz",
            "= sum_i log int q(z|x_i) p(x_i|z) p(z) / q(z|x_i) dz",
            ">= sum_i int q(z|x_i) log( p(x_i|z) p(z) / q(z|x_i) ) dz  by Jensen",
            "= sum_i E_q[log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z)]",
            "QED",
        ],
        [  # written from the bound up to the log-likelihood
            "sum_i E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]",
            "= sum_i E_q[log( p(x_i, z) / q(z|x_i) )]",
            "<= sum_i log E_q[p(x_i, z) / q(z|x_i)]  # Jensen",
            "= sum_i log p(x_i)",
        ],
        [
            "sum_i log p(x_i)",
            "= sum_i ( E_q[log p(x_i, z) - log q(z|x_i)] + KL(q(z|x_i) || p(z|x_i)) )",
            ">= sum_i E_q[log p(x_i, z) - log q(z|x_i)]   (KL >= 0)",
            "= sum_i E_q[log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z)]",
        ],
    ],
    "p4.5": [
        ELBO_STEPS,
        "\n".join(ELBO_STEPS),
        [
            "E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]",
            "= E_q[log p(x_i|z)] + E_q[log p(z) - log q(z|x_i)]",
            "= E_q[log p(x_i|z)] - E_q[log( q(z|x_i) / p(z) )]",
            "= E_q[log p(x_i|z)] - KL(q(z|x_i) || p(z))",
        ],
        [
            "E_q[log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z)]",
            "= E_q[log p_theta(x_i|z)] + E_q[log p_Z(z)] + H(q(z|x_i))",
            "= E_q[log p_theta(x_i|z)] - D_KL(q(z|x_i) || p_Z(z))   # hint: D_KL(q||p) = -E_q[log p] - H(q)",
        ],
        [
            r"\mathbb{E}_{q_\phi(z|x_i)}\left[\log p_Z(z) - \log q_\phi(z|x_i) + \log p_\theta(x_i|z)\right]",
            r"= \mathbb{E}_{q_\phi(z|x_i)}[\log p_\theta(x_i|z)] - \mathbb{E}_{q_\phi(z|x_i)}\left[\log \frac{q_\phi(z|x_i)}{p_Z(z)}\right]",
            r"= \mathbb{E}_{z \sim q_\phi(z|x_i)}[\log p_\theta(x_i|z)] - D_{KL}(q_\phi(z|x_i) \| p(z)) \quad \text{(definition of KL)}",
        ],
        [
            r"\sum_{i=1}^N \mathbb{E}_{q(z|x_i)}[\log p_Z(z) - \log q(z|x_i) + \log p_\theta(x_i|z)]",
            r"= \sum_{i=1}^N \left( \mathbb{E}_{q(z|x_i)}[\log p_\theta(x_i|z)] - \mathrm{KL}(q(z|x_i) \,\|\, p(z)) \right)",
            r"= \sum_{i=1}^N L_i".replace(r"\sum_{i=1}^N L_i", r"\sum_{i=1}^N \left( \mathbb{E}_{q}[\log p_\theta(x_i|z)] - D_{KL}(q \| p) \right)"),
        ],
        "E_q[log p(z) - log q(z|x_i) + log p(x_i|z)] \\\\ = sum_z q(z|x_i) log p(x_i|z) - sum_z q(z|x_i) log( q(z|x_i)/p(z) ) \\\\ = E_q[log p(x_i|z)] - KL(q(z|x_i)||p(z))",
        [
            "E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]",
            "= E_q[log p(x_i|z)] - E_q[log q(z|x_i) - log p(z)]   # linearity",
            "L_i = E_q[log p(x_i|z)] - KL(q(z|x_i) || p(z))",
        ],
    ],
    "p4.6": [
        "q_phi(z|x_i)",
        "q(z|x)",
        "z ~ q_phi(z|x_i)",
        r"q_\phi(z \mid x_i)",
        r"z \sim q_{\varphi}(z|x_i)",
        "the approximate posterior q_phi(z|x_i)",
        "We sample z from the encoder distribution q(z|x_i).",
        "the variational posterior",
        "q_φ(z|x)",
        "q",
    ],
    "p2.3b": [
        XAVIER_STEPS,
        "\n".join(XAVIER_STEPS),
        ["Var(z_i) = D_a Var(W_ij) Var(a_j)", "Var(W_ij) = 1/D_a"],
        ["Var(z_i) = D_a Var(W_ij) Var(a_j)", "W_ij ~ N(0, 1/D_a)"],
        ["Var(z_i) = sum(Var(W_ij) Var(a_j), j=1..D_a) = D_a Var(W_ij) Var(a_j)",
         "Var(z_i) = Var(a_j)   # the condition, since tanh(x) ≈ x near 0",
         "D_a Var(W_ij) = 1", "Var(W_ij) = 1/D_a"],
        [r"\mathrm{Var}(z_i) = \sum_{j=1}^{D_a} \mathrm{Var}(W_{ij})\,\mathrm{Var}(a_j) = D_a \mathrm{Var}(W_{ij}) \mathrm{Var}(a_j)",
         r"\Rightarrow W_{ij} \sim \mathcal{N}(0, 1/D_a)"],
        [r"\mathrm{Var}(z_i) = D_a\,\mathrm{Var}(W_{ij})\,\mathrm{Var}(a_j) = \mathrm{Var}(a_j)",
         r"\mathrm{Var}(W_{ij}) = \frac{1}{D_a}"],
        "Var(z_i) = Var(sum_j W_ij a_j + b_i) = D_a Var(W_ij) Var(a_j)\nVar(W_ij) = D_a^(-1)",
        ["Var(z_i) = D_a Var(W_ij a_j) = D_a Var(W_ij) Var(a_j)", "hence Var(W_ij) = 1/D_a"],
    ],
    "p4.7": [
        "2 theta",
        "2*theta",
        r"2\theta",
        "2θ",
        ["d/dtheta E[(theta + eps)^2] = E[2 (theta + eps)] = 2 theta"],
        ["d/dtheta E_q[x^2] = d/dtheta E[(theta + epsilon)^2]", "= E[2 (theta + epsilon)]", "= 2 theta"],
        [r"\nabla_\theta \mathbb{E}_{q}[x^2] = \nabla_\theta \mathbb{E}_{\epsilon \sim \mathcal{N}(0,1)}[(\theta + \epsilon)^2]",
         r"= \mathbb{E}_{\epsilon}\left[\frac{\partial}{\partial \theta} (\theta+\epsilon)^2\right]",
         r"= \mathbb{E}[2(\theta + \epsilon)]", r"= 2\theta"],
        ["d/dθ E_q[x^2] = d/dθ (θ^2 + 1) = 2θ"],
        ["x = theta + epsilon", "d/dtheta E[x^2] = E[2 x] = 2 theta"],
    ],
}

# (part, answer, misconception id, words of its message)
MISCONCEPTION_ANSWERS = [
    ("p4.4", [*JENSEN_STEPS[:3], "<= sum_i E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]  # Jensen"],
     "jensen_wrong_direction", "Jensen's inequality goes the other way"),
    ("p4.4", ["sum_i log p(x_i) <= sum_i E_q[log p(x_i, z) - log q(z|x_i)]"],
     "jensen_wrong_direction", "Jensen's inequality goes the other way"),
    ("p4.4", [*JENSEN_STEPS[:3], "= sum_i E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]"],
     "log_of_sum_as_sum_of_logs", "The log of a sum is not the sum of the logs"),
    ("p4.4", ["sum_i log p(x_i)", "= sum_i log sum_z p(x_i|z) p(z)", "= sum_i sum_z log( p(x_i|z) p(z) )"],
     "log_of_sum_as_sum_of_logs", "The log of a sum is not the sum of the logs"),
    ("p4.3", "sum_i sum_z log( p(x_i|z) p(z) )", "log_of_sum_as_sum_of_logs", "The log of a sum is not the sum"),
    ("p4.3", "sum_i sum_z (log p(x_i|z) + log p(z))", "log_of_sum_as_sum_of_logs", "The log of a sum is not the sum"),
    ("p4.3", "log sum_z p(x|z) p(z)", "missing_data_sum", "one data point"),
    ("p4.5", [*ELBO_STEPS[:2], "= E_q[log p(x_i|z)] + KL(q(z|x_i) || p(z))"], "kl_added", "The KL term is subtracted"),
    ("p4.5", "E_q[log p(x_i|z)] + D_KL(q(z|x_i) || p(z))", "kl_added", "The KL term is subtracted"),
    ("p4.5", [*ELBO_STEPS[:2], "= E_q[log p(x_i|z)] - KL(p(z) || q(z|x_i))"], "kl_swapped",
     "The arguments of the KL divergence are swapped"),
    ("p4.5", r"\mathbb{E}_q[\log p(x_i|z)] - D_{KL}(p(z) \| q(z|x_i))", "kl_swapped", "swapped"),
    ("p4.6", "p(z)", "sample_prior", "not from the prior p(z)"),
    ("p4.6", "z ~ N(0, I), the prior", "sample_prior", "not from the prior p(z)"),
    ("p4.6", "p_theta(z|x_i)", "sample_true_posterior", "intractable"),
    ("p2.3b", ["Var(z_i) = D_a Var(W_ij) Var(a_j)", "Var(W_ij) = 1/sqrt(D_a)"], "standard_deviation",
     "That is a standard deviation"),
    ("p2.3b", "2/(D_a + D_b)", "glorot_average", "Glorot"),
    ("p2.3b", ["Var(z_i) = D_a Var(W_ij) Var(a_j)", "Var(W_ij) = D_a"], "inverted", "upside down"),
    ("p4.7", "2 theta + 1", "variance_added", "does not depend on theta"),
    ("p4.7", ["d/dtheta E[x^2] = E[d/dtheta x^2]", "= 0"], "without_reparametrising", "Write x = theta + epsilon"),
    ("p4.7", "theta^2 + 1", "objective_not_gradient", "objective"),
    ("p4.7", "theta", "no_chain_factor", "power rule"),
]

# A valid derivation with one broken step: (part, lines, the step reported, its line).
BROKEN_DERIVATIONS = [
    ("p4.4", [JENSEN_STEPS[0], "= sum_i log sum_z q(z|x_i) p(x_i|z) p(z)", *JENSEN_STEPS[2:]], 1, 2),
    ("p4.4", [*JENSEN_STEPS[:2], "= sum_i log E_q[p(x_i|z) p(z)]", JENSEN_STEPS[3]], 2, 3),
    ("p4.4", [*JENSEN_STEPS[:3], "= sum_i E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]"], 3, 4),
    ("p4.4", [*JENSEN_STEPS[:3], ">= sum_i E_q[log p(x_i|z) - log q(z|x_i)]   # Jensen"], 3, 4),
    ("p4.5", [ELBO_STEPS[0], "= E_q[log p(x_i|z)] - E_q[log q(z|x_i) + log p(z)]", ELBO_STEPS[2]], 1, 2),
    ("p4.5", [ELBO_STEPS[0], ELBO_STEPS[1], "= E_q[log p(x_i|z)] - KL(p(z) || q(z|x_i))"], 2, 3),
    ("p4.5", ["E_q[log p(z) - log q(z|x_i) + log p(x_i|z)] = E_q[log p(x_i|z)] - E_q[log q(z|x_i) - log p(z)]",
              "= E_q[log p(x_i|z)] - KL(q(z|x_i)||p(z)) = E_q[log p(x_i|z)] + H(q(z|x_i))"], 3, 2),
    ("p2.3b", ["Var(z_i) = Var(W_ij) Var(a_j)", "Var(W_ij) = 1/D_a"], 1, 1),
    ("p2.3b", ["Var(z_i) = D_a Var(W_ij) Var(a_j)", "Var(a_j) = Var(z_i) = D_a^2 Var(W_ij) Var(a_j)", "Var(W_ij) = 1/D_a"], 3, 2),
    ("p4.7", ["d/dtheta E[(theta + eps)^2] = E[(theta + eps)^2] = 2 theta"], 1, 1),
    ("p4.7", ["d/dtheta E[(theta + eps)^2]", "= E[2 (theta + eps)]", "= E[2 eps]", "= 2 theta"], 2, 3),
]


def grade(problem_set, part_id: str, raw) -> PartResult:
    problem, part = problem_set.find_part(part_id)
    submission = Submission("tester", problem_set.id, {part_id: raw})
    return grade_part(problem, part, default_variant(problem_set), raw, submission, ExpectedCache())


CASES = [(pid, k) for pid, answers in EQUIVALENT_NOTATIONS.items() for k in range(len(answers))]


def test_every_part_has_at_least_eight_notations():
    assert set(EQUIVALENT_NOTATIONS) == {"p4.3", "p4.4", "p4.5", "p4.6", "p2.3b", "p4.7"}
    for part_id, answers in EQUIVALENT_NOTATIONS.items():
        assert len(answers) >= 8, part_id
        assert any("\\" in str(a) for a in answers), f"{part_id} needs LaTeX forms"
        assert any("\\" not in str(a) for a in answers), f"{part_id} needs plain-text forms"


@pytest.mark.parametrize("part_id,index", CASES, ids=[f"{p}-{k}" for p, k in CASES])
def test_equivalent_notations_get_full_marks(problem_set, part_id, index):
    result = grade(problem_set, part_id, EQUIVALENT_NOTATIONS[part_id][index])
    assert result.status is Status.CORRECT, result.feedback
    assert result.score == result.max_score


@pytest.mark.parametrize("part_id,answer,mistake,words", MISCONCEPTION_ANSWERS,
                         ids=[f"{m[0]}-{m[2]}-{k}" for k, m in enumerate(MISCONCEPTION_ANSWERS)])
def test_each_misconception_gets_its_message(problem_set, part_id, answer, mistake, words):
    result = grade(problem_set, part_id, answer)
    assert result.misconception == mistake, result.feedback
    assert words in result.feedback[0]
    assert result.status in (Status.INCORRECT, Status.PARTIAL)


def test_issue_misconceptions_are_all_declared(problem_set):
    declared = {m.solver.name for _, part in problem_set.parts() for m in part.misconceptions}
    assert {"vae.mistake.jensen_wrong_direction", "vae.mistake.kl_added", "vae.mistake.sample_prior",
            "vae.mistake.log_of_sum_as_sum_of_logs", "vae.mistake.kl_swapped"} <= declared
    tested = {(p, m) for p, _, m, _ in MISCONCEPTION_ANSWERS}
    for _, part in problem_set.parts():
        if part.id in EQUIVALENT_NOTATIONS:
            for mistake in part.misconceptions:
                assert (part.id, mistake.id) in tested, f"{part.id}: {mistake.id} has no test"


@pytest.mark.parametrize("part_id,lines,step,line", BROKEN_DERIVATIONS,
                         ids=[f"{b[0]}-step{b[2]}-{k}" for k, b in enumerate(BROKEN_DERIVATIONS)])
def test_a_single_broken_step_is_reported_at_that_step(problem_set, part_id, lines, step, line):
    result = grade(problem_set, part_id, lines)
    assert result.status in (Status.PARTIAL, Status.INCORRECT), result.feedback
    reported = [f for f in result.feedback if "does not follow" in f]
    assert len(reported) == 1, result.feedback
    assert reported[0].startswith(f"Step {step} (line {line}:"), reported[0]


def test_broken_step_keeps_the_valid_prefix_and_the_result(problem_set):
    intact = grade(problem_set, "p4.4", JENSEN_STEPS)
    early = grade(problem_set, "p4.4", BROKEN_DERIVATIONS[0][1])
    late = grade(problem_set, "p4.4", BROKEN_DERIVATIONS[1][1])
    assert intact.score == 3
    assert early.score < late.score < intact.score
    # A "show that" question gives the result: a wrong step caps the credit at the valid prefix,
    # start 0.2 + one valid step of three (0.5 / 3), of 3 points, and the result earns nothing.
    assert late.score == pytest.approx(3 * (0.2 + 0.5 / 3))
    assert any("earns no points" in line for line in late.feedback)


def test_feedback_explains_an_equality_that_only_holds_at_the_posterior(problem_set):
    result = grade(problem_set, "p4.4", [*JENSEN_STEPS[:3], "= sum_i E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]"])
    text = " ".join(result.feedback)
    assert "this step claims equality, but the two sides differ when q(z|x) is not the posterior p(z|x)" in text


def test_inequality_direction_is_checked(problem_set):
    wrong = grade(problem_set, "p4.4", [*JENSEN_STEPS[:3], "<= " + JENSEN_STEPS[3][3:]])
    text = " ".join(wrong.feedback)
    assert "this step claims ≤, but the inequality goes the other way" in text
    assert "the question asks to show ≥" in text
    mixed = grade(problem_set, "p4.4", [
        JENSEN_STEPS[0], ">= " + JENSEN_STEPS[3][3:].split("#")[0],
        "<= sum_i log p(x_i)", ">= " + JENSEN_STEPS[3][3:].split("#")[0]])
    assert mixed.status is not Status.CORRECT
    assert any("mixes ≥ and ≤" in f for f in mixed.feedback)


def test_copied_statement_earns_only_the_result_share(problem_set):
    statement = ("sum_{i=1}^N log p_theta(x_i) >= sum_{i=1}^N E_{q(z|x_i)}[log p_Z(z) - log q(z|x_i) "
                 "+ log p_theta(x_i|z)]")
    result = grade(problem_set, "p4.4", statement)
    assert result.status is Status.PARTIAL and result.score == pytest.approx(3 * 0.3)
    assert "only 1 step" in result.feedback[0] and "at least 2 steps" in result.feedback[0]
    # The result alone, given by the question, is no chain of steps: it earns nothing.
    elbo_only = grade(problem_set, "p4.5", "E_q[log p(x_i|z)] - KL(q(z|x_i) || p(z))")
    assert elbo_only.status is Status.INCORRECT and elbo_only.score == 0
    final_only = grade(problem_set, "p2.3b", "1/D_a")
    assert final_only.status is Status.PARTIAL and final_only.score == pytest.approx(1.5)
    assert "Your final expression is right" in final_only.feedback[1]


def test_optional_steps_are_checked_when_given(problem_set):
    assert grade(problem_set, "p4.7", "2 theta").score == 2
    broken = grade(problem_set, "p4.7", BROKEN_DERIVATIONS[-1][1])
    assert broken.status is Status.PARTIAL and broken.score == pytest.approx(2 * (0.3 / 3 + 0.7))


def test_undecidable_steps_go_to_a_person_not_to_zero(problem_set):
    result = grade(problem_set, "p4.7", ["d/dtheta E[exp(theta + eps)] = E[exp(theta + eps)]", "= 2 theta"])
    assert result.status is Status.NEEDS_REVIEW
    assert any("a person will look" in f for f in result.feedback)
    unreadable = grade(problem_set, "p2.3b", ["Var(z_i) = Var(Σ_j W_ij a_j) ≐ D_a Var(W_ij) Var(a_j)",
                                               "Var(W_ij) = 1/D_a"])
    assert unreadable.status is Status.NEEDS_REVIEW


def test_the_derivation_starts_where_the_question_starts(problem_set):
    result = grade(problem_set, "p4.4", ["sum_i log sum_z p(x_i|z)", *JENSEN_STEPS[1:]])
    # The first step from the wrong start does not follow, so no valid chain reaches the
    # given result: nothing is earned.
    assert result.status is Status.INCORRECT
    assert any("Your first line is not the expression the derivation starts from" in f for f in result.feedback)


FORBIDDEN_INPUTS = {
    "dunder_import_line": ["sum_i log p(x_i)", "= __import__('os').system('id')"],
    "class_escape": "().__class__.__bases__[0]",
    "lambda": ["lambda: 0"],
    "power_tower": ["p(z)", "= 2^2^2^2^2"],
    "too_many_lines": ["p(z)"] * 500,
    "nested_list": [["p(z)"], ["= p(z)"]],
    "mapping": {"step": "p(z)"},
    "hundred_thousand_chars": "p(z) + " * 15_000,
    "nested_parens_5000": "(" * 5000 + "p(z)" + ")" * 5000,
    "first_line_relation": ["= log p(x_i)"],
}


@pytest.mark.parametrize("name", sorted(FORBIDDEN_INPUTS))
@pytest.mark.parametrize("part_id", ["p4.4", "p2.3b"])
def test_hostile_derivations_are_refused(problem_set, part_id, name):
    kind = KINDS["derivation"]
    _, part = problem_set.find_part(part_id)
    started = time.perf_counter()
    value = kind.parse(FORBIDDEN_INPUTS[name], kind.options(part.options))
    assert isinstance(value, InvalidAnswer) and value.message
    assert time.perf_counter() - started < 5.0
    result = grade(problem_set, part_id, FORBIDDEN_INPUTS[name])
    assert result.status in (Status.INVALID, Status.MISSING) or result.score == 0


def test_reference_derivations_read_back_as_correct(problem_set):
    from grader.engine import compute_expected
    from grader.solvers.registry import grading_with

    for part_id in ("p4.4", "p4.5", "p2.3b", "p4.7"):
        problem, part = problem_set.find_part(part_id)
        kind = KINDS[part.kind]
        options = kind.options(part.options)
        expected = compute_expected(default_variant(problem_set), problem, part, part.solver)
        # Outside the engine, the kind is told which set's solvers its `facts:` option names.
        with grading_with(problem.solvers):
            assert kind.accepts_expected(expected, options).is_full, part_id
            assert kind.compare(kind.parse(kind.render(expected), options), expected, options).is_full, part_id


SLOW_REGEX_BAIT = [
    "a ~ N(0, " + " " * 4990,
    " " * 4999 + "~",
    "E" + " " * 4990,
    "(" + " by a" * 900,
    " (" + "a " * 2400 + ")",
    "\\quad" * 900,
    "\\text{" + "(" * 2000,
    "(" * 2400 + ")" * 2400,
]


@pytest.mark.parametrize("index", range(len(SLOW_REGEX_BAIT)))
@pytest.mark.parametrize("part_id", ["p4.4", "p2.3b", "p4.7"])
def test_line_splitting_takes_linear_time_on_adversarial_lines(problem_set, part_id, index):
    kind = KINDS["derivation"]
    _, part = problem_set.find_part(part_id)
    started = time.perf_counter()
    kind.parse(["log p(x_i)", SLOW_REGEX_BAIT[index]], kind.options(part.options))
    assert time.perf_counter() - started < 3.0


STEP_TOKENS = st.sampled_from([
    "Var(", "z_i", "W_ij", "a_j", ")", "=", ">=", " ", "D_a", "1/", "sum_j", "E[", "]", "d/dtheta", "theta",
    "eps", "^2", "+", "-", "(", "# Jensen", "(Jensen)", "\\frac{d}{d\\theta}", "\\mathbb{E}_q", "log", "p(x_i|z)",
    "q(z|x_i)", "KL(q||p)", "~", "N(0,", "\\\\", "\n", "&", "\\text{(", "by",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(STEP_TOKENS, max_size=12).map("".join), min_size=1, max_size=4))
def test_derivation_parse_and_compare_never_raise(problem_set, lines):
    kind = KINDS["derivation"]
    for part_id in ("p4.4", "p2.3b", "p4.7"):
        _, part = problem_set.find_part(part_id)
        options = kind.options(part.options)
        value = kind.parse(lines, options)
        if not isinstance(value, InvalidAnswer):
            result = grade(problem_set, part_id, lines)
            assert "could not check this answer" not in " ".join(result.feedback), result.feedback
