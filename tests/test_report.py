"""The class report: well-formed self-contained HTML that escapes student text, and correct statistics."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from grader.answers import read_submission
from grader.api import grade_submission
from grader.batch import grade_folder
from grader.kinds import KINDS, Verdict
from grader.report import class_report_html, class_stats, write_class_report
from grader.scores import PENDING_STATUSES
from grader.store import Gradebook
from tests.conftest import EXAMPLES, SET_DIR, example_files, parse_xhtml, run_cli, write_answers

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
# Student-controlled text that must arrive in the page as text, never as markup.
HOSTILE_TEXT = {
    "script_answer": SCRIPT,
    "attribute_breakout": '"><img src=x onerror=alert(1)>',
    "entity": "&amp; &#x3C;b&#x3E;",
    "cdata": "]]><b>x</b>",
}


def engine_reports(problem_set, folder: Path = EXAMPLES):
    return [grade_submission(problem_set, read_submission(p)) for p in sorted(folder.iterdir()) if p.is_file()]


def test_report_is_well_formed_self_contained_xhtml_with_a_histogram(graded, tmp_path):
    out = tmp_path / "report.html"
    stats = write_class_report(graded, None, out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    root = parse_xhtml(text)
    assert root.tag == f"{XHTML}html"
    svg = root.find(f".//{SVG}svg")
    assert svg is not None
    assert len(svg.findall(f"{SVG}rect")) == len(stats.histogram) > 0
    for element in root.iter():
        assert element.tag not in (f"{XHTML}script", f"{XHTML}link", f"{XHTML}img", f"{XHTML}iframe")
        assert "src" not in element.attrib
        assert not element.attrib.get("href", "#").startswith(("http", "//"))


def test_student_text_is_escaped(tmp_path, problem_set, monkeypatch):
    # Every shape answer is read as-is and judged wrong, so the texts reach the wrong-answer table.
    monkeypatch.setattr(KINDS["shape"], "parse", lambda raw, options: raw)
    monkeypatch.setattr(KINDS["shape"], "compare", lambda value, expected, options: Verdict.incorrect("No."))
    folder = tmp_path / "class"
    folder.mkdir()
    for name, text in HOSTILE_TEXT.items():
        write_answers(folder / f"{name}.yaml", {"p1.1a": text}, student=f"<b>{name}</b>")
    (folder / "other.yaml").write_text(f"student: '{SCRIPT}'\nproblem_set: '{SCRIPT}'\n")
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        html = class_report_html(class_stats(gb))
    assert SCRIPT not in html and "<b>" not in html and "<img" not in html
    root = parse_xhtml(html)
    shown = "".join(root.itertext())
    for text in HOSTILE_TEXT.values():
        assert text in shown  # shown to the reader exactly as the student typed it
    assert SCRIPT in shown  # in the failed-files table
    assert not list(root.iter(f"{XHTML}b")) and not list(root.iter(f"{XHTML}script"))


def test_json_statistics_agree_with_the_engine(graded, tmp_path, problem_set):
    out = tmp_path / "report.json"
    write_class_report(graded, None, out, as_json=True)
    data = json.loads(out.read_text())
    reports = engine_reports(problem_set)
    assert data["students"] == data["graded_students"] == len(reports)
    assert sum(b["count"] for b in data["histogram"]) == len(reports)

    def effective(part):
        return None if part.status.value in PENDING_STATUSES else part.score

    sums = [sum(effective(p) or 0.0 for p in r.parts) for r in reports]
    assert data["mean_total"] == pytest.approx(np.mean(sums), abs=1e-4)
    for stats in data["parts"]:
        own = [effective(next(p for p in r.parts if p.id == stats["id"])) for r in reports]
        scored = [v for v in own if v is not None]
        assert stats["scored"] == len(scored)
        if scored:
            assert stats["mean"] == pytest.approx(np.mean(scored), abs=1e-4)
            assert stats["share_correct"] == pytest.approx(
                sum(v >= stats["max_score"] for v in scored) / len(reports))
        pairs = [(v, s - v) for v, s in zip(own, sums, strict=True) if v is not None]
        xs, ys = np.array([v for v, _ in pairs]), np.array([r for _, r in pairs])
        if len(pairs) >= 3 and xs.std() > 0 and ys.std() > 0:
            assert stats["discrimination"] == pytest.approx(np.corrcoef(xs, ys)[0, 1], abs=1e-3)
        else:
            assert stats["discrimination"] is None
    assert any(p["discrimination"] is not None for p in data["parts"])


def test_common_wrong_answers_are_counted_with_their_misconception(tmp_path, problem_set):
    bob = read_submission(EXAMPLES / "bob_mistakes.yaml").answers
    folder = tmp_path / "class"
    folder.mkdir()
    copies = 4
    for i in range(copies):
        write_answers(folder / f"b{i}.yaml", bob, student=f"b{i}")
    write_answers(folder / "alice.yaml", read_submission(EXAMPLES / "alice_correct.yaml").answers, student="alice")
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        stats = {p.id: p for p in class_stats(gb).parts}
    report = grade_submission(problem_set, read_submission(folder / "b0.yaml"))
    matched = [p for p in report.parts if p.misconception]
    assert matched
    for part in matched:
        top = stats[part.id].wrong_answers[0]
        assert (top.count, top.misconception) == (copies, part.misconception)
        assert stats[part.id].misconceptions[part.misconception] == copies


def test_a_class_with_no_spread_has_no_discrimination(tmp_path, problem_set):
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(3):
        write_answers(folder / f"s{i}.yaml", {"p1.1a": "28x28x1"}, student=f"s{i}")
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        stats = class_stats(gb)
    assert all(p.discrimination is None for p in stats.parts)
    assert not any(isinstance(p.mean, float) and math.isnan(p.mean) for p in stats.parts)


def test_the_readme_command_grades_the_examples_and_writes_the_report(tmp_path):
    db, out = tmp_path / "gradebook.sqlite", tmp_path / "report.html"
    graded = run_cli("grade", "submissions_example", "--set", "problems/mlp_cnn", "--db", str(db))
    assert graded.returncode == 0, graded.stderr
    assert f"graded {len(list(example_files()))}" in graded.stdout
    written = run_cli("report", "--db", str(db), "--out", str(out))
    assert written.returncode == 0, written.stderr
    root = parse_xhtml(out.read_text(encoding="utf-8"))
    assert "".join(root.itertext()).count("alice") == 0  # names only appear in per-student documents
    assert f"{len(list(example_files()))} student(s)" in written.stdout


def test_feedback_without_the_set_at_hand_finds_it_by_id(graded, problem_set, monkeypatch):
    from grader.report.render import problem_set_for

    monkeypatch.setenv("GRADER_PROBLEMS", str(SET_DIR.parent))
    info = graded.set_info(problem_set)
    found = problem_set_for(info)
    assert found is not None and found.digest == problem_set.digest
