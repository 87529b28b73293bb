"""Notation a mathematics teacher writes: the elementary functions in text and LaTeX, the LaTeX
that MathJax and KaTeX accept, unknown function calls, and variables named like indices."""

from __future__ import annotations

import pytest
import sympy as sp

from grader.compare import compare
from grader.errors import UsageError
from grader.mathparse import MathContext, MathSyntaxError, parse_math

X = {"x": "real"}
XY = {"x": "real", "y": "real"}


def verdict(student: str, reference: str, variables: dict[str, str] | None = None) -> str:
    return str(compare(student, reference, variables)["verdict"])


# ---- 3. an unknown function is an error, not a product ------------------------------------

UNKNOWN_CALLS = [
    ("g(1/3)", None, "did you mean the product g*(...)"),
    ("f(x)", X, "for a product, write f*(...)"),
    ("sni(x)", X, "did you mean 'sin'"),
    ("tahn(x)", X, "did you mean 'tan"),
    ("exq(x)", X, "did you mean 'exp'"),
    ("sigmod(x)", X, "did you mean 'sigmoid'"),
    ("arcsn(x)", X, "did you mean 'arcsin'"),
    ("Relu2(x)", X, "did you mean"),
    ("h(2) + 1", None, "did you mean the product h*(...)"),
]


@pytest.mark.parametrize(("answer", "variables", "hint"), UNKNOWN_CALLS)
def test_an_unknown_function_call_is_an_error_with_a_suggestion(
    answer: str, variables: dict[str, str] | None, hint: str
) -> None:
    result = compare(answer, "1", variables)
    assert result["verdict"] == "invalid"
    assert "unknown function" in result["message"]
    assert hint in result["message"]


def test_a_name_used_alone_too_still_multiplies_a_bracket() -> None:
    assert verdict("x(x+1)", "x^2 + x") == "equivalent"
    assert verdict("x(x+1)", "x^2 + x", X) == "equivalent"


def test_an_unknown_call_is_invalid_in_a_part() -> None:
    from grader.kinds.formula import ExpressionKind, FormulaOptions

    parsed = ExpressionKind().parse("g(x) + 1", FormulaOptions())
    assert "unknown function 'g'" in getattr(parsed, "message", str(parsed))


# ---- 4. declared variables named like indices -----------------------------------------------

INDEX_NAMED = [
    ("k + 1", "1 + k", {"k": "real"}),
    ("i*j", "j*i", {"i": "real", "j": "real"}),
    ("n^2 - 1", "(n - 1)*(n + 1)", {"n": "integer"}),
    ("2k", "k + k", {"k": "positive"}),
    ("sqrt(k^2)", "abs(k)", {"k": "real"}),
    ("i + x", "x + i", {"i": "real", "x": "real"}),
    ("k(k+1)/2", "(k^2 + k)/2", {"k": "positive_integer"}),
    ("\\frac{k}{2}", "k/2", {"k": "real"}),
]


@pytest.mark.parametrize(("student", "reference", "variables"), INDEX_NAMED)
def test_a_declared_variable_named_like_an_index_is_a_variable(
    student: str, reference: str, variables: dict[str, str]
) -> None:
    assert verdict(student, reference, variables) == "equivalent"


def test_a_bad_var_option_is_a_usage_error_not_a_traceback() -> None:
    with pytest.raises(UsageError, match="not a valid name"):
        compare("x", "x", {"1x": "real"})


def test_the_cli_takes_var_k() -> None:
    from typer.testing import CliRunner

    from grader.cli import app

    result = CliRunner().invoke(app, ["compare", "k+1", "1+k", "--var", "k:real"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("equivalent")


# ---- 5. the elementary functions, in text and in LaTeX ----------------------------------------

FUNCTIONS = [
    ("sec(x)", "1/cos(x)", X),
    ("\\sec x", "1/cos(x)", X),
    ("csc(x)", "1/sin(x)", X),
    ("\\csc(x)", "1/sin(x)", X),
    ("cot(x)", "cos(x)/sin(x)", X),
    ("\\cot x", "cos(x)/sin(x)", X),
    ("asin(x/2)", "arcsin(x/2)", X),
    ("\\arcsin(x/2)", "asin(x/2)", X),
    ("acos(x/3) + asin(x/3)", "pi/2", {"x": "(-3,3)"}),
    ("\\arccos(x/3)", "acos(x/3)", X),
    ("atan(x) + acot(x)", "pi/2", X),
    ("\\arctan x", "arctan(x)", X),
    ("arccot(x)", "pi/2 - atan(x)", X),
    ("atan2(y, x)", "atan(y/x)", {"x": "positive", "y": "real"}),
    ("atan2(1, -1)", "3*pi/4", {}),
    ("atan2(-1, 0)", "-pi/2", {}),
    ("asinh(x)", "log(x + sqrt(x^2 + 1))", X),
    ("arsinh(x)", "asinh(x)", X),
    ("acosh(x)", "log(x + sqrt(x^2 - 1))", X),
    ("atanh(x)", "log((1 + x)/(1 - x))/2", X),
    ("log(x, 2)", "log(x)/log(2)", X),
    ("log2(x)", "log(x)/log(2)", X),
    ("log10(x)", "log(x)/log(10)", X),
    ("\\log_2 x", "log2(x)", X),
    ("\\log_{10}(x)", "log10(x)", X),
    ("\\log_{b} x", "log(x)/log(b)", {"x": "positive", "b": "positive"}),
    ("\\lg x", "log10(x)", X),
    ("\\ln x", "log(x)", X),
    ("\\exp(x)", "e^x", X),
    ("\\operatorname{sgn}(x)", "sign(x)", X),
    ("\\lvert x \\rvert", "abs(x)", X),
    ("\\cfrac{1}{1 + x^2}", "1/(1 + x^2)", X),
    ("\\tfrac{x}{2}", "x/2", X),
    ("\\binom{n}{2}", "n*(n - 1)/2", {"n": "positive_integer"}),
    ("binomial(5, 2)", "10", {}),
    ("n!", "n*(n - 1)!", {"n": "positive_integer"}),
    ("4!", "24", {}),
    ("(n + 1)!/n!", "n + 1", {"n": "nonnegative_integer"}),
]


@pytest.mark.parametrize(("student", "reference", "variables"), FUNCTIONS)
def test_every_elementary_function_is_read(student: str, reference: str,
                                           variables: dict[str, str]) -> None:
    assert verdict(student, reference, variables) == "equivalent"


FUNCTION_MISTAKES = [
    ("sec(x)", "1/sin(x)", X),
    ("\\arctan x", "atan(2*x)", X),
    ("log2(x)", "log10(x)", X),
    ("\\log_2 x", "log(x)", X),
    ("acosh(x)", "asinh(x)", X),
    ("\\binom{n}{2}", "n*(n + 1)/2", {"n": "positive_integer"}),
    ("atan2(y, x)", "atan(y/x)", XY),
    ("5!", "100", {}),
]


@pytest.mark.parametrize(("student", "reference", "variables"), FUNCTION_MISTAKES)
def test_a_wrong_function_is_caught(student: str, reference: str,
                                    variables: dict[str, str]) -> None:
    assert verdict(student, reference, variables) == "not_equivalent"


@pytest.mark.parametrize(("answer", "message"), [
    ("x!", "whole numbers"),
    ("(-3)!", "whole numbers"),
    ("1000!", "limited"),
    ("\\log_{1} x", "positive and not 1"),
    ("\\sin_2 x", "only \\log takes a base"),
])
def test_a_function_outside_its_domain_of_notation_is_refused(answer: str, message: str) -> None:
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(answer, MathContext(variables={"x": "real"}))
    assert message in caught.value.message


# ---- 7b. LaTeX as people and tools write it ------------------------------------------------

LATEX_SPELLINGS = [
    ("\\mleft( x + 1 \\mright)^2", "(x + 1)^2"),
    ("\\left\\lbrack x + 1 \\right\\rbrack", "x + 1"),
    ("\\lbrack x + 1 \\rbrack \\cdot 2", "2x + 2"),
    ("\\lgroup x + 1 \\rgroup", "x + 1"),
    ("\\bigl( x + 1 \\bigr)^2", "(x + 1)^2"),
    ("\\Big( x + 1 \\Big) \\Bigl[ x \\Bigr]", "(x + 1)*x"),
    ("\\biggl( x \\biggr)", "x"),
    ("x^{2}_{k} + 1", "x_{k}^{2} + 1"),
    ("a^2_1", "a_1^2"),
    ("x \\thinspace y", "x*y"),
    ("x\\medspace y \\thickspace + \\negthinspace 1", "x*y + 1"),
    ("x \\negmedspace \\negthickspace \\enspace \\quad \\qquad y", "x*y"),
    ("x\\,y\\;+\\!1\\:+\\>1\\ +~1", "x*y + 3"),
    ("x \\hspace{1em} y \\mkern3mu + \\kern0.5em 1", "x*y + 1"),
    ("\\boxed{x^2 + 1}", "x^2 + 1"),
    ("\\displaystyle \\frac{x}{2}", "x/2"),
    ("2\\boxed{x}", "2x"),
    ("\\sin(30^\\circ)", "1/2"),
    ("\\cos 60^{\\circ}", "1/2"),
    ("\\tan(45°)", "1"),
    ("\\sec x", "1/cos(x)"),
    ("$\\ln x$", "log(x)"),
]


@pytest.mark.parametrize(("student", "reference"), LATEX_SPELLINGS)
def test_latex_spellings_are_read(student: str, reference: str) -> None:
    variables = {"x": "real", "y": "real"}
    if "_" in student:
        variables = {}
    assert verdict(student, reference, variables) == "equivalent", (student, reference)


def test_a_boxed_definition_is_read_whole() -> None:
    ctx = MathContext(variables={"x": "real", "z_i": "real"})
    value = parse_math("\\boxed{z_i = 2x}", ctx)
    assert isinstance(value, sp.Eq)


@pytest.mark.parametrize("command", ["\\langle", "\\overline", "\\mathbb", "\\vec", "\\hat",
                                     "\\underbrace", "\\color", "\\rceil"])
def test_a_refused_command_names_itself(command: str) -> None:
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(f"{command}{{x}} + 1", MathContext(variables={"x": "real"}))
    assert command in caught.value.message


# ---- 6. large exponents that are harmless -----------------------------------------------

HIGH_DEGREE = [
    ("(y - b)^4000", "(b - y)^4000", "equivalent"),
    ("(y - b)^4001", "(b - y)^4001", "not_equivalent"),
    ("(y - b)^4001", "-(b - y)^4001", "equivalent"),
    ("(x + 1)^3000", "(x + 1)^3000 + 1", "not_equivalent"),
    ("x^50000 * x", "x^50001", "equivalent"),
    ("(x^2)^2000", "x^4000", "equivalent"),
    ("((x + 1)^2)^1500", "(x + 1)^3000", "equivalent"),
    ("(1 + x)^1200 * (1 - x)^1200", "(1 - x^2)^1200", "equivalent"),
    ("(1 + x)^1200 * (1 - x)^1200", "(1 - x^2)^1201", "not_equivalent"),
]


@pytest.mark.parametrize(("student", "reference", "expected"), HIGH_DEGREE)
def test_a_polynomial_identity_of_high_degree_is_judged(student: str, reference: str,
                                                        expected: str) -> None:
    assert verdict(student, reference) == expected


@pytest.mark.parametrize(("answer", "message"), [
    ("(x + y)^200000", "degree times terms"),
    ("x^1000000", "degree times terms"),
    ("2^5000", "too large"),
    ("(10^999)^(10^3)", "digits"),
    ("x^(1/5000)", "exponent"),
])
def test_what_is_built_stays_bounded(answer: str, message: str) -> None:
    result = compare(answer, "1")
    assert result["verdict"] == "invalid"
    assert message in result["message"]
