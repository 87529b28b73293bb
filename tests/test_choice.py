"""The choice kind inside a set: written answers, per-choice feedback, partial credit, shuffling."""

from __future__ import annotations

from grader.kinds import KINDS
from grader.kinds.choice import choice_order
from grader.spec import load_problem_set
from grader.template import answer_template
from grader.variants import variant_for
from tests.test_set_solvers import grade_answers, make_set

PARTS = """\
- id: act
  prompt: Which activation saturates for large inputs?
  points: 1
  kind: choice
  options:
    choices: {a: ReLU, b: sigmoid, c: identity, d: leaky ReLU}
    shuffle: true
    feedback: {a: "ReLU grows without bound for large inputs.", c: "The identity never saturates."}
  answer: b
  tests:
    - {answer: b, status: correct}
    - {answer: a, status: incorrect, feedback_contains: without bound}
    - {answer: e, status: invalid}
- id: reg
  prompt: Which of these regularise a network?
  points: 2
  kind: choice
  options:
    choices: {a: weight decay, b: dropout, c: a larger learning rate}
    multiple: true
    partial_credit: true
  answer: "[a, b]"
  tests:
    - {answer: [b, a], status: correct, score: 2}
    - {answer: a, status: partial, score: 1}
    - {answer: "a, c", status: incorrect, score: 0}
"""


def test_choice_parts_grade_by_key(tmp_path):
    folder = make_set(tmp_path / "c", "c", None, PARTS)
    problem_set = load_problem_set(folder)
    results = grade_answers(problem_set, {"act": "B", "reg": ["a", "b"]})
    assert [r.status.value for r in results.values()] == ["correct", "correct"]
    results = grade_answers(problem_set, {"act": "c", "reg": "b"})
    assert results["act"].status.value == "incorrect"
    assert results["act"].feedback[0] == "The identity never saturates."
    assert results["reg"].status.value == "partial" and results["reg"].score == 1.0
    from grader.api import validate

    result = validate(folder, variants=0)
    assert result.ok, result.errors
    assert result.tests_run == 6


def test_shuffle_orders_choices_per_variant_but_grading_is_by_key(tmp_path):
    folder = make_set(tmp_path / "s", "s", None, PARTS)
    (folder / "set.yaml").write_text((folder / "set.yaml").read_text() + "variants: {enabled: true}\n")
    problem_set = load_problem_set(folder)
    kind = KINDS["choice"]
    _, part = problem_set.find_part("act")
    options = kind.options(part.options)
    orders = {tuple(choice_order(options, variant_for(problem_set, f"st{i}").key, "act")) for i in range(12)}
    assert len(orders) > 1  # students see different orders
    assert all(sorted(order) == ["a", "b", "c", "d"] for order in orders)
    for i in range(4):
        variant = variant_for(problem_set, f"st{i}")
        text = answer_template(problem_set, variant, f"st{i}")
        shown = [line.split(")")[0].strip("# ").strip() for line in text.splitlines() if line.startswith("#     ")]
        assert shown[:4] == choice_order(options, variant.key, "act")
    # the same key is right for everyone, whatever the order shown
    assert grade_answers(problem_set, {"act": "b"})["act"].status.value == "correct"


def test_choice_options_are_checked():
    kind = KINDS["choice"]
    import pytest

    with pytest.raises(ValueError):
        kind.options({"choices": {"a": "x", "A": "y"}})
    with pytest.raises(ValueError):
        kind.options({"choices": {"a": "x", "b": "y"}, "feedback": {"c": "no such choice"}})
