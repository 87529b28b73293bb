"""grader.mathparse on hostile and broken input: refused with a clear message, never executed,
never anything but MathSyntaxError."""

from __future__ import annotations

import builtins
import logging
import os
from pathlib import Path

import lark
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.budget import OutOfBudget
from grader.mathparse import Limits, MathContext, MathSyntaxError, parse_math
from grader.mathparse.grammar import GRAMMAR

CTX = MathContext(
    variables={"x": "real", "alpha": "positive", "D_a": "positive_integer"},
    indexed={"W": 2, "a": 1, "b": 1},
    functions=("Var",),
)
MARKER = "mathparse_marker_file"

# Inputs that attempt something: each must be refused with a message naming the problem.
FORBIDDEN_INPUTS = [
    pytest.param("__import__('os').system('id')", "unexpected '_'", id="import-os-system"),
    pytest.param("().__class__.__bases__", "unexpected ')'", id="dunder-walk"),
    pytest.param("x.__class__", "unexpected character '.'", id="attribute-access"),
    pytest.param("lambda: 0", "unexpected character ':'", id="lambda"),
    pytest.param("exec('1')", 'unexpected "\'"', id="exec"),
    pytest.param("eval('1+1')", 'unexpected "\'"', id="eval"),
    pytest.param("open('/etc/passwd')", 'unexpected "\'"', id="open-file"),
    pytest.param(f"open('{MARKER}', 'w').write('x')", 'unexpected "\'"', id="write-file"),
    pytest.param("9^9^9^9", "exponent 387420489 is too large", id="power-tower"),
    pytest.param("10**10**10", "exponent 10000000000 is too large", id="double-star-tower"),
    pytest.param("2^(10^100)", "exponent is too large", id="googol-exponent"),
    pytest.param("x^(10^100)", "exponent is too large", id="symbolic-googol-exponent"),
    pytest.param("(10^999)^(10^3)", "digits", id="power-result-too-large"),
    pytest.param("x" * 100_000, "too long (100000 characters; the limit is 5000)", id="long"),
    pytest.param("(" * 5000 + "x" + ")" * 5000, "too long", id="deep-parens-long"),
    pytest.param("1" * 40, "has 40 digits; the limit is 30", id="forty-digit-integer"),
    pytest.param("0." + "1" * 40, "digits; the limit is 30", id="forty-digit-decimal"),
    pytest.param("1e99999999", "exponent of '1e99999999' is too large", id="scientific-huge"),
    pytest.param(r"\input{/etc/passwd}", "unknown LaTeX command '\\input'", id="latex-input"),
    pytest.param(r"\def\x{}", "unknown LaTeX command '\\def'", id="latex-def"),
    pytest.param(r"\include{x}", "unknown LaTeX command '\\include'", id="latex-include"),
    pytest.param(r"\write18{id}", "unknown LaTeX command '\\write'", id="latex-write18"),
    pytest.param(r"\begin{verbatim}x\end{verbatim}", "not supported", id="latex-environment"),
    pytest.param("oo", "infinity is not allowed", id="sympy-infinity"),
    pytest.param(r"\infty", "infinity", id="latex-infinity"),
    pytest.param("∞", "infinity", id="unicode-infinity"),
    pytest.param("x/0", "division by zero", id="divide-by-zero"),
    pytest.param("log(0)", "undefined", id="log-zero"),
    pytest.param("0^-1", "negative power", id="zero-negative-power"),
    pytest.param("max(" + ",".join(["x"] * 11) + ")", "max takes 1 to 10 arguments", id="max-many"),
    pytest.param("-" * 3000 + "x", "nested too deeply", id="sign-chain"),
    pytest.param("x" + "^x" * 1000, "nested too deeply", id="power-chain"),
    pytest.param("\ue000x\ue001", "unexpected character", id="private-use-markers"),
]


@pytest.mark.parametrize(("text", "fragment"), FORBIDDEN_INPUTS)
def test_forbidden_inputs_are_refused_with_a_message(text: str, fragment: str) -> None:
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(text, CTX)
    assert fragment in caught.value.message


def test_power_within_the_limit_is_kept() -> None:
    assert parse_math("9^400", CTX) == sp.Integer(9) ** 400


def test_deep_nesting_is_refused_before_the_grammar_runs() -> None:
    deep = "(" * 5000 + "x" + ")" * 5000
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(deep, CTX, limits=Limits(max_length=20_000))
    assert "more than 60 levels" in caught.value.message
    assert caught.value.position == 60


def test_a_matrix_larger_than_the_limit_is_refused_before_it_is_built() -> None:
    rows = ",".join("[" + ",".join(["0"] * 100) + "]" for _ in range(100))
    with pytest.raises(MathSyntaxError, match=r"too large \(100x100; the limit is 50x50\)"):
        parse_math(f"Matrix([{rows}])", CTX, limits=Limits(max_length=100_000))


def test_nothing_is_executed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    parse_math("x + 1", CTX)  # build the parser before the sentinels go in
    calls: list[str] = []
    real_import = builtins.__import__

    def watch_import(name: str, *args: object, **kwargs: object) -> object:
        if name.split(".")[0] in {"os", "subprocess", "shutil", "socket", "pty"}:
            calls.append(f"import {name}")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append(f"called with {args}")

    monkeypatch.setattr(builtins, "__import__", watch_import)
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.chdir(tmp_path)
    for param in FORBIDDEN_INPUTS:
        with pytest.raises(MathSyntaxError):
            parse_math(param.values[0], CTX)
    assert calls == []
    assert not (tmp_path / MARKER).exists()


# ---- error positions -----------------------------------------------------------------------

ERROR_CARETS = [
    # text, position of the caret, a fragment of the message
    ("2*(x+1))", 7, "unexpected ')'"),
    ("x +* 2", 3, "unexpected '*'"),
    ("y + 1", 0, "unknown name 'y': the variables here are x, alpha, D_a"),
    ("alph*x", 0, "did you mean 'alpha'?"),
    (r"\left( x + 1", 0, "has no matching '\\right'"),
    ("(x + 1", 0, "'(' is never closed"),
    ("[x, (1]", 6, "unexpected ']': ')' must first close the '(' at character 5"),
    ("x +", 3, "ends with '+'"),
    ("1/2x", 3, "ambiguous"),
    ("x 2", 2, "write '*' before the number '2'"),
    ("tanh x", 0, "'tanh' is a function"),
    ("x = 1 = 2", 6, "only one '='"),
    ("W_i", 0, "'W' takes 2 indices, as in W_ij"),
    ("x if 1 else 2", 5, "should be a condition"),
    ("|x", 0, "'|' is never closed"),
    (r"\frac{1}{2", 8, "'{' is never closed"),
    ("x\n+ * 2", 4, "unexpected '*'"),
    ("sum(a_j)", 0, "a sum needs a range"),
    ("tanh'(x) + 1", 4, "derivative notation"),
    (r"\tanh^{-1}(x)", 5, "inverse-function notation"),
]


@pytest.mark.parametrize(("text", "caret", "fragment"), ERROR_CARETS)
def test_errors_point_at_the_culprit(text: str, caret: int, fragment: str) -> None:
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(text, CTX)
    assert fragment in caught.value.message
    assert caught.value.position == caret
    assert caught.value.text == text


def test_render_puts_the_caret_under_the_character() -> None:
    with pytest.raises(MathSyntaxError) as caught:
        parse_math("2*(x+1))", CTX)
    assert caught.value.render() == (
        "unexpected ')': there is no opening bracket for it\n  2*(x+1))\n         ^"
    )


def test_render_names_the_line_of_a_multiline_answer() -> None:
    with pytest.raises(MathSyntaxError) as caught:
        parse_math("x +\n2 +* x", CTX)
    assert caught.value.render().splitlines()[1:] == ["line 2: 2 +* x", "           ^"]


def test_render_shows_a_window_of_a_long_line() -> None:
    text = "x + " * 40 + ")"
    with pytest.raises(MathSyntaxError) as caught:
        parse_math(text, CTX)
    _, line, caret = caught.value.render().splitlines()
    assert line.startswith("  ...") and line.endswith(")")
    assert line[caret.index("^")] == ")"


def test_render_without_a_position_is_the_message() -> None:
    error = MathSyntaxError("this answer is too long", None, "x")
    assert error.render() == "this answer is too long"
    assert isinstance(error, ValueError)


def test_the_grammar_has_no_conflicts(caplog: pytest.LogCaptureFixture) -> None:
    # Lark resolves shift/reduce conflicts silently (as shift); the grammar is meant to have
    # none, so every construct reads one way only.
    previous = lark.logger.level
    lark.logger.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG, logger="lark"):
            lark.Lark(GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False)
    finally:
        lark.logger.setLevel(previous)
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]


# ---- properties ----------------------------------------------------------------------------

CONTEXTS = [CTX, MathContext(), MathContext(variables={"sigma": "positive", "x": "real"})]
SYNTAXES = ["auto", "text", "latex"]
# The grammar's own tokens, and near misses: soups of these reach deep into the builder.
TOKENS = [
    "x",
    "alpha",
    "sigma",
    "D_a",
    "W_ij",
    "a_j",
    "b_i",
    "W[i,j]",
    "i",
    "j",
    "e",
    "E",
    "pi",
    "2",
    "0",
    "1.5",
    ".5",
    "1e-3",
    "10",
    "999",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "|",
    ",",
    "=",
    "==",
    "<",
    ">=",
    "≤",
    "!=",
    "if",
    "else",
    "and",
    "or",
    "not",
    "sum",
    "sum_",
    "_",
    "..",
    "'",
    "tanh",
    "max",
    "min",
    "relu",
    "exp",
    "log",
    "sqrt",
    "Var",
    "Piecewise",
    "Eq",
    "Matrix",
    "Rational",
    "Sum",
    "Heaviside",
    "True",
    "θ",
    "σ",
    "−",
    "·",
    "²",
    "√",
    "&",
    "\\\\",
    "\\frac",
    "\\left(",
    "\\right)",
    "\\left|",
    "\\right|",
    "\\tanh",
    "\\sum",
    "\\alpha",
    "\\sigma",
    "\\cdot",
    "\\begin{cases}",
    "\\end{cases}",
    "\\begin{bmatrix}",
    "\\end{bmatrix}",
    "\\text{if}",
    "\\text{otherwise}",
    "\\sqrt",
    "\\max",
    "\\{",
    "\\}",
    "\\operatorname{ReLU}",
    "\\mathrm{Var}",
    "\\geq",
    " ",
    "\\,",
    "$",
    "otherwise",
    "oo",
    "\\infty",
    "λ",
    "0^",
    "-1",
    "1000",
]
ATOMS = ["x", "alpha", "2", "0", "1.5", "e", "pi", "D_a", "W_ij", "a_j", "Var(W)", "\\alpha"]


def _expressions() -> st.SearchStrategy[str]:
    """Well-formed-looking expressions built from the notations above."""

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", " ", "\\cdot "]), inner)
        return st.one_of(
            binary.map("".join),
            inner.map(lambda s: f"({s})"),
            st.tuples(
                st.sampled_from(
                    ["tanh", "exp", "log", "relu", "sigma", "Var", "\\tanh", "abs", "sqrt", "sech"]
                ),
                inner,
            ).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]} if {t[0]} > {t[1]} else {t[1]}"),
            st.tuples(inner, inner).map(lambda t: f"\\frac{{{t[0]}}}{{{t[1]}}}"),
            inner.map(lambda s: f"|{s}|"),
            st.tuples(inner, inner).map(lambda t: f"sum({t[0]}, j=1..{t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"[{t[0]}, {t[1]}]"),
            st.tuples(inner, inner).map(
                lambda t: (
                    f"\\begin{{cases}} {t[0]} & {t[0]} > 0 \\\\ {t[1]} & \\text{{otherwise}}"
                    " \\end{cases}"
                )
            ),
            st.tuples(inner, inner).map(lambda t: f"{t[0]} = {t[1]}"),
        )

    return st.recursive(st.sampled_from(ATOMS), extend, max_leaves=10)


def _only_math_syntax_errors(text: str, ctx: MathContext, syntax: str) -> None:
    """Reading ends in a value, a MathSyntaxError for the student, or OutOfBudget (the reading
    gave up within its CPU budget and the part goes to a person); nothing else escapes."""
    try:
        result = parse_math(text, ctx, syntax=syntax)  # type: ignore[arg-type]
    except OutOfBudget as stopped:
        assert stopped.reason and "stopped early" in str(stopped)
    except MathSyntaxError as error:
        assert isinstance(error.message, str) and error.message
        assert error.position is None or 0 <= error.position <= len(text)
        error.render()
    else:
        assert isinstance(result, (sp.Basic, sp.MatrixBase))


PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(st.text(max_size=60), st.sampled_from(CONTEXTS), st.sampled_from(SYNTAXES))
def test_arbitrary_text_raises_only_math_syntax_error(
    text: str, ctx: MathContext, syntax: str
) -> None:
    _only_math_syntax_errors(text, ctx, syntax)


@PROPERTY_SETTINGS
@given(
    st.lists(st.sampled_from(TOKENS), max_size=16),
    st.sampled_from(["", " "]),
    st.sampled_from(CONTEXTS),
    st.sampled_from(SYNTAXES),
)
def test_token_soup_raises_only_math_syntax_error(
    tokens: list[str], separator: str, ctx: MathContext, syntax: str
) -> None:
    _only_math_syntax_errors(separator.join(tokens), ctx, syntax)


@PROPERTY_SETTINGS
@given(_expressions(), st.sampled_from(CONTEXTS), st.sampled_from(SYNTAXES))
def test_generated_expressions_raise_only_math_syntax_error(
    text: str, ctx: MathContext, syntax: str
) -> None:
    _only_math_syntax_errors(text, ctx, syntax)


# Round trip: sympy's own printers (str and LaTeX) produce text the parser reads back.
_X, _Y = sp.Symbol("x", real=True), sp.Symbol("alpha", positive=True)
_LEAVES = st.sampled_from([_X, _Y, sp.Integer(2), sp.Integer(3), sp.Rational(1, 2), sp.E, sp.pi])


def _sympy_expressions() -> st.SearchStrategy[sp.Expr]:
    def extend(inner: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
        return st.one_of(
            st.tuples(inner, inner).map(lambda t: t[0] + t[1]),
            st.tuples(inner, inner).map(lambda t: t[0] * t[1]),
            st.tuples(inner, inner).map(lambda t: t[0] - t[1]),
            st.tuples(inner, _LEAVES.filter(lambda v: v != 0)).map(lambda t: t[0] / t[1]),
            st.tuples(inner, st.integers(-3, 3)).map(lambda t: t[0] ** t[1]),
            inner.map(sp.tanh),
            inner.map(sp.exp),
            inner.map(sp.Abs),
            inner.map(sp.sech),
            inner.map(lambda v: sp.Max(0, v)),
        )

    return st.recursive(_LEAVES, extend, max_leaves=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sympy_expressions())
def test_sympy_printed_expressions_read_back(expr: sp.Expr) -> None:
    ctx = MathContext(variables={"x": "real", "alpha": "positive"})
    if expr.has(sp.zoo, sp.nan, sp.oo):
        return
    for text, syntax in ((str(expr), "text"), (sp.latex(expr), "latex")):
        back = parse_math(text, ctx, syntax=syntax)  # type: ignore[arg-type]
        assert back == expr or sp.simplify(back - expr) == 0, (text, back, expr)
