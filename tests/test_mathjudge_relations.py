"""Equations and inequalities: the variance-preservation condition written many ways, and the
relations that only look alike."""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

from grader.mathjudge import Equivalence, judge, judge_relation

W, A, Z = (sp.IndexedBase(n) for n in ("W", "a", "z"))
LOCALS: dict[str, Any] = {"Var": sp.Function("Var"), "W_": W, "a_": A, "z_": Z}
DA = {"D_a": "positive_integer"}


def rel(text: str) -> Any:
    """A test literal: `lhs == rhs` for an equation, an inequality as sympy reads it."""
    if "==" in text:
        lhs, rhs = text.split("==")
        return sp.Eq(sp.sympify(lhs, locals=LOCALS), sp.sympify(rhs, locals=LOCALS))
    return sp.sympify(text, locals=LOCALS)


def case(name: str, student: str, reference: str, domains: dict[str, str] | None = None
         ) -> Any:
    return pytest.param(student, reference, domains if domains is not None else DA, id=name)


VARIANCE_CONDITION = "Var(z) == D_a*Var(W)*Var(a)"

EQUIVALENT_CONDITIONS = [
    case("sides swapped", "D_a*Var(W)*Var(a) == Var(z)", VARIANCE_CONDITION),
    case("moved to one side", "D_a*Var(W)*Var(a) - Var(z) == 0", VARIANCE_CONDITION),
    case("bare expression means = 0", "Var(z) - D_a*Var(W)*Var(a)", VARIANCE_CONDITION),
    case("solved for Var(W)", "Var(W) == Var(z)/(D_a*Var(a))", VARIANCE_CONDITION),
    case("divided through", "Var(z)/Var(a) == D_a*Var(W)", VARIANCE_CONDITION),
    case("as a ratio equal to 1", "D_a*Var(W)*Var(a)/Var(z) == 1", VARIANCE_CONDITION),
    case("logarithms", "log(Var(z)) == log(D_a) + log(Var(W)) + log(Var(a))",
         VARIANCE_CONDITION),
    case("both sides squared (all positive)", "Var(z)**2 == (D_a*Var(W)*Var(a))**2",
         VARIANCE_CONDITION),
    case("doubled", "2*Var(z) == 2*D_a*Var(W)*Var(a)", VARIANCE_CONDITION),
    case("indexed entries", "Var(z_[i]) == D_a*Var(W_[i, j])*Var(a_[j])", VARIANCE_CONDITION),
    case("Xavier, solved", "Var(W) == 1/D_a", "D_a*Var(W) == 1"),
    case("Xavier from the condition", "Var(z) == Var(a)*Var(W)*D_a",
         "Var(a)*D_a*Var(W) == Var(z)"),
]

NOT_EQUIVALENT_CONDITIONS = [
    case("D_a missing", "Var(z) == Var(W)*Var(a)", VARIANCE_CONDITION),
    case("D_a squared", "Var(z) == D_a**2*Var(W)*Var(a)", VARIANCE_CONDITION),
    case("sum instead of product", "Var(z) == D_a*(Var(W) + Var(a))", VARIANCE_CONDITION),
    case("off by a relative 1e-6", "Var(z) == 1.000001*D_a*Var(W)*Var(a)", VARIANCE_CONDITION),
    case("plus one", "Var(z) == D_a*Var(W)*Var(a) + 1", VARIANCE_CONDITION),
    case("a tautology", "Var(z) == Var(z)", VARIANCE_CONDITION),
    case("a tautology sympy cannot see", "Max(0, x) == (x + Abs(x))/2", "x == 0", {}),
    case("an inequality instead", "Var(z) >= D_a*Var(W)*Var(a)", VARIANCE_CONDITION),
    case("!= instead of =", "Ne(Var(z), D_a*Var(W)*Var(a))", VARIANCE_CONDITION),
    case("Xavier with D_a squared", "Var(W) == 1/D_a**2", "D_a*Var(W) == 1"),
]

EQUIVALENT_INEQUALITIES = [
    case("a >= b vs b <= a", "a >= b", "b <= a", {}),
    case("scaled by 2", "2*a >= 2*b", "a >= b", {}),
    case("moved to one side", "a - b >= 0", "a >= b", {}),
    case("negated both sides", "-a <= -b", "a >= b", {}),
    case("relu above 1", "Max(0, x) >= 1", "x >= 1", {}),
    case("strict, flipped", "b < a", "a > b", {}),
    case("always true", "x**2 >= 0", "Abs(x) >= 0", {}),
]

NOT_EQUIVALENT_INEQUALITIES = [
    case("strict vs not strict", "a > b", "a >= b", {}),
    case("wrong direction", "a <= b", "a >= b", {}),
    case("x^2 >= 1 vs x >= 1", "x**2 >= 1", "x >= 1", {}),
    case("boundary off by 1e-6", "x >= 1", "x >= 1.000001", {}),
    case("equation vs inequality", "a == b", "a >= b", {}),
]


@pytest.mark.parametrize(("student", "reference", "domains"), EQUIVALENT_CONDITIONS)
def test_equivalent_conditions(student: str, reference: str, domains: dict[str, str]) -> None:
    result = judge_relation(rel(student), rel(reference), domains)
    assert result.verdict is Equivalence.EQUIVALENT, result.message


@pytest.mark.parametrize(("student", "reference", "domains"), NOT_EQUIVALENT_CONDITIONS)
def test_not_equivalent_conditions(student: str, reference: str, domains: dict[str, str]
                                   ) -> None:
    result = judge_relation(rel(student), rel(reference), domains)
    assert result.verdict is Equivalence.NOT_EQUIVALENT, result.message


@pytest.mark.parametrize(("student", "reference", "domains"), EQUIVALENT_INEQUALITIES)
def test_equivalent_inequalities(student: str, reference: str, domains: dict[str, str]) -> None:
    result = judge_relation(rel(student), rel(reference), domains)
    assert result.verdict is Equivalence.EQUIVALENT, result.message


@pytest.mark.parametrize(("student", "reference", "domains"), NOT_EQUIVALENT_INEQUALITIES)
def test_not_equivalent_inequalities(student: str, reference: str, domains: dict[str, str]
                                     ) -> None:
    result = judge_relation(rel(student), rel(reference), domains)
    assert result.verdict is Equivalence.NOT_EQUIVALENT, result.message


def test_tautology_message_says_it_is_not_a_condition() -> None:
    result = judge_relation(rel("Var(z) == Var(z)"), rel(VARIANCE_CONDITION), DA)
    assert "not a condition" in result.student_message


def test_missing_factor_names_a_solution_of_the_expected_equation_to_authors_only() -> None:
    result = judge_relation(rel("Var(z) == Var(W)*Var(a)"), rel(VARIANCE_CONDITION), DA)
    assert result.witness is not None and "Var(z)" in result.witness
    assert "expected equation holds but yours does not" in result.message
    assert "=" not in result.student_message


def test_strict_inequality_differs_exactly_on_the_boundary() -> None:
    result = judge_relation(rel("x > 0"), rel("x >= 0"))
    assert result.witness == {"x": 0}


def test_equations_without_solutions_are_left_to_a_human() -> None:
    result = judge_relation(rel("x**2 + 1 == 0"), rel("x**2 + 2 == 0"))
    assert result.verdict is Equivalence.UNDECIDED


def test_judge_hands_relations_to_judge_relation() -> None:
    result = judge(rel("D_a*Var(W)*Var(a) == Var(z)"), rel(VARIANCE_CONDITION), DA)
    assert result.verdict is Equivalence.EQUIVALENT


def test_relations_refuse_what_is_not_a_relation() -> None:
    with pytest.raises(TypeError):
        judge_relation(sp.Matrix([1]), rel(VARIANCE_CONDITION))
