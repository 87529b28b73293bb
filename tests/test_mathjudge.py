"""The math judge: the equivalences it must find, the near-misses it must catch, and the cases
it must leave to a human. Test inputs are built with `sympy.sympify` of literals written here
(never in `grader/`, where untrusted text must go through the parser)."""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

from grader.mathjudge import Judgement, Verdict, judge

W, A, B, Z = (sp.IndexedBase(n) for n in ("W", "a", "b", "z"))
X_MAT = sp.IndexedBase("X")
LOCALS: dict[str, Any] = {
    "W": W,
    "a": A,
    "b": B,
    "z": Z,
    "X": X_MAT,
    "Var": sp.Function("Var"),
    "theta": sp.Symbol("theta"),
}
ALPHA_01 = {"alpha": "(0,1)"}
ALPHA_POS = {"alpha": "positive"}
DA = {"D_a": "positive_integer"}
RELU_PRIME_AT_0 = {"ignore_points": [{"x": 0}]}


def expr(text: str) -> Any:
    """A test literal as a sympy expression (indexed W, a, b, z, X and Var available)."""
    return sp.sympify(text, locals=LOCALS)


def case(name: str, student: str, reference: str, domains: dict[str, str] | None = None,
         **options: Any) -> Any:
    return pytest.param(student, reference, domains or {}, options, id=name)


TANH_DERIVATIVE = "1 - tanh(x)**2"
RELU = "Max(0, x)"
LEAKY_RELU = "Piecewise((x, x > 0), (alpha*x, True))"
ELU = "Piecewise((x, x > 0), (alpha*(exp(x) - 1), True))"
RELU_PRIME = "Piecewise((1, x > 0), (0, True))"
NEURON = "Sum(W[i, j]*a[j], (j, 1, D_a)) + b[i]"

EQUIVALENT_PAIRS = [
    # p2.1: the derivative of tanh, in every usual form
    case("tanh' as sech^2", "sech(x)**2", TANH_DERIVATIVE),
    case("tanh' via exp", "4/(exp(x) + exp(-x))**2", TANH_DERIVATIVE),
    case("tanh' via exp(2x)", "4*exp(2*x)/(exp(2*x) + 1)**2", TANH_DERIVATIVE),
    case("tanh' factored", "(1 - tanh(x))*(1 + tanh(x))", TANH_DERIVATIVE),
    case("sech^2 vs exp form", "sech(x)**2", "4*exp(2*x)/(exp(2*x) + 1)**2"),
    case("tanh as 2 sigma(2x) - 1", "2/(1 + exp(-2*x)) - 1", "tanh(x)"),
    case("tanh via exp", "(exp(x) - exp(-x))/(exp(x) + exp(-x))", "tanh(x)"),
    case("sigmoid derivative", "1/(1 + exp(-x))*(1 - 1/(1 + exp(-x)))",
         "exp(-x)/(1 + exp(-x))**2"),
    case("tanh' cases, saturating", "Piecewise((1 - tanh(x)**2, x > 0), (sech(x)**2, True))",
         "sech(x)**2"),
    # p1.6: ReLU in every notation
    case("relu as (x+|x|)/2", "(x + Abs(x))/2", RELU),
    case("relu as x*H(x)", "x*Heaviside(x)", RELU),
    case("relu as cases", "Piecewise((x, x > 0), (0, True))", RELU),
    case("relu as cases, other order", "Piecewise((0, x < 0), (x, True))", RELU),
    case("relu as cases, x >= 0", "Piecewise((x, x >= 0), (0, True))", RELU),
    case("relu as (x+sqrt(x^2))/2", "(x + sqrt(x**2))/2", RELU),
    case("relu is |x| on (0,1)", "Abs(x)", RELU, {"x": "(0,1)"}),
    # p1.6: leaky ReLU and ELU
    case("leaky relu as Max", "Max(alpha*x, x)", LEAKY_RELU, ALPHA_01),
    case("leaky relu, >= case", "Piecewise((x, x >= 0), (alpha*x, True))", LEAKY_RELU,
         ALPHA_01),
    case("leaky relu as Max+Min", "Max(0, x) + alpha*Min(0, x)", LEAKY_RELU, ALPHA_POS),
    case("leaky relu with steps", "x*Heaviside(x) + alpha*x*Heaviside(-x)", LEAKY_RELU,
         ALPHA_POS),
    case("elu as Max+Min", "Max(0, x) + Min(0, alpha*(exp(x) - 1))", ELU, ALPHA_POS),
    case("elu, other order", "Piecewise((alpha*(exp(x) - 1), x <= 0), (x, True))", ELU,
         ALPHA_POS),
    case("elu derivative, two forms", "Piecewise((1, x > 0), (alpha*exp(x), True))",
         "Piecewise((1, x > 0), (alpha*(exp(x) - 1) + alpha, True))", ALPHA_POS),
    # p3.2: the derivative of ReLU, with the convention at 0 declared free
    case("relu' as Heaviside", "Heaviside(x)", RELU_PRIME, **RELU_PRIME_AT_0),
    case("relu' as (sign+1)/2", "(sign(x) + 1)/2", RELU_PRIME, **RELU_PRIME_AT_0),
    case("relu' as (1+x/|x|)/2", "(1 + x/Abs(x))/2", RELU_PRIME, **RELU_PRIME_AT_0),
    case("relu' with 1 at 0", "Piecewise((1, x >= 0), (0, True))", RELU_PRIME,
         **RELU_PRIME_AT_0),
    # p2.2, p2.3b: the neuron and Xavier's variance
    case("1/D_a", "D_a**-1", "1/D_a", DA),
    case("neuron, other index name", "Sum(a[k]*W[i, k], (k, 1, D_a)) + b[i]", NEURON, DA),
    case("neuron, bias first", "b[i] + Sum(W[i, k]*a[k], (k, 1, D_a))", NEURON, DA),
    case("neuron, last term split off",
         "Sum(W[i, j]*a[j], (j, 1, D_a - 1)) + W[i, D_a]*a[D_a] + b[i]", NEURON, DA),
    case("neuron with tanh", "tanh(Sum(a[k]*W[i, k], (k, 1, D_a)) + b[i])",
         f"tanh({NEURON})", DA),
    case("double sum, order swapped",
         "Sum(Sum(W[i, j]*X[j, k], (k, 1, m)), (j, 1, n))",
         "Sum(Sum(W[i, j]*X[j, k], (j, 1, n)), (k, 1, m))", {"n": "positive_integer"}),
    case("sum of k", "Sum(k, (k, 1, n))", "n*(n + 1)/2", {"n": "positive_integer"}),
    # p4.7: the reparametrisation gradient
    case("2 theta vs derivative", "2*theta", "Derivative(theta**2 + 1, theta)"),
    case("2 theta vs expanded derivative", "Derivative((theta + 1)**2 - 2*theta, theta)",
         "2*theta"),
    # algebra and rounding
    case("(x+1)^20 expanded", "(x + 1)**20",
         str(sp.expand((sp.Symbol("x") + 1) ** 20))),
    case("removable singularity", "x*(x - 1)/(x - 1)", "x"),
    case("float that is exact", "0.5*x", "x/2"),
    # With a tolerance (a part's `tolerance:`) a close decimal agrees; without, it differs.
    case("float within tolerance", "3.14159265358979*x", "pi*x", rel_tol=1e-9),
    case("log rule on positives", "log(x**2)", "2*log(x)", {"x": "positive"}),
    case("relative 1e-12 is within tolerance", "x*(1 + 10**-12)", "x", rel_tol=1e-9),
    case("sin^2 + cos^2", "sin(x)**2 + cos(x)**2", "1"),
    case("integer-valued, exact", "n**2/2 + n/2", "n*(n + 1)/2", {"n": "integer"}),
    case("constants within tolerance", "1/3", "0.3333333333333333"),
    case("real and imaginary parts of reals", "re(x) + im(x)", "x"),
]

NOT_EQUIVALENT_PAIRS = [
    # exact by default: a proven non-zero difference, however small, differs
    case("a close exact decimal of pi is not pi", "314159265358979/10**14*x", "pi*x"),
    case("relative 1e-12 is a difference", "x*(1 + 10**-12)", "x"),
    # differ only for negative inputs
    case("|x| is not relu", "Abs(x)", RELU),
    case("x is not relu", "x", RELU),
    case("min instead of max", "Min(0, x)", RELU),
    # differ only for large inputs, within the sampled range (up to 1e6)
    case("extra step at 1000", "x + Heaviside(x - 1000)", "x"),
    case("x^10/1e30 term", "x**2 + x**10/10**30", "x**2"),
    case("differs beyond 1e5", "Max(x, 2*x - 100000)", "x", {"x": "positive"}),
    # by a relative 1e-6 or 1e-7
    case("relative 1e-6", "1.000001*x", "x"),
    case("relative 1e-7", "x + x/10**7", "x"),
    case("pi to 6 digits", "3.14159*x", "pi*x"),
    # kinks in the wrong place
    case("kink at 1e-3", "Max(0, x - 1/1000)", RELU),
    case("kink at 1e-8", "Max(0, x - 10**-8)", RELU),
    # the tutorial's classic mistakes
    case("leaky relu slope on the wrong side", "Piecewise((alpha*x, x > 0), (x, True))",
         LEAKY_RELU, ALPHA_01),
    case("leaky relu as Max with alpha > 1", "Max(alpha*x, x)",
         "Piecewise((x, x >= 0), (alpha*x, True))", ALPHA_POS),
    case("elu missing the -1", "Piecewise((x, x > 0), (alpha*exp(x), True))", ELU,
         ALPHA_POS),
    case("elu with -1 outside alpha", "Piecewise((x, x > 0), (alpha*exp(x) - 1, True))", ELU,
         ALPHA_POS),
    case("tanh' = 1 - tanh", "1 - tanh(x)", TANH_DERIVATIVE),
    case("sech instead of sech^2", "sech(x)", "sech(x)**2"),
    case("tanh is not x", "x", "tanh(x)"),
    case("sigmoid is not tanh", "1/(1 + exp(-x))", "tanh(x)"),
    case("relu' at 0 without the convention", "Heaviside(x)", RELU_PRIME),
    case("relu' undefined at 0", "(1 + x/Abs(x))/2", RELU_PRIME),
    case("neuron without bias", "Sum(W[i, j]*a[j], (j, 1, D_a))", NEURON, DA),
    case("neuron with W transposed", "Sum(W[j, i]*a[j], (j, 1, D_a)) + b[i]", NEURON, DA),
    case("neuron summed from 0", "Sum(W[i, j]*a[j], (j, 0, D_a - 1)) + b[i]", NEURON, DA),
    case("sum of k is not n^2", "Sum(k, (k, 1, n))", "n**2", {"n": "positive_integer"}),
    case("Xavier with D_a squared", "1/D_a**2", "1/D_a", DA),
    case("reparametrisation gradient", "2*theta + 1", "Derivative(theta**2 + 1, theta)"),
    # undefined where the expected answer is defined
    case("log where |x| expected", "log(x)", "log(Abs(x))"),
    case("not a real number", "I*x", "x"),
    # exactness where the expected answer is an integer
    case("integer answer, rounded", "0.9999999999*n*(n + 1)/2", "n*(n + 1)/2",
         {"n": "positive_integer"}),
    case("floor of a half", "floor(n/2)", "n/2", {"n": "integer"}),
    case("extra variable", "x + y", "x"),
    case("constants 1e-6 apart", "1/3", "0.333333"),
    case("undefined at an isolated point", "sin(x)/x", "sinc(x)"),
    # The sides must be defined at the same points, whichever is the reference: 0 is defined
    # where sqrt(-(x - 2)**2) is not (everywhere but x = 2).
    case("expected answer defined at one point", "0", "sqrt(-(x - 2)**2)"),
]

UNDECIDED_CASES = [
    case("out of time", "Sum(x**k/factorial(k), (k, 0, 100000))", "exp(x)", budget=0.3),
    case("expected answer defined nowhere", "log(-x**2 - 1)", "log(-x**2 - 1) + x"),
    case("difference hidden beyond overflow",
         "exp(exp(x)) + Heaviside(x - 10000)", "exp(exp(x))"),
]


def run(student: str, reference: str, domains: dict[str, str], options: dict[str, Any]
        ) -> Judgement:
    return judge(expr(student), expr(reference), domains, **options)


@pytest.mark.parametrize(("student", "reference", "domains", "options"), EQUIVALENT_PAIRS)
def test_equivalent_pairs(student: str, reference: str, domains: dict[str, str],
                          options: dict[str, Any]) -> None:
    result = run(student, reference, domains, options)
    assert result.verdict is Verdict.EQUIVALENT, result.message
    assert result.witness is None


@pytest.mark.parametrize(("student", "reference", "domains", "options"), NOT_EQUIVALENT_PAIRS)
def test_not_equivalent_pairs(student: str, reference: str, domains: dict[str, str],
                              options: dict[str, Any]) -> None:
    result = run(student, reference, domains, options)
    assert result.verdict is Verdict.NOT_EQUIVALENT, result.message
    assert result.witness is not None, "a difference comes with the point that shows it"


@pytest.mark.parametrize(("student", "reference", "domains", "options"), UNDECIDED_CASES)
def test_undecided_cases(student: str, reference: str, domains: dict[str, str],
                         options: dict[str, Any]) -> None:
    result = run(student, reference, domains, options)
    assert result.verdict is Verdict.UNDECIDED, result.message
    assert "human" in result.message


def test_verdict_equals_its_string() -> None:
    result = judge(expr(RELU), expr("(x + Abs(x))/2"))
    assert result.verdict == "equivalent"
    assert result.is_equivalent
    assert result.method == "numeric"
    assert result.seconds > 0


@pytest.mark.parametrize(("student", "reference", "method"), [
    ("x + 1", "1 + x", "structural"),
    ("sech(x)**2", TANH_DERIVATIVE, "exact"),
    ("(x + Abs(x))/2", RELU, "numeric"),
])
def test_method_says_how_it_was_decided(student: str, reference: str, method: str) -> None:
    assert judge(expr(student), expr(reference)).method == method


def test_witness_and_messages_for_relu_against_abs() -> None:
    result = judge(expr("Abs(x)"), expr(RELU))
    assert result.witness == {"x": -1}
    assert result.message == "they differ at x = -1: your answer gives 1, the expected answer gives 0"
    assert result.student_message == (
        "your answer differs from the expected one for negative x "
        "(e.g. at x = -1, where your answer gives 1)")
    assert result.message_for("author") == result.message
    assert result.message_for("student") == result.student_message
    assert (result.student_value, result.expected_value) == ("1", "0")


@pytest.mark.parametrize(("student", "reference", "domains"), [
    ("Abs(x)", RELU, {}),
    ("1 - tanh(x)", TANH_DERIVATIVE, {}),
    ("Piecewise((x, x > 0), (alpha*exp(x), True))", ELU, ALPHA_POS),
    ("x + Heaviside(x - 1000)", "x + 7", {}),
])
def test_student_message_never_shows_the_expected_value(
    student: str, reference: str, domains: dict[str, str]
) -> None:
    result = judge(expr(student), expr(reference), domains)
    assert result.expected_value is not None
    assert result.expected_value not in result.student_message
    assert "expected answer gives" not in result.student_message
    assert result.expected_value in result.message


def test_messages_show_enough_digits_to_see_the_difference() -> None:
    result = judge(expr("1.000001*x"), expr("x"))
    assert result.student_value != result.expected_value
    assert "1.000001" in result.message


def test_large_input_witness_is_described_as_large() -> None:
    result = judge(expr("x + Heaviside(x - 1000)"), expr("x"))
    assert result.witness is not None and result.witness["x"] >= 1000
    assert "for large positive x" in result.student_message


def test_undefined_student_answer_is_named() -> None:
    result = judge(expr("log(x)"), expr("log(Abs(x))"))
    assert "undefined" in result.message and "log" in result.message
    assert "undefined" in result.student_message


def test_extra_variable_is_pointed_out() -> None:
    result = judge(expr("x + y"), expr("x"))
    assert "uses y" in result.student_message


def test_sum_instances_are_named_in_the_witness() -> None:
    result = judge(expr("Sum(W[i, j]*a[j], (j, 1, D_a))"), expr(NEURON), DA)
    assert result.witness is not None
    assert result.witness["D_a"] in (1, 2, 3, 5)
    assert any(name.startswith("b[") for name in result.witness)


def test_relu_derivative_needs_the_ignored_point_only_at_zero() -> None:
    ignoring_elsewhere = judge(expr("Heaviside(x)"), expr(RELU_PRIME), ignore_points=[{"x": 1}])
    assert ignoring_elsewhere.verdict is Verdict.NOT_EQUIVALENT
    assert ignoring_elsewhere.witness == {"x": 0}


def test_same_seed_same_witness_and_seed_changes_random_points() -> None:
    first = judge(expr("Max(alpha*x, x)"), expr("Piecewise((alpha*x, x > 0), (x, True))"),
                  ALPHA_01, seed=3)
    again = judge(expr("Max(alpha*x, x)"), expr("Piecewise((alpha*x, x > 0), (x, True))"),
                  ALPHA_01, seed=3)
    assert first.witness == again.witness
    assert first.message == again.message


def test_symbols_match_by_name_whatever_their_assumptions() -> None:
    plain, positive = sp.Symbol("x"), sp.Symbol("x", positive=True)
    assert judge(sp.Max(0, plain), plain, {"x": "positive"}).verdict is Verdict.EQUIVALENT
    assert judge(plain**2, positive * positive).verdict is Verdict.EQUIVALENT


def test_interval_domain_keeps_samples_inside() -> None:
    result = judge(expr("sqrt(1 - x**2)"), expr("sqrt((1 - x)*(1 + x))"), {"x": "(-1,1)"})
    assert result.verdict is Verdict.EQUIVALENT, result.message


def test_plain_numbers_are_accepted_but_text_is_refused() -> None:
    assert judge(2, sp.Integer(2)).verdict is Verdict.EQUIVALENT
    assert judge(0.5, sp.Rational(1, 2)).verdict is Verdict.EQUIVALENT
    with pytest.raises(TypeError, match="mathparse"):
        judge("x", sp.Symbol("x"))


def test_bad_options_are_refused() -> None:
    x = sp.Symbol("x")
    with pytest.raises(ValueError, match="budget"):
        judge(x, x, budget=0)
    with pytest.raises(ValueError, match="rel_tol"):
        judge(x, x, rel_tol=2.0)


# --- matrices -------------------------------------------------------------------------------

CONV_MATRIX = "Matrix([[w1, w2, w3, 0], [0, w1, w2, w3]])"


def test_matrices_are_judged_entry_by_entry() -> None:
    student = expr("Matrix([[w1, w2, w3, 0], [0, w1, (w2 + w2)/2, w3]])")
    assert judge(student, expr(CONV_MATRIX)).verdict is Verdict.EQUIVALENT


def test_matrix_entry_that_differs_is_named() -> None:
    result = judge(expr("Matrix([[w1, w2, w3, 0], [0, w2, w1, w3]])"), expr(CONV_MATRIX))
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.message.startswith("entry (2, 2)")
    assert result.student_message.startswith("entry (2, 2)")


def test_matrix_of_relu_forms() -> None:
    student = expr("Matrix([[Max(0, x)], [x*Heaviside(x)]])")
    reference = expr("Matrix([[(x + Abs(x))/2], [Piecewise((x, x > 0), (0, True))]])")
    assert judge(student, reference).verdict is Verdict.EQUIVALENT


@pytest.mark.parametrize(("student", "words"), [
    ("Matrix([[w1, w2, w3], [0, w1, w2]])", "a 2x3 matrix"),
    ("w1 + w2", "a single expression"),
])
def test_shape_mismatch_is_not_equivalent(student: str, words: str) -> None:
    result = judge(expr(student), expr(CONV_MATRIX))
    assert result.verdict is Verdict.NOT_EQUIVALENT
    assert result.method == "shape"
    assert words in result.message and "2x4" in result.message


def test_vectors_given_as_lists() -> None:
    x1, x2 = sp.symbols("x1 x2")
    assert judge([x1 + x2, x2], [x2 + x1, x2]).verdict is Verdict.EQUIVALENT
    assert judge([[x1, 0], [0, x2]], sp.diag(x1, x2)).verdict is Verdict.EQUIVALENT


def test_text_inside_lists_is_refused_too() -> None:
    with pytest.raises(TypeError):
        judge(["__import__('os')"], [sp.Integer(0)])


def test_a_failure_inside_sympy_ends_in_undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.mathjudge import numeric

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sp.PolynomialError("an input sympy cannot handle")

    monkeypatch.setattr(numeric, "compare", broken)
    result = judge(expr("Abs(x)"), expr(RELU))
    assert result.verdict is Verdict.UNDECIDED
    assert "PolynomialError" in result.message
