"""`grader new` writes a set that validates as written; `grader sets` lists what it finds."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from grader.api import new_set, question_tests, validate
from grader.authoring import find_sets
from grader.errors import UsageError
from grader.spec import load_problem_set


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=cwd)


def test_new_writes_a_set_that_validates_as_written(tmp_path):
    folder = tmp_path / "week9"
    created = run("new", str(folder), "--title", "Week 9: convolutions")
    assert created.returncode == 0, created.stderr
    assert (folder / "solvers.py").is_file() and (folder / "rubrics" / "q1.explain.yaml").is_file()
    checked = run("validate", str(folder), "--variants", "10")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    problem_set = load_problem_set(folder)
    assert problem_set.id == "week9" and problem_set.title == "Week 9: convolutions"
    kinds = {part.kind for _, part in problem_set.parts()}
    assert {"integer", "shape", "matrix", "expression", "choice", "text"} <= kinds
    assert all(part.tests for _, part in problem_set.parts())
    assert problem_set.meta.variants.enabled


def test_a_part_added_inside_the_folder_alone_is_graded_and_tested(tmp_path):
    folder = tmp_path / "extra"
    new_set(folder, "T")
    with (folder / "solvers.py").open("a", encoding="utf-8") as handle:
        handle.write(textwrap.dedent('''

            @solver("q1.outputs")
            def outputs(filters: int) -> int:
                return 2 * filters
        '''))
    with (folder / "problem1.yaml").open("a", encoding="utf-8") as handle:
        handle.write(textwrap.dedent('''
          - id: q1.double
            prompt: Twice the number of filters?
            points: 1
            kind: integer
            solver: {name: q1.outputs, args: {filters: $K}}
            tests:
              - {answer: "1000", status: incorrect}
          - id: q1.written
            prompt: The same, written
            points: 1
            kind: integer
            answer: "2*K"
            tests:
              - {answer: "-1", status: incorrect}
        ''').replace("\n", "\n  ").rstrip() + "\n")
    result = validate(folder, variants=5)
    assert result.ok, result.errors
    outcomes = question_tests(folder, part="q1.double")
    assert outcomes and all(o.passed for o in outcomes)


def test_new_never_overwrites(tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty"):
        new_set(folder, "T")
    assert (folder / "notes.txt").read_text() == "mine"
    assert run("new", str(folder), "--title", "T").returncode != 0


def test_sets_lists_id_title_parts_and_points(tmp_path, monkeypatch):
    new_set(tmp_path / "roots" / "alpha", "Alpha set")
    broken = tmp_path / "roots" / "broken"
    broken.mkdir()
    (broken / "set.yaml").write_text("schema_version: 1\nid: broken\n", encoding="utf-8")
    found = {s.id: s for s in find_sets([tmp_path / "roots"])}
    assert found["alpha"].title == "Alpha set" and found["alpha"].parts == 7 and found["alpha"].points == 7
    assert found["broken"].error
    monkeypatch.setenv("GRADER_PROBLEMS", str(tmp_path / "roots"))
    listed = run("sets", cwd=tmp_path)
    assert listed.returncode == 0
    assert "alpha" in listed.stdout and "Alpha set" in listed.stdout and "does not load" in listed.stdout
