"""In-notebook checks: a notebook from `grader template --format ipynb`, filled in and run in a real
kernel, shows the grader's feedback in its outputs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import nbformat
import pytest

from grader.answers import read_submission
from grader.api import check_file
from grader.document_template import notebook_template
from grader.errors import UsageError
from grader.notebook import Checker
from grader.reading import MATHML_NS
from grader.variants import variant_for
from tests.conftest import EXAMPLES, ROOT, SET_DIR


def test_check_one_answer_outside_jupyter_is_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checker = Checker(SET_DIR, student="ana")
    result = checker.check("p2.1.derivative", r"1 - \tanh^2(x)")
    assert result.result.status.value == "correct"
    assert str(result).startswith("p2.1.derivative: correct, 1/1")
    assert "reads as: 1 − tanh²(x)" in str(result)
    html = result._repr_html_()
    assert ET.fromstring(html).find(f".//{{{MATHML_NS}}}math") is not None


def test_a_checker_finds_its_set_by_id_as_the_template_notebook_names_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRADER_PROBLEMS", str(SET_DIR.parent))
    checker = Checker(SET_DIR.name, student="ana")
    assert checker.problem_set.id == SET_DIR.name
    assert checker.check("p2.1.derivative", r"1 - \tanh^2(x)").result.status.value == "correct"


def test_an_unknown_part_says_did_you_mean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=re.escape("did you mean p2.1.derivative")):
        Checker(SET_DIR, student="ana").check("p2.1.derivativ", "x")


def test_check_notebook_finds_the_notebook_of_its_set(tmp_path, monkeypatch, problem_set):
    monkeypatch.chdir(tmp_path)
    answers = read_submission(EXAMPLES / "bob_mistakes.yaml").answers
    (tmp_path / "bob.ipynb").write_text(notebook_template(problem_set, variant_for(problem_set, "bob"), "bob", answers))
    checked = Checker(SET_DIR).check_notebook()
    assert checked.report.student == "bob"
    assert checked.report.score == check_file(EXAMPLES / "bob_mistakes.yaml", SET_DIR).score
    (tmp_path / "other.ipynb").write_text((tmp_path / "bob.ipynb").read_text())
    with pytest.raises(UsageError, match=re.escape("check_notebook('my_answers.ipynb')")):
        Checker(SET_DIR).check_notebook()


def test_a_template_notebook_run_in_a_real_kernel_shows_the_feedback(tmp_path, monkeypatch, problem_set):
    from nbclient import NotebookClient

    monkeypatch.setenv("GRADER_PROBLEMS", str(ROOT / "problems"))
    answers = read_submission(EXAMPLES / "bob_mistakes.yaml").answers
    path = tmp_path / "bob.ipynb"
    path.write_text(notebook_template(problem_set, variant_for(problem_set, "bob"), "bob", answers), encoding="utf-8")
    notebook = nbformat.read(path, as_version=4)
    # One answer checked in place, as a student tries a formula before writing it into its cell.
    notebook.cells.insert(2, nbformat.v4.new_code_cell('checker.check("p2.1.derivative", r"1 - \\tanh^2(x)")'))
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    one = notebook.cells[2].outputs[-1]["data"]
    assert one["text/plain"].startswith("p2.1.derivative: correct")
    assert ET.fromstring(one["text/html"]).find(f".//{{{MATHML_NS}}}math") is not None

    expected = check_file(EXAMPLES / "bob_mistakes.yaml", SET_DIR)
    shown = notebook.cells[-1].outputs[-1]["data"]
    assert f"Total: {expected.score:g}/{expected.max_score:g}" in shown["text/plain"]
    root = ET.fromstring(shown["text/html"])
    text = "".join(root.itertext())
    for part in expected.parts:
        assert part.id in text
    assert "Padding \"all around\" adds the padding on both sides" in text  # bob's p1.1b feedback
    assert len(root.findall(f".//{{{MATHML_NS}}}math")) >= 10
