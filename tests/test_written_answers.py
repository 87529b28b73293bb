"""Written answers (`answer: "..."`) and question tests (`tests:`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.api import question_tests, validate
from grader.errors import SpecInvalid
from grader.spec import load_problem_set
from tests.test_set_solvers import grade_answers, make_set

PARAMS = """\
parameters:
  H: {default: 32, vary: {choices: [28, 32, 48]}}
  F: {default: 5}
  P: {default: 0}
  S: {default: 1}
  K: {default: 6}
  alpha: {default: 0.1}
"""

PARTS = """\
- id: size
  prompt: Output height of a {F}x{F} convolution on {H}x{H}?
  points: 1
  kind: integer
  answer: "(H - F + 2*P)/S + 1"
  misconceptions:
    - id: no_plus_one
      answer: "(H - F + 2*P)/S"
      feedback: Count the positions, including the first one.
  tests:
    - {answer: 28, status: correct, score: 1}
    - {answer: 27, status: incorrect, feedback_contains: positions}
    - {answer: "{H}", status: incorrect}
    - {answer: "many", status: invalid}
- id: shape
  prompt: Output shape?
  points: 2
  kind: shape
  answer: "[H - F + 1, H - F + 1, K]"
  tests:
    - {answer: "28x28x6", status: correct, score: 2}
    - {answer: [28, 28, 3], status: incorrect}
- id: deriv
  prompt: d/dx tanh(x)
  points: 1
  kind: expression
  options: {variables: {x: real}}
  answer: "1 - tanh(x)^2"
  tests:
    - {answer: "sech(x)^2", status: correct}
    - {answer: "1 - tanh(x)", status: incorrect}
- id: leaky
  prompt: Leaky ReLU with slope {alpha}
  points: 1
  kind: function
  options: {variables: {x: real}}
  answer: "x if x > 0 else alpha*x"
  tests:
    - {answer: "max(x, 0.1*x)", status: correct}
    - {answer: "max(0, x)", status: incorrect}
- id: mat
  prompt: A matrix
  points: 1
  kind: matrix
  answer: "[[0, 1], [2, H - 29]]"
  tests:
    - {answer: [[0, 1], [2, 3]], status: correct}
    - {answer: "0 1; 2 4", status: incorrect}
"""


@pytest.fixture()
def written_set(tmp_path: Path) -> Path:
    return make_set(tmp_path / "w", "w", None, PARTS, parameters=PARAMS)


def test_written_answers_grade_like_solvers(written_set):
    problem_set = load_problem_set(written_set)
    results = grade_answers(problem_set, {
        "size": 28, "shape": [28, 28, 6], "deriv": "sech(x)^2", "leaky": "max(x, x/10)", "mat": [[0, 1], [2, 3]],
    })
    assert {k: r.status.value for k, r in results.items()} == dict.fromkeys(results, "correct")
    wrong = grade_answers(problem_set, {"size": 27, "shape": [28, 28, 5], "deriv": "tanh(x)^2",
                                        "leaky": "max(x, x/5)", "mat": [[0, 1], [2, 4]]})
    assert {k: r.status.value for k, r in wrong.items()} == dict.fromkeys(wrong, "incorrect")
    assert wrong["size"].misconception == "no_plus_one"


def test_a_written_answer_follows_the_variant(written_set):
    from grader.engine import ExpectedCache, compute_expected
    from grader.variants import variant_for

    problem_set = load_problem_set(written_set)
    problem, part = problem_set.find_part("size")
    seen = set()
    for i in range(12):
        variant = variant_for(problem_set, f"s{i}", force=True)
        height = variant.params["q"]["H"]
        assert compute_expected(variant, problem, part, part.solver) == height - 4
        seen.add(height)
    assert len(seen) > 1
    assert ExpectedCache() is not None


def test_question_tests_pass_and_validate_counts_them(written_set):
    result = validate(written_set, variants=5)
    assert result.ok, result.errors
    assert result.tests_run == 12  # variants are off: the default variant only
    outcomes = question_tests(written_set)
    assert len(outcomes) == 12 and all(o.passed for o in outcomes)


def test_with_variants_on_tests_also_run_on_random_variants(written_set):
    set_file = written_set / "set.yaml"
    set_file.write_text(set_file.read_text() + "variants: {enabled: true, seed: 3}\n", encoding="utf-8")
    outcomes = question_tests(written_set, variants=3)
    assert all(o.passed for o in outcomes), [o.describe() for o in outcomes if not o.passed]
    random = {(o.part, o.index) for o in outcomes if o.variant != "default"}
    # `{H}` follows the variant; the parts that do not use H run everywhere; a fixed number
    # for a part that depends on H runs on the default variant only.
    assert ("size", 3) in random and ("deriv", 1) in random and ("leaky", 2) in random
    assert ("size", 1) not in random and ("mat", 1) not in random


def test_a_test_expecting_the_wrong_status_fails_validate_and_is_named(written_set, tmp_path):
    problem = written_set / "problem.yaml"
    problem.write_text(problem.read_text().replace(
        "- {answer: 27, status: incorrect, feedback_contains: positions}",
        "- {answer: 27, status: correct}"), encoding="utf-8")
    result = validate(written_set, variants=0)
    assert not result.ok
    assert any(e.startswith("size: test 2 (answer 27") and "expected correct, got incorrect" in e
               for e in result.errors), result.errors
    cli = subprocess.run([sys.executable, "-m", "grader", "validate", str(written_set), "--variants", "0"],
                         capture_output=True, text=True)
    assert cli.returncode == 1
    assert "size: test 2" in cli.stderr
    table = subprocess.run([sys.executable, "-m", "grader", "test", str(written_set), "--part", "size"],
                           capture_output=True, text=True)
    assert table.returncode == 1
    assert "FAIL" in table.stdout and "pass" in table.stdout
    assert "deriv" not in table.stdout


def test_feedback_and_score_expectations_are_checked(written_set):
    problem = written_set / "problem.yaml"
    problem.write_text(problem.read_text().replace(
        "- {answer: 28, status: correct, score: 1}", "- {answer: 28, status: correct, score: 0.5}").replace(
        "feedback_contains: positions", "feedback_contains: nowhere to be seen"), encoding="utf-8")
    failures = [o for o in question_tests(written_set) if not o.passed]
    reasons = sorted(o.reason for o in failures)
    assert reasons == ["expected 0.5 point(s), got 1", "no feedback line contains 'nowhere to be seen'"]


@pytest.mark.parametrize(("answer", "message"), [
    ('"(H - F + 2*P/S + 1"', "problem.yaml:"),
    ('"(H - G)/S + 1"', "unknown name 'G'"),
    ('"H / 3"', "not a whole number"),
])
def test_a_written_answer_that_does_not_read_is_an_error_with_file_and_line(tmp_path, answer, message):
    parts = PARTS.replace('answer: "(H - F + 2*P)/S + 1"', f"answer: {answer}")
    folder = make_set(tmp_path / "bad", "bad", None, parts, parameters=PARAMS)
    with pytest.raises(SpecInvalid) as err:
        load_problem_set(folder)
    text = str(err.value)
    assert message in text
    assert f"problem.yaml:{PARAMS.count(chr(10)) + 3 + 6}: part size: answer" in text  # the `answer:` line


def test_a_part_gives_either_a_solver_or_an_answer(tmp_path):
    parts = PARTS.replace('  answer: "(H - F + 2*P)/S + 1"', '  answer: "(H - F + 2*P)/S + 1"\n  solver: {name: x}')
    with pytest.raises(SpecInvalid, match="either 'solver' or 'answer'"):
        load_problem_set(make_set(tmp_path / "both", "both", None, parts, parameters=PARAMS))


def test_a_written_answer_is_never_evaluated_as_python(tmp_path):
    parts = PARTS.replace('answer: "(H - F + 2*P)/S + 1"', 'answer: "__import__(\'os\').system(\'echo hacked\')"')
    with pytest.raises(SpecInvalid):
        load_problem_set(make_set(tmp_path / "py", "py", None, parts, parameters=PARAMS))
    assert textwrap is not None
