"""The YAML trap: LaTeX in double quotes loses its backslashes to escapes; the grader says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.api import check_file, template
from grader.errors import SubmissionUnreadable
from grader.kinds.escapes import CONTROL_ESCAPES

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "problems" / "mlp_cnn"


def _part(path, part_id):
    return next(p for p in check_file(path, SET_DIR).parts if p.id == part_id)


@pytest.mark.parametrize("escape", sorted(v[0] for v in CONTROL_ESCAPES.values()))
@pytest.mark.parametrize("part_id", ["p2.1.derivative", "p1.1d.explain"])
def test_each_control_escape_gets_the_single_quote_advice(escape, part_id, tmp_path):
    path = tmp_path / "a.yaml"
    # As a student types it: the escape letter starts a word, as in "\tanh" or "\frac".
    path.write_text(f'student: ana\nproblem_set: mlp_cnn\n{part_id}: "1 - {escape}xyz(x)"\n', encoding="utf-8")
    part = _part(path, part_id)
    assert part.status.value == "invalid", part
    message = part.feedback[0]
    assert f'"{escape}" in double quotes is' in message
    assert f"write LaTeX in single quotes, '{escape}xyz'" in message and "leave the quotes out" in message
    assert "line 3" in message


def test_the_tanh_of_the_issue(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('student: ana\nproblem_set: mlp_cnn\np2.1.derivative: "1 - \\tanh^2(x)"\n', encoding="utf-8")
    message = _part(path, "p2.1.derivative").feedback[0]
    assert "\"\\t\" in double quotes is a tab: write LaTeX in single quotes, '\\tanh', or leave the quotes out" in message


def test_single_quotes_keep_latex(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("student: ana\nproblem_set: mlp_cnn\np2.1.derivative: '1 - \\tanh^2(x)'\n", encoding="utf-8")
    assert _part(path, "p2.1.derivative").status.value == "correct"


def test_a_file_yaml_refuses_for_an_escape_gets_the_same_advice(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('student: ana\nproblem_set: mlp_cnn\np1.6.relu: "\\max(0, x)"\n', encoding="utf-8")
    with pytest.raises(SubmissionUnreadable) as caught:
        check_file(path, SET_DIR)
    message = str(caught.value)
    assert "line 3" in message and "write LaTeX in single quotes, '\\max', or leave the quotes out" in message


def test_a_tab_used_as_layout_in_text_is_not_an_escape(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('student: ana\nproblem_set: mlp_cnn\np1.1d.explain: "It mixes channels:\\t 1x1 filters."\n')
    assert _part(path, "p1.1d.explain").status.value != "invalid"


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
def test_template_comments_say_single_quotes(fmt):
    text = template(SET_DIR, "sam", fmt)
    assert "single quotes" in text and "LaTeX in quotes" not in text
