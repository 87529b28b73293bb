"""`grader check` end to end: correct answers, each misconception's message, bad input."""

from __future__ import annotations

import json

import pytest

from grader.api import check_file
from grader.engine import compute_expected
from grader.kinds import KINDS, Status
from grader.variants import default_variant, render_prompt
from tests.conftest import EXAMPLES, SET_DIR, as_typed, run_cli, write_answers

NUMERIC_KINDS = {"integer", "number", "shape", "matrix"}


def graded_parts(problem_set):
    """The numeric parts (formula, text and derivation parts have tests of their own)."""
    return [(pr, pa) for pr, pa in problem_set.parts() if pa.kind in NUMERIC_KINDS]


def reference_answers(problem_set, variant=None):
    variant = variant or default_variant(problem_set)
    return {
        part.id: as_typed(KINDS[part.kind], compute_expected(variant, problem, part, part.solver))
        for problem, part in graded_parts(problem_set)
    }


def test_correct_numeric_answers_are_correct(tmp_path, problem_set):
    answers = reference_answers(problem_set)
    assert set(answers) >= {"p1.1a", "p1.1b", "p1.1c.shape", "p1.1c.params", "p1.1d.shape", "p1.3b", "p3.1", "p3.3"}
    report = check_file(write_answers(tmp_path / "a.yaml", answers), SET_DIR)
    by_id = {p.id: p for p in report.parts}
    for part_id in answers:
        assert by_id[part_id].status is Status.CORRECT, (part_id, by_id[part_id].feedback)
        assert by_id[part_id].score == by_id[part_id].max_score


def test_a_kind_without_an_implementation_is_not_graded_never_wrong(tmp_path, monkeypatch):
    import grader.kinds as kinds

    monkeypatch.delitem(kinds.KINDS, "function")
    report = check_file(write_answers(tmp_path / "a.yaml", {"p1.6.relu": "max(0, x)"}), SET_DIR)
    part = next(p for p in report.parts if p.id == "p1.6.relu")
    assert part.status is Status.NOT_GRADED and part.score == 0
    assert "not graded automatically yet" in part.feedback[0]


class _Unexpected(ArithmeticError):
    """An exception whose name must never reach a student."""


@pytest.mark.parametrize("where", ["kind", "solver"])
def test_a_crash_inside_a_part_goes_to_a_person_without_the_exception_name(tmp_path, monkeypatch, where):
    import grader.engine as engine
    import grader.kinds as kinds

    def crash(*args, **kwargs):
        raise _Unexpected("internal detail")

    if where == "kind":
        monkeypatch.setattr(kinds.KINDS["function"], "compare", crash)
    else:
        monkeypatch.setattr(engine.ExpectedCache, "get", crash)
    report = check_file(write_answers(tmp_path / "a.yaml", {"p1.6.relu": "max(0, x)"}), SET_DIR)
    part = next(p for p in report.parts if p.id == "p1.6.relu")
    shown = " ".join(part.feedback)
    assert part.status is Status.NEEDS_REVIEW and "a person will grade" in shown
    assert "_Unexpected" not in shown and "internal detail" not in shown


MISCONCEPTIONS = [
    (part_id, mistake_id)
    for part_id, mistake_id in [
        ("p1.1a", "depth_is_input_channels"), ("p1.1a", "off_by_one_small"), ("p1.1a", "off_by_one_large"),
        ("p1.1a", "no_size_reduction"), ("p1.1b", "padding_once"), ("p1.1b", "padding_ignored"),
        ("p1.1b", "depth_is_input_channels"), ("p1.1b", "off_by_one_small"),
        ("p1.1c.shape", "single_filter_depth"), ("p1.1c.shape", "depth_is_input_channels"),
        ("p1.1c.shape", "padding_ignored"), ("p1.1c.shape", "padding_once"),
        ("p1.1c.params", "without_channels"), ("p1.1c.params", "with_bias"), ("p1.1c.params", "one_filter"),
        ("p1.1c.params", "output_volume"), ("p1.1d.shape", "spatial_collapses"), ("p1.1d.shape", "padded_again"),
        ("p1.1d.shape", "shrinks"), ("p1.3b", "computed_as_convolution"), ("p1.3b", "kernel_flipped"),
        ("p1.3b", "elementwise"), ("p3.1", "keeps_negatives"), ("p3.1", "absolute_value"),
        ("p3.3", "passes_everything"), ("p3.3", "sign_of_upstream"), ("p3.3", "mask_inverted"),
        ("p3.3", "times_input"), ("p3.3", "returns_forward"),
        ("p1.1a", "channels_first"), ("p1.1b", "channels_first"), ("p1.1c.shape", "channels_first"),
    ]
]


def test_misconception_table_covers_the_spec(problem_set):
    declared = {(pa.id, m.id) for _, pa in graded_parts(problem_set) for m in pa.misconceptions}
    assert declared == set(MISCONCEPTIONS)
    assert all(pa.misconceptions for _, pa in graded_parts(problem_set)), "every numeric part has misconceptions"


@pytest.mark.parametrize("part_id,mistake_id", MISCONCEPTIONS)
def test_each_misconception_gets_its_message(tmp_path, problem_set, part_id, mistake_id):
    problem, part = problem_set.find_part(part_id)
    mistake = next(m for m in part.misconceptions if m.id == mistake_id)
    variant = default_variant(problem_set)
    wrong = as_typed(KINDS[part.kind], compute_expected(variant, problem, part, mistake.solver))
    report = check_file(write_answers(tmp_path / "a.yaml", {part_id: wrong}), SET_DIR)
    result = next(p for p in report.parts if p.id == part_id)
    assert result.misconception == mistake_id
    # A misconception earns its declared credit (most earn nothing).
    assert result.score == pytest.approx(mistake.credit * part.points)
    assert result.status is (Status.PARTIAL if mistake.credit else Status.INCORRECT)
    first_words = " ".join(render_prompt(mistake.feedback, variant.params[problem.id]).split()[:6])
    assert first_words in " ".join(result.feedback[0].split())
    # The targeted message must not give the answer away.
    expected = KINDS[part.kind].render(compute_expected(variant, problem, part, part.solver))
    assert expected not in " ".join(result.feedback)


def test_broken_value_in_one_part_still_grades_the_others(tmp_path, problem_set):
    answers = reference_answers(problem_set)
    answers["p1.1c.params"] = "seven hundred and fifty"
    answers["p1.3b"] = "[[0, 0, 1], [0, 4, 6]"
    path = write_answers(tmp_path / "a.yaml", answers)
    report = check_file(path, SET_DIR)
    by_id = {p.id: p for p in report.parts}
    assert by_id["p1.1c.params"].status is Status.INVALID
    assert "'seven hundred and fifty' is not a number" in by_id["p1.1c.params"].feedback[0]
    assert "line" in by_id["p1.1c.params"].feedback[0]
    assert by_id["p1.3b"].status is Status.INVALID and "bracket is missing" in by_id["p1.3b"].feedback[0]
    others = [pid for pid in answers if pid not in ("p1.1c.params", "p1.3b")]
    assert all(by_id[pid].status is Status.CORRECT for pid in others)


def test_channels_first_answer_is_told_the_convention(tmp_path, problem_set):
    h, w, c = reference_answers(problem_set)["p1.1c.shape"]
    report = check_file(write_answers(tmp_path / "a.yaml", {"p1.1c.shape": f"{c}x{h}x{w}"}), SET_DIR)
    part = next(p for p in report.parts if p.id == "p1.1c.shape")
    # The right sizes in the other order earn half, with the convention stated.
    assert part.status is Status.PARTIAL and part.score == pytest.approx(part.max_score / 2)
    assert "height × width × number of channels" in " ".join(part.feedback)


def test_json_output_has_the_documented_fields():
    result = run_cli("check", str(EXAMPLES / "alice_correct.yaml"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"student", "problem_set", "variant", "score", "max_score", "parts"} <= set(data)
    assert data["student"] == "alice" and data["variant"] == "default"
    statuses = {"correct", "partial", "incorrect", "invalid", "missing", "needs_review", "not_graded"}
    for part in data["parts"]:
        assert {"id", "status", "score", "max_score", "feedback"} <= set(part)
        assert part["status"] in statuses and isinstance(part["feedback"], list)


def test_text_output_lists_every_part_and_the_total():
    result = run_cli("check", str(EXAMPLES / "bob_mistakes.yaml"))
    assert result.returncode == 0, result.stderr
    assert "p1.1c.params" in result.stdout and "You counted a bias per filter" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Total: ")


MALFORMED_FILES = {
    "yaml_syntax": ("a.yaml", "student: x\nproblem_set: mlp_cnn\np1.1a: [28, 28\n", "line "),
    "json_syntax": ("a.json", '{"student": "x",\n "problem_set": "mlp_cnn",\n "p1.1a": }', "line 3, column"),
    "toml_syntax": ("a.toml", 'student = "x"\nproblem_set = \n', "line 2"),
    "top_level_list": ("a.yaml", "- 1\n- 2\n", "expected 'part id: answer' lines"),
    "yaml_alias_bomb": ("a.yaml", "a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\n", "aliases"),
    "not_utf8": ("a.yaml", b"student: \xff\xfe\n", "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED_FILES))
def test_malformed_file_is_one_line_error_with_exit_2(tmp_path, name):
    filename, content, needle = MALFORMED_FILES[name]
    path = tmp_path / filename
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run_cli("check", str(path), "--set", str(SET_DIR))
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("student: x\np1.4: '" + "a" * 1_100_000 + "'\n")
    result = run_cli("check", str(path), "--set", str(SET_DIR))
    assert result.returncode == 2 and "limited to" in result.stderr


def test_oversized_answer_is_invalid_not_fatal(tmp_path, problem_set):
    answers = reference_answers(problem_set)
    answers["p1.1a"] = "2" * 30_000
    report = check_file(write_answers(tmp_path / "a.yaml", answers), SET_DIR)
    by_id = {p.id: p for p in report.parts}
    assert by_id["p1.1a"].status is Status.INVALID and "limit" in by_id["p1.1a"].feedback[0]
    assert by_id["p1.1b"].status is Status.CORRECT


def test_unknown_part_id_gets_did_you_mean(tmp_path):
    path = write_answers(tmp_path / "a.yaml", {"p1.1c_params": 750})
    report = check_file(path, SET_DIR)
    assert any("did you mean 'p1.1c.params'" in w for w in report.warnings)


def test_wrong_problem_set_is_refused(tmp_path):
    path = write_answers(tmp_path / "a.yaml", {"p1.1a": "28x28x1"}, problem_set="another_course")
    result = run_cli("check", str(path), "--set", str(SET_DIR))
    assert result.returncode == 2 and "not 'mlp_cnn'" in result.stderr


def test_problem_set_is_found_from_the_file(tmp_path):
    result = run_cli("check", str(EXAMPLES / "farid.json"), "--brief")
    assert result.returncode == 0 and "farid" in result.stdout


@pytest.mark.parametrize("name", ["alice_correct.yaml", "bob_mistakes.yaml", "chloe_malformed.yaml",
                                  "david_partial.yaml", "emma_channels_first.toml", "farid.json"])
def test_every_bundled_example_grades(name):
    report = check_file(EXAMPLES / name)
    assert report.student and len(report.parts) == 34
