"""Markdown and notebook answer files: read like the other formats, and the same answers written in
any format give the same report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from grader.answer_documents import read_answer_text
from grader.answers import Submission, read_submission
from grader.api import check_file, template
from grader.document_template import markdown_template, notebook_template
from grader.errors import SubmissionUnreadable
from grader.spec import load_problem_set
from grader.variants import variant_for

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "problems" / "mlp_cnn"
# Every bundled example answer file, of every shipped set (each set's examples in a sub-folder).
EXAMPLES = sorted(p.relative_to(ROOT / "submissions_example") for p in (ROOT / "submissions_example").rglob("*")
                  if p.is_file())


def set_dir(submission: Submission) -> Path:
    return ROOT / "problems" / (submission.problem_set or "mlp_cnn")


def _toml_value(value):
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def write_as(submission: Submission, fmt: str, folder: Path) -> Path:
    """The submission's answers written in another format, as a student could have written them."""
    ps = load_problem_set(set_dir(submission))
    student = submission.student or "anon"
    path = folder / f"{student}.{fmt}"
    if fmt == "yaml":
        text = yaml.safe_dump({"student": student, "problem_set": ps.id, **submission.answers}, allow_unicode=True)
    elif fmt == "json":
        text = json.dumps({"student": student, "problem_set": ps.id, "answers": submission.answers}, indent=1)
    elif fmt == "toml":
        lines = [f"student = {json.dumps(student)}", f"problem_set = {json.dumps(ps.id)}"]
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in submission.answers.items() if v is not None]
        text = "\n".join(lines) + "\n"
    elif fmt == "md":
        text = markdown_template(ps, variant_for(ps, student), student, submission.answers)
    else:
        text = notebook_template(ps, variant_for(ps, student), student, submission.answers)
    path.write_text(text, encoding="utf-8")
    return path


def comparable(report) -> dict:
    """A report with what differs by format alone taken out: where an answer sits (a line or a
    cell) and the surrounding blank lines of a multi-line answer."""
    data = report.to_dict()
    for part in data["parts"]:
        part["feedback"] = [re.sub(r"\((line|cell) \d+\)", "(at)", f) for f in part["feedback"]]
        if isinstance(part["answer"], str):
            part["answer"] = part["answer"].strip("\n")
    return data


@pytest.mark.parametrize("example", [str(p) for p in EXAMPLES])
def test_every_example_gives_the_same_report_in_every_format(example, tmp_path):
    original = read_submission(ROOT / "submissions_example" / example)
    the_set = set_dir(original)
    expected = comparable(check_file(ROOT / "submissions_example" / example, the_set))
    for fmt in ("yaml", "toml", "json", "md", "ipynb"):
        path = write_as(original, fmt, tmp_path)
        assert comparable(check_file(path, the_set)) == expected, (fmt, path.read_text())


def test_markdown_sections_front_matter_and_lines(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "---\nstudent: ana\nproblem_set: mlp_cnn\n---\n\n# Problem 2\n\n## p2.1.derivative\n\n"
        "> the question, not the answer\n\n$1 - \\tanh^2(x)$\n\n## p1.1c.params\n\n750\n\n"
        "## p3.1\n\n| 1 | 2 |\n|---|---|\n| 3.5 | `4` |\n\n## p4.4\n\n- a\n- $b$\n\n"
        "## p2.3b\n\n```\nVar(z) = D_a Var(W) Var(a)\n= 1\n```\n\n## p1.1d.explain\n\nIt mixes\nchannels.\n",
        encoding="utf-8",
    )
    sub = read_submission(path)
    assert (sub.student, sub.problem_set) == ("ana", "mlp_cnn")
    assert sub.answers == {
        "p2.1.derivative": "1 - \\tanh^2(x)",
        "p1.1c.params": 750,
        "p3.1": [[1, 2], [3.5, "4"]],
        "p4.4": ["a", "b"],
        "p2.3b": "Var(z) = D_a Var(W) Var(a)\n= 1",
        "p1.1d.explain": "It mixes channels.",
    }
    assert sub.where("p2.1.derivative") == "line 12"
    assert sub.where("p1.1c.params") == "line 16"


@pytest.mark.parametrize("body", ["$$x^2$$", "\\[x^2\\]", "$x^2$", "  $x^2$  \n\n"])
def test_math_delimiters_hold_latex_untouched(body):
    assert read_answer_text(body) == "x^2"


def test_prose_around_a_formula_is_invalid_and_says_where(tmp_path):
    path = tmp_path / "p.md"
    path.write_text("---\nstudent: ana\nproblem_set: mlp_cnn\n---\n\n## p2.1.derivative\n\n"
                    "I think it is $1 - \\tanh^2(x)$ here.\n", encoding="utf-8")
    part = next(p for p in check_file(path, SET_DIR).parts if p.id == "p2.1.derivative")
    assert part.status.value == "invalid"
    assert "line 8" in part.feedback[0] and "prose" in part.feedback[0], part.feedback


def test_a_second_section_for_one_part_is_refused_with_both_lines(tmp_path):
    path = tmp_path / "d.md"
    path.write_text("## p1.1a\n\n1x1\n\n## p1.1a\n\n2x2\n", encoding="utf-8")
    with pytest.raises(SubmissionUnreadable, match=r"line 5.*line 3"):
        read_submission(path)


def test_relation_steps_are_not_mistaken_for_quotes():
    assert read_answer_text("> the question\n\n```\nsum_i log p(x_i)\n>= sum_i E_q[log p(x_i|z)]\n```") == (
        "sum_i log p(x_i)\n>= sum_i E_q[log p(x_i|z)]"
    )
    assert read_answer_text("- sum_i log p(x_i)\n- >= sum_i E_q[log p(x_i|z)]") == [
        "sum_i log p(x_i)", ">= sum_i E_q[log p(x_i|z)]",
    ]


@pytest.mark.parametrize("heading", ["## p1.1a", "## `p1.1a`", "## p1.1a:", "## p1.1a — the output shape ##"])
def test_a_section_heading_names_its_part_first(heading, tmp_path):
    path = tmp_path / "h.md"
    path.write_text(f"{heading}\n\n28x28x1\n", encoding="utf-8")
    assert read_submission(path).answers == {"p1.1a": "28x28x1"}


def test_headings_inside_fences_do_not_start_sections(tmp_path):
    path = tmp_path / "f.md"
    path.write_text("## p4.4\n\n```\n## p1.1a\nstep\n```\n", encoding="utf-8")
    assert read_submission(path).answers == {"p4.4": "## p1.1a\nstep"}


@pytest.mark.parametrize("fmt", ["md", "ipynb"])
def test_document_templates_are_read_back_blank(fmt, tmp_path):
    path = tmp_path / f"t.{fmt}"
    path.write_text(template(SET_DIR, "sam", fmt))
    sub = read_submission(path)
    ps = load_problem_set(SET_DIR)
    assert sub.student == "sam" and sub.problem_set == "mlp_cnn"
    assert set(sub.answers) == set(ps.part_ids())
    assert all(v is None for v in sub.answers.values())


def test_notebook_tags_survive_moves_and_untagged_cells_are_ignored(tmp_path):
    ps = load_problem_set(SET_DIR)
    text = notebook_template(ps, variant_for(ps, "sam"), "sam", {"p1.1a": "28x28x1", "p2.1.derivative": "1 - tanh(x)^2"})
    nb = nbformat.reads(text, as_version=4)
    nb.cells.reverse()  # every cell moved
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("## p1.1a\n\n99x99"))  # untagged: ignored
    path = tmp_path / "moved.ipynb"
    path.write_text(nbformat.writes(nb))
    sub = read_submission(path)
    assert sub.answers["p1.1a"] == "28x28x1" and sub.answers["p2.1.derivative"] == "1 - tanh(x)^2"
    cell = next(i for i, c in enumerate(nb.cells, start=1) if c.metadata.get("grader", {}).get("part") == "p1.1a")
    assert sub.where("p1.1a") == f"cell {cell}"


def test_notebook_messages_name_the_cell(tmp_path):
    ps = load_problem_set(SET_DIR)
    path = tmp_path / "bad.ipynb"
    path.write_text(notebook_template(ps, variant_for(ps, "sam"), "sam", {"p1.1c.params": "seven hundred"}))
    nb = nbformat.reads(path.read_text(), as_version=4)
    cell = next(i for i, c in enumerate(nb.cells, start=1) if c.metadata.get("grader", {}).get("part") == "p1.1c.params")
    part = next(p for p in check_file(path, SET_DIR).parts if p.id == "p1.1c.params")
    assert part.status.value == "invalid" and f"(cell {cell})" in part.feedback[0]


def test_a_broken_notebook_is_unreadable_not_a_crash(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text('{"cells": 3}')
    with pytest.raises(SubmissionUnreadable, match="notebook"):
        read_submission(path)


@pytest.mark.parametrize("cell", [
    {"cell_type": "markdown", "metadata": {"tags": 7}, "source": "x"},
    {"cell_type": "markdown", "metadata": {"grader": {"part": ["p1.1a"]}}, "source": "x"},
])
def test_odd_cell_metadata_is_ignored(cell, tmp_path):
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert read_submission(path).answers == {}


def test_a_cell_whose_metadata_is_not_a_mapping_is_unreadable(tmp_path):
    path = tmp_path / "odd.ipynb"
    cell = {"cell_type": "markdown", "metadata": 3, "source": "x"}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with pytest.raises(SubmissionUnreadable, match="not a readable Jupyter notebook"):
        read_submission(path)


def test_a_tagged_cell_whose_source_is_not_text_names_the_cell(tmp_path):
    path = tmp_path / "odd.ipynb"
    cell = {"cell_type": "markdown", "metadata": {"grader": {"part": "p1.1a"}}, "source": {"a": 1}}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with pytest.raises(SubmissionUnreadable, match="cell 1"):
        read_submission(path)


def test_submit_and_batch_grading_take_markdown_and_notebooks(tmp_path):
    from grader.batch import grade_folder
    from grader.inbox import submit
    from grader.store import Gradebook

    ps = load_problem_set(SET_DIR)
    bob = read_submission(ROOT / "submissions_example" / "bob_mistakes.yaml")
    folder = tmp_path / "class"
    folder.mkdir()
    md = write_as(bob, "md", folder)
    alice = read_submission(ROOT / "submissions_example" / "alice_correct.yaml")
    nb = write_as(alice, "ipynb", folder)
    done = submit(nb, tmp_path / "inbox")
    assert done.stored.suffix == ".ipynb" and done.stored.read_bytes() == nb.read_bytes()
    assert done.receipt.student == "alice"
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, ps, gb, jobs=0)
        totals = {s.student: s.counted.total for s in gb.students()}
    assert totals == {
        "bob": check_file(ROOT / "submissions_example" / "bob_mistakes.yaml", SET_DIR).score,
        "alice": check_file(ROOT / "submissions_example" / "alice_correct.yaml", SET_DIR).score,
    }
    assert md.suffix == ".md"
