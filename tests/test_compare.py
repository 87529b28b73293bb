"""`grader compare`: one pair, a batch of pairs, and the verdicts an author sees."""

from __future__ import annotations

import json

import pytest

from grader.compare import compare, compare_batch, parse_var_options
from grader.errors import UsageError
from tests.conftest import run_cli

PAIRS = [
    ("sech(x)^2", "1 - tanh(x)^2", {"x": "real"}, "equivalent"),
    (r"\frac{x + |x|}{2}", "Max(0, x)", {"x": "real"}, "equivalent"),
    ("|x|", "Max(0, x)", {"x": "real"}, "not_equivalent"),
    ("x", "Max(0, x)", {"x": "positive"}, "equivalent"),
    ("x if x > 0 else alpha*x", "Piecewise((x, x > 0), (alpha*x, True))", {"x": "real", "alpha": "(0,1)"}, "equivalent"),
    ("1/D", "D^(-1)", {"D": "positive_integer"}, "equivalent"),
    ("1 - tanh(x)^^2", "1 - tanh(x)^2", {"x": "real"}, "invalid"),
    ("Var(z) = Var(a)", "Var(a) = Var(z)", None, "equivalent"),
    ("y", "x", {"x": "real"}, "invalid"),
]


@pytest.mark.parametrize("student,reference,variables,verdict", PAIRS)
def test_compare_verdicts(student, reference, variables, verdict):
    result = compare(student, reference, variables)
    assert result["verdict"] == verdict, result
    assert result["message"] and result["seconds"] >= 0


def test_batch_keeps_order_and_reports_bad_lines():
    lines = [json.dumps({"student": s, "reference": r, "variables": v or {}}) for s, r, v, _ in PAIRS[:3]]
    lines.insert(1, "not json")
    results = list(compare_batch(lines))
    assert [r["verdict"] for r in results] == ["equivalent", "invalid", "equivalent", "not_equivalent"]
    assert results[1]["message"].startswith("line 2:")


def test_var_options_are_checked():
    assert parse_var_options(["x:real", "p:(0,1)"]) == {"x": "real", "p": "(0,1)"}
    with pytest.raises(UsageError):
        parse_var_options(["x"])
    with pytest.raises(UsageError, match="n:"):
        parse_var_options(["n:integers"])


def test_cli_json_and_batch(tmp_path):
    one = run_cli("compare", "sech(x)^2", "1 - tanh(x)^2", "--var", "x:real", "--json")
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout)["verdict"] == "equivalent"
    batch = tmp_path / "pairs.jsonl"
    batch.write_text("\n".join(json.dumps({"student": s, "reference": r, "variables": v or {}}) for s, r, v, _ in PAIRS))
    out = run_cli("compare", "--batch", str(batch))
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["verdict"] for line in out.stdout.splitlines()] == [p[3] for p in PAIRS]


def test_cli_refuses_hostile_input_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    out = run_cli("compare", f"__import__('os').system('touch {marker}')", "x", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["verdict"] == "invalid"
    assert not marker.exists()
