"""Per-student feedback documents: one Markdown and one HTML file each, safe names, escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from grader.answers import read_submission
from grader.api import grade_submission
from grader.batch import grade_folder
from grader.cli import app
from grader.report import feedback_documents, write_feedback
from grader.report.feedback import format_points
from grader.report.mathtext import answer_text, readable
from grader.report.render import markdown_text
from grader.store import Gradebook
from grader.store import review as reviews
from tests.conftest import EXAMPLES, SET_DIR, example_files, write_answers

SCRIPT = "<script>alert(1)</script>"
# Student ids that try to escape the output folder or clash with other files.
HOSTILE_IDS = {
    "path_traversal": "../../outside",
    "absolute_path": "/etc/passwd",
    "windows_device": "CON",
    "hidden_file": ".bashrc",
    "markup": "<b>bold</b>",
}
# LaTeX answers and what a reader sees beside them.
READABLE_LATEX = {
    r"\frac{1}{D_a}": "1/D_a",
    r"1 - \tanh^{2}(x)": "1 - tanh²(x)",
    r"\begin{cases} x & x > 0 \\ \alpha x & \text{otherwise} \end{cases}": "{ x if x > 0; α x otherwise }",
    r"\mathbb{E}_{q}[\log p_\theta(x)]": "𝔼_q[log p_θ(x)]",
}


def test_one_markdown_and_one_html_file_per_student(graded, tmp_path, problem_set):
    out = tmp_path / "feedback"
    written = write_feedback(graded, None, out)
    students = {grade_submission(problem_set, read_submission(p)).student for p in example_files()}
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s}{ext}" for s in students for ext in (".md", ".html"))
    assert len(written) == 2 * len(students)
    for path in out.glob("*.html"):
        ET.fromstring(path.read_text(encoding="utf-8").split("\n", 1)[1])


def test_feedback_lists_every_part_with_status_score_answer_and_feedback(graded, problem_set):
    report = grade_submission(problem_set, read_submission(EXAMPLES / "bob_mistakes.yaml"))
    student = next(s for s in graded.students() if s.student == "bob")
    markdown, html = feedback_documents(graded.set_info(), student)
    for part in report.parts:
        assert f"## {part.id}: " in markdown
        assert f'id="part-{part.id}"' in html
        if part.status.value == "incorrect":
            assert f"{format_points(part.score)} / {format_points(part.max_score)}" in markdown
            assert answer_text(part.answer) in markdown
            for line in part.feedback:
                assert f"- {markdown_text(line)}" in markdown


def test_an_override_and_its_comment_reach_the_student(graded):
    reviews.set_score(graded, None, "alice", "p1.4", 2, comment="Good, but say when to use it.", author="ta")
    alice = next(s for s in graded.students() if s.student == "alice")
    markdown, html = feedback_documents(graded.set_info(), alice)
    assert "## p1.4: scored by your instructor, 2 / 3" in markdown
    assert "Your instructor: Good, but say when to use it." in markdown
    assert "Good, but say when to use it." in html


def test_student_text_is_escaped_in_html_and_inert_in_markdown(tmp_path, problem_set):
    folder = tmp_path / "class"
    folder.mkdir()
    write_answers(folder / "x.yaml", {"p1.1a": SCRIPT, "p1.4": "```\n# not a heading\n```"}, student="mallory")
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        markdown, html = feedback_documents(gb.set_info(), next(gb.students()))
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    root = ET.fromstring(html.split("\n", 1)[1])
    assert SCRIPT in "".join(root.itertext())
    # In Markdown the answer sits in a fence longer than any backtick run inside it.
    fence = re.search(r"^(`{4,})\n```\n# not a heading\n```\n\1$", markdown, re.MULTILINE)
    assert fence is not None
    assert "\n# not a heading" not in markdown.replace("```\n# not a heading", "")


@pytest.mark.parametrize("name", sorted(HOSTILE_IDS))
def test_student_ids_become_safe_file_names(tmp_path, problem_set, name):
    folder = tmp_path / "class"
    folder.mkdir()
    write_answers(folder / "x.yaml", {"p1.1a": "28x28x1"}, student=HOSTILE_IDS[name])
    out = tmp_path / "deep" / "feedback"
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        written = write_feedback(gb, None, out)
    assert len(written) == 2
    for path in written:
        assert path.parent == out and path.exists()
        assert not path.name.startswith(".") and "/" not in path.name and "<" not in path.name
    assert sorted(p.name for p in tmp_path.rglob("*.html")) == sorted(p.name for p in written if p.suffix == ".html")


def test_a_student_whose_files_all_failed_is_told_why(tmp_path, problem_set):
    folder = tmp_path / "inbox" / "zed"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text("student: zed\np1.1a: [28, 28\n")
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(tmp_path / "inbox", problem_set, gb, jobs=0)
        markdown, html = feedback_documents(gb.set_info(), next(gb.students()))
    assert "None of your files could be graded" in markdown and "a.yaml" in markdown
    assert str(tmp_path) not in markdown + html  # only the file's name, not the server's folders


@pytest.mark.parametrize(("latex", "reads_as"), sorted(READABLE_LATEX.items()))
def test_latex_answers_are_shown_as_typed_and_read_in_unicode(latex, reads_as):
    assert readable(latex) == reads_as


def test_plain_answers_get_no_second_reading():
    assert readable("1 - tanh(x)^2") is None and readable([[1, 2], [3, 4]]) is None


def test_feedback_command(tmp_path):
    db, out = str(tmp_path / "g.sqlite"), tmp_path / "fb"
    runner = CliRunner()
    assert runner.invoke(app, ["grade", str(EXAMPLES), "--set", str(SET_DIR), "--db", db, "--jobs", "0"]).exit_code == 0
    result = runner.invoke(app, ["feedback", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"for {len(list(example_files()))} student(s)" in result.stdout
    assert (out / "alice.md").is_file() and (out / "alice.html").is_file()
