"""Set-local solvers: loaded by path, scoped per set, errors with file, line and part."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from grader.answers import Submission
from grader.engine import ExpectedCache, grade
from grader.errors import SpecInvalid
from grader.spec import load_problem_set
from grader.variants import default_variant


def make_set(folder: Path, set_id: str, solvers: str | None, parts: str, *, solver_files=("solvers.py",),
             parameters: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    listing = f"solvers: [{', '.join(solver_files)}]\n" if solvers is not None else ""
    (folder / "set.yaml").write_text(
        f"schema_version: 1\nid: {set_id}\ntitle: T\nproblems: [problem.yaml]\n{listing}", encoding="utf-8"
    )
    if solvers is not None:
        (folder / solver_files[0]).write_text(textwrap.dedent(solvers), encoding="utf-8")
    (folder / "problem.yaml").write_text(
        "schema_version: 1\nid: q\ntitle: Q\n" + textwrap.dedent(parameters) + "parts:\n" + textwrap.indent(
            textwrap.dedent(parts), "  "), encoding="utf-8",
    )
    return folder


def grade_answers(problem_set, answers: dict) -> dict:
    submission = Submission(student="s", problem_set=problem_set.id, answers=answers)
    report = grade(problem_set, default_variant(problem_set), submission, cache=ExpectedCache())
    return {p.id: p for p in report.parts}


PART = """\
- id: a
  prompt: How many?
  points: 1
  kind: integer
  solver: {name: count}
"""


def test_two_sets_define_the_same_name_without_a_clash(tmp_path):
    one = load_problem_set(make_set(tmp_path / "one", "one", """
        from grader import solver

        @solver("count")
        def count():
            return 3
    """, PART))
    two = load_problem_set(make_set(tmp_path / "two", "two", """
        from grader import solver

        @solver("count")
        def count():
            return 4
    """, PART))
    cache = ExpectedCache()  # one cache for both sets must still keep them apart
    for problem_set, right, wrong in ((one, 3, 4), (two, 4, 3)):
        sub = Submission(student="s", problem_set=problem_set.id, answers={"a": right})
        assert grade(problem_set, default_variant(problem_set), sub, cache=cache).parts[0].status.value == "correct"
        sub = Submission(student="s", problem_set=problem_set.id, answers={"a": wrong})
        assert grade(problem_set, default_variant(problem_set), sub, cache=cache).parts[0].status.value == "incorrect"


def test_a_set_solver_shadows_a_builtin_one_with_a_note(tmp_path):
    from grader.api import validate

    folder = make_set(tmp_path / "s", "s", """
        from grader import solver

        @solver("conv.param_count")
        def mine():
            return 7
    """, PART.replace("name: count", "name: conv.param_count"))
    result = validate(folder, variants=0)
    assert result.ok, result.errors
    assert any("shadows the built-in solver" in note and "solvers.py:4" in note for note in result.notes)
    assert grade_answers(load_problem_set(folder), {"a": 7})["a"].status.value == "correct"
    # The library's own solver is untouched for everyone else.
    from grader.solvers import SOLVERS
    assert SOLVERS["conv.param_count"](kernel=3, channels=2, filters=4) == 72


def test_a_set_table_survives_pickling_for_worker_processes(tmp_path):
    problem_set = load_problem_set(make_set(tmp_path / "p", "p", """
        from grader import solver

        @solver("count")
        def count():
            return 5
    """, PART))
    copy = pickle.loads(pickle.dumps(problem_set))
    assert grade_answers(copy, {"a": 5})["a"].status.value == "correct"


def test_a_solver_folder_with_relative_imports(tmp_path):
    folder = tmp_path / "f"
    (folder / "solvers").mkdir(parents=True)
    (folder / "solvers" / "helpers.py").write_text("def base():\n    return 10\n", encoding="utf-8")
    make_set(folder, "f", None, PART)
    (folder / "set.yaml").write_text(
        "schema_version: 1\nid: f\ntitle: T\nproblems: [problem.yaml]\nsolvers: [solvers]\n", encoding="utf-8"
    )
    (folder / "solvers" / "main.py").write_text(textwrap.dedent("""
        from grader import solver
        from .helpers import base

        @solver("count")
        def count():
            return base() + 1
    """), encoding="utf-8")
    assert grade_answers(load_problem_set(folder), {"a": 11})["a"].status.value == "correct"


@pytest.mark.parametrize(("source", "expected"), [
    ("from grader import solver\n\n@solver('count')\ndef count(:\n    return 1\n", "solvers.py:4: syntax error"),
    ("import no_such_module_here\n", "solvers.py:1: ModuleNotFoundError"),
    ("from grader import solver\n\n@solver('count')\ndef a():\n    return 1\n\n@solver('count')\ndef b():\n"
     "    return 2\n", "solvers.py:7: solver 'count' is defined twice (first at"),
    ("x = 1\n\nraise RuntimeError('broken on purpose')\n", "solvers.py:3: RuntimeError: broken on purpose"),
])
def test_errors_in_a_solver_file_name_the_file_the_line_and_the_part(tmp_path, source, expected):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "solvers.py").write_text(source, encoding="utf-8")
    make_set(folder, "bad", None, PART)
    (folder / "set.yaml").write_text(
        "schema_version: 1\nid: bad\ntitle: T\nproblems: [problem.yaml]\nsolvers: [solvers.py]\n", encoding="utf-8"
    )
    with pytest.raises(SpecInvalid) as err:
        load_problem_set(folder)
    message = str(err.value)
    assert expected in message
    if "twice" in expected:
        assert "(used by a)" in message
    else:
        assert "parts left without their solver: a" in message


def test_an_exception_in_a_solver_is_reported_by_validate_with_its_line(tmp_path):
    from grader.api import validate

    folder = make_set(tmp_path / "e", "e", """
        from grader import solver

        @solver("count")
        def count():
            return 1 // 0
    """, PART)
    result = validate(folder, variants=0)
    assert not result.ok
    assert any("a (variant default)" in e and "solvers.py:6" in e and "ZeroDivisionError" in e for e in result.errors)
    # A student is never marked wrong for it: the part goes to a person.
    assert grade_answers(load_problem_set(folder), {"a": 1})["a"].status.value == "needs_review"


def test_symbols_are_matched_by_name_whatever_their_assumptions(tmp_path):
    folder = make_set(tmp_path / "sym", "sym", """
        import sympy
        from grader import solver

        @solver("dtanh")
        def dtanh():
            x = sympy.Symbol("x")          # no assumptions, unlike the parser's real x
            return sympy.diff(sympy.tanh(x), x)

        @solver("dtanh.positive")
        def dtanh_positive():
            x = sympy.Symbol("x", positive=True)
            return sympy.diff(sympy.tanh(x), x)
    """, """\
        - id: d
          prompt: d/dx tanh
          points: 1
          kind: expression
          options: {variables: {x: real}}
          solver: {name: dtanh}
        - id: e
          prompt: the same
          points: 1
          kind: expression
          options: {variables: {x: real}}
          solver: {name: dtanh.positive}
    """)
    results = grade_answers(load_problem_set(folder), {"d": "1 - tanh(x)^2", "e": "sech(x)^2"})
    assert results["d"].status.value == "correct"
    assert results["e"].status.value == "correct"
    results = grade_answers(load_problem_set(folder), {"d": "1 - tanh(x)", "e": "1 + tanh(x)^2"})
    assert results["d"].status.value == "incorrect"
    assert results["e"].status.value == "incorrect"


def test_a_solver_file_outside_the_set_folder_is_refused(tmp_path):
    folder = make_set(tmp_path / "o", "o", None, PART)
    (tmp_path / "evil.py").write_text("raise SystemExit('should never run')\n", encoding="utf-8")
    (folder / "set.yaml").write_text(
        "schema_version: 1\nid: o\ntitle: T\nproblems: [problem.yaml]\nsolvers: [../evil.py]\n", encoding="utf-8"
    )
    with pytest.raises(SpecInvalid, match="must be inside the problem-set folder"):
        load_problem_set(folder)


def test_a_reference_of_the_wrong_type_is_a_validate_error_not_a_crash(tmp_path):
    from grader.api import validate

    folder = make_set(tmp_path / "t", "t", """
        from grader import solver

        @solver("count")
        def count():
            return {"not": "a number"}
    """, PART)
    result = validate(folder, variants=0)
    assert not result.ok
    assert any(e.startswith("a (variant default)") and "count" in e for e in result.errors), result.errors
