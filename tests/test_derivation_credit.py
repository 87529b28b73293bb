"""A "show that" derivation (the question gives the result) earns the result's share only for a
chain of valid steps that reaches it; a wrong step caps the credit at the valid prefix."""

from __future__ import annotations

import pytest

from grader.answers import Submission
from grader.engine import ExpectedCache, grade_part
from grader.kinds import Status
from grader.variants import default_variant

J = [
    "sum_{i=1}^N log p_theta(x_i)",
    "= sum_i log sum_z q(z|x_i) p_theta(x_i|z) p_Z(z) / q(z|x_i)",
    "= sum_i log E_{q(z|x_i)}[ p_theta(x_i|z) p_Z(z) / q(z|x_i) ]",
    ">= sum_i E_{q(z|x_i)}[ log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z) ]   # Jensen",
]
E = [
    "E_{q(z|x_i)}[ log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z) ]",
    "= E_q[ log p_theta(x_i|z) ] - E_q[ log q(z|x_i) - log p_Z(z) ]",
    "= E_q[ log p_theta(x_i|z) ] - KL(q(z|x_i) || p_Z(z))",
]
SUM_OF_LOGS = "= sum_i E_q[ log p(z) - log q(z|x_i) + log p(x_i|z) ]"

# (part, answer, valid steps before the first wrong one, explicit steps); every answer ends on
# the result the question gives.
BROKEN_TO_THE_GIVEN_RESULT = [
    ("p4.4", [*J[:3], SUM_OF_LOGS], 2, 3),                            # log of a sum as a sum of logs
    ("p4.4", [*J[:3], J[3].replace(">=", "<=")], 2, 3),               # Jensen the wrong way
    ("p4.4", [J[0], "= sum_i log sum_z q(z|x_i) p(x_i|z) p(z)", *J[2:]], 0, 3),
    ("p4.4", [*J[:2], "= sum_i log E_q[p(x_i|z) p(z)]", J[3]], 1, 3),
    ("p4.4", [J[0], "= sum_i sum_z log( p(x_i|z) p(z) )", J[3]], 0, 2),
    ("p4.4", [*J[:2], "= sum_i sum_z log( q(z|x_i) p(x_i|z) p(z) / q(z|x_i) )", J[3]], 1, 3),
    ("p4.5", [E[0], "= E_q[log p(x_i|z)] - E_q[log q(z|x_i) + log p(z)]", E[2]], 0, 2),
    ("p4.5", [E[0], "= E_q[log p_theta(x_i|z)] - E_q[log p_Z(z) - log q(z|x_i)]", E[2]], 0, 2),
    ("p4.5", [E[0], "= E_q[log p(x_i|z)] + E_q[log q(z|x_i) - log p(z)]", E[2]], 0, 2),
]


def grade(problem_set, part_id, raw):
    problem, part = problem_set.find_part(part_id)
    submission = Submission("tester", problem_set.id, {part_id: raw})
    return grade_part(problem, part, default_variant(problem_set), raw, submission, ExpectedCache())


def shares(problem_set, part_id):
    _, part = problem_set.find_part(part_id)
    credit = part.options["credit"]
    total = credit["start"] + credit["steps"] + credit["result"]
    return part.points, credit["start"] / total, credit["steps"] / total, credit["result"] / total


@pytest.mark.parametrize(("part_id", "answer", "valid", "steps"), BROKEN_TO_THE_GIVEN_RESULT)
def test_a_wrong_step_caps_the_credit_at_the_valid_prefix(problem_set, part_id, answer, valid,
                                                          steps):
    points, start, per_steps, _ = shares(problem_set, part_id)
    result = grade(problem_set, part_id, answer)
    assert result.score == pytest.approx(points * (start + per_steps * valid / steps)), \
        result.feedback
    assert result.status is not Status.CORRECT


@pytest.mark.parametrize(("part_id", "answer"), [("p4.4", J), ("p4.5", E)])
def test_a_valid_chain_to_the_given_result_earns_everything(problem_set, part_id, answer):
    result = grade(problem_set, part_id, answer)
    assert result.status is Status.CORRECT


def test_the_result_alone_is_no_chain(problem_set):
    for part_id, last in (("p4.5", E[2].lstrip("= ")), ("p4.4", J[3].lstrip(">= ").split("#")[0])):
        result = grade(problem_set, part_id, last)
        assert result.score == 0, (part_id, result.feedback)


def test_where_the_result_is_not_given_it_keeps_its_share(problem_set):
    # p2.3b asks to derive Var(W_ij): the final value is found, not given, and earns its share.
    points, _, _, result_share = shares(problem_set, "p2.3b")
    broken = grade(problem_set, "p2.3b", ["Var(z_i) = D_a Var(W_ij) Var(a_j)",
                                          "Var(a_j) = Var(z_i) = D_a^2 Var(W_ij) Var(a_j)",
                                          "Var(W_ij) = 1/D_a"])
    assert broken.score >= points * result_share


XAVIER = ["Var(z_i) = D_a Var(W_ij) Var(a_j)", "Var(a_j) = Var(z_i) = D_a Var(W_ij) Var(a_j)"]


@pytest.mark.parametrize("last", ["N(0, 1/D_a)", r"\mathcal{N}\left(0, \frac{1}{D_a}\right)",
                                  "W_ij ~ N(0, 1/D_a)", "Var(W_ij) = 1/D_a"])
def test_a_variance_given_as_its_distribution_is_read_as_the_variance(problem_set, last):
    assert grade(problem_set, "p2.3b", [*XAVIER, last]).status is Status.CORRECT


@pytest.mark.parametrize("last", ["N(0, 2/D_a)", "N(1, 1/D_a)"])
def test_a_wrong_distribution_is_not_the_variance(problem_set, last):
    assert grade(problem_set, "p2.3b", [*XAVIER, last]).status is not Status.CORRECT
