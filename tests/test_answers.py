"""Reading answer files in the three formats."""

from __future__ import annotations

import pytest

from grader.answers import parse_submission
from grader.errors import SubmissionUnreadable

SAME_ANSWERS = {
    "yaml": 'student: ann\nproblem_set: mlp_cnn\np1.1a: 28x28x1\np1.1c.params: 750\n',
    "yaml_nested": 'student: ann\nproblem_set: mlp_cnn\nanswers:\n  p1.1a: 28x28x1\n  p1.1c.params: 750\n',
    "toml_quoted": 'student = "ann"\nproblem_set = "mlp_cnn"\n"p1.1a" = "28x28x1"\n"p1.1c.params" = 750\n',
    "toml_dotted": 'student = "ann"\nproblem_set = "mlp_cnn"\np1.1a = "28x28x1"\np1.1c.params = 750\n',
    "json": '{"student": "ann", "problem_set": "mlp_cnn", "p1.1a": "28x28x1", "p1.1c.params": 750}',
}


@pytest.mark.parametrize("name", sorted(SAME_ANSWERS))
def test_formats_give_the_same_submission(name):
    fmt = name.split("_")[0]
    sub = parse_submission(SAME_ANSWERS[name], fmt=fmt)
    assert sub.student == "ann" and sub.problem_set == "mlp_cnn"
    assert sub.answers == {"p1.1a": "28x28x1", "p1.1c.params": 750}


def test_yaml_lines_are_recorded():
    sub = parse_submission(SAME_ANSWERS["yaml"], fmt="yaml")
    assert sub.lines["p1.1c.params"] == 4 and sub.where("p1.1a") == "line 3"


def test_yaml_python_tags_are_refused():
    with pytest.raises(SubmissionUnreadable):
        parse_submission("p1.1a: !!python/object/apply:os.system ['id']\n", fmt="yaml")


def test_empty_file_is_an_empty_submission():
    sub = parse_submission("", fmt="yaml")
    assert sub.answers == {} and sub.student is None
