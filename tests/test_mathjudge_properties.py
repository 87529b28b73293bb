"""Properties over generated formulas: rewriting a formula never changes the verdict, and any
visible change to it is caught."""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.mathjudge import Equivalence, judge, judge_relation

x, y = sp.symbols("x y")
small = st.integers(min_value=-6, max_value=6)
nonzero = small.filter(lambda n: n != 0)
coefficients = st.lists(small, min_size=1, max_size=6)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def polynomial(coeffs: list[int]) -> sp.Expr:
    return sum((c * x**k for k, c in enumerate(coeffs)), sp.Integer(0))


@FAST
@given(coeffs=coefficients, shift=small)
def test_a_polynomial_equals_its_rewritings(coeffs: list[int], shift: int) -> None:
    p = polynomial(coeffs)
    shifted = sp.expand(p.subs(x, x + shift)).subs(x, x - shift)  # unexpanded, same function
    assert judge(shifted, p).verdict is Equivalence.EQUIVALENT
    assert judge(sp.factor(p), sp.expand(p)).verdict is Equivalence.EQUIVALENT


@FAST
@given(coeffs=coefficients, c=nonzero, k=st.integers(min_value=0, max_value=8))
def test_a_polynomial_plus_anything_is_caught(coeffs: list[int], c: int, k: int) -> None:
    p = polynomial(coeffs)
    result = judge(p + sp.Rational(c, 1000) * x**k, p)
    assert result.verdict is Equivalence.NOT_EQUIVALENT
    assert result.witness is not None


@FAST
@given(a=nonzero, b=small, c=small, t=small)
def test_a_kinked_function_equals_its_cases(a: int, b: int, c: int, t: int) -> None:
    as_max = a * sp.Max(0, x - t) + b * x + c
    as_cases = sp.Piecewise((a * (x - t) + b * x + c, x > t), (b * x + c, True))
    assert judge(as_max, as_cases).verdict is Equivalence.EQUIVALENT


@FAST
@given(a=nonzero, b=small, t=small, moved=nonzero)
def test_a_kink_moved_or_reshaped_is_caught(a: int, b: int, t: int, moved: int) -> None:
    reference = a * sp.Max(0, x - t) + b * x
    assert judge(a * sp.Max(0, x - t - moved) + b * x, reference).verdict is \
        Equivalence.NOT_EQUIVALENT
    assert judge(a * sp.Abs(x - t) + b * x, reference).verdict is Equivalence.NOT_EQUIVALENT


@FAST
@given(a=nonzero, b=nonzero, c=small, scale=nonzero)
def test_a_linear_equation_equals_its_multiples(a: int, b: int, c: int, scale: int) -> None:
    reference = sp.Eq(a * x + b * y, c)
    rearranged = sp.Eq(y, (c - a * x) / b)
    assert judge_relation(sp.Eq(scale * (a * x + b * y - c), 0), reference).verdict is \
        Equivalence.EQUIVALENT
    assert judge_relation(rearranged, reference).verdict is Equivalence.EQUIVALENT
    assert judge_relation(sp.Eq(a * x + b * y, c + 1), reference).verdict is \
        Equivalence.NOT_EQUIVALENT
