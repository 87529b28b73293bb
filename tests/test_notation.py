"""A set declares the letters of its latent-variable model; the tutorial's are the default."""

from __future__ import annotations

import textwrap

import pytest

from grader.api import validate
from grader.errors import SpecInvalid
from grader.spec import load_problem_set
from tests.test_set_solvers import grade_answers

PARTS = """\
schema_version: 1
id: q
title: Q
parts:
  - id: ll
    prompt: The log-likelihood
    points: 1
    kind: probability
    answer: "sum_{i=1}^N log sum_h p(y_i|h) p(h)"
    tests:
      - {answer: "sum_i log sum_h p(y_i|h) p(h)", status: correct}
      - {answer: "sum_i sum_h log(p(y_i|h) p(h))", status: incorrect}
      - {answer: "sum_i log sum_z p(x_i|z) p(z)", status: invalid, feedback_contains: "writes 'h'"}
  - id: enc
    prompt: Which distribution is h sampled from during training?
    points: 1
    kind: probability
    answer: "r(h|y_i)"
    tests:
      - {answer: "h ~ r(h|y_i)", status: correct}
      - {answer: "p(h)", status: incorrect}
"""


def make(tmp_path, names: str):
    folder = tmp_path / "nt"
    folder.mkdir()
    (folder / "set.yaml").write_text(
        f"schema_version: 1\nid: nt\ntitle: N\nproblems: [p.yaml]\nprobability: {names}\n", encoding="utf-8"
    )
    (folder / "p.yaml").write_text(PARTS, encoding="utf-8")
    return folder


def test_a_set_reads_and_shows_its_own_letters(tmp_path):
    folder = make(tmp_path, "{observed: y, latent: h, model: p, approximation: r}")
    result = validate(folder, variants=0)
    assert result.ok, result.errors
    assert result.tests_run == 5
    results = grade_answers(load_problem_set(folder), {"ll": "sum_i log sum_h p(y_i|h) p(h) + 1", "enc": "r(h|y_i)"})
    assert results["enc"].status.value == "correct"
    assert results["ll"].status.value == "incorrect"
    feedback = " ".join(results["ll"].feedback)
    assert "values of h" in feedback and "r(h|y)" in feedback and "z" not in feedback.replace("posterior", "")


def test_the_tutorial_letters_stay_the_default(tmp_path, problem_set):
    results = grade_answers(problem_set, {"p4.3": "sum_{i=1}^N log sum_z p_theta(x_i|z) p(z)"})
    assert results["p4.3"].status.value == "correct"
    # Another set's letters do not leak into the tutorial once that set has been graded.
    folder = make(tmp_path, "{observed: y, latent: h, model: p, approximation: r}")
    grade_answers(load_problem_set(folder), {"ll": "sum_i log sum_h p(y_i|h) p(h)"})
    assert grade_answers(problem_set, {"p4.3": "sum_i log sum_z p(x_i|z) p(z)"})["p4.3"].status.value == "correct"


@pytest.mark.parametrize("names", ["{observed: y, latent: y}", "{latent: E}", "{observed: yy}"])
def test_letters_are_checked(tmp_path, names):
    with pytest.raises(SpecInvalid, match="probability"):
        load_problem_set(make(tmp_path, names))
    assert textwrap is not None
