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


@pytest.mark.parametrize(("escape", "command"), sorted((v[0], v[2] or v[0] + "xyz") for v in CONTROL_ESCAPES.values()))
@pytest.mark.parametrize("part_id", ["p2.1.derivative", "p1.1d.explain"])
def test_each_control_escape_gets_the_single_quote_advice(escape, command, part_id, tmp_path):
    assert len(CONTROL_ESCAPES) == 8
    path = tmp_path / "a.yaml"
    # As a student types it: a LaTeX command in double quotes, such as "\tanh" or "\frac".
    path.write_text(f'student: ana\nproblem_set: mlp_cnn\n{part_id}: "1 - {command}(x)"\n', encoding="utf-8")
    part = _part(path, part_id)
    assert part.status.value == "invalid", part
    message = part.feedback[0]
    assert f'"{escape}" in double quotes is' in message
    assert f"write LaTeX in single quotes, '{command}'" in message and "leave the quotes out" in message
    assert "line 3" in message


def test_the_tanh_of_the_issue(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('student: ana\nproblem_set: mlp_cnn\np2.1.derivative: "1 - \\tanh^2(x)"\n', encoding="utf-8")
    message = _part(path, "p2.1.derivative").feedback[0]
    assert "\"\\t\" in double quotes is a tab: write LaTeX in single quotes, '\\tanh', or leave the quotes out" in message
    assert 'in a JSON file, double the backslash: "\\\\tanh"' in message


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


@pytest.mark.parametrize("text", ["It mixes channels:\\t 1x1 filters.", "It mixes\\tchannels.", "Two lines\\r\\nof text."])
def test_a_tab_used_as_layout_in_text_is_not_an_escape(tmp_path, text):
    path = tmp_path / "a.yaml"
    path.write_text(f'student: ana\nproblem_set: mlp_cnn\np1.1d.explain: "{text}"\n')
    assert _part(path, "p1.1d.explain").status.value != "invalid"


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
def test_template_comments_say_single_quotes(fmt):
    text = template(SET_DIR, "sam", fmt)
    assert "single quotes" in text and "LaTeX in quotes" not in text


@pytest.mark.parametrize("text,line", [
    ("a: &a [1, 1]\nb: [*a, *a]\n", 2),  # an anchor and its alias: refused where the alias is
    ("a: 1\nb: *nothing\n", 2),  # an alias to no anchor: the same message
])
def test_yaml_aliases_are_refused_with_their_line(text, line):
    from grader.spec.yamlsafe import YamlError, load_yaml

    with pytest.raises(YamlError) as caught:
        load_yaml(text)
    assert caught.value.message == "YAML aliases (*name) are not allowed here" and caught.value.line == line
    data, _ = load_yaml("a: x * y\nb: '*not an alias*'\n")  # a star in text is no alias
    assert data == {"a": "x * y", "b": "*not an alias*"}
