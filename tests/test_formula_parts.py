"""The formula parts of the tutorial, graded through the engine: equivalent notations (plain text
and LaTeX), misconceptions with their messages, near-misses, and hostile input."""

from __future__ import annotations

import pytest

from grader.answers import Submission
from grader.engine import grade
from grader.kinds import Status
from grader.variants import default_variant

EQUIVALENT_FORMS = {
    "p1.2a.padded": [
        "[0, x1, x2, x3, x4, 0]", "[0,x1,x2,x3,x4,0]", "[0, x1, x2, x3, x4, 0*x1]", "[[0], [x1], [x2], [x3], [x4], [0]]",
        "Matrix([0, x1, x2, x3, x4, 0])", "[0, x_1, x_2, x_3, x_4, 0]", "[0, 1*x1, x2 + 0, x3, x4, 0]",
        r"\begin{pmatrix} 0 \\ x_1 \\ x_2 \\ x_3 \\ x_4 \\ 0 \end{pmatrix}",
        r"\begin{bmatrix} 0 & x_1 & x_2 & x_3 & x_4 & 0 \end{bmatrix}",
        r"\left[ 0, x_{1}, x_{2}, x_{3}, x_{4}, 0 \right]",
    ],
    "p1.2a.conv": [
        "[w2 x1 + w3 x2, w1 x1 + w2 x2 + w3 x3, w1 x2 + w2 x3 + w3 x4, w1 x3 + w2 x4]",
        "[x1*w2 + x2*w3, x1*w1 + x2*w2 + x3*w3, x2*w1 + x3*w2 + x4*w3, x3*w1 + x4*w2]",
        "[0*w1 + x1 w2 + x2 w3, x1 w1 + x2 w2 + x3 w3, x2 w1 + x3 w2 + x4 w3, x3 w1 + x4 w2 + 0*w3]",
        "[w3 x2 + w2 x1, w3 x3 + w2 x2 + w1 x1, w3 x4 + w2 x3 + w1 x2, w2 x4 + w1 x3]",
        "[[w2*x1 + w3*x2], [w1*x1 + w2*x2 + w3*x3], [w1*x2 + w2*x3 + w3*x4], [w1*x3 + w2*x4]]",
        r"\begin{pmatrix} w_2 x_1 + w_3 x_2 \\ w_1 x_1 + w_2 x_2 + w_3 x_3 \\ w_1 x_2 + w_2 x_3 + w_3 x_4 \\ w_1 x_3 + w_2 x_4 \end{pmatrix}",
        r"\begin{bmatrix} x_1 w_2 + x_2 w_3 & x_1 w_1 + x_2 w_2 + x_3 w_3 & x_2 w_1 + x_3 w_2 + x_4 w_3 & x_3 w_1 + x_4 w_2 \end{bmatrix}",
        r"\left[ w_{2} x_{1} + w_{3} x_{2}, w_{1} x_{1} + w_{2} x_{2} + w_{3} x_{3}, w_{1} x_{2} + w_{2} x_{3} + w_{3} x_{4}, w_{1} x_{3} + w_{2} x_{4} \right]",
        "[w2·x1 + w3·x2, w1·x1 + w2·x2 + w3·x3, w1·x2 + w2·x3 + w3·x4, w1·x3 + w2·x4]",
        "[(x1 w2 + x2 w3), (x1 w1 + x2 w2 + x3 w3), (x2 w1 + x3 w2 + x4 w3), (x3 w1 + x4 w2)]",
    ],
    "p1.2b": [
        "[[w1, w2, w3, 0, 0, 0], [0, w1, w2, w3, 0, 0], [0, 0, w1, w2, w3, 0], [0, 0, 0, w1, w2, w3]]",
        "[[w1,w2,w3,0,0,0],[0,w1,w2,w3,0,0],[0,0,w1,w2,w3,0],[0,0,0,w1,w2,w3]]",
        "Matrix([[w1, w2, w3, 0, 0, 0], [0, w1, w2, w3, 0, 0], [0, 0, w1, w2, w3, 0], [0, 0, 0, w1, w2, w3]])",
        "[[w_1, w_2, w_3, 0, 0, 0], [0, w_1, w_2, w_3, 0, 0], [0, 0, w_1, w_2, w_3, 0], [0, 0, 0, w_1, w_2, w_3]]",
        "[[1*w1, w2, w3, 0, 0, 0], [0, w1, w2, w3, 0, 0], [0, 0, w1, w2, w3, 0], [0, 0, 0, w1, w2, 2*w3 - w3]]",
        r"\begin{bmatrix} w_1 & w_2 & w_3 & 0 & 0 & 0 \\ 0 & w_1 & w_2 & w_3 & 0 & 0 \\ 0 & 0 & w_1 & w_2 & w_3 & 0 \\ 0 & 0 & 0 & w_1 & w_2 & w_3 \end{bmatrix}",
        r"\begin{pmatrix} w_1 & w_2 & w_3 & 0 & 0 & 0 \\ 0 & w_1 & w_2 & w_3 & 0 & 0 \\ 0 & 0 & w_1 & w_2 & w_3 & 0 \\ 0 & 0 & 0 & w_1 & w_2 & w_3 \end{pmatrix}",
        r"\begin{bmatrix} w_{1} & w_{2} & w_{3} & 0 & 0 & 0 \\ 0 & w_{1} & w_{2} & w_{3} & 0 & 0 \\ 0 & 0 & w_{1} & w_{2} & w_{3} & 0 \\ 0 & 0 & 0 & w_{1} & w_{2} & w_{3} \end{bmatrix}",
        "[[w1, w2, w3, 0, 0, 0],\n [0, w1, w2, w3, 0, 0],\n [0, 0, w1, w2, w3, 0],\n [0, 0, 0, w1, w2, w3]]",
        "[[w1 + 0, w2, w3, 0, 0, 0], [0, w1, w2, w3, 0, 0], [0, 0, w1, w2, w3, 0], [0, 0, 0, w1, w2, w3]]",
    ],
    "p1.6.relu": [
        "max(0, x)", "max(x, 0)", "Max(0, x)", "(x + abs(x))/2", "(x + |x|)/2", "x*Heaviside(x)",
        "x if x > 0 else 0", "0 if x < 0 else x", "Piecewise((x, x > 0), (0, True))", "ReLU(x) = max(0, x)",
        r"\max(0, x)", r"\frac{x + |x|}{2}", r"\begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
        r"\operatorname{ReLU}(x) = \max(0,x)", r"\begin{cases} 0 & x \leq 0 \\ x & x > 0 \end{cases}",
    ],
    "p1.6.leaky_relu": [
        "x if x > 0 else alpha*x", "max(alpha*x, x)", "max(x, alpha x)", "Piecewise((x, x > 0), (alpha*x, True))",
        "alpha x if x < 0 else x", "x if x >= 0 else alpha*x", "f(x) = max(αx, x)",
        r"\max(\alpha x, x)", r"\begin{cases} x & x > 0 \\ \alpha x & \text{otherwise} \end{cases}",
        r"\begin{cases} x & \text{if } x \geq 0 \\ \alpha x & \text{if } x < 0 \end{cases}",
    ],
    "p1.6.elu": [
        "x if x > 0 else alpha*(exp(x) - 1)", "x if x > 0 else alpha*exp(x) - alpha", "x if x >= 0 else α(e^x − 1)",
        "Piecewise((x, x > 0), (alpha*(exp(x) - 1), True))", "alpha*(exp(x)-1) if x <= 0 else x",
        "max(x, 0) + min(0, alpha*(exp(x) - 1))",
        r"\begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & \text{otherwise} \end{cases}",
        r"\begin{cases} x & x > 0 \\ \alpha \left(\exp(x) - 1\right) & x \le 0 \end{cases}",
        r"\begin{cases} \alpha e^x - \alpha & x \leq 0 \\ x & x > 0 \end{cases}",
        r"\operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & \text{otherwise} \end{cases}",
    ],
    "p2.1.derivative": [
        "1 - tanh(x)^2", "1 - tanh(x)**2", "sech(x)^2", "1/cosh(x)^2", "4/(exp(x) + exp(-x))^2",
        "(1 - tanh(x))*(1 + tanh(x))", "4 e^(2x)/(e^(2x) + 1)^2", "1 − tanh(x)²", "1 − tanh²(x)", "sech²(x)",
        "4 sigma(2x) (1 - sigma(2x))", "4*sigmoid(2*x)*(1 - sigmoid(2*x))",
        r"1 - \tanh^2(x)", r"\operatorname{sech}^2(x)", r"\frac{1}{\cosh^2(x)}", r"\frac{4}{(e^{x} + e^{-x})^2}",
        r"4\sigma(2x)\left(1 - \sigma(2x)\right)",
    ],
    "p2.2": [
        "sum(W_ij a_j, j=1..D_a) + b_i", "b_i + sum(W_ij*a_j, j=1..D_a)", "sum(W_ik a_k, k=1..D_a) + b_i",
        "Sum(W[i,j]*a[j], (j, 1, D_a)) + b[i]", "sum(W_{ij} a_j + b_i/D_a, j=1..D_a)", "sum(a_j W_ij, j, 1, D_a) + b_i",
        r"\sum_{j=1}^{D_a} W_{ij} a_j + b_i", r"\sum_{j=1}^{D_a} W_{i,j} a_{j} + b_{i}", r"b_i + \sum_{k=1}^{D_a} W_{ik} a_k",
        r"\sum_{j=1}^{D_a} a_j W_{ij} + b_i",
    ],
    "p2.3a": [
        "Var(z_i) = Var(a_j)", "Var(a_j) = Var(z_i)", "Var(z) = Var(a)", "Var(z_i) - Var(a_j) = 0",
        "Var(z_i)/Var(a_j) = 1", "2 Var(z_i) = 2 Var(a_j)", r"\mathrm{Var}(z_i) = \mathrm{Var}(a_j)",
        r"\operatorname{Var}(a_j) = \operatorname{Var}(z_i)", r"\mathrm{Var}(z) - \mathrm{Var}(a) = 0",
        r"\frac{\mathrm{Var}(z_i)}{\mathrm{Var}(a_j)} = 1",
    ],
    "p2.3b": [
        "1/D_a", "D_a^-1", "D_a**(-1)", "1 / D_a", "(1/D_a)", "2/(2 D_a)", r"\frac{1}{D_a}", r"\frac{1}{D_{a}}",
        r"D_a^{-1}", r"\dfrac{1}{D_a}",
    ],
    "p3.2": [
        "1 if x > 0 else 0", "Heaviside(x)", "Heaviside(x, 0)", "Heaviside(x, 1)", "0 if x < 0 else 1",
        "Piecewise((1, x > 0), (0, True))", "(1 + sign(x))/2", "(x + |x|)/(2x)",
        r"\begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}", r"\begin{cases} 1 & x \geq 0 \\ 0 & \text{otherwise} \end{cases}",
        r"\frac{1 + \operatorname{sign}(x)}{2}",
    ],
    "p4.7": [
        "2 theta", "2θ", "2*theta", "theta*2", "theta + theta", "2 (theta)", r"2\theta", r"2 \cdot \theta",
        r"\theta + \theta", r"\frac{4\theta}{2}",
    ],
}

MISCONCEPTION_ANSWERS = [
    ("p1.2a.padded", "[x1, x2, x3, x4, 0]", "padded_once"),
    ("p1.2a.conv", "[w1 x2 + w2 x1, w1 x3 + w2 x2 + w3 x1, w1 x4 + w2 x3 + w3 x2, w2 x4 + w3 x3]", "true_convolution"),
    ("p1.2a.conv", "[w1 x1 + w2 x2 + w3 x3, w1 x2 + w2 x3 + w3 x4]", "unpadded"),
    ("p1.2b", "[[w3, w2, w1, 0, 0, 0], [0, w3, w2, w1, 0, 0], [0, 0, w3, w2, w1, 0], [0, 0, 0, w3, w2, w1]]", "flipped"),
    ("p1.6.relu", "|x|", "absolute_value"),
    ("p1.6.relu", "min(0, x)", "wrong_side"),
    ("p1.6.leaky_relu", "x if x < 0 else alpha*x", "slope_wrong_side"),
    ("p1.6.leaky_relu", "max(0, x)", "plain_relu"),
    ("p1.6.elu", "x if x > 0 else alpha*exp(x)", "missing_minus_one"),
    ("p1.6.elu", "x if x > 0 else alpha*x", "linear_negative"),
    ("p2.1.derivative", "1 - tanh(x)", "missing_square"),
    ("p2.1.derivative", "sech(x)", "sech_not_squared"),
    ("p2.1.derivative", r"\sigma(x)(1-\sigma(x))", "sigmoid_derivative"),
    ("p2.2", "sum(W_ij a_j, j=1..D_a)", "no_bias"),
    ("p2.2", "sum(W_ji a_j, j=1..D_a) + b_i", "indices_swapped"),
    ("p2.3b", "1/sqrt(D_a)", "standard_deviation"),
    ("p2.3b", "2/(D_a + D_b)", "glorot_average"),
    ("p2.3b", "D_a", "inverted"),
    ("p3.2", "0 if x > 0 else 1", "wrong_side"),
    ("p3.2", "max(0, x)", "relu_itself"),
    ("p4.7", "2 theta + 1", "variance_added"),
    ("p4.7", "theta", "no_chain_factor"),
    ("p4.7", "0", "without_reparametrising"),
    ("p4.7", "theta^2 + 1", "objective_not_gradient"),
]

NEAR_MISSES = [
    ("p1.6.relu", "x", "negative x"),                    # equals ReLU for positive inputs only
    ("p1.6.relu", "max(0, 1.000001*x)", None),          # a relative 1e-6
    ("p2.1.derivative", "1 - tanh(x)^2 + x^4/10^20", None),  # differs only for large inputs
    ("p2.1.derivative", "1 - x^2", None),               # the small-input approximation
    ("p1.6.elu", "x if x > 0 else alpha*(exp(x) - 1.000001)", None),
    ("p2.3b", "1/(D_a + 1)", None),
    ("p4.7", "2.000001 theta", None),
]

HOSTILE_ANSWERS = {
    "import_call": "__import__('os').system('touch /tmp/grader_pwned')",
    "dunder_attribute": "().__class__.__bases__[0].__subclasses__()",
    "attribute_access": "x.__class__",
    "lambda": "lambda: 0",
    "exec_call": "exec('import os')",
    "power_tower": "9^9^9^9",
    "huge_power": "10**10**10",
    "huge_integer": "1" * 40,
    "very_long": "x+" * 50_000 + "x",
    "deep_nesting": "(" * 5000 + "x" + ")" * 5000,
    "latex_input": r"\input{/etc/passwd}",
}
# Found by fuzzing: sympy spends minutes canonicalising this condition. The text is readable, so
# running out of the parser's budget on it sends the part to a person (provisional), not to zero.
SLOW_PIECEWISE_CONDITION = r"|(\frac{0}{pi} if \frac{0}{pi} > sum(0, j=1..0) else sum(0, j=1..0))|"


def grade_one(problem_set, part_id, answer):
    submission = Submission("tester", problem_set.id, {part_id: answer})
    report = grade(problem_set, default_variant(problem_set), submission)
    return next(p for p in report.parts if p.id == part_id)


EQUIVALENT_CASES = [(pid, form) for pid, forms in EQUIVALENT_FORMS.items() for form in forms]


def test_every_formula_part_has_ten_forms_in_both_syntaxes():
    for part_id, forms in EQUIVALENT_FORMS.items():
        assert len(forms) >= 10, part_id
        assert any("\\" in f for f in forms) and any("\\" not in f for f in forms), part_id


@pytest.mark.parametrize("part_id,answer", EQUIVALENT_CASES)
def test_equivalent_forms_are_correct(problem_set, part_id, answer):
    result = grade_one(problem_set, part_id, answer)
    if result.kind == "derivation" and result.status is Status.PARTIAL:
        # A derivation part answered by its final line alone earns the result's share only.
        assert any("final expression is right" in line for line in result.feedback), result.feedback
        return
    assert result.status is Status.CORRECT, result.feedback
    assert result.score == result.max_score


@pytest.mark.parametrize("part_id,answer,mistake", MISCONCEPTION_ANSWERS)
def test_misconceptions_get_their_message(problem_set, part_id, answer, mistake):
    result = grade_one(problem_set, part_id, answer)
    assert result.misconception == mistake, result.feedback
    _, part = problem_set.find_part(part_id)
    spec = next(m for m in part.misconceptions if m.id == mistake)
    assert result.score == pytest.approx(spec.credit * part.points)
    assert " ".join(spec.feedback.split()[:5]) in " ".join(" ".join(result.feedback).split())


@pytest.mark.parametrize("part_id,answer,where", NEAR_MISSES)
def test_near_misses_are_wrong(problem_set, part_id, answer, where):
    result = grade_one(problem_set, part_id, answer)
    assert result.status is Status.INCORRECT, result.feedback
    if where:
        assert where in " ".join(result.feedback)


@pytest.mark.parametrize("name", sorted(HOSTILE_ANSWERS))
def test_hostile_answers_are_refused_and_nothing_runs(problem_set, name, tmp_path):
    import os

    result = grade_one(problem_set, "p2.1.derivative", HOSTILE_ANSWERS[name])
    assert result.status is Status.INVALID, result.feedback
    assert result.feedback and result.feedback[0]
    assert not os.path.exists("/tmp/grader_pwned")


def test_an_answer_that_exhausts_the_parsers_budget_goes_to_a_person(problem_set):
    result = grade_one(problem_set, "p2.1.derivative", SLOW_PIECEWISE_CONDITION)
    assert result.status is Status.NEEDS_REVIEW, result.feedback
    assert result.provisional and "budget" in result.provisional
    assert any("provisional" in line for line in result.feedback)


def test_relu_derivative_at_zero_accepts_any_convention(problem_set):
    for answer in ("1 if x >= 0 else 0", "1 if x > 0 else 0", r"\begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}"):
        assert grade_one(problem_set, "p3.2", answer).status is Status.CORRECT, answer


def test_parse_error_points_at_the_character(problem_set):
    result = grade_one(problem_set, "p2.1.derivative", "1 - tanh(x))^2")
    assert result.status is Status.INVALID
    lines = result.feedback[0].splitlines()
    caret = next(line for line in lines if line.strip() == "^")
    source = lines[lines.index(caret) - 1]
    assert source[caret.index("^")] == ")"


def test_jumps_of_the_reference_are_found_without_listing_them():
    from grader.kinds import KINDS
    from grader.solvers import SOLVERS

    kind = KINDS["function"]
    options = kind.options({"variables": {"x": "real"}})  # no `kinks` given
    reference = SOLVERS["act.relu_derivative"]()
    for answer in ("1 if x >= 0 else 0", "1 if x > 0 else 0", "Heaviside(x, 1/2)"):
        assert kind.compare(kind.parse(answer, options), reference, options).is_full, answer
    exact = kind.options({"variables": {"x": "real"}, "at_kinks": "exact"})
    verdict = kind.compare(kind.parse("1 if x >= 0 else 0", exact), reference, exact)
    assert not verdict.is_full


def test_an_equation_where_an_expression_is_asked_is_invalid_but_a_definition_is_read(problem_set):
    both_sides = grade_one(problem_set, "p2.1.derivative", "1 - tanh(x)^2 = sech(x)^2")
    assert both_sides.status is Status.INVALID
    assert "single expression" in both_sides.feedback[0]
    assert grade_one(problem_set, "p2.1.derivative", "tanh'(x) = 1 - tanh(x)^2").status is Status.CORRECT


# ---- notation of the tutorial's parts that a teacher accepts --------------------------------

def expected_of(problem_set, part_id):
    from grader.engine import compute_expected

    variant = default_variant(problem_set)
    problem, part = next((pr, pa) for pr, pa in problem_set.parts() if pa.id == part_id)
    return compute_expected(variant, problem, part, part.solver)


@pytest.mark.parametrize("unit", ["{n} weights", "{n} parameters", "{n} trainable parameters",
                                  "{n} weights."])
def test_a_count_with_its_unit_word_is_read(problem_set, unit):
    count = int(expected_of(problem_set, "p1.1c.params"))
    assert grade_one(problem_set, "p1.1c.params", unit.format(n=count)).status is Status.CORRECT
    wrong = grade_one(problem_set, "p1.1c.params", unit.format(n=count + 1))
    assert wrong.status is not Status.CORRECT and wrong.status is not Status.INVALID


def _rows(matrix, row_sep, cell_sep):
    return row_sep.join(cell_sep.join(str(v).replace("*", " ") if cell_sep != " " else str(v)
                                      for v in matrix.row(r)) for r in range(matrix.rows))


@pytest.mark.parametrize(("row_sep", "cell_sep", "brackets"), [
    ("; ", ", ", False), ("\n", ", ", False), ("; ", " ", False), ("\n", " ", False),
    ("; ", ", ", True), (" \n ", " & ", False),
])
def test_matrix_rows_of_formulas_separated_by_semicolons_or_lines(problem_set, row_sep,
                                                                   cell_sep, brackets):
    reference = expected_of(problem_set, "p1.2b")
    text = _rows(reference, row_sep, cell_sep)
    text = f"[{text}]" if brackets else text
    assert grade_one(problem_set, "p1.2b", text).status is Status.CORRECT, text
    flipped = reference[:, ::-1]
    assert grade_one(problem_set, "p1.2b", _rows(flipped, row_sep, cell_sep)).status \
        is not Status.CORRECT


@pytest.mark.parametrize("answer", [
    r"z_i = \sum_{j=1}^{D_a} W_{ij} a_j + b_i",
    "z_i = sum(W_ij a_j, j=1..D_a) + b_i",
    r"z_{i} = b_i + \sum_{j=1}^{D_a} W_{ij} a_{j}",
])
def test_a_latex_answer_may_write_its_left_side(problem_set, answer):
    assert grade_one(problem_set, "p2.2", answer).status is Status.CORRECT


def test_a_left_side_does_not_rescue_a_wrong_right_side(problem_set):
    result = grade_one(problem_set, "p2.2", r"z_i = \sum_{j=1}^{D_a} W_{ji} a_j + b_i")
    assert result.status is not Status.CORRECT


@pytest.mark.parametrize("answer", [
    "sum(log(sum(p(x_i|z) p(z), z)), i=1..N)",
    "sum(log sum(p(x_i|z) p(z), z), i=1...N)",
    "sum_{i=1}^N log(sum(p(x_i|z) p(z), z))",
])
def test_plain_text_sum_calls_in_a_probability_answer(problem_set, answer):
    assert grade_one(problem_set, "p4.3", answer).status is Status.CORRECT


def test_a_plain_text_sum_call_with_the_log_inside_is_still_the_misconception(problem_set):
    result = grade_one(problem_set, "p4.3", "sum(sum(log(p(x_i|z) p(z)), z), i=1..N)")
    assert result.status is not Status.CORRECT


# ---- partial credit a teacher gives: misconceptions with credit ------------------------------

PARTIAL_CREDIT = [
    ("p1.6.leaky_relu", "x if x > 0 else 0.01*x", "numeric_slope"),
    ("p1.6.leaky_relu", "max(0.1 x, x)", "numeric_slope"),
    ("p1.6.leaky_relu", "max(0, x) + 0.2*min(0, x)", "numeric_slope"),
    ("p1.6.leaky_relu", r"\begin{cases} x & x > 0 \\ 0.05 x & \text{otherwise} \end{cases}",
     "numeric_slope"),
    ("p1.6.elu", "x if x > 0 else exp(x) - 1", "numeric_alpha"),
    ("p1.6.elu", "x if x > 0 else 0.5*(exp(x) - 1)", "numeric_alpha"),
    ("p2.2", "tanh(sum(W_ij a_j, j=1..D_a) + b_i)", "activation_applied"),
    ("p2.2", r"\tanh\left(\sum_{j=1}^{D_a} W_{ij} a_j + b_i\right)", "activation_applied"),
]


@pytest.mark.parametrize(("part_id", "answer", "mistake"), PARTIAL_CREDIT)
def test_a_near_answer_gets_partial_credit_and_its_message(problem_set, part_id, answer, mistake):
    result = grade_one(problem_set, part_id, answer)
    assert result.status is Status.PARTIAL, (result.status, result.feedback)
    assert result.misconception == mistake
    assert 0 < result.score < result.max_score


@pytest.mark.parametrize(("part_id", "answer"), [
    ("p1.6.leaky_relu", "x if x > 0 else alpha*x"),
    ("p1.6.leaky_relu", "x if x > 0 else 0.01*x^2"),   # not a slope at all
    ("p1.6.leaky_relu", "0.01*x if x > 0 else x"),    # a number, on the wrong side
    ("p1.6.elu", "x if x > 0 else alpha*(exp(x) - 1)"),
    ("p2.2", "sum(W_ij a_j, j=1..D_a) + b_i"),
    ("p2.2", "sigmoid(sum(W_ij a_j, j=1..D_a))"),
])
def test_partial_credit_is_only_for_the_misconception(problem_set, part_id, answer):
    result = grade_one(problem_set, part_id, answer)
    assert result.misconception not in ("numeric_slope", "numeric_alpha", "activation_applied")


def test_a_shape_in_the_other_channel_order_gets_half_with_the_convention(problem_set):
    for part_id in ("p1.1a", "p1.1b", "p1.1c.shape"):
        h, w, k = expected_of(problem_set, part_id)
        result = grade_one(problem_set, part_id, f"[{k}, {h}, {w}]")
        assert result.misconception == "channels_first", (part_id, result.feedback)
        assert result.score == pytest.approx(result.max_score / 2)
        assert "height × width × number of channels" in " ".join(result.feedback)
        assert grade_one(problem_set, part_id, f"[{h}, {w}, {k}]").status is Status.CORRECT


def test_an_equation_part_does_not_take_a_name_for_its_left_side(problem_set):
    result = grade_one(problem_set, "p2.3a", "y = Var(a)")
    assert result.status is Status.INVALID
    assert "unknown name 'y'" in result.feedback[0]


@pytest.mark.parametrize(("name", "answer", "reference", "where"), [
    ("matrix_expr", "[[w1, w2], [w2, w1]]", [["w1", "w2"], ["w1", "w2"]], "entry (2, 1)"),
    ("vector_expr", "[0, x1, x1]", ["0", "x1", "x2"], "entry 3"),
])
def test_a_matrix_of_formulas_is_judged_as_one_matrix_naming_the_entry_that_differs(name, answer, reference, where):
    import sympy as sp

    from grader.kinds import get_kind

    kind = get_kind(name)
    names = {"w1", "w2", "x1", "x2"}
    options = kind.options({"variables": {n: "real" for n in names}})
    symbols = {n: sp.Symbol(n, real=True) for n in names}
    expected = sp.Matrix([[symbols.get(v, sp.Integer(0)) for v in row] for row in reference]
                         if isinstance(reference[0], list) else [symbols.get(v, sp.Integer(0)) for v in reference])
    verdict = kind.compare(kind.parse(answer, options), expected, options)
    assert verdict.status == Status.INCORRECT
    assert any(line.lower().startswith(where) for line in verdict.feedback), verdict.feedback
    right = kind.parse(kind.render(expected if name == "matrix_expr" else expected.reshape(3, 1)), options)
    assert kind.compare(right, expected, options).status == Status.CORRECT


def test_a_check_that_fails_inside_shows_the_student_no_exception(monkeypatch):
    """sympy can raise anything on an unusual formula: the part goes to a person, and the student
    reads a sentence, not the exception the author and reviewer see."""
    import importlib

    import sympy as sp

    from grader.kinds import KINDS
    from grader.mathjudge import judge

    judge_module = importlib.import_module("grader.mathjudge.judge")

    def fails(*args, **kwargs):
        raise sp.PolynomialError("leading coefficient vanished in tanh")

    monkeypatch.setattr(judge_module, "_judge_objects", fails)
    x = sp.Symbol("x", real=True)
    kind = KINDS["expression"]
    options = kind.options({"variables": {"x": "real"}})
    verdict = kind.compare(kind.parse("1 - tanh(x)^2", options), 1 - sp.tanh(x) ** 2, options)
    assert verdict.status is Status.NEEDS_REVIEW
    shown = " ".join(verdict.feedback)
    assert "PolynomialError" not in shown and "leading coefficient" not in shown and "sent to a human" not in shown
    assert shown.startswith("Your answer could not be checked automatically") and "a person" in shown
    author = judge(sp.tanh(x), sp.tanh(x))
    assert "PolynomialError: leading coefficient vanished" in author.message


def test_a_check_out_of_time_tells_the_student_why_without_the_judges_words(monkeypatch):
    import importlib

    import sympy as sp

    from grader.kinds import KINDS

    def spins(*args):
        deadline = args[-1]
        while True:
            deadline.check()

    monkeypatch.setattr(importlib.import_module("grader.mathjudge.judge"), "_judge_objects", spins)
    x = sp.Symbol("x", real=True)
    kind = KINDS["expression"]
    options = kind.options({"variables": {"x": "real"}, "budget": 0.05})
    verdict = kind.compare(kind.parse("1 - tanh(x)^2", options), 1 - sp.tanh(x) ** 2, options)
    assert verdict.status is Status.NEEDS_REVIEW
    shown = " ".join(verdict.feedback)
    assert shown.startswith("Your answer could not be checked automatically (") and "computing time" in shown
    assert "sent to a human" not in shown and "could not decide:" not in shown
