"""Equivalence means equal, and does not depend on which side is the reference.

Exactness: numbers are read exactly, so a difference that ball arithmetic proves non-zero is a
difference however small; a part that wants approximate values sets `tolerance:`. Domains: the
two sides must be defined at the same points, and each pair is judged in both orders.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.compare import compare
from grader.mathjudge import Verdict, judge
from grader.mathparse import MathContext, parse_math

# ---- 1. a provably non-zero difference is not equivalent ----------------------------------

EXACT_DIFFERENCES = [
    ("1.000000001", "1", {}),
    ("x*(1 + 10^-10)", "x", {"x": "real"}),
    ("0.6666666666666667*y", "2*y/3", {"y": "real"}),
    ("x + 10^-45", "x", {"x": "real"}),
    ("x*(1 + 10^-40)", "x", {"x": "real"}),
    ("3.14159265358979", "pi", {}),
    ("1.4142135623730951*t", "sqrt(2)*t", {"t": "real"}),
    ("exp(x)*(1 + 10^-25)", "exp(x)", {"x": "real"}),
    ("tanh(x) + 10^-30*x^2", "tanh(x)", {"x": "real"}),
    ("0.333333333333333333333*n", "n/3", {"n": "integer"}),
]


@pytest.mark.parametrize(("student", "reference", "variables"), EXACT_DIFFERENCES)
def test_a_tiny_exact_difference_is_not_equivalent(student: str, reference: str,
                                                   variables: dict[str, str]) -> None:
    for a, b in ((student, reference), (reference, student)):
        result = compare(a, b, variables)
        assert result["verdict"] == "not_equivalent", (a, b, result)


EXACT_EQUALITIES = [
    ("0.5*x", "x/2", {"x": "real"}),
    ("2.5e-1", "1/4", {}),
    ("1 - tanh(x)^2", "sech(x)^2", {"x": "real"}),
    ("exp(2*x)", "exp(x)^2", {"x": "real"}),
    ("sqrt(8)", "2*sqrt(2)", {}),
    ("0.125*n*(n + 1)", "n*(n + 1)/8", {"n": "integer"}),
    ("log(8)", "3*log(2)", {}),
    ("1/(1 + exp(-x))", "sigmoid(x)", {"x": "real"}),
]


@pytest.mark.parametrize(("student", "reference", "variables"), EXACT_EQUALITIES)
def test_exactly_equal_forms_stay_equivalent(student: str, reference: str,
                                             variables: dict[str, str]) -> None:
    for a, b in ((student, reference), (reference, student)):
        assert compare(a, b, variables)["verdict"] == "equivalent", (a, b)


def _parsed(text: str) -> sp.Basic:
    return parse_math(text, MathContext(variables={"x": "real"}))


def test_a_tolerance_lets_a_close_decimal_agree_and_only_then() -> None:
    student, reference = _parsed("3.14159265*x"), _parsed("pi*x")
    assert judge(student, reference).verdict is Verdict.NOT_EQUIVALENT
    assert judge(student, reference, rel_tol=1e-6).verdict is Verdict.EQUIVALENT
    assert judge(student, reference, rel_tol=1e-12).verdict is Verdict.NOT_EQUIVALENT


def test_a_close_decimal_is_told_to_give_the_exact_value() -> None:
    close = judge(_parsed("0.6667*x"), _parsed("2*x/3"))
    assert close.verdict is Verdict.NOT_EQUIVALENT
    assert "give the exact value" in close.student_message
    far = judge(_parsed("0.5*x"), _parsed("2*x/3"))
    assert far.verdict is Verdict.NOT_EQUIVALENT
    assert "exact value" not in far.student_message
    fraction = judge(_parsed("x/3"), _parsed("2*x/3"))
    assert "exact value" not in fraction.student_message


def test_the_formula_part_option_tolerance_defaults_to_exact() -> None:
    from grader.kinds.formula import ExpressionKind, FormulaOptions

    kind = ExpressionKind()
    exact = FormulaOptions()
    loose = FormulaOptions(tolerance=1e-6)
    answer = kind.parse("3.1415927*x", exact)
    expected = _parsed("pi*x")
    assert kind.compare(answer, expected, exact).status == "incorrect"
    assert kind.compare(answer, expected, loose).status == "correct"


# The property: a random formula and the same formula moved by a random exact non-zero amount,
# relative sizes from 1e-1 down to 1e-30, are never equivalent.
_x = sp.Symbol("x", real=True)
_FORMS = [
    _x**2 + 3 * _x - 1,
    sp.exp(_x) + 1,
    sp.tanh(_x),
    sp.sin(_x) + 2,
    1 / (1 + _x**2),
    sp.sqrt(_x**2 + 1),
    sp.log(_x**2 + 2),
    sp.Max(0, _x) + 1,
    2 * _x**3 - _x,
    sp.Abs(_x - 1) + sp.Rational(1, 3),
]
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(
    form=st.sampled_from(_FORMS),
    mantissa=st.integers(min_value=1, max_value=999).map(lambda m: m if m % 10 else m + 1),
    power=st.integers(min_value=1, max_value=30),
    negative=st.booleans(),
    relative=st.booleans(),
)
def test_a_formula_moved_by_an_exact_nonzero_amount_is_never_equivalent(
    form: sp.Expr, mantissa: int, power: int, negative: bool, relative: bool
) -> None:
    amount = sp.Rational(-mantissa if negative else mantissa, 10 ** (power + 2))
    moved = form * (1 + amount) if relative else form + amount * form.subs(_x, 1)
    for a, b in ((moved, form), (form, moved)):
        assert judge(a, b, {"x": "real"}).verdict is not Verdict.EQUIVALENT, (a, b)


# ---- 2. both domains: sample where either side is defined ---------------------------------

DOMAIN_PAIRS = [
    ("sqrt((t-1)*(t-4))", "sqrt(t-1)*sqrt(t-4)", {"t": "real"}, "t"),
    ("log(u^3*v)", "3*log(u) + log(v)", {"u": "real", "v": "real"}, "u"),
    ("log(x^2)", "2*log(x)", {"x": "real"}, "x"),
    ("sqrt(x^2 + x)", "sqrt(x)*sqrt(x + 1)", {"x": "real"}, "x"),
    ("log(x*y)", "log(x) + log(y)", {"x": "real", "y": "real"}, "x"),
    ("sqrt(x^2 - 1)", "sqrt(x - 1)*sqrt(x + 1)", {"x": "real"}, "x"),
    ("sqrt(x/y)", "sqrt(x)/sqrt(y)", {"x": "real", "y": "real"}, "x"),
    ("log(x/y)", "log(x) - log(y)", {"x": "real", "y": "real"}, "x"),
    # defined on the same set (x > 0): equivalent both ways
    ("log(exp(x) - 1)", "x + log(1 - exp(-x))", {"x": "real"}, None),
    ("sqrt(n - 3)", "sqrt(n - 3) + 0*n", {"n": "integer"}, None),
]


@pytest.mark.parametrize(("wide", "narrow", "variables", "named"), DOMAIN_PAIRS)
def test_sides_defined_on_different_sets_differ_in_both_orders(
    wide: str, narrow: str, variables: dict[str, str], named: str | None
) -> None:
    if named is None:  # the same function written twice: equivalent both ways
        for a, b in ((wide, narrow), (narrow, wide)):
            assert compare(a, b, variables)["verdict"] == "equivalent"
        return
    one_way = compare(wide, narrow, variables)
    other_way = compare(narrow, wide, variables)
    assert one_way["verdict"] == other_way["verdict"] == "not_equivalent", (one_way, other_way)
    for result in (one_way, other_way):
        assert "undefined" in result["message"]
        assert f"{named} = " in result["message"]  # names a point where they part


def test_the_domain_verdict_is_equivalent_when_the_domain_excludes_the_difference() -> None:
    positive = {"u": "positive", "v": "positive"}
    for a, b in (("log(u^3*v)", "3*log(u) + log(v)"), ("3*log(u) + log(v)", "log(u^3*v)")):
        assert compare(a, b, positive)["verdict"] == "equivalent"
    for a, b in (("sqrt(x^2 + x)", "sqrt(x)*sqrt(x + 1)"), ("sqrt(x)*sqrt(x + 1)", "sqrt(x^2 + x)")):
        assert compare(a, b, {"x": "nonnegative"})["verdict"] == "equivalent"


def test_the_student_message_says_the_answer_is_defined_where_the_expected_one_is_not() -> None:
    ctx = MathContext(variables={"t": "real"})
    student = parse_math("sqrt((t-1)*(t-4))", ctx)
    reference = parse_math("sqrt(t-1)*sqrt(t-4)", ctx)
    result = judge(student, reference, {"t": "real"})
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert "where the expected answer is not" in result.student_message
    assert result.witness is not None and result.witness["t"] < 4
