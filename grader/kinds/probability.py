"""Probability expressions (p(x|z), E_q[...], KL(q || p), sums over z and i), judged on random models.

The answer is parsed by grader.probability (a LALR grammar, never eval) and judged by evaluating
it and the reference on random finite latent variable models: equal on every draw means
equivalent. Integrals over z are judged as sums over a discrete z, and the feedback says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict
from grader.kinds.escapes import escape_problem, prose_problem
from grader.limits import LIMITS
from grader.probability import Chain, ProbSyntaxError, Sample, compare, parse_line, render
from grader.probability.names import find_name, strip_words
from grader.probability.nodes import (
    Dist,
    Expr,
    depends_on_z,
    free_indices,
    is_expr,
    uses_integral,
    uses_marginal,
)
from grader.probability.reference import Alternatives, Derivation

MAX_CHARS = LIMITS.max_length
MAX_SENTENCE = 300  # formulas are looked for inside sentences only this long
OBJECTIVE_PREFIX = re.compile(
    r"^\s*(?:\\arg\s*|arg\s*)?\\?(?:max|min)(?:imi[sz]e)?\s*(?:_\s*(?:\{[^{}]*\}|\\?[A-Za-z]+))?\s*",
)
BARE_DENSITY = re.compile(r"^[pq](?:_\{?\\?(?:theta|phi|varphi|Z)\}?)?$")
FILLER_WORDS = re.compile(
    r"^(?:we|you|one|z|is|are|should|be|must|sample[sd]?|sampling|draw[sn]?|drawn|from|the|a|an|"
    r"distribution|i\.e\.?|namely|called|which|it|its|of|according|to)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ProbAnswer:
    """A parsed probability answer: the expression judged, the equalities it claims on the way,
    the parser's notes and the name used when the answer was a named distribution."""

    expr: Expr
    claims: tuple[tuple[Expr, str, Expr], ...] = ()
    notes: tuple[str, ...] = ()
    named: str | None = None


class ProbabilityOptions(KindOptions):
    # Accept a named distribution ("the approximate posterior") as well as a formula.
    names: bool = False
    # Credit when the answer is right but keeps p(x_i) instead of writing it out as a sum over z.
    marginal_credit: float | None = Field(default=None, ge=0, le=1)
    # Credit when the answer is right but integrates over z where a discrete z was asked for.
    integral_credit: float = Field(default=1.0, ge=0, le=1)


def parse_probability(raw: Any, names: bool = False) -> ProbAnswer | InvalidAnswer:
    """Parse one probability answer, or say where it cannot be read."""
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, bool) or not isinstance(raw, str):
        return InvalidAnswer("expected a probability expression written as text, e.g. q(z|x_i)")
    if len(raw) > MAX_CHARS:
        return InvalidAnswer(f"this answer is {len(raw)} characters long; the limit is {MAX_CHARS}")
    problem = escape_problem(raw, formula=True) or prose_problem(raw)
    if problem:
        return InvalidAnswer(problem)
    text = raw.strip().rstrip(".")
    objective = OBJECTIVE_PREFIX.match(text)
    if objective and text[objective.end():].strip():
        text = text[objective.end():].strip()  # "arg max_theta ..." : the objective is what follows
    if BARE_DENSITY.match(text):
        text = f"z ~ {text}"  # "q" or "q_phi" alone: the density over z, as in E_q
    try:
        return _answer(parse_line(text))
    except ProbSyntaxError as err:
        first = err
    if names and len(text) <= MAX_SENTENCE:
        found = _with_words(text)
        if found is not None:
            return found
    return InvalidAnswer(first.render())


def _answer(parsed: Chain | Sample, named: str | None = None) -> ProbAnswer | InvalidAnswer:
    if isinstance(parsed, Sample):
        return ProbAnswer(parsed.dist, named=named)
    if parsed.leading is not None:
        return InvalidAnswer("the answer starts with a relation; write the expression itself")
    if any(rel != "=" for rel in parsed.relations):
        return InvalidAnswer("expected an expression (or an equality), not an inequality")
    claims = tuple((a, "=", b) for a, b in zip(parsed.items, parsed.items[1:], strict=False))
    return ProbAnswer(parsed.items[-1], claims, parsed.notes, named)


def _with_words(text: str) -> ProbAnswer | None:
    """A formula inside a sentence, or a named distribution ("the approximate posterior")."""
    for candidate in (text, strip_words(text)):
        words = candidate.split()
        for lo in range(min(len(words), 8) + 1):
            for hi in range(len(words), max(lo, len(words) - 4) - 1, -1):
                if lo == 0 and hi == len(words) and candidate == text:
                    continue
                if any(not FILLER_WORDS.match(w.strip(",.;:()")) for w in words[:lo] + words[hi:]):
                    continue
                piece = " ".join(words[lo:hi]).strip(" ,.;:")
                if not piece:
                    continue
                try:
                    answer = _answer(parse_line(piece))
                except ProbSyntaxError:
                    continue
                if isinstance(answer, ProbAnswer):
                    return answer
    found = find_name(text)
    if found is not None:
        dist, name = found
        return ProbAnswer(dist, named=name)
    return None


def judge_probability(value: ProbAnswer, expected: Any, options: ProbabilityOptions) -> Verdict:
    """The verdict on a parsed answer against a reference expression."""
    target = expected.result if isinstance(expected, Derivation) else expected
    for left, _, right in value.claims:
        if not compare(left, right).equal:
            return Verdict.incorrect(
                "The two sides of your equality are not equal, so the answer cannot be both of them."
            )
    notes = list(value.notes)
    result = compare(value.expr, target)
    if not result.equal:
        return Verdict.incorrect(*_difference_hints(value.expr, target, result.first_difference), *notes)
    fraction = 1.0
    feedback: list[str] = []
    if options.marginal_credit is not None and uses_marginal(value.expr) and not uses_marginal(target):
        fraction = min(fraction, options.marginal_credit)
        feedback.append(
            "Right, but write p(x_i) out: for a discrete latent variable, p(x_i) = Σ_z p(x_i|z) p(z)."
        )
    if uses_integral(value.expr) and not uses_integral(target):
        if options.integral_credit < 1.0:
            fraction = min(fraction, options.integral_credit)
            feedback.append("The question is about a discrete z: the integral over z becomes a sum Σ_z.")
        notes = [n for n in notes if "integral" not in n] + [
            "Your integral over z was judged as a sum over a discrete z (the same identities hold)."
        ]
    if value.named:
        notes.append(f"Read '{value.named}' as {render(value.expr)}.")
    if fraction >= 1.0:
        return Verdict.correct(*feedback, *notes)
    return Verdict.partial(fraction, *feedback, *notes)


def _difference_hints(answer: Expr, target: Expr, model: Any) -> list[str]:
    hints = []
    if depends_on_z(answer) and not depends_on_z(target):
        hints.append("Your expression still depends on z: sum over z or take an expectation over z.")
    elif depends_on_z(target) and not depends_on_z(answer):
        hints.append("The answer is a distribution over z (a function of z); yours does not depend on z.")
    if free_indices(answer) - {""} and not free_indices(target) - {""}:
        hints.append("Your expression is for one data point x_i; the objective sums over the data set, i = 1..N.")
    if isinstance(answer, Dist) and depends_on_z(target):
        hints.append("That is not the expected distribution.")
        return hints
    where = f" (judged on random finite models: they differ for {model.describe()})" if model is not None else ""
    hints.append(f"Your expression is not equal to the expected one{where}.")
    return hints


def probability_matches(value: ProbAnswer, produced: Any) -> bool:
    """Whether the answer coincides with a misconception's value."""
    if isinstance(produced, Alternatives):
        return any(probability_matches(value, option) for option in produced.options)
    if isinstance(produced, Derivation):
        produced = produced.result
    if not _is_expr(produced):
        return False
    return compare(value.expr, produced).equal


def _is_expr(value: Any) -> bool:
    return is_expr(value)


class ProbabilityKind(Kind[ProbabilityOptions, ProbAnswer]):
    name: ClassVar[str] = "probability"
    description: ClassVar[str] = (
        "a probability expression with p(...), q(...), E_{q(z|x_i)}[...], KL(q || p), sum_z, "
        "sum_{i=1}^N and log, e.g. log p(x_i|z) + log p(z) (plain text or LaTeX)"
    )
    Options: ClassVar[type[KindOptions]] = ProbabilityOptions

    def parse(self, raw: Any, options: ProbabilityOptions) -> ProbAnswer | InvalidAnswer:
        return parse_probability(raw, names=options.names)

    def describe(self, options: ProbabilityOptions) -> str:
        if options.names:
            return "a distribution: a formula such as p(x_i|z), or its name (e.g. the decoder)"
        return self.description

    def compare(self, value: Any, expected: Any, options: ProbabilityOptions) -> Verdict:
        if _is_expr(value):
            value = ProbAnswer(value)
        return judge_probability(value, expected, options)

    def matches(self, value: Any, other: Any, options: ProbabilityOptions) -> bool:
        if _is_expr(value):
            value = ProbAnswer(value)
        return probability_matches(value, other)

    def read_form(self, value: Any) -> Any:
        from grader.reading import tokens_reading

        return tokens_reading(self.render(value)) if isinstance(value, ProbAnswer) else None

    def render(self, value: Any) -> str:
        if isinstance(value, ProbAnswer):
            return render(value.expr)
        if isinstance(value, Alternatives):
            return render(value.options[0])
        if isinstance(value, Derivation):
            return render(value.result)
        if _is_expr(value):
            return render(value)
        return str(value)

    def examples(self) -> list[Example]:
        from grader.probability import parse_expression as read

        # The kind's own small references: a log-likelihood with a discrete latent z, and q(z|x_i).
        ll = read("sum_{i=1}^N log sum_z p(x_i|z) p(z)")
        q = read("q(z|x_i)")
        named = {"names": True}
        return [
            Example("sum_{i=1}^N log sum_z p_theta(x_i|z) p(z)", ll, "correct"),
            Example(r"\sum_{i=1}^{N} \log \left( \sum_{z} p(x_i \mid z)\, p_Z(z) \right)", ll, "correct"),
            Example(r"\sum_{i=1}^N \log \sum_z p_\theta(x_i, z)", ll, "correct"),
            Example("sum_i sum_z log(p(x_i|z) p(z))", ll, "incorrect"),
            Example("log sum_z p(x_i|z) p(z)", ll, "incorrect"),
            Example("sum_i log p(x_i)", ll, "partial", {"marginal_credit": 0.5}),
            Example("z ~ q_phi(z|x_i)", q, "correct"),
            Example("the approximate posterior", q, "correct", named),
            Example("p(z)", q, "incorrect"),
            Example("sum_i log sum_z p(x_i|z p(z)", ll, "invalid"),
            Example("__import__('os').system('id')", ll, "invalid"),
        ]
