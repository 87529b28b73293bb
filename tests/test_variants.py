"""Per-student variants: deterministic, off by default, rendered in prompts, graded correctly."""

from __future__ import annotations

import shutil

import pytest
import yaml

from grader.api import check_file, template
from grader.engine import compute_expected
from grader.kinds import KINDS, Status
from grader.spec import load_problem_set
from grader.variants import default_variant, render_prompt, variant_for
from tests.conftest import SET_DIR, as_typed, plain


@pytest.fixture()
def varied_set(tmp_path):
    target = tmp_path / "varied"
    shutil.copytree(SET_DIR, target)
    text = (target / "set.yaml").read_text().replace("enabled: false", "enabled: true")
    (target / "set.yaml").write_text(text)
    return target


def test_variants_off_means_tutorial_numbers_for_everyone(problem_set):
    assert variant_for(problem_set, "alice") == default_variant(problem_set)
    assert default_variant(problem_set).params["p1"]["H"] == problem_set.problems[0].parameters["H"].default


def test_variant_is_deterministic_and_differs_between_students(varied_set):
    ps = load_problem_set(varied_set)
    a1, a2 = variant_for(ps, "alice"), variant_for(ps, "alice")
    assert a1 == a2 and not a1.is_default
    others = {variant_for(ps, f"student{i}").key for i in range(20)}
    assert len(others) == 20
    params = [variant_for(ps, f"student{i}").params["p3"]["X"] for i in range(5)]
    assert len({str(p) for p in params}) == 5


def test_seed_changes_variants(varied_set):
    ps = load_problem_set(varied_set)
    before = variant_for(ps, "alice").params
    text = (varied_set / "set.yaml").read_text().replace("seed: 20261125", "seed: 7")
    (varied_set / "set.yaml").write_text(text)
    assert variant_for(load_problem_set(varied_set), "alice").params != before


def test_prompt_renders_the_variant_numbers(varied_set):
    ps = load_problem_set(varied_set)
    variant = variant_for(ps, "zoe")
    problem, part = ps.find_part("p1.1a")
    params = variant.params[problem.id]
    prompt = render_prompt(part.prompt, params)
    assert f"{params['H']}x{params['W']}x{params['C']} image" in prompt
    assert "{" not in prompt


def test_template_then_reference_answers_grade_correct_for_a_variant(varied_set, tmp_path):
    ps = load_problem_set(varied_set)
    text = template(varied_set, "zoe")
    data = yaml.safe_load(text)
    assert data["student"] == "zoe" and set(ps.part_ids()) <= set(data)
    variant = variant_for(ps, "zoe")
    assert f"variant {variant.key}" in text
    for problem, part in ps.parts():
        if part.kind in KINDS and part.solver is not None:
            data[part.id] = as_typed(KINDS[part.kind], compute_expected(variant, problem, part, part.solver))
    path = tmp_path / "zoe.yaml"
    path.write_text(yaml.safe_dump(data))
    report = check_file(path, varied_set)
    assert report.variant == variant.key
    answered = [p for p in report.parts if data.get(p.id) is not None]
    assert len(answered) >= 20
    assert all(p.status is Status.CORRECT for p in answered), [(p.id, p.feedback) for p in answered if p.status is not Status.CORRECT]


def test_default_answers_are_wrong_for_a_different_variant(varied_set, tmp_path, problem_set):
    ps = load_problem_set(varied_set)
    variant = variant_for(ps, "zoe")
    problem, part = ps.find_part("p3.1")
    default_answer = compute_expected(default_variant(ps), problem, part, part.solver)
    path = tmp_path / "zoe.yaml"
    path.write_text(yaml.safe_dump({"student": "zoe", "problem_set": "mlp_cnn", "p3.1": plain(default_answer)}))
    result = next(p for p in check_file(path, varied_set).parts if p.id == "p3.1")
    assert variant.params["p3"]["X"] != default_variant(ps).params["p3"]["X"]
    assert result.status is Status.INCORRECT


@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
def test_template_formats_are_read_back(fmt, tmp_path, problem_set):
    from grader.answers import read_submission

    path = tmp_path / f"t.{fmt}"
    path.write_text(template(SET_DIR, "sam", fmt))
    submission = read_submission(path)
    assert submission.student == "sam" and submission.problem_set == "mlp_cnn"
    assert set(problem_set.part_ids()) <= set(submission.answers)


def test_symbolic_solvers_follow_the_variant_constants(varied_set):
    import sympy as sp

    from grader.answers import Submission
    from grader.engine import grade

    ps = load_problem_set(varied_set)
    problem, part = ps.find_part("p4.7")
    seen = set()
    for i in range(30):
        variant = variant_for(ps, f"student{i}")
        std, power = variant.params["p4"]["RP_STD"], variant.params["p4"]["RP_POWER"]
        seen.add((std, power))
        expected = compute_expected(variant, problem, part, part.solver)
        theta = sp.Symbol("theta", real=True)
        # d/dtheta E[(theta + std*eps)^power], from the moments of N(0, 1): E[eps^2] = 1, odd ones 0.
        by_hand = {2: 2 * theta, 3: 3 * theta**2 + 3 * std**2}[power]
        assert sp.simplify(expected - by_hand) == 0
        report = grade(ps, variant, Submission(f"student{i}", ps.id, {"p4.7": str(by_hand)}))
        assert next(p for p in report.parts if p.id == "p4.7").status is Status.CORRECT
        assert f"N(theta, {std}^2)" in render_prompt(part.prompt, variant.params["p4"])
    assert len(seen) > 2
