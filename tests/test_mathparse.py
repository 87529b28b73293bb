"""grader.mathparse: every notation students use, in both syntaxes, builds the right sympy."""

from __future__ import annotations

import pickle

import pytest
import sympy as sp

from grader.mathparse import (
    Limits,
    MathContext,
    MathSyntaxError,
    is_definition,
    parse_math,
    split_definition,
    symbol_for,
    uses_latex,
)
from grader.mathparse.context import index_symbol, interval_bounds

CTX = MathContext(
    variables={
        "x": "real",
        "y": "real",
        "alpha": "positive",
        "theta": "real",
        "D_a": "positive_integer",
        "x1": "real",
        "x2": "real",
        "w1": "real",
        "w2": "real",
    },
    indexed={"W": 2, "a": 1, "b": 1, "z": 1},
    functions=("Var",),
)

x = symbol_for("x", "real")
y = symbol_for("y", "real")
alpha = symbol_for("alpha", "positive")
theta = symbol_for("theta", "real")
D_a = symbol_for("D_a", "positive_integer")
i, j = index_symbol("i"), index_symbol("j")
W, a, b, z = (sp.IndexedBase(n) for n in "Wabz")
Var = sp.Function("Var")


def equivalent(first: object, second: object) -> bool:
    """Trusted objects only: the same value after simplification (sympy used freely here)."""
    if isinstance(first, sp.MatrixBase) or isinstance(second, sp.MatrixBase):
        return (
            isinstance(first, sp.MatrixBase)
            and isinstance(second, sp.MatrixBase)
            and first.shape == second.shape
            and all(equivalent(p, q) for p, q in zip(first, second))
        )
    if isinstance(first, sp.Equality) and isinstance(second, sp.Equality):
        return equivalent(first.lhs, second.lhs) and equivalent(first.rhs, second.rhs)
    if isinstance(first, sp.logic.boolalg.Boolean) or isinstance(second, sp.logic.boolalg.Boolean):
        return first == second
    difference = first - second  # type: ignore[operator]
    for candidate in (difference, difference.rewrite(sp.exp), difference.rewrite(sp.Piecewise)):
        if sp.simplify(candidate) == 0:
            return True
    return False


# Pairs of answers that must mean the same: one row per notation, plain text and LaTeX.
EQUIVALENT_FORMS: list[tuple[str, str]] = [
    # tanh and its derivative
    ("1 - tanh(x)^2", r"1-\tanh^2(x)"),
    ("1 - tanh(x)**2", r"1 - \tanh(x)^2"),
    ("1 - tanh^2(x)", r"1 - \tanh^{2}\left(x\right)"),
    ("sech(x)^2", r"\operatorname{sech}^2(x)"),
    ("sech(x)^2", r"\operatorname{sech}^2 x"),
    ("1/cosh(x)^2", r"\frac{1}{\cosh^2 x}"),
    ("4/(e^x + e^-x)^2", r"\frac{4}{\left(e^{x}+e^{-x}\right)^{2}}"),
    ("tanh(x)", r"2\sigma(2x) - 1"),
    ("tanh(x)", "2 sigmoid(2x) - 1"),
    ("tanh(x)", "(exp(x) - exp(-x))/(exp(x) + exp(-x))"),
    ("tanh(x)", r"\tanh x"),
    # activations
    ("max(0,x)", r"\max(0, x)"),
    ("max(0,x)", r"\max\{0, x\}"),
    ("max(0,x)", r"\max\left(0, x\right)"),
    ("Max(0, x)", "relu(x)"),
    ("ReLU(x)", r"\operatorname{ReLU}(x)"),
    ("max(0,x)", "(x + |x|)/2"),
    ("max(0,x)", r"\frac{x + \left|x\right|}{2}"),
    ("max(0,x)", "x if x > 0 else 0"),
    ("max(0,x)", r"\begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}"),
    ("max(0,x)", "Piecewise((x, x > 0), (0, True))"),
    ("Heaviside(x, 0)", "1 if x > 0 else 0"),
    (
        "Heaviside(x, 0)",
        r"\begin{cases} 1 & \text{if } x > 0 \\ 0 & \text{if } x \le 0 \end{cases}",
    ),
    ("max(alpha*x, x)", r"\max(\alpha x, x)"),
    (
        "x if x >= 0 else 0.01x",
        r"\begin{cases} x, & x \geq 0 \\ 0.01 x, & \text{otherwise} \end{cases}",
    ),
    (
        "x if x > 0 else alpha*(exp(x)-1)",
        r"\begin{cases} x & x>0 \\ \alpha(e^x-1) & \text{otherwise}\end{cases}",
    ),
    (
        "x if x > 0 else alpha*(exp(x)-1)",
        (
            r"\begin{cases} x & \text{if } x > 0 \\ \alpha\left(e^{x} - 1\right) & \text{if } x \leq 0"
            r" \end{cases}"
        ),
    ),
    ("x if x > 0 else alpha (e^x - 1)", "x if x > 0 else α(exp(x) − 1)"),
    (
        "x if x > 0 else alpha*(exp(x)-1)",
        r"\left\{\begin{array}{ll} x & x > 0 \\ \alpha(e^x-1) & \text{otherwise}\end{array}\right.",
    ),
    ("sigmoid(x)", r"\frac{1}{1+e^{-x}}"),
    ("sigma(x)", "1/(1 + exp(-x))"),
    ("abs(x)", r"\left| x \right|"),
    ("abs(x)", r"\lvert x \rvert"),
    ("Abs(x)", "|x|"),
    ("sign(x)", r"\operatorname{sgn}(x)"),
    # the neuron, with an indexed sum
    ("sum(W_ij a_j, j=1..D_a) + b_i", r"\sum_{j=1}^{D_a} W_{ij} a_j + b_i"),
    ("sum(W_ij a_j, j=1..D_a) + b_i", r"\sum\limits_{j=1}^{D_a} W_{i,j} a_{j} + b_{i}"),
    ("sum(W_ij*a_j, j, 1, D_a) + b_i", "Sum(W[i,j]*a[j], (j, 1, D_a)) + b[i]"),
    ("sum(W_ij a_j, j=1..D_a) + b_i", "sum_{j=1}^{D_a} W_ij a_j + b_i"),
    ("sum(W_ij a_j, j=1..D_a) + b_i", "∑_{j=1}^{D_a} W_ij a_j + b_i"),
    ("tanh(sum(W_ij a_j, j=1..D_a) + b_i)", r"\tanh\left(\sum_{j=1}^{D_a} W_{ij}a_j + b_i\right)"),
    ("2 sum(a_j, j=1..D_a)", r"2\sum_{j=1}^{D_a} a_j"),
    # Xavier
    ("1/D_a", r"\frac{1}{D_a}"),
    ("1/D_a", r"\dfrac{1}{D_{a}}"),
    ("1/D_a", "D_a^-1"),
    (
        "Var(z_i) = D_a Var(W) Var(a)",
        r"\mathrm{Var}(z_i) = D_a \operatorname{Var}(W)\mathrm{Var}(a)",
    ),
    ("Var(W_ij) = 1/D_a", r"\mathrm{Var}(W_{ij}) = \frac{1}{D_a}"),
    # reparametrisation gradient
    ("2 theta", "2θ"),
    ("2*(theta)", "2\\theta"),
    ("2*theta", "2 \\cdot \\theta"),
    ("2θ", "2·θ"),
    # operators and spellings
    ("x^2", "x**2"),
    ("x^2", "x²"),
    ("x^3", r"x^{3}"),
    ("x^-1", "x⁻¹"),
    ("2*x", "2x"),
    ("2*x", r"2 \times x"),
    ("2*x", "2 × x"),
    ("2*x", "2⋅x"),
    ("-x", "−x"),
    ("x*y", "x y"),
    ("x*y", r"x\,y"),
    ("(x+1)*(x-1)", "(x+1)(x-1)"),
    ("2*(x+1)", "2(x+1)"),
    ("x/2", r"\frac{x}{2}"),
    ("x/2", r"\tfrac x2"),
    ("(1/2)x", r"\frac12 x"),
    ("sqrt(x)", r"\sqrt{x}"),
    ("sqrt(x)", "√x"),
    ("x^(1/3)", r"\sqrt[3]{x}"),
    ("exp(x)", "e^x"),
    ("exp(x)", r"e^{x}"),
    ("exp(x)", r"\exp(x)"),
    ("exp(x)", r"\mathrm{e}^{x}"),
    ("exp(-x^2/2)", r"e^{-\frac{x^2}{2}}"),
    ("E^x", r"\exp x"),
    ("log(x)", r"\ln(x)"),
    ("ln(x)", r"\log x"),
    ("log(x, 2)", r"\frac{\ln x}{\ln 2}"),
    ("pi", r"\pi"),
    ("π*x", r"\pi x"),
    ("0.5", "1/2"),
    (".5", r"\frac{1}{2}"),
    ("1e-3", "1/1000"),
    ("Rational(1, 2)", "0.5"),
    ("x^2(x+1)", "x^2*(x+1)"),
    ("$x^2$", r"\(x^2\)"),
    ("[x + 1]", r"\left[x+1\right]"),
    ("w1 x1 + w2 x2", r"w1 \cdot x1 + w2 \cdot x2"),
    # relations
    ("x >= 0", r"x \geq 0"),
    ("x <= 1", r"x \le 1"),
    ("x ≥ 0", r"x \ge 0"),
    ("Eq(x, 1)", "x = 1"),
    ("x == 1", "x = 1"),
    # matrices
    ("[x1, x2, 0]", r"\begin{bmatrix} x1 \\ x2 \\ 0 \end{bmatrix}"),
    ("[[1, 2], [3, 4]]", r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"),
    ("Matrix([[1, 2], [3, 4]])", r"\left[\begin{array}{cc} 1 & 2 \\ 3 & 4 \end{array}\right]"),
    ("Matrix([1, 2])", "[1, 2]"),
    ("[[w1, w2, 0], [0, w1, w2]]", r"\begin{bmatrix} w1 & w2 & 0 \\ 0 & w1 & w2 \end{bmatrix}"),
]


@pytest.mark.parametrize(("first", "second"), EQUIVALENT_FORMS)
def test_equivalent_forms_build_the_same_value(first: str, second: str) -> None:
    assert equivalent(parse_math(first, CTX), parse_math(second, CTX))


# Exact structure of what comes back, for the forms other modules rely on.
BUILDS_EXACTLY: list[tuple[str, sp.Basic]] = [
    ("x + 1", x + 1),
    ("0.5x", x / 2),
    ("1e-3", sp.Rational(1, 1000)),
    ("tanh^2(x)", sp.tanh(x) ** 2),
    ("max(0, x)", sp.Max(0, x)),
    ("relu(x)", sp.Max(0, x)),
    ("sigma(x)", 1 / (1 + sp.exp(-x))),
    ("Heaviside(x)", sp.Heaviside(x)),
    ("Heaviside(x, 0)", sp.Heaviside(x, 0)),
    ("e^x", sp.exp(x)),
    ("E", sp.E),
    ("x if x > 0 else 0", sp.Piecewise((x, x > 0), (0, True))),
    (
        "x if x > 1 else alpha x if x > 0 else 0",
        sp.Piecewise((x, x > 1), (alpha * x, x > 0), (0, True)),
    ),
    ("x if x > 0 and x < 1 else 0", sp.Piecewise((x, sp.And(x > 0, x < 1)), (0, True))),
    ("x if 0 < x < 1 else 0", sp.Piecewise((x, sp.And(x > 0, x < 1)), (0, True))),
    ("W_ij", W[i, j]),
    ("W_{ij}", W[i, j]),
    ("W_{i,j}", W[i, j]),
    ("W[i, j]", W[i, j]),
    ("a_{j+1}", a[j + 1]),
    ("W_12", W[1, 2]),
    ("sum(W_ij a_j, j=1..D_a) + b_i", sp.Sum(W[i, j] * a[j], (j, 1, D_a)) + b[i]),
    ("x >= 0", sp.Ge(x, 0, evaluate=False)),
    ("x = x", sp.Eq(x, x, evaluate=False)),
    ("Var(z_i) = D_a Var(W) Var(a)", sp.Eq(Var(z[i]), D_a * Var(W) * Var(a), evaluate=False)),
    ("[1, x]", sp.Matrix([[1], [x]])),
    ("[[1, x]]", sp.Matrix([[1, x]])),
    ("[[1, 2], [3, 4]]", sp.Matrix([[1, 2], [3, 4]])),
]


@pytest.mark.parametrize(("text", "expected"), BUILDS_EXACTLY)
def test_builds_exactly(text: str, expected: sp.Basic) -> None:
    assert parse_math(text, CTX) == expected


def test_heaviside_product_agrees_with_relu_at_every_sign() -> None:
    relu, product = parse_math("max(0, x)", CTX), parse_math("x*Heaviside(x)", CTX)
    for point in (-2, -sp.Rational(1, 3), 0, sp.Rational(1, 3), 2):
        assert relu.subs(x, point) == product.subs(x, point)


def test_matrix_results_are_sympy_matrices() -> None:
    result = parse_math("[x1, x2, 0]", CTX)
    assert isinstance(result, sp.Matrix)
    assert result.shape == (3, 1)
    assert parse_math(r"\begin{bmatrix} 1 & 2 & 3 \end{bmatrix}", CTX).shape == (1, 3)


def test_scalar_times_matrix_and_matrix_sums() -> None:
    assert parse_math("2[1, x]", CTX) == sp.Matrix([[2], [2 * x]])
    assert parse_math("[1, 2] + [x, 0]", CTX) == sp.Matrix([[1 + x], [2]])
    assert parse_math(r"\frac{1}{2}\begin{bmatrix} 2 & 4 \end{bmatrix}", CTX) == sp.Matrix([[1, 2]])


# ---- names ---------------------------------------------------------------------------------


def test_declared_domains_become_assumptions() -> None:
    ctx = MathContext(
        variables={
            "r": "real",
            "p": "positive",
            "q": "nonnegative",
            "n": "integer",
            "m": "positive_integer",
            "k0": "nonnegative_integer",
            "u": "(0,1)",
        }
    )
    expected = {
        "r": {"real": True},
        "p": {"positive": True},
        "q": {"nonnegative": True},
        "n": {"integer": True},
        "m": {"integer": True, "positive": True},
        "k0": {"integer": True, "nonnegative": True},
        "u": {"real": True},
    }
    for name, assumptions in expected.items():
        assert parse_math(name, ctx) == sp.Symbol(name, **assumptions)
        assert ctx.symbol(name) == sp.Symbol(name, **assumptions)
    assert interval_bounds("(0,1)") == (0.0, 1.0)


def test_undeclared_mode_accepts_any_name_as_a_real_variable() -> None:
    free = MathContext()
    assert parse_math("foo + x_1 + y", free) == (
        sp.Symbol("foo", real=True) + sp.Symbol("x_1", real=True) + sp.Symbol("y", real=True)
    )
    # Subscripts made of index letters are indexed names there.
    assert parse_math("W_ij a_j", free) == W[i, j] * a[j]
    assert parse_math("x(x+1)", free) == sp.Symbol("x", real=True) * (sp.Symbol("x", real=True) + 1)
    assert parse_math("sigma^2", free) == sp.Symbol("sigma", real=True) ** 2
    assert parse_math("sigma(t)", free) == 1 / (1 + sp.exp(-sp.Symbol("t", real=True)))


def test_a_declared_sigma_is_a_variable_not_the_logistic() -> None:
    ctx = MathContext(variables={"sigma": "positive", "x": "real"})
    sigma = sp.Symbol("sigma", positive=True)
    assert parse_math("sigma(x)", ctx) == sigma * x
    assert parse_math(r"\sigma^2", ctx) == sigma**2
    assert parse_math("σ x", ctx) == sigma * x


def test_greek_spellings_share_one_name() -> None:
    ctx = MathContext(variables={"lambda": "positive", "epsilon": "real", "phi": "real"})
    lam = sp.Symbol("lamda", positive=True)
    for text in ("lambda", "λ", r"\lambda"):
        assert parse_math(text, ctx) == lam
    for text in ("epsilon", "ε", "ϵ", r"\epsilon", r"\varepsilon"):
        assert parse_math(text, ctx) == sp.Symbol("epsilon", real=True)
    for text in ("phi", "φ", "ϕ", r"\phi", r"\varphi"):
        assert parse_math(text, ctx) == sp.Symbol("phi", real=True)


def test_latex_splits_words_of_declared_letters_but_text_does_not() -> None:
    assert parse_math(r"2xy", CTX, syntax="latex") == 2 * x * y
    with pytest.raises(MathSyntaxError, match=r"for a product, write x\*y"):
        parse_math("2xy", CTX, syntax="text")


def test_sum_index_that_is_not_declared_is_bound_inside_the_sum() -> None:
    k = index_symbol("k")
    assert parse_math("sum(W_ik a_k, k=1..D_a)", CTX) == sp.Sum(W[i, k] * a[k], (k, 1, D_a))
    # A sum from 0 does not claim its index is positive.
    k0 = sp.Symbol("k", integer=True)
    assert parse_math(r"\sum_{k=0}^{D_a} a_k", CTX) == sp.Sum(a[k0], (k0, 0, D_a))


def test_context_is_frozen_hashable_and_validated() -> None:
    same = MathContext(variables={"θ": "real"}, indexed={"W": 2})
    assert same == MathContext(variables={"theta": "real"}, indexed={"W": 2})
    assert hash(same) == hash(MathContext(variables={"theta": "real"}, indexed={"W": 2}))
    with pytest.raises(AttributeError):
        same.indices = ("m",)  # type: ignore[misc]
    with pytest.raises(ValueError, match="unknown domain"):
        MathContext(variables={"x": "complex"})
    # A declared variable wins over the default index of the same name.
    assert "i" not in MathContext(variables={"i": "real"}).indices
    with pytest.raises(ValueError, match="both as variable and as indexed name"):
        MathContext(variables={"W": "real"}, indexed={"W": 2})
    with pytest.raises(KeyError):
        CTX.symbol("nope")


# ---- definitions ---------------------------------------------------------------------------

DEFINITIONS: list[tuple[str, str, sp.Expr]] = [
    ("ReLU(x) = max(0, x)", "ReLU", sp.Max(0, x)),
    (r"\operatorname{ReLU}(x) = \max(0, x)", "ReLU", sp.Max(0, x)),
    (r"\text{ReLU}(x) = \max\{0, x\}", "ReLU", sp.Max(0, x)),
    ("f(x) = x if x > 0 else alpha*x", "f", sp.Piecewise((x, x > 0), (alpha * x, True))),
    ("ReLU'(x) = 1 if x > 0 else 0", "ReLU'", sp.Piecewise((1, x > 0), (0, True))),
    (
        "ELU(x, alpha) = x if x > 0 else alpha*(exp(x) - 1)",
        "ELU",
        sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True)),
    ),
    ("tanh'(x) = 1 - tanh(x)^2", "tanh'", 1 - sp.tanh(x) ** 2),
]


@pytest.mark.parametrize(("text", "name", "rhs"), DEFINITIONS)
def test_definitions_expose_their_name(text: str, name: str, rhs: sp.Expr) -> None:
    result = parse_math(text, CTX)
    assert isinstance(result, sp.Equality)
    assert is_definition(result)
    assert split_definition(result) == (name, rhs)


def test_equations_with_context_functions_are_not_definitions() -> None:
    result = parse_math("Var(z_i) = D_a Var(W) Var(a)", CTX)
    assert split_definition(result) == (None, result)
    assert split_definition(parse_math("x + 1", CTX)) == (None, x + 1)


# ---- numbers, evaluation, misc -------------------------------------------------------------


def test_decimals_are_exact_and_sigmoid_evaluates_numerically() -> None:
    assert parse_math("0.1 + 0.2", CTX) == sp.Rational(3, 10)
    sigmoid = parse_math("sigma(x)", CTX)
    assert abs(float(sigmoid.subs(x, 0)) - 0.5) < 1e-12
    assert abs(sp.lambdify(x, sigmoid)(2.0) - 1 / (1 + 2.718281828459045**-2)) < 1e-12


def test_syntax_auto_reads_latex_when_there_is_a_backslash() -> None:
    assert uses_latex(r"\frac{1}{2}", "auto")
    assert not uses_latex("x^{2}", "auto")
    assert parse_math("x^{2}", CTX) == x**2
    with pytest.raises(MathSyntaxError, match="LaTeX command"):
        parse_math(r"\frac{1}{2}", CTX, syntax="text")
    with pytest.raises(ValueError):
        parse_math("x", CTX, syntax="markdown")  # type: ignore[arg-type]


def test_numbers_given_as_python_numbers_are_read() -> None:
    assert parse_math(0.5, CTX) == sp.Rational(1, 2)  # type: ignore[arg-type]
    assert parse_math(3, CTX) == 3  # type: ignore[arg-type]
    with pytest.raises(MathSyntaxError):
        parse_math(None, CTX)  # type: ignore[arg-type]


def test_error_survives_pickling_for_worker_processes() -> None:
    with pytest.raises(MathSyntaxError) as caught:
        parse_math("2*(x+1))", CTX)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.message, copy.position, copy.text) == (
        caught.value.message,
        caught.value.position,
        "2*(x+1))",
    )


def test_limits_are_configurable() -> None:
    with pytest.raises(MathSyntaxError, match="the limit is 10"):
        parse_math("x + x + x + x", CTX, limits=Limits(max_length=10))
    assert parse_math("x^2000", CTX, limits=Limits(max_exponent=5000)) == x**2000
