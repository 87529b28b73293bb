"""Formulas inside free-text answers, judged by meaning (`formula:` rubric expressions)."""

from __future__ import annotations

import pytest

from grader.rubric import RubricInvalid, load_rubric, score_answer
from grader.rubric.formula import MAX_EQUATIONS, MAX_SIDE_CHARS, equations, matches
from grader.rubric.model import FormulaSpec, formula_expression

TRICK = "z = mu + sigma*epsilon"
NAMES = {"aliases": {"eps": "epsilon"}, "domains": {"sigma": "positive"}}

# A 1-point rubric whose concept is the reparametrisation formula and whose misconception is any
# other formula for z: neither lists a spelling.
RUBRIC = {
    "schema_version": 1,
    "points": 1,
    "min_words": 2,
    "concepts": [
        {"id": "trick", "points": 1, "label": "z written as mu + sigma times a fixed noise",
         "hint": "write z with a noise drawn apart", "any": [{"formula": TRICK, **NAMES}]},
    ],
    "misconceptions": [
        {"id": "wrong_trick", "penalty": 0, "cap": 0.25, "feedback": "This formula does not give z the mean mu "
         "and the standard deviation sigma.", "any": [{"formula": TRICK, "wrong": True, **NAMES}]},
    ],
}


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(RUBRIC)


def found(rubric, answer):
    result = score_answer(rubric, answer)
    concept = next(c for c in result.concepts if c.id == "trick")
    mistake = next(m for m in result.misconceptions if m.id == "wrong_trick")
    return concept.found, mistake.found, result.points


RIGHT = [
    "We write z = mu + sigma * eps, with eps ~ N(0, I), so z is differentiable.",
    "Astuce de reparamétrisation : z = μ + σ·ε avec ε ~ N(0,1).",
    "z_i = μ_i + σ_i ε_i.",
    r"The trick: $z = \mu + \sigma \odot \epsilon$ where epsilon is drawn apart.",
    "On écrit z = ε σ + μ, où ε est un bruit.",
    "z=μ+σε",
    "Noise first, then z = μ + sqrt(σ²) ε.",
]

WRONG = [
    "On ne peut pas rétropropager à travers le tirage. Astuce : z = μ + σ² ε avec ε ~ N(0,1).",
    "The trick is z = mu*eps + sigma, with eps standard normal.",
    "Il suffit d'écrire z = mu * sigma * eps.",
    "At test time we just take z = μ.",
    "So z = μ + exp(σ) ε, which is differentiable.",
]

# Equations that cannot be read whole, or that are no formula for z: neither right nor wrong.
UNDECIDED = [
    "For example mu = 1, sigma = 0.5 and eps = 0.3 give z = 1.15.",  # a value, not a formula
    "z = μ + σ(ε)",  # a product, or the logistic of ε?
    "z = μ + σ (ε tiré de N(0,1))",  # a gloss inside the bracket
    "z = μ + exp(log_var/2) ε",  # a name the formula does not know
    "z = μ + σ ε + ...",  # left hanging
    "y = μ + σ² ε",  # another left side
    "z = f(x) then a sample",
]


@pytest.mark.parametrize("answer", RIGHT)
def test_the_formula_in_any_notation_is_found(rubric, answer):
    assert found(rubric, answer)[:2] == (True, False)


@pytest.mark.parametrize("answer", WRONG)
def test_a_different_formula_for_the_same_side_is_a_misconception(rubric, answer):
    concept, mistake, points = found(rubric, answer)
    assert mistake and not concept and points <= 0.25


@pytest.mark.parametrize("answer", UNDECIDED)
def test_an_equation_that_cannot_be_read_whole_is_neither(rubric, answer):
    assert found(rubric, answer)[:2] == (False, False)


@pytest.mark.parametrize("answer", ["Not z = μ + σ² ε: the trick is z = μ + σ ε.",
                                    "Ce n'est pas z = μ + σ² ε mais z = μ + σ ε."])
def test_a_denied_wrong_formula_is_not_stated(rubric, answer):
    assert found(rubric, answer) == (True, False, 1.0)


def test_a_wrong_formula_beside_the_right_one_still_caps(rubric):
    assert found(rubric, "Either z = μ + σ ε or z = μ + σ² ε, both work.") == (True, True, 0.25)


def test_feedback_quotes_the_equation(rubric):
    result = score_answer(rubric, "Astuce : z = μ + σ² ε avec ε ~ N(0,1).")
    assert any("z = μ + σ² ε" in line for line in result.feedback)


def test_equations_are_cut_out_of_prose():
    cut = [(e.lhs, e.rhs) for e in equations("Astuce : z = μ + σ² ε avec ε ~ N(0,1), donc z = 0.5.")]
    assert cut == [("z", "μ + σ² ε"), ("z", "0.5")]


def test_reading_an_answer_is_bounded():
    answer = " ".join(f"z = {i} + mu." for i in range(500))
    assert len(equations(answer)) == MAX_EQUATIONS
    long_side = "z = " + " + ".join(["mu"] * MAX_SIDE_CHARS)
    assert equations(long_side) == []


def test_student_text_is_never_evaluated(rubric):
    # Python that sympify would run is only text here: the parser refuses it, nothing matches.
    answer = "z = __import__('os').system('echo hacked') + mu"
    assert found(rubric, answer)[:2] == (False, False)


def test_a_compiled_formula_matches_by_meaning_not_by_text():
    formula = formula_expression(FormulaSpec(formula=TRICK, **NAMES))
    wrong = formula_expression(FormulaSpec(formula=TRICK, wrong=True, **NAMES))
    (same,) = equations("z = (2 mu + 2 eps sigma)/2.")
    (other,) = equations("z = (2 mu + eps sigma)/2.")
    assert matches(formula, same) and not matches(wrong, same)
    assert matches(wrong, other) and not matches(formula, other)


@pytest.mark.parametrize("expression,message", [
    ({"formula": "mu + sigma*epsilon"}, "not an equation"),
    ({"formula": "z = mu +"}, "cannot be read"),
    ({"formula": TRICK, "aliases": {"eps": "noise"}}, "does not use"),
    ({"formula": TRICK, "domains": {"sigma": "sometimes"}}, "sigma"),
])
def test_a_formula_the_grader_cannot_use_is_refused_with_its_reason(expression, message):
    spec = {**RUBRIC, "concepts": [{**RUBRIC["concepts"][0], "any": [expression]}]}
    with pytest.raises(RubricInvalid, match=message):
        load_rubric(spec)


def test_a_wrong_formula_belongs_under_misconceptions():
    spec = {**RUBRIC, "concepts": [{**RUBRIC["concepts"][0], "any": [{"formula": TRICK, "wrong": True}]}]}
    with pytest.raises(RubricInvalid, match="misconceptions"):
        load_rubric(spec)
