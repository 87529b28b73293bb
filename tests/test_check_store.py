"""Stored check reports: an unchanged answer file, set and grader give the stored report; any
change to one of them grades the file again; a damaged or provisional report is never used."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.check_store import CheckStore, check_file
from grader.results import PartResult, Report, Status

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "submissions_example"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRADER_CACHE_DIR", str(folder))
    monkeypatch.delenv("GRADER_CACHE", raising=False)
    return folder


@pytest.fixture
def course(tmp_path):
    """A copy of the softmax set and one of its example answer files, free to edit."""
    problems = tmp_path / "sets"
    shutil.copytree(ROOT / "problems" / "softmax_backprop", problems / "softmax_backprop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    answers = tmp_path / "hugo.yaml"
    shutil.copy(EXAMPLES / "softmax_backprop" / "hugo_mistakes.yaml", answers)
    return problems / "softmax_backprop", answers


def stored_files(cache: Path) -> list[Path]:
    return sorted((cache / "checks").rglob("*.json"))


def test_a_second_check_is_the_stored_report(cache, course):
    folder, answers = course
    first = check_file(answers, folder)
    assert len(stored_files(cache)) == 1
    again = check_file(answers, folder)
    assert again == first and again.score == first.score and again.parts == first.parts


def test_an_unchanged_file_is_shown_without_sympy(cache, tmp_path):
    answers = tmp_path / "alice.yaml"
    shutil.copy(EXAMPLES / "alice_correct.yaml", answers)
    probe = ("import json, sys\nfrom grader.cli import app\ntry:\n    app(sys.argv[1:])\nexcept SystemExit:\n"
             "    pass\nprint(json.dumps(sorted(m for m in ('sympy', 'lark', 'grader.engine') if m in sys.modules)))\n")
    env = {**os.environ, "GRADER_CACHE_DIR": str(cache)}
    runs = [subprocess.run([sys.executable, "-c", probe, "check", str(answers)], capture_output=True, text=True,
                           cwd=ROOT, env=env, timeout=300) for _ in range(2)]
    first, second = (run.stdout.rsplit("\n", 2) for run in runs)
    assert json.loads(first[-2]) == ["grader.engine", "lark", "sympy"]  # graded
    assert json.loads(second[-2]) == []  # shown from the store
    assert first[0] == second[0] and "Total: 52/52" in second[0]


@pytest.mark.parametrize("edit", ["answer", "rubric", "solver", "parameter", "new file"])
def test_any_change_grades_again(cache, tmp_path, edit):
    folder = tmp_path / "mlp_cnn"
    shutil.copytree(ROOT / "problems" / "mlp_cnn", folder, ignore=shutil.ignore_patterns("__pycache__"))
    answers = tmp_path / "alice.yaml"
    shutil.copy(EXAMPLES / "alice_correct.yaml", answers)
    store = CheckStore.default()
    assert store is not None
    before = store.key(answers, folder)
    other = store.key(EXAMPLES / "softmax_backprop" / "gina_correct.yaml", None)
    if edit == "answer":
        answers.write_text(answers.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    elif edit == "rubric":
        rubric = next((folder / "rubrics").glob("*.yaml"))
        rubric.write_text(rubric.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif edit == "solver":
        solver = next(folder.rglob("*.py"))
        solver.write_text(solver.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    elif edit == "parameter":
        problem = next(p for p in sorted(folder.glob("*.yaml")) if p.name != "set.yaml")
        problem.write_text(problem.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    else:
        (folder / "notes.txt").write_text("a file the set may read\n", encoding="utf-8")
    after = store.key(answers, folder)
    assert before is not None and after is not None and after != before
    assert other is not None and store.key(EXAMPLES / "softmax_backprop" / "gina_correct.yaml", None) == other


def test_a_changed_answer_is_graded_not_shown(cache, course):
    folder, answers = course
    first = check_file(answers, folder)
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    assert data[first.parts[0].id]
    data[first.parts[0].id] = ""
    answers.write_text(yaml.safe_dump(data), encoding="utf-8")
    second = check_file(answers, folder)
    assert second.parts[0].status is Status.MISSING and first.parts[0].status is not Status.MISSING
    assert len(stored_files(cache)) == 2


def test_a_damaged_report_is_graded_again(cache, course):
    folder, answers = course
    first = check_file(answers, folder)
    (stored,) = stored_files(cache)
    body = json.loads(stored.read_text(encoding="utf-8"))
    body["report"]["parts"][0]["score"] = 99  # the checksum no longer matches
    stored.write_text(json.dumps(body), encoding="utf-8")
    store = CheckStore.default()
    assert store is not None
    key = store.key(answers, folder)
    assert key is not None and store.lookup(key) is None
    assert check_file(answers, folder) == first
    assert store.lookup(key) == first  # written again, whole
    stored.write_bytes(b"\x00not json")
    assert store.lookup(key) is None


def _report(**part: object) -> Report:
    fields = {"id": "a", "problem": "p", "kind": "number", "status": Status.CORRECT, "score": 1.0,
              "max_score": 1.0, "answer": 3, **part}
    return Report(student="s", problem_set="x", variant="v", parts=[PartResult(**fields)])  # type: ignore[arg-type]


def test_only_final_faithful_reports_are_kept(cache):
    store = CheckStore.default()
    assert store is not None
    assert store.remember("k1", _report())
    assert store.lookup("k1") == _report()
    assert not store.remember("k2", _report(status=Status.NEEDS_REVIEW, provisional="out of budget"))
    assert not store.remember("k3", _report(answer=datetime.date(2026, 1, 1)))  # JSON cannot hold it
    assert not store.remember("k4", _report(answer={1: "a"}))  # reads back with a string key
    assert store.lookup("k2") is None and store.lookup("k3") is None and store.lookup("k4") is None


def test_cache_off_keeps_nothing(cache, course, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE", "off")
    folder, answers = course
    assert CheckStore.default() is None
    assert check_file(answers, folder).parts
    assert not (cache / "checks").exists()


def test_a_file_that_cannot_be_read_is_reported_not_stored(cache, tmp_path):
    from grader.errors import GraderError

    broken = tmp_path / "broken.yaml"
    broken.write_text("student: [unclosed\n", encoding="utf-8")
    store = CheckStore.default()
    assert store is not None and store.key(broken, None) is None
    with pytest.raises(GraderError):
        check_file(broken)


def test_the_oldest_reports_go_beyond_the_limit(cache):
    store = CheckStore.default()
    assert store is not None
    for n in range(6):
        assert store.remember(f"{n:02x}" * 4, _report(answer=n))
        path = store.path(f"{n:02x}" * 4)
        os.utime(path, ns=(n * 10**9, n * 10**9))  # written in this order
    assert store.prune(keep=4) == 2
    assert store.lookup("00" * 4) is None and store.lookup("01" * 4) is None
    assert store.lookup("05" * 4) == _report(answer=5) and len(stored_files(cache)) == 4
    assert store.prune(keep=4) == 0
