"""Problem specs: the shipped set covers the tutorial, and authors' mistakes are reported well."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from grader.api import validate
from grader.errors import SpecInvalid
from grader.spec import load_problem_set
from tests.conftest import DATA, SET_DIR

TUTORIAL_PARTS = DATA / "tutorial_parts.yaml"


def tutorial_parts() -> list[dict]:
    rows = yaml.safe_load(TUTORIAL_PARTS.read_text(encoding="utf-8"))
    assert len(rows) >= 30, f"{TUTORIAL_PARTS} could not be read"
    return rows


def test_every_tutorial_part_is_declared_in_order(problem_set):
    assert problem_set.part_ids() == [row["id"] for row in tutorial_parts()]
    assert all(part.prompt.strip() and part.points > 0 for _, part in problem_set.parts())


def test_each_tutorial_part_is_graded_by_what_the_list_says(problem_set):
    by_id = {part.id: part for _, part in problem_set.parts()}
    for row in tutorial_parts():
        part = by_id[row["id"]]
        if row["reference"] == "rubric":
            assert part.solver is None and part.kind == "text", row["id"]
        else:
            assert row["reference"] == "solver" and part.solver is not None, row["id"]


def test_shipped_set_keeps_variants_off(problem_set):
    assert problem_set.meta.variants.enabled is False


def test_validate_passes_for_fifty_random_variants():
    result = validate(SET_DIR, variants=50)
    assert result.ok, result.errors
    assert result.variants_checked == 51
    assert result.parts_checked >= 8


@pytest.fixture()
def spec_copy(tmp_path: Path) -> Path:
    target = tmp_path / "set"
    shutil.copytree(SET_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_schema_error_names_file_line_and_field(spec_copy):
    edit(spec_copy / "problem1.yaml", "    points: 2\n    kind: matrix", "    points: -2\n    kind: matrix")
    with pytest.raises(SpecInvalid) as err:
        load_problem_set(spec_copy)
    message = str(err.value)
    line = next(i for i, text in enumerate((spec_copy / "problem1.yaml").read_text().splitlines(), 1)
                if "points: -2" in text)
    assert f"problem1.yaml:{line}: parts." in message and "points" in message


def test_unknown_field_gets_did_you_mean(spec_copy):
    edit(spec_copy / "problem3.yaml", "    points: 1\n    kind: matrix", "    pionts: 1\n    kind: matrix")
    with pytest.raises(SpecInvalid, match=r"problem3.yaml:\d+: .*pionts: unknown field \(did you mean 'points'\?\)"):
        load_problem_set(spec_copy)


def test_unknown_solver_and_kind_are_reported(spec_copy):
    edit(spec_copy / "problem3.yaml", "name: relu.forward,", "name: relu.froward,")
    edit(spec_copy / "problem3.yaml", "kind: function", "kind: fonction")
    with pytest.raises(SpecInvalid) as err:
        load_problem_set(spec_copy)
    assert "no solver named 'relu.froward' (did you mean 'relu.forward'?)" in str(err.value)
    assert "unknown kind 'fonction' (did you mean 'function'?)" in str(err.value)


def test_an_unknown_solver_argument_is_an_error_with_its_line_and_a_suggestion(spec_copy):
    edit(spec_copy / "problem1.yaml", "kernel: $F, stride: $S, padding: 0, filters: 1}",
         "kernel: $F, stride: $S, paddin: 0, filters: 1}")
    edit(spec_copy / "problem1.yaml", "solver: {name: conv.mistake.depth_is_input_channels}",
         "solver: {name: conv.mistake.depth_is_input_channels, args: {filter: 2}}")
    lines = (spec_copy / "problem1.yaml").read_text(encoding="utf-8").splitlines()
    typo = next(i for i, text in enumerate(lines, 1) if "paddin: 0" in text)
    own = next(i for i, text in enumerate(lines, 1) if "args: {filter: 2}" in text)
    with pytest.raises(SpecInvalid) as err:
        load_problem_set(spec_copy)
    message = str(err.value)
    assert (f"problem1.yaml:{typo}: part p1.1a: solver: solver 'conv.output_shape' has no argument 'paddin' "
            "(did you mean 'padding'?)") in message
    assert (f"problem1.yaml:{own}: part p1.1a: misconception depth_is_input_channels: solver "
            "'conv.mistake.depth_is_input_channels' has no argument 'filter' (did you mean 'filters'?)") in message


def test_validate_refuses_an_unknown_solver_argument(spec_copy):
    from tests.conftest import run_cli

    edit(spec_copy / "problem1.yaml", "kernel: $F, stride: $S, padding: 0, filters: 1}",
         "kernel: $F, stride: $S, padding: 0, filters: 1, dilation: 2}")
    result = run_cli("validate", str(spec_copy), "--variants", "0")
    assert result.returncode != 0
    assert "has no argument 'dilation' (it takes height, width, channels, kernel, stride, padding, filters)" in (
        result.stdout + result.stderr)


def test_wrong_schema_version_is_refused(spec_copy):
    edit(spec_copy / "problem2.yaml", "schema_version: 1", "schema_version: 7")
    with pytest.raises(SpecInvalid, match="schema_version is 7"):
        load_problem_set(spec_copy)


def test_duplicate_part_id_is_reported(spec_copy):
    edit(spec_copy / "problem4.yaml", "- id: p4.7", "- id: p4.6")
    with pytest.raises(SpecInvalid, match=re.escape("part id 'p4.6' is used by both")):
        load_problem_set(spec_copy)


def test_unknown_parameter_reference_is_reported(spec_copy):
    edit(spec_copy / "problem3.yaml", "args: {x: $X}", "args: {x: $Y}")
    with pytest.raises(SpecInvalid, match=r"refers to unknown parameter \$Y"):
        load_problem_set(spec_copy)


def test_validate_reports_misconception_equal_to_reference(spec_copy):
    edit(spec_copy / "problem3.yaml", "solver: {name: relu.mistake.forward_abs}", "solver: {name: relu.forward}")
    result = validate(spec_copy, variants=2)
    assert any("misconception absolute_value coincides with the reference" in e for e in result.errors)


def test_validate_reports_failing_solver(spec_copy):
    edit(spec_copy / "problem1.yaml", "H: {default: 32,", "H: {default: 2,")
    result = validate(spec_copy, variants=0)
    assert any("solver conv.output_shape failed" in e for e in result.errors)


def test_validate_cli_exit_codes(spec_copy):
    from tests.conftest import run_cli

    ok = run_cli("validate", str(SET_DIR), "--variants", "3")
    assert ok.returncode == 0 and "mlp_cnn: OK" in ok.stdout
    edit(spec_copy / "problem3.yaml", "solver: {name: relu.mistake.forward_abs}", "solver: {name: relu.forward}")
    bad = run_cli("validate", str(spec_copy), "--variants", "0")
    assert bad.returncode == 1 and "coincides with the reference" in bad.stderr
