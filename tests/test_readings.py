""""Reads as": every formula, vector, matrix, probability expression and derivation step is shown
as the grader read it, as text in the terminal and as MathML in documents."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import sympy as sp
from typer.testing import CliRunner

from grader.answers import read_submission
from grader.cli import app
from grader.kinds import KINDS
from grader.reading import MATHML_NS, expression_reading
from grader.report import feedback_documents, write_class_report, write_feedback
from grader.report.readings import read_answer
from grader.spec import load_problem_set
from tests.conftest import EXAMPLES, SET_DIR, parse_xhtml

MATH = f"{{{MATHML_NS}}}math"
XHTML = "{http://www.w3.org/1999/xhtml}"
# Kinds whose answers have a read form (numbers, shapes and text are shown as typed).
READ_KINDS = {"expression", "function", "equation", "vector_expr", "matrix_expr", "matrix", "probability", "derivation"}


@pytest.mark.parametrize(("answer", "shown"), [
    ("1 - tanh(x)^2", "1 − tanh²(x)"),
    ("\\operatorname{sech}^2(x)", "sech²(x)"),
    ("max(0, x)", "max(0, x)"),
])
def test_formulas_read_as_blackboard_text(problem_set, answer, shown):
    part = "p1.6.relu" if "max" in answer else "p2.1.derivative"
    assert read_answer(problem_set, part, answer).text == shown


def test_every_example_answer_reads_as_mathml_that_parses():
    kinds_seen = set()
    for path in sorted(p for p in EXAMPLES.rglob("*") if p.is_file()):  # every shipped set's examples
        submission = read_submission(path)
        problem_set = load_problem_set(SET_DIR.parent / (submission.problem_set or "mlp_cnn"))
        for part_id, raw in submission.answers.items():
            found = problem_set.find_part(part_id)
            if found is None:
                continue  # an unknown id is the check's business, not the reader's
            reading = read_answer(problem_set, part_id, raw)
            if reading is None:
                continue
            kinds_seen.add(found[1].kind)
            root = ET.fromstring(reading.mathml)
            assert root.tag == MATH and reading.text.strip()
    assert {"expression", "function", "equation", "vector_expr", "matrix", "probability", "derivation"} <= kinds_seen


def test_relations_and_products_are_escaped_in_mathml():
    x = sp.Symbol("x")
    reading = expression_reading(sp.Piecewise((x, x < 0), (2 * x, True)))
    root = ET.fromstring(reading.mathml)
    assert "<" in "".join(root.itertext()) and "&InvisibleTimes;" not in reading.mathml
    assert root.find(f".//{{{MATHML_NS}}}mtable") is not None  # cases as a table


def test_matrices_are_tables_and_vectors_one_line(problem_set):
    matrix = read_answer(problem_set, "p3.1", [[1.5, 2], [0, 1]])
    rows = ET.fromstring(matrix.mathml).findall(f".//{{{MATHML_NS}}}mtr")
    assert len(rows) == 2 and all(len(r) == 2 for r in rows)
    vector = read_answer(problem_set, "p1.2a.padded", ["0", "x1", "x2", "x3", "x4", "0"])
    assert vector.text == "[0, x1, x2, x3, x4, 0]ᵀ"


def test_a_derivation_reads_step_by_step(problem_set):
    steps = ["sum_i log p(x_i)", "= sum_i log E_{q(z|x_i)}[ p(x_i|z) p(z) / q(z|x_i) ]"]
    reading = read_answer(problem_set, "p4.4", steps)
    assert len(reading.text.splitlines()) == 2 and reading.text.splitlines()[1].startswith("= ")
    assert len(ET.fromstring(reading.mathml).findall(f".//{{{MATHML_NS}}}mtr")) == 2


def test_an_answer_that_cannot_be_read_has_no_reading(problem_set):
    assert read_answer(problem_set, "p2.1.derivative", "1 - tanh(x)^^2") is None
    assert read_answer(problem_set, "p1.1a", "28x28x1") is None  # a shape is shown as typed


def test_check_json_gives_text_and_mathml_per_part():
    result = CliRunner().invoke(app, ["check", str(EXAMPLES / "alice_correct.yaml"), "--set", str(SET_DIR), "--json"])
    assert result.exit_code == 0, result.output
    parts = {p["id"]: p for p in json.loads(result.output)["parts"]}
    reads = parts["p2.1.derivative"]["reads_as"]
    assert reads["text"] == "1 − tanh²(x)"
    assert ET.fromstring(reads["mathml"]).tag == MATH
    assert parts["p1.1a"]["reads_as"] is None
    assert all("reads_as" in p for p in parts.values())


def test_check_one_part_with_its_reading():
    result = CliRunner().invoke(app, [
        "check", str(EXAMPLES / "bob_mistakes.yaml"), "--set", str(SET_DIR), "--part", "p1.6.relu", "--show-reading",
    ])
    assert result.exit_code == 0, result.output
    assert "p1.6.relu" in result.output and "reads as: |x|" in result.output
    assert "p2.1.derivative" not in result.output


def test_check_an_unknown_part_says_did_you_mean():
    result = CliRunner().invoke(app, ["check", str(EXAMPLES / "bob_mistakes.yaml"), "--set", str(SET_DIR), "--part", "p1.6.relo"])
    assert result.exit_code == 2
    assert "did you mean p1.6.relu" in result.output


def test_every_formula_in_feedback_and_report_is_mathml(graded, problem_set, tmp_path):
    out = tmp_path / "feedback"
    write_feedback(graded, None, out)
    sections_with_math = 0
    for student in graded.students():
        root = parse_xhtml((out / f"{student.student}.html").read_text(encoding="utf-8"))
        for part in student.counted.parts if student.counted else ():
            section = root.find(f".//{XHTML}section[@id='part-{part.id}']")
            maths = section.findall(f".//{MATH}")
            readable = read_answer(problem_set, part.id, part.answer) is not None
            assert bool(maths) == readable, (student.student, part.id)
            if part.kind in READ_KINDS and part.status not in ("invalid", "missing", "not_graded"):
                assert maths, (student.student, part.id)
            sections_with_math += bool(maths)
    assert sections_with_math >= 20
    report = tmp_path / "report.html"
    write_class_report(graded, None, report)
    root = parse_xhtml(report.read_text(encoding="utf-8"))
    assert len(root.findall(f".//{MATH}")) >= 5
    assert "vector of formulas" in report.read_text(encoding="utf-8")


def test_the_caret_under_an_invalid_answer_keeps_its_column(graded):
    chloe = next(s for s in graded.students() if s.student == "chloe")
    part = next(p for p in chloe.counted.parts if p.id == "p2.1.derivative")
    message = part.feedback[0]
    formula_line, caret_line = message.split("\n")[1:3]
    markdown, html = feedback_documents(graded.set_info(), chloe)
    root = parse_xhtml(html)
    section = root.find(f".//{XHTML}section[@id='part-p2.1.derivative']")
    blocks = ["".join(pre.itertext()) for pre in section.iter(f"{XHTML}pre")]
    assert any(formula_line in b and caret_line in b.split("\n") for b in blocks), blocks
    assert f"  {formula_line}\n  {caret_line}\n" in markdown


def test_kinds_are_named_as_people_name_them(graded):
    markdown, html = feedback_documents(graded.set_info(), next(s for s in graded.students() if s.student == "alice"))
    assert "vector of formulas" in html and "vector_expr" not in html
    assert "(matrix of formulas)" in markdown
    assert {k.human_name() for k in KINDS.values()} >= {"formula", "derivation", "vector of formulas"}


def test_probability_notation_places_limits_and_subscripts(problem_set):
    reading = read_answer(problem_set, "p4.3", "sum_{i=1}^N log sum_z p_theta(x_i|z) p(z)")
    root = ET.fromstring(reading.mathml)
    limits = root.find(f".//{{{MATHML_NS}}}munderover")
    assert limits is not None and "".join(limits.itertext()).startswith("∑i=1N")
    assert "θ" in "".join(root.itertext()) and "_" not in "".join(root.itertext())


def test_indexed_names_read_with_subscripts(problem_set):
    assert read_answer(problem_set, "p2.2", "sum(W_ij a_j, j=1..D_a) + b_i").text == "b_i + Σ_(j=1..D_a) W_ij·a_j"
