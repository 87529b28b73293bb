"""The shipped problem sets: each validates, each part has question tests, the new sets use
only the authoring interface, and all three are graded into one gradebook and exported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.api import check_file, validate
from grader.spec import load_problem_set
from tests.conftest import EXAMPLES, ROOT, example_files

SETS = ("mlp_cnn", "softmax_backprop", "optim_norm")
NEW_SETS = ("softmax_backprop", "optim_norm")


@pytest.mark.parametrize("name", SETS)
def test_every_shipped_set_passes_validate_with_50_variants(name):
    result = validate(ROOT / "problems" / name, variants=50)
    assert result.ok, result.errors


@pytest.mark.parametrize("name", NEW_SETS)
def test_the_new_sets_are_full_sets_written_through_the_interface(name):
    problem_set = load_problem_set(ROOT / "problems" / name)
    parts = [part for _, part in problem_set.parts()]
    assert len(parts) >= 12
    assert len({part.kind for part in parts}) >= 5
    assert all(part.tests for part in parts), [p.id for p in parts if not p.tests]
    assert sum(len(part.misconceptions) for part in parts) >= 10
    assert problem_set.meta.variants.enabled
    # Their own solvers come from their own folder, none from the package.
    assert problem_set.solvers is not None and problem_set.solvers.own
    for _, part in problem_set.parts():
        for call in (part.solver, *(m.solver for m in part.misconceptions)):
            assert call is not None
            assert call.name == "written.answer" or call.name in problem_set.solvers.own, call.name
    # Each student in the examples gets a variant of their own.
    examples = sorted((EXAMPLES / name).glob("*.yaml"))
    assert len(examples) >= 3
    variants = {check_file(path).variant for path in examples}
    assert len(variants) == len(examples)


def test_the_correct_examples_score_full_marks_and_the_mistakes_meet_their_feedback():
    for name in NEW_SETS:
        good = check_file(EXAMPLES / name / "gina_correct.yaml")
        assert good.score == good.max_score, [(p.id, p.status.value, p.feedback) for p in good.parts]
        bad = check_file(EXAMPLES / name / "hugo_mistakes.yaml")
        assert bad.score < bad.max_score / 2
        assert sum(p.misconception is not None for p in bad.parts) >= 8


def grader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=cwd)


def test_three_sets_graded_into_one_gradebook_and_exported_side_by_side(tmp_path):
    db = tmp_path / "course.sqlite"
    # The tutorial's folder holds the other sets' examples in sub-folders; those are theirs.
    graded = grader("grade", str(EXAMPLES), "--set", str(ROOT / "problems" / "mlp_cnn"), "--db", str(db), cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    assert f"{len(example_files())} file(s) found" in graded.stdout and "failed 0" in graded.stdout
    for name in NEW_SETS:
        graded = grader("grade", str(EXAMPLES / name), "--set", str(ROOT / "problems" / name), "--db", str(db),
                        cwd=tmp_path)
        assert graded.returncode == 0, graded.stderr
        assert "graded 3" in graded.stdout and "failed 0" in graded.stdout
    exported = {}
    for name in SETS:
        out = tmp_path / f"{name}.json"
        done = grader("export", "--format", "json", "--db", str(db), "--set", str(ROOT / "problems" / name),
                      "-o", str(out), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        exported[name] = json.loads(out.read_text(encoding="utf-8"))
    totals = {name: {row["student"]: row["total"] for row in data["students"]} for name, data in exported.items()}
    assert "alice" in totals["mlp_cnn"] and "gina" not in totals["mlp_cnn"]
    for name in NEW_SETS:
        assert exported[name]["problem_set"] == name
        assert set(totals[name]) == {"gina", "hugo", "ines"}
        for path in sorted((EXAMPLES / name).glob("*.yaml")):
            report = check_file(path)
            assert totals[name][report.student] == pytest.approx(report.score)
