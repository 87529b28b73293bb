"""Probability notation: the parser (both syntaxes, hostile input), the random finite models, the
evaluator against independent numpy definitions, the judge, and the probability kind."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.kinds import KINDS, InvalidAnswer, Status
from grader.probability import (
    DRAWS,
    ProbSyntaxError,
    check_relation,
    compare,
    compose,
    equivalent,
    evaluate,
    parse_expression,
    parse_line,
    random_model,
    render,
)
from grader.probability import nodes as n
from grader.probability.steps import split_justification, split_lines
from tests.conftest import tutorial_solvers

_vae = tutorial_solvers("vae")
elbo, encoder, evidence, jensen_bound = _vae.elbo, _vae.encoder, _vae.evidence, _vae.jensen_bound
likelihood, log_likelihood, posterior, prior = _vae.likelihood, _vae.log_likelihood, _vae.posterior, _vae.prior

# --- equivalent notations of the quantities the parts are about (text and LaTeX) -----------------------

SAME_QUANTITY = {
    "log_likelihood": (log_likelihood(), [
        "sum_{i=1}^N log sum_z p_theta(x_i|z) p(z)",
        "sum_{i=1}^{N} log( sum_z p(x_i|z) * p_Z(z) )",
        "sum_i log sum_z p(x_i, z)",
        "sum_i log p_theta(x_i)",
        "sum_{n=1}^N log sum_{z} p(z) p(x_n | z)",
        r"\sum_{i=1}^{N} \log \left( \sum_{z} p_{\theta}(x_i \mid z)\, p_Z(z) \right)",
        r"\sum_{i=1}^N \ln \sum_z p_\theta(x_i, z)",
        r"\sum_{i=1}^N \log \int p(x_i|z) p(z) \, dz",
        r"\sum_{i=1}^{N}\log\sum_{z}\exp\left(\log p(x_i|z) + \log p(z)\right)",
        "∑_{i=1}^N log ∑_z p_θ(x_i|z) p(z)",
        r"\sum_{i=1}^N \log \sum_{k=1}^{K} p(x_i \mid z_k)\, p(z_k)",
        "log p_theta(X)",
        r"\log \prod_{i=1}^{N} \sum_z p(x_i|z) p(z)",
    ]),
    "jensen_bound": (jensen_bound(), [
        "sum_{i=1}^N E_{q(z|x_i)}[log p_Z(z) - log q(z|x_i) + log p_theta(x_i|z)]",
        "sum_i E_{z~q(z|x_i)}[log p(x_i, z) - log q(z|x_i)]",
        "sum_i sum_z q(z|x_i) log( p(x_i|z) p(z) / q(z|x_i) )",
        "sum_i (E_q[log p(x_i|z)] - KL(q(z|x_i) || p(z)))",
        "sum_i (E_q[log p(x_i, z)] + H(q(z|x_i)))",
        "sum_i (log p(x_i) - KL(q(z|x_i) || p(z|x_i)))",
        r"\sum_{i=1}^{N} \mathbb{E}_{q(z|x_i)}\left[\log p_Z(z) - \log q(z|x_i) + \log p_\theta(x_i|z)\right]",
        r"\sum_{i=1}^N \mathbb{E}_{z \sim q_\phi(z \mid x_i)}\left[\log \frac{p_\theta(x_i, z)}{q_\phi(z \mid x_i)}\right]",
        r"\sum_i \left( \mathrm{E}_{q}[\log p(x_i|z)] - D_{KL}(q(z|x_i) \| p(z)) \right)",
    ]),
    "elbo": (elbo(), [
        "E_{z~q_phi(z|x_i)}[log p_theta(x_i|z)] - D_KL(q_phi(z|x_i) || p(z))",
        "E_q[log p(x_i|z)] - KL(q || p)",
        "E_q[log p(x_i|z) + log p(z) - log q(z|x_i)]",
        "E_q[log p(x_i|z)] + E_q[log p(z)] + H(q(z|x_i))",
        "log p(x_i) - KL(q(z|x_i) || p(z|x_i))",
        "L_i = E_q[log p(x_i|z)] - KL(q(z|x_i)||p(z))",
        r"\mathbb{E}_{q_{\phi}(z|x_i)}[\log p_{\theta}(x_i|z)] - D_{KL}(q_{\phi}(z|x_i) \parallel p(z))",
        r"\mathcal{L}_i = \mathbb{E}_{z\sim q_\varphi(z|x_i)}\left[\log p_\theta(x_i|z)\right] - \mathrm{KL}\left(q_\varphi(z|x_i) \,\|\, p(z)\right)",
        r"\sum_z q(z|x_i) \log p(x_i|z) - \sum_z q(z|x_i) \log \frac{q(z|x_i)}{p(z)}",
    ]),
    "encoder": (encoder(), [
        "q_phi(z|x_i)", "q(z|x)", "q_φ(z | x_i)", "z ~ q_phi(z|x_i)", r"q_\phi(z \mid x_i)",
        r"z \sim q_{\varphi}(z|x_i)", "p(x_i|z) p(z) / p(x_i) * q(z|x_i) / p(z|x_i)", r"\exp(\log q(z|x_i))",
    ]),
}


@pytest.mark.parametrize("quantity,index", [(q, k) for q, (_, forms) in SAME_QUANTITY.items() for k in range(len(forms))])
def test_equivalent_notations_evaluate_to_the_same_quantity(quantity, index):
    reference, forms = SAME_QUANTITY[quantity]
    parsed = parse_line(forms[index])
    expr = parsed.dist if isinstance(parsed, n.Sample) else parsed.items[-1]
    assert equivalent(expr, reference), forms[index]


DIFFERENT = [
    ("sum_i sum_z log(p(x_i|z) p(z))", log_likelihood()),
    ("log sum_z p(x_i|z) p(z)", log_likelihood()),
    ("sum_i log sum_z q(z|x_i) p(x_i|z)", log_likelihood()),
    ("E_q[log p(x_i|z)] + KL(q(z|x_i) || p(z))", elbo()),
    ("E_q[log p(x_i|z)] - KL(p(z) || q(z|x_i))", elbo()),
    ("E_{p(z)}[log p(x_i|z)]", elbo()),
    ("p(z)", encoder()),
    ("p(z|x_i)", encoder()),
]


@pytest.mark.parametrize("text,reference", DIFFERENT)
def test_different_quantities_are_told_apart(text, reference):
    assert not equivalent(parse_expression(text), reference)


# --- the model and the evaluator, against plain numpy ------------------------------------------------------


def test_draws_cover_several_sizes_and_the_posterior():
    assert len(DRAWS) >= 20
    assert {m.K for m in DRAWS} == {2, 3, 5} and {m.N for m in DRAWS} == {1, 2, 3}
    assert any(m.q_is_posterior for m in DRAWS) and any(not m.q_is_posterior for m in DRAWS)
    for m in DRAWS:
        assert np.all(m.prior > 0) and np.isclose(m.prior.sum(), 1)
        assert np.allclose(m.likelihood.sum(axis=0), 1) and np.allclose(m.encoder.sum(axis=1), 1)


@pytest.mark.parametrize("seed", range(6))
def test_evaluator_matches_numpy_definitions(seed):
    m = random_model(seed, K=3, N=2, M=4)
    lik = m.likelihood[m.data, :]
    q = m.encoder[m.data, :]
    marginal = (lik * m.prior).sum(axis=1)
    post = lik * m.prior / marginal[:, None]
    expected_ll = np.log(marginal).sum()
    expected_elbo = (q * np.log(lik)).sum(axis=1) - (q * np.log(q / m.prior)).sum(axis=1)
    assert evaluate(log_likelihood(), m).item() == pytest.approx(expected_ll, rel=1e-12)
    assert evaluate(elbo(), m)[:, 0] == pytest.approx(expected_elbo, rel=1e-12)
    assert evaluate(posterior(), m) == pytest.approx(post)
    # log p(x) = ELBO + KL(q || posterior), per data point
    gap = (q * np.log(q / post)).sum(axis=1)
    assert evaluate(elbo(), m)[:, 0] + gap == pytest.approx(np.log(marginal), rel=1e-12)


def test_free_data_index_is_vectorised_and_sums_collapse_it():
    m = random_model(3, K=2, N=3)
    assert evaluate(parse_expression("log p(x_i)"), m).shape == (3, 1)
    assert evaluate(parse_expression("sum_i log p(x_i)"), m).shape == (1, 1)
    assert evaluate(parse_expression("q(z|x_i)"), m).shape == (3, 2)
    assert evaluate(parse_expression("p(z)"), m).shape == (1, 2)
    assert evaluate(parse_expression("N"), m).item() == 3


# --- the inequality direction ----------------------------------------------------------------------------


def test_jensen_holds_one_way_only():
    bound, ll = jensen_bound(), evidence()
    assert check_relation(ll, bound, ">=").ok
    assert check_relation(bound, ll, "<=").ok
    wrong = check_relation(ll, bound, "<=")
    assert not wrong.ok and wrong.mistake == "wrong_direction"
    assert "the inequality goes the other way" in wrong.message
    assert "q(z|x) differs from the posterior p(z|x), the left side is larger" in wrong.message


def test_equality_claimed_where_only_an_inequality_holds():
    check = check_relation(evidence(), jensen_bound(), "=")
    assert not check.ok
    assert check.message.startswith(
        "this step claims equality, but the two sides differ when q(z|x) is not the posterior p(z|x)"
    )


def test_equal_sides_satisfy_an_inequality():
    a = parse_expression("E_q[log p(x_i|z)] - KL(q||p)")
    b = parse_expression("E_q[log p(x_i, z) - log q(z|x_i)]")
    assert check_relation(a, b, ">=").ok and check_relation(a, b, "<=").ok and check_relation(a, b, "=").ok


def test_inequality_that_holds_nowhere_consistently():
    a, b = parse_expression("log p(x_i)"), parse_expression("log q(z|x_i)")
    result = compare(a, b)
    assert not (result.ge or result.le)
    assert "for some models and not for others" in check_relation(a, b, ">=").message


def test_chain_composition():
    assert compose(["=", ">=", "="]) == ">=" and compose(["=", "="]) == "="
    assert compose([">=", "<="]) is None


# --- parser: both syntaxes, justifications, positions ---------------------------------------------------------


def test_chains_labels_and_leading_relations():
    line = parse_line("= sum_i log E_q[p(x_i,z)/q(z|x_i)] >= sum_i E_q[log p(x_i,z) - log q(z|x_i)]")
    assert line.leading == "=" and line.relations == (">=",) and len(line.items) == 2
    assert parse_line(r"\mathcal{L}(\theta, \phi; x_i) = E_q[log p(x_i|z)]").label is not None
    assert parse_line(r"a \geq b".replace("a", "log p(x)").replace("b", "E_q[log p(x, z)]")).relations == (">=",)
    assert parse_line("log p(x) ≤ 0").relations == ("<=",)


def test_log_scope_follows_the_usual_reading():
    prefix = parse_expression("log p(x|z) p(z)")
    call = parse_expression("log(p(x|z)) p(z)")
    assert isinstance(prefix, n.Log) and isinstance(call, n.Mul)
    assert isinstance(parse_expression("log p(x|z) + log p(z)"), n.Add)


def test_integral_is_a_sum_over_z_with_a_note():
    line = parse_line(r"\int p(x|z) p(z) dz")
    assert isinstance(line.items[0], n.SumZ) and line.items[0].integral
    assert any("discrete z" in note for note in line.notes)


JUSTIFICATIONS = {
    ">= E_q[log p(x,z)] # Jensen": "Jensen",
    ">= E_q[log p(x,z)] (Jensen)": "Jensen",
    r"\geq E_q[\log p(x,z)] \quad \text{(Jensen)}": "Jensen",
    r"\geq E_q[\log p(x,z)] \text{by Jensen's inequality}": "Jensen's inequality",
    "= log sum_z p(x, z) by Bayes": "Bayes",
    "= E_q[log p(x|z)] + E_q[log p(z)], using linearity": "linearity",
    "= log p(x)": "",
}


@pytest.mark.parametrize("line", sorted(JUSTIFICATIONS))
def test_justification_is_stripped_and_kept(line):
    text, word = split_justification(line)
    assert word == JUSTIFICATIONS[line]
    parse_line(text)


def test_steps_from_a_list_or_a_block():
    block = "log p(x)\n= log sum_z p(x, z)  # marginal\n\\\\ >= E_q[log p(x,z) - log q(z|x)] (Jensen)"
    lines = split_lines(block)
    assert [line.justification for line in lines] == ["", "marginal", "Jensen"]
    assert len(split_lines(["log p(x)", "= log sum_z p(x, z)"])) == 2
    assert split_lines(r"\begin{align*} a &= b \\ &\geq c \end{align*}")[1].text.startswith(r"\geq")


def test_error_has_a_caret_under_the_offending_character():
    with pytest.raises(ProbSyntaxError) as err:
        parse_line("sum_i log p(x_i|z) + * p(z)")
    rendered = err.value.render()
    text_line, caret_line = rendered.splitlines()[1:3]
    assert text_line[caret_line.index("^")] == "*"


ERRORS = {
    "p(x|z": "never closed",
    "sum log p(x_i)": "what the sum runs over",
    "x + p(z)": "can only appear inside a density",
    "q(x|z)": "approximate posterior over z",
    "KL(q || )": "",
    "logp(x)": "with a space",
    "p(x_1)": "one fixed data point",
    "p(x_i) p(x_j)": "two data indices",
    "p(z)^p(z)": "exponent must be a number",
}


@pytest.mark.parametrize("text", sorted(ERRORS))
def test_errors_say_what_is_wrong(text):
    with pytest.raises(ProbSyntaxError) as err:
        parse_line(text)
    assert ERRORS[text] in err.value.message


# --- hostile input: refused as the math parser refuses it -------------------------------------------------------

FORBIDDEN_INPUTS = {
    "dunder_import": "__import__('os').system('id')",
    "class_escape": "().__class__.__bases__[0].__subclasses__()",
    "lambda": "lambda: p(z)",
    "eval_call": "eval('1+1')",
    "exec_call": "exec(\"import os\")",
    "attribute": "p(z).__class__",
    "power_tower": "2^2^2^2^2^2",
    "power_tower_braces": "p(z)^{2^{2^{2}}}",
    "huge_exponent": "p(z)^1000000",
    "huge_number": "1" * 40 + " * p(z)",
    "hundred_thousand_chars": "p(z) + " * 15_000,
    "nested_parens_5000": "(" * 5000 + "p(z)" + ")" * 5000,
    "nested_brackets_61": "[" * 61 + "p(z)" + "]" * 61,
    "latex_input": r"\input{/etc/passwd}",
    "latex_def": r"\def\x{p(z)} \x",
    "template": "<%= p(z) %>",
    "null_byte": "p(z)\x00",
    "shell": "p(z); rm -rf /",
    "format_string": "f'{p}'",
    "deep_prefix_chain": "log " * 3000 + "p(z)",
}


@pytest.mark.parametrize("name", sorted(FORBIDDEN_INPUTS))
def test_forbidden_inputs_are_refused_quickly(name):
    started = time.perf_counter()
    with pytest.raises(ProbSyntaxError) as err:
        parse_line(FORBIDDEN_INPUTS[name])
    assert err.value.render()
    assert time.perf_counter() - started < 2.0
    kind = KINDS["probability"]
    assert isinstance(kind.parse(FORBIDDEN_INPUTS[name], kind.options({})), InvalidAnswer)


TOKENS = st.sampled_from([
    "p", "q", "(", ")", "[", "]", "{", "}", "|", "||", ",", "x", "x_i", "z", "_", "^", "2", "0.5", "+", "-",
    "*", "/", "log", "exp", "sum_z", "sum_{i=1}^N", "E_q", "E_{z~q(z|x_i)}", "KL", "H", "=", ">=", "<=", "~",
    r"\log", r"\sum", r"\frac", r"\mathbb{E}", r"\mid", r"\|", r"\left(", r"\right)", "θ", " ", "int", "dz",
    "L_i", "N", "\\", "$", "#", "é", "\n",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=25).map("".join))
def test_parser_raises_only_its_own_error_on_token_soup(text):
    try:
        parse_line(text)
    except ProbSyntaxError as err:
        assert isinstance(err.render(), str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parser_raises_only_its_own_error_on_any_text(text):
    try:
        parse_line(text)
    except ProbSyntaxError:
        pass


X, Z = n.Var("x", "i"), n.Var("z")
LEAVES = st.sampled_from([prior(), likelihood(), encoder(), posterior(), n.Dist("p", (X, Z)), n.Num(2.0), n.Num(0.5)])


def _trees(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(children, children).map(lambda t: n.Add(t)),
        st.tuples(children, children).map(lambda t: n.Mul(t)),
        st.tuples(children, children).map(lambda t: n.Div(*t)),
        children.map(n.Neg),
        children.map(n.Log),
        children.map(n.SumZ),
        children.map(lambda c: n.Expect(encoder(), c)),
        children.map(lambda c: n.Pow(c, 2.0)),
        children.map(lambda c: n.SumData("i", c)),
        children.map(lambda c: n.ProdData("i", c)),
    )


@settings(max_examples=150, deadline=None)
@given(st.recursive(LEAVES, _trees, max_leaves=8))
def test_rendered_trees_read_back_to_the_same_quantity(tree):
    again = parse_expression(render(tree))
    assert compare(again, tree).equal or (compare(again, tree).undefined and render(again) == render(tree))


# --- the probability kind ---------------------------------------------------------------------------------------


def test_named_distributions_are_accepted_as_a_choice():
    kind = KINDS["probability"]
    options = kind.options({"names": True})
    for text in ["the approximate posterior", "the encoder q_phi(z|x_i)", "We sample z from q(z|x_i).", "q_phi"]:
        value = kind.parse(text, options)
        assert kind.compare(value, encoder(), options).status is Status.CORRECT, text
    prior_answer = kind.parse("the prior N(0, I)", options)
    assert kind.matches(prior_answer, prior(), options)


def test_marginal_and_integral_get_the_specs_share():
    kind = KINDS["probability"]
    options = kind.options({"marginal_credit": 0.5, "integral_credit": 0.5})
    marginal = kind.compare(kind.parse("sum_i log p_theta(x_i)", options), log_likelihood(), options)
    assert marginal.status is Status.PARTIAL and "write p(x_i) out" in marginal.feedback[0]
    integral = kind.compare(kind.parse(r"\sum_i \log \int p(x_i|z)p(z)dz", options), log_likelihood(), options)
    assert integral.status is Status.PARTIAL and any("sum" in f for f in integral.feedback)


def test_a_probability_error_points_like_a_formula_error():
    # one caret layout for every parser of student text (grader.caret)
    from grader.mathparse import MathSyntaxError

    with pytest.raises(ProbSyntaxError) as err:
        parse_line("sum_i log p(x_i|z) + * p(z)")
    position = err.value.pos
    assert err.value.render() == MathSyntaxError(err.value.message, position, err.value.text).render()


@pytest.mark.parametrize("answer", [
    "log p(x_i|z) + frobnicate(z)",  # an unknown name
    "log p(x_i|z) $ 2",  # a character no formula uses
    "log p(x_i|z) + )",  # a token out of place
    "sum_k log p(x_i|z)",  # a sum that does not say what it runs over
    "E_{foo}[log p(x_i|z)]",  # an unreadable subscript of E
    r"\frobnicate p(z)",  # an unknown LaTeX command
    "p(x_i|z|z)",  # a density written in no known way
])
def test_a_student_is_never_told_what_the_parser_cannot_do_in_the_first_person(answer):
    kind = KINDS["probability"]
    parsed = kind.parse(answer, kind.options({}))
    assert isinstance(parsed, InvalidAnswer), answer
    first_line = parsed.message.splitlines()[0]
    assert first_line.strip() and not re.search(r"\b(I|me|my)\b", first_line), first_line
