"""Expected answers on disk: reused by the next process, invalidated by any change to their set."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from conftest import EXAMPLES, SET_DIR

import grader.engine as engine
from grader.answers import read_submission
from grader.engine import ExpectedCache, grade
from grader.expected_store import ExpectedStore, decode, encode, read_srepr, same
from grader.spec import load_problem_set
from grader.variants import variant_for

ALICE = EXAMPLES / "alice_correct.yaml"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRADER_CACHE_DIR", str(folder))
    monkeypatch.delenv("GRADER_CACHE", raising=False)
    return folder


@pytest.fixture
def solver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every solver run by the engine, by name (results read from the cache run none)."""
    calls: list[str] = []
    real = engine.get_solver

    def counting(name: str, *where):
        func = real(name, *where)

        @functools.wraps(func)
        def run(*args, **kwargs):
            calls.append(name)
            return func(*args, **kwargs)

        return run

    monkeypatch.setattr(engine, "get_solver", counting)
    return calls


def check(set_dir: Path) -> dict:
    """`grader check` of the complete example file against a set, as a fresh process would."""
    problem_set = load_problem_set(set_dir)
    submission = read_submission(ALICE)
    report = grade(problem_set, variant_for(problem_set, submission.student), submission, cache=ExpectedCache())
    return report.to_dict()


def set_files(cache_dir: Path) -> list[Path]:
    """The cache files of problem sets (not those of helper functions such as xavier.variance)."""
    return [p for p in cache_dir.glob("expected/*/*/*.json") if not p.parent.name.startswith("fn-")]


def two_sets(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a" / "mlp_cnn", tmp_path / "b" / "mlp_cnn"
    shutil.copytree(SET_DIR, a)
    shutil.copytree(SET_DIR, b)
    return a, b


def test_a_second_check_runs_no_solver_and_grades_the_same(cache_dir, solver_calls, tmp_path):
    first = check(SET_DIR)
    assert solver_calls, "the first check computes the expected answers"
    assert set_files(cache_dir), "and stores them"
    solver_calls.clear()
    second = check(SET_DIR)
    assert solver_calls == []
    assert second == first
    assert first["score"] == first["max_score"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer has {old!r}: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_rubric(set_dir: Path) -> Path:
    for _, part in load_problem_set(set_dir).parts():
        if isinstance(part.options.get("rubric"), str):
            return set_dir / part.options["rubric"]
    raise AssertionError("the tutorial has no rubric file any more: update this test")


CHANGES = {
    "rubric": lambda d: _first_rubric(d).write_text(
        _first_rubric(d).read_text(encoding="utf-8") + "\n# reviewed again\n", encoding="utf-8"),
    "solver argument": lambda d: _edit(d / "problem1.yaml", "padding: 0, filters: 1}", "padding: 0, filters: 2}"),
    "parameter": lambda d: _edit(d / "problem1.yaml", "H: {default: 32,", "H: {default: 28,"),
    "solver file": lambda d: (d / "solvers" / "conv.py").write_text(
        (d / "solvers" / "conv.py").read_text(encoding="utf-8") + "\n# reviewed again\n", encoding="utf-8"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_to_a_set_invalidates_its_answers_and_no_other(change, cache_dir, solver_calls, tmp_path):
    a, b = two_sets(tmp_path)
    check(a), check(b)
    solver_calls.clear()
    check(a), check(b)
    assert solver_calls == [], "both sets are cached"

    CHANGES[change](a)
    check(b)
    assert solver_calls == [], f"a {change} changed in another set leaves this one cached"
    after = check(a)
    assert solver_calls, f"a changed {change} recomputes that set's answers"
    solver_calls.clear()
    assert check(a) == after and solver_calls == [], "and caches them again"


def test_a_corrupt_or_tampered_cache_file_is_recomputed(cache_dir, solver_calls):
    expected = check(SET_DIR)
    (path,) = set_files(cache_dir)
    good = path.read_bytes()
    body = json.loads(good)
    key = next(iter(body["entries"]))
    body["entries"][key] = {"sympy": "Integer(12345)"}  # a changed value without a matching checksum
    for damaged in (good[: len(good) // 2], b"\x00garbage", json.dumps(body).encode()):
        path.write_bytes(damaged)
        solver_calls.clear()
        assert check(SET_DIR) == expected
        assert solver_calls, "nothing is trusted from a damaged file"
        assert json.loads(path.read_bytes())["check"] == json.loads(good)["check"], "the file is rewritten whole"


def test_a_bad_entry_is_recomputed_and_the_others_are_used(cache_dir, solver_calls):
    expected = check(SET_DIR)
    store = ExpectedStore.default()
    assert store is not None
    (path,) = set_files(cache_dir)
    body = json.loads(path.read_bytes())
    entries = body["entries"]
    key = next(k for k, v in entries.items() if isinstance(v, dict) and "sympy" in v)
    entries[key] = {"sympy": "__import__('os').system('echo hacked')"}
    from grader.expected_store import _checksum

    body["check"] = _checksum(entries)
    path.write_text(json.dumps(body), encoding="utf-8")
    solver_calls.clear()
    assert check(SET_DIR) == expected
    assert len(solver_calls) == 1, "only the unreadable entry is computed again"


def test_cache_off_writes_nothing(cache_dir, solver_calls, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE", "off")
    check(SET_DIR)
    solver_calls.clear()
    check(SET_DIR)
    assert solver_calls, "without a cache every process computes its answers"
    assert not cache_dir.exists()


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch, solver_calls):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GRADER_CACHE_DIR", str(blocker))
    assert check(SET_DIR)["score"] == check(SET_DIR)["max_score"]


def test_validate_fills_the_cache_that_check_reads(cache_dir, solver_calls):
    from grader import api

    assert api.validate(SET_DIR, variants=0).ok
    solver_calls.clear()
    check(SET_DIR)
    assert solver_calls == []


# ----- values as data --------------------------------------------------------------------------

x = sp.Symbol("x", positive=True)
VALUES = [
    3, -2.5, float("inf"), "text", None, True, (28, 28, 3), [1, [2, 3]], {"a": (1, 2)},
    np.array([[1.5, -2.0], [0.25, 3.0]]), np.array([1, 2, 3], dtype=np.int64), np.float64(0.1),
    sp.Rational(1, 3) * x + sp.pi, sp.Piecewise((x, sp.Symbol("t") > 0), (0, True)),
    sp.Matrix([[1, x], [sp.sqrt(2), 0]]), sp.Eq(sp.Function("Var")(x), 2 * x), sp.Float("0.1"),
    sp.Sum(sp.IndexedBase("W")[1, sp.Symbol("j", integer=True)], (sp.Symbol("j", integer=True), 1, sp.oo)),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_read_back_as_the_same_value(value):
    restored = decode(json.loads(json.dumps(encode(value))))
    assert same(restored, value)
    assert type(restored) is type(value)


def test_same_tells_types_and_contents_apart():
    assert not same(1, 1.0)
    assert not same((1, 2), [1, 2])
    assert not same(np.array([1, 2]), np.array([1.0, 2.0]))
    assert not same(sp.Symbol("x"), sp.Symbol("x", positive=True))


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')",
    "Add('__import__(\"os\")')",  # sympy would read this text as code
    "Symbol('x').subs",
    "Symbol('x', evaluate='no')",
    "(lambda: 1)()",
    "eval('1')",
    "Integer(1) + Integer(2)",
])
def test_srepr_is_read_by_a_whitelist_never_evaluated(text):
    with pytest.raises((ValueError, SyntaxError)):
        read_srepr(text)


def test_srepr_reader_rebuilds_what_sympy_writes():
    value = sp.Max(sp.Symbol("z", real=True), 0) / sp.Function("f")(x) + sp.E
    assert read_srepr(sp.srepr(value)) == value


def test_concurrent_writers_leave_one_whole_file(cache_dir, solver_calls):
    import os
    import subprocess
    import sys

    script = f"from grader.api import check_file; check_file({str(ALICE)!r})"
    env = {**os.environ, "GRADER_CACHE_DIR": str(cache_dir)}
    runs = [subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE) for _ in range(3)]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err.decode()
    assert not list(cache_dir.rglob("*.tmp")), "no temporary file is left behind"
    store = ExpectedStore.default()
    assert store is not None
    (path,) = set_files(cache_dir)
    assert store._read(json.loads(path.read_bytes())["set"], json.loads(path.read_bytes())["variant"])
    check(SET_DIR)
    assert solver_calls == []
