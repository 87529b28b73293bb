"""Derivations: a list of steps, each checked against the one before.

The answer is a YAML list of strings (one step each) or one block of lines. A step is an
expression or a relation (`=`, `>=`, `<=`) to the previous line, optionally followed by a
justification (`# Jensen`, `(Bayes)`, `\\text{(linearity)}`, `by Jensen`). The grader checks the
first line against the required start, every step against the line before, and the last line
against the required result, and names the first step that does not follow.

Two step languages: `probability` (p(x|z), E_q[...], KL; judged on random finite models, see
grader.probability) and `expression` (formulas read by grader.mathparse and judged by
grader.mathjudge, with the facts of the problem, e.g. Var(z_i) = D_a Var(W_ij) Var(a_j)).
Steps the engine cannot decide send the part to a person rather than to zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.budget import DEFAULT_SECONDS, MAX_SECONDS
from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict
from grader.kinds.escapes import escape_problem
from grader.probability import (
    ProbSyntaxError,
    check_relation,
    compose,
    equivalent,
    flip,
    parse_line,
    render,
)
from grader.probability.judge import SYMBOL, StepCheck
from grader.probability.nodes import Log, RelOp, Sample, SumData, is_expr, walk
from grader.probability.reference import Alternatives, Derivation, StepPattern
from grader.probability.steps import RawLine, StepsUnreadable, split_lines


class Credit(BaseModel):
    """How a derivation's points are shared: the right start, valid steps, the right result."""

    model_config = ConfigDict(extra="forbid")

    start: float = Field(default=0.2, ge=0)
    steps: float = Field(default=0.5, ge=0)
    result: float = Field(default=0.3, ge=0)

    def shares(self) -> tuple[float, float, float]:
        total = self.start + self.steps + self.result
        if total <= 0:
            return (0.0, 0.0, 1.0)
        return (self.start / total, self.steps / total, self.result / total)


class DerivationOptions(KindOptions):
    step_kind: Literal["probability", "expression"] = "probability"
    # The required first line and last line: a registered solver name or reference text. By default
    # they come from the part's solver (a reference Derivation, or the result alone).
    start: str | None = None
    result: str | None = None
    credit: Credit = Field(default_factory=Credit)
    # Fewer steps than this (a copied statement) earns only the result's share.
    require_steps: int = Field(default=1, ge=0, le=20)
    # A derivation written for one data point x_i (without the sums over i) is accepted too.
    per_point: bool = True
    # The feedback may show the start and the result (they are given in a "show that" question).
    reveal_ends: bool = False
    # expression steps (grader.mathparse / grader.mathjudge), as in the formula kinds
    variables: dict[str, str] = Field(default_factory=dict)
    indexed: dict[str, int] = Field(default_factory=dict)
    indices: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)
    facts: str | None = None
    # A sum written with its index only (sum_j, \sum_j) runs from 1 to this name.
    sum_upper: str | None = None
    budget: float = Field(default=DEFAULT_SECONDS, gt=0, le=MAX_SECONDS)


@dataclass(frozen=True)
class Step:
    """One line of a derivation (or one item of a chain written on one line)."""

    expr: Any
    relation: RelOp | None  # to the previous step; None for the first
    line: int
    text: str
    justification: str = ""
    implicit: bool = False  # a line that restates (or starts a new statement) instead of `= ...`
    error: str = ""  # expression steps: why this piece could not be read (it is then not checked)


@dataclass(frozen=True)
class DerivationAnswer:
    steps: tuple[Step, ...]
    step_kind: str = "probability"
    notes: tuple[str, ...] = ()

    @property
    def relations(self) -> int:
        """How many explicit steps (relations) the answer shows."""
        return sum(1 for s in self.steps[1:] if not s.implicit)


@dataclass(frozen=True)
class StepOutcome:
    """The check of step k (k >= 1): ok, broken (with why), or undecided."""

    index: int
    ok: bool
    undecided: bool = False
    message: str = ""
    mistake: str | None = None


@dataclass
class Review:
    """Everything the checker found in one answer; compare() turns it into credit and feedback."""

    outcomes: list[StepOutcome] = field(default_factory=list)
    start_ok: bool | None = None
    result_ok: bool = False
    result_undecided: bool = False
    reversed: bool = False

    @property
    def first_broken(self) -> StepOutcome | None:
        return next((o for o in self.outcomes if not o.ok and not o.undecided), None)

    @property
    def undecided(self) -> list[StepOutcome]:
        return [o for o in self.outcomes if o.undecided]


# --- parsing -------------------------------------------------------------------------------------------


def parse_probability_steps(lines: list[RawLine]) -> DerivationAnswer | InvalidAnswer:
    """Read every line with the probability parser; a line without a leading relation restates."""
    steps: list[Step] = []
    notes: list[str] = []
    for line in lines:
        try:
            parsed = parse_line(line.text)
        except ProbSyntaxError as err:
            return InvalidAnswer(f"line {line.number}: {err.render()}")
        if isinstance(parsed, Sample):
            return InvalidAnswer(f"line {line.number}: a step is an expression or a relation such as '= ...', not 'z ~ ...'")
        notes.extend(n for n in parsed.notes if n not in notes)
        first = parsed.items[0]
        if not steps:
            if parsed.leading is not None:
                return InvalidAnswer(
                    f"line 1 starts with '{parsed.leading}': write the expression you start from first, then one "
                    "step per line, each starting with =, >= or <="
                )
            steps.append(Step(first, None, line.number, line.text, line.justification))
        elif parsed.leading is not None or parsed.label is not None:
            # "= ..." continues the chain; "L_i = ..." names the next expression, also an equality
            relation = parsed.leading or "="
            steps.append(Step(first, relation, line.number, line.text, line.justification))
        else:
            steps.append(Step(first, "=", line.number, line.text, line.justification, implicit=True))
        for relation, item in zip(parsed.relations, parsed.items[1:], strict=False):
            steps.append(Step(item, relation, line.number, line.text, line.justification))
    return DerivationAnswer(tuple(steps), "probability", tuple(notes))


# --- checking probability steps ------------------------------------------------------------------------


def check_probability_steps(answer: DerivationAnswer) -> list[StepOutcome]:
    """Check every step against the one before; also the direction of the chain."""
    outcomes: list[StepOutcome] = []
    direction: str | None = None
    for k in range(1, len(answer.steps)):
        before, step = answer.steps[k - 1], answer.steps[k]
        relation = step.relation or "="
        check = check_relation(before.expr, step.expr, relation)
        if not check.ok:
            outcomes.append(StepOutcome(k, False, message=_explain(check, step), mistake=check.mistake))
            continue
        if relation != "=" and direction is not None and relation != direction and not _equal(before, step):
            outcomes.append(StepOutcome(
                k, False,
                message=(f"this step claims {SYMBOL[relation]} after earlier steps claimed {SYMBOL[direction]}; "
                         "a chain that mixes ≥ and ≤ proves nothing about its two ends"),
            ))
            continue
        if relation != "=" and not _equal(before, step):
            direction = direction or relation
        outcomes.append(StepOutcome(k, True))
    return outcomes


def _equal(before: Step, step: Step) -> bool:
    return equivalent(before.expr, step.expr)


def _explain(check: StepCheck, step: Step) -> str:
    message = check.message
    word = step.justification.lower()
    if check.mistake == "wrong_direction" and any(isinstance(n, Log) for n in walk(step.expr)):
        message += "; Jensen's inequality for the concave log reads log E[Y] ≥ E[log Y]"
    elif "jensen" in word and step.relation == "=":
        message += "; Jensen's inequality gives ≥, not ="
    if step.implicit:
        reason = message.replace("this step claims equality, but ", "", 1)
        message = ("the line does not start with =, ≥ or ≤, so it should repeat the expression the line before "
                   f"ended with, but {reason}")
    return message


# --- the kind ----------------------------------------------------------------------------------------------


class DerivationKind(Kind[DerivationOptions, DerivationAnswer]):
    name: ClassVar[str] = "derivation"
    description: ClassVar[str] = (
        "a derivation: a list of steps, one per line, each an expression or a relation to the line before "
        "(= ..., >= ..., <= ...), with an optional justification such as # Jensen"
    )
    Options: ClassVar[type[KindOptions]] = DerivationOptions

    def parse(self, raw: Any, options: DerivationOptions) -> DerivationAnswer | InvalidAnswer:
        problem = escape_problem(raw, formula=True, multiline=True)
        if problem:
            return InvalidAnswer(problem)
        try:
            lines = split_lines(raw)
        except StepsUnreadable as err:
            return InvalidAnswer(str(err))
        if options.step_kind == "expression":
            return parse_expression_steps(lines, options)
        return parse_probability_steps(lines)

    def compare(self, value: Any, expected: Any, options: DerivationOptions) -> Verdict:
        if options.step_kind == "expression":
            return compare_expression_steps(value, expected, options)
        if isinstance(value, Derivation):
            value = reference_answer(value)
        return compare_probability_steps(value, expected, options)

    def matches(self, value: Any, other: Any, options: DerivationOptions) -> bool:
        if options.step_kind == "expression":
            return expression_steps_match(value, other, options)
        if isinstance(value, Derivation):
            value = reference_answer(value)
        return probability_steps_match(value, other, options)

    def accepts_expected(self, expected: Any, options: DerivationOptions) -> Verdict:
        parsed = self.parse(self.render(expected), options)
        if isinstance(parsed, InvalidAnswer):
            return Verdict.incorrect(f"the reference does not parse back: {parsed.message}")
        return self.compare(parsed, expected, options)

    def render(self, value: Any) -> str:
        if isinstance(value, Derivation) and all(is_expr(line) for line in value.lines):
            value = reference_answer(value)
        if isinstance(value, DerivationAnswer) and value.step_kind == "probability":
            lines = []
            for step in value.steps:
                text = render(step.expr)
                lines.append(text if step.relation is None else f"{step.relation} {text}")
            return "\n".join(lines)
        if isinstance(value, Alternatives):
            return self.render(value.options[0])
        if isinstance(value, StepPattern):
            return f"(a step pattern: {value.description or value.name})"
        if is_expr(value):
            return render(value)
        return render_expression(value)

    def read_form(self, value: Any) -> Any:
        from grader.reading import expression_reading, steps_reading, tokens_reading

        if not isinstance(value, DerivationAnswer):
            return None
        steps = []
        for step in value.steps:
            if step.expr is None or step.error:
                reading = None
            elif value.step_kind == "probability":
                reading = tokens_reading(render(step.expr))
            else:
                reading = expression_reading(step.expr)
            relation = None if step.relation is None or step.implicit else step.relation
            steps.append((relation, reading, step.text))
        return steps_reading(steps)

    def describe(self, options: DerivationOptions) -> str:
        if options.require_steps == 0:
            return "the result, or a list of steps ending with it (one per line; steps shown are checked)"
        if options.step_kind == "expression":
            return (f"a list of steps, one equation per line, the last one giving the result (at least "
                    f"{options.require_steps} steps)")
        return (f"a list of lines: the first an expression, then one step per line starting with =, >= or <= "
                f"(at least {options.require_steps}; '# Jensen' names a rule)")

    def examples(self) -> list[Example]:
        from grader.probability import parse_expression as read

        # Small references of the kind's own: a bound on a log-likelihood by Jensen's inequality,
        # and the split of that bound into a reconstruction term and a KL divergence.
        bound = "sum_i E_{q(z|x_i)}[log p(z) - log q(z|x_i) + log p(x_i|z)]"
        jensen = Derivation((read("sum_i log p(x_i)"), read(bound)), (">=",), ("Jensen",))
        summand = "E_{q(z|x_i)}[log p(z) - log q(z|x_i) + log p(x_i|z)]"
        elbo = Derivation((read(summand), read("E_{q(z|x_i)}[log p(x_i|z)] - KL(q(z|x_i) || p(z))")), ("=",), ("",))
        opts = {"require_steps": 2, "reveal_ends": True}
        valid = [
            "sum_{i=1}^N log p_theta(x_i)",
            "= sum_i log sum_z q(z|x_i) p(x_i|z) p(z) / q(z|x_i)",
            "= sum_i log E_{q(z|x_i)}[p(x_i|z) p(z) / q(z|x_i)]",
            ">= sum_i E_{q(z|x_i)}[log p(z) - log q(z|x_i) + log p(x_i|z)]   # Jensen",
        ]
        wrong_way = [*valid[:3], "<= sum_i E_{q(z|x_i)}[log p(z) - log q(z|x_i) + log p(x_i|z)]   # Jensen"]
        return [
            Example(valid, jensen, "correct", opts),
            Example("\n".join(valid), jensen, "correct", opts),
            Example([
                r"\log p_\theta(x_i) = \log \sum_z q(z|x_i) \frac{p(x_i, z)}{q(z|x_i)}",
                r"\geq \sum_z q(z|x_i) \log \frac{p(x_i, z)}{q(z|x_i)} \quad \text{(Jensen)}",
                r"= \mathbb{E}_{q(z|x_i)}[\log p_Z(z) - \log q(z|x_i) + \log p_\theta(x_i|z)]",
            ], jensen, "correct", opts),
            Example(wrong_way, jensen, "partial", opts),
            Example([valid[-1].replace(">= ", "sum_i log p(x_i) >= ").split("#")[0]], jensen, "partial", opts),
            Example([
                "E_q[log p(z) - log q(z|x_i) + log p(x_i|z)]",
                "= E_q[log p(x_i|z)] - E_q[log q(z|x_i) - log p(z)]",
                "= E_q[log p(x_i|z)] - KL(q(z|x_i) || p(z))",
            ], elbo, "correct", opts),
            # The result alone, given by a "show that" question, is no derivation of it.
            Example(["E_q[log p(x_i|z)] - KL(q(z|x_i) || p(z))"], elbo, "incorrect", opts),
            Example(["E_q[log p(x_i|z)] + KL(q(z|x_i) || p(z))"], elbo, "incorrect", opts),
            Example(["sum_i log p(x_i)", "= sum_i log sum_z p(x_i|z p(z)"], jensen, "invalid", opts),
            Example(["= sum_i log p(x_i)"], jensen, "invalid", opts),
            Example(["__import__('os').system('id')"], jensen, "invalid", opts),
        ]


def reference_answer(reference: Derivation) -> DerivationAnswer:
    """A reference probability derivation as if a student had written it."""
    steps = [Step(reference.lines[0], None, 1, "")]
    for k, (relation, line) in enumerate(zip(reference.relations, reference.lines[1:], strict=False), 2):
        steps.append(Step(line, relation, k, ""))
    return DerivationAnswer(tuple(steps), "probability")


# --- probability derivations: targets, credit and feedback --------------------------------------------------


@dataclass(frozen=True)
class Targets:
    start: Any
    result: Any
    relation: RelOp | None  # what the reference shows between start and result


_BY_NAME: dict[str, Any] = {}


def resolve_reference(spec: str | None, parse: Any) -> Any:
    """A start/result/facts option: a solver name (of the set being graded, else the library;
    called with its defaults; solvers are pure, so the value is kept), else reference text read
    by `parse`."""
    if spec is None:
        return None
    from grader.solvers.registry import lookup

    found = lookup(spec)
    if found is not None:
        func, key = found
        if key not in _BY_NAME:
            _BY_NAME[key] = func()
        return _BY_NAME[key]
    return parse(spec)


def probability_targets(expected: Any, options: DerivationOptions) -> Targets:
    from grader.probability import parse_expression

    start = result = relation = None
    if isinstance(expected, Derivation):
        start, result, relation = expected.start, expected.result, compose(expected.relations)
    elif is_expr(expected):
        result = expected
    start = resolve_reference(options.start, parse_expression) if options.start else start
    result = resolve_reference(options.result, parse_expression) if options.result else result
    return Targets(start, result, relation)


def _variants(expr: Any, per_point: bool) -> list[Any]:
    """The expression, and (with per_point) the same for one data point or summed over the data."""
    if expr is None:
        return []
    out = [expr]
    if per_point:
        if isinstance(expr, SumData):
            out.append(expr.body)
        else:
            out.append(SumData("i", expr))
    return out


def review_probability(answer: DerivationAnswer, targets: Targets, options: DerivationOptions) -> Review:
    review = Review(outcomes=check_probability_steps(answer))
    first, last = answer.steps[0].expr, answer.steps[-1].expr
    pairs = list(zip(_variants(targets.start, options.per_point), _variants(targets.result, options.per_point), strict=False))
    if targets.start is None:
        pairs = [(None, r) for r in _variants(targets.result, options.per_point)]
    for start, result in pairs:
        if start is None or equivalent(first, start):
            review.start_ok = None if start is None else True
            review.result_ok = equivalent(last, result)
            return review
    # Written the other way round: from the result up to the start.
    for start, result in pairs:
        if start is not None and equivalent(first, result) and equivalent(last, start) and len(answer.steps) > 1:
            review.start_ok = review.result_ok = review.reversed = True
            return review
    review.start_ok = False
    review.result_ok = any(equivalent(last, result) for _, result in pairs)
    return review


def compare_probability_steps(value: DerivationAnswer, expected: Any, options: DerivationOptions) -> Verdict:
    targets = probability_targets(expected, options)
    review = review_probability(value, targets, options)
    return credit_and_feedback(value, review, targets, options, render)


def credit_and_feedback(
    value: DerivationAnswer, review: Review, targets: Targets, options: DerivationOptions, show: Any,
) -> Verdict:
    """Share the points (start, valid prefix of the steps, result) and write the feedback."""
    w_start, w_steps, w_result = options.credit.shares()
    if targets.start is None:
        w_steps, w_start = w_steps + w_start, 0.0
    feedback: list[str] = []
    if value.relations == 0 and options.require_steps == 0:
        # Steps are optional and none was given: the result carries all the points.
        if not review.result_ok and targets.result is not None and not review.result_undecided:
            feedback.append(_result_message(targets, options, show))
        return _verdict(1.0 if review.result_ok else 0.0, feedback, value, review)
    # In a "show that" question (reveal_ends: the statement gives the result) writing the result
    # proves nothing: its share is paid only for a chain of valid steps that reaches it.
    result_given = options.reveal_ends and targets.result is not None
    broken = review.first_broken
    if value.relations < options.require_steps:
        chained = value.relations > 0 and broken is None
        earned = w_result if review.result_ok and (chained or not result_given) else 0.0
        shown = "no step" if value.relations == 0 else f"only {value.relations} step" + ("s" if value.relations > 1 else "")
        route = ""
        if options.reveal_ends and targets.start is not None:
            route = f" from {show(targets.start)} to {show(targets.result)}"
        feedback.append(
            f"Your answer shows {shown}: this question asks for the derivation{route} (at least "
            f"{options.require_steps} steps, one per line, each following from the line before)."
        )
        if review.result_ok and earned:
            feedback.append("Your final expression is right; it earns the result's share of the points.")
        elif review.result_ok:
            feedback.append(_GIVEN_RESULT)
        elif targets.result is not None:
            feedback.append(_result_message(targets, options, show))
        return _verdict(earned, feedback, value, review)
    earned = 0.0
    if review.start_ok is not False:
        earned += w_start
    else:
        where = f": start from {show(targets.start)}" if options.reveal_ends else ""
        feedback.append(f"Your first line is not the expression the derivation starts from{where}.")
    explicit = [o for o in review.outcomes if not value.steps[o.index].implicit]
    valid_prefix = sum(1 for o in explicit if broken is None or o.index < broken.index)
    if review.start_ok is not False:
        earned += w_steps * (valid_prefix / len(explicit) if explicit else (0.0 if broken else 1.0))
    if broken:
        feedback.append(f"{step_label(value, broken.index)} does not follow from the line before: {broken.message}.")
    claimed = compose([s.relation for s in value.steps[1:] if not s.implicit and s.relation in SYMBOL])
    if claimed is not None and review.reversed:
        claimed = flip(claimed)
    wrong_way = targets.relation in (">=", "<=") and claimed not in (targets.relation, "=")
    if review.result_ok and not wrong_way and broken and result_given:
        feedback.append(_GIVEN_RESULT)
    elif review.result_ok and not wrong_way:
        earned += w_result
    elif review.result_ok and targets.relation is not None:  # wrong way: the reference shows ≥ or ≤
        said = "mixes ≥ and ≤" if claimed is None else f"concludes {SYMBOL[claimed]}"
        feedback.append(
            f"Your last line is the right expression, but your chain {said}; the question asks to show "
            f"{SYMBOL[targets.relation]}, so the result earns no points."
        )
    elif targets.result is not None:
        feedback.append(_result_message(targets, options, show))
    if review.reversed and not broken:
        feedback.append("You wrote the derivation from the result back to the start; that is fine.")
    return _verdict(earned, feedback, value, review)


_GIVEN_RESULT = (
    "Your last line is the result the question gives, but your steps do not reach it by valid "
    "steps, so it earns no points: only the valid steps before the first wrong one count."
)


def step_label(value: DerivationAnswer, index: int) -> str:
    """'Step 3 (line 4: “...”)': steps count the relations shown; a line restating the one before
    (no leading relation) is named by its line."""
    step = value.steps[index]
    text = step.text if len(step.text) <= 90 else step.text[:87] + "…"
    if step.implicit:
        return f"Line {step.line} (“{text}”)"
    number = sum(1 for s in value.steps[1: index + 1] if not s.implicit)
    return f"Step {number} (line {step.line}: “{text}”)"


def broken_step(value: DerivationAnswer, review: Review) -> tuple[int, int] | None:
    """(step number, line) of the first step that does not follow, or None."""
    broken = review.first_broken
    if broken is None:
        return None
    number = sum(1 for s in value.steps[1: broken.index + 1] if not s.implicit)
    return number, value.steps[broken.index].line


def _result_message(targets: Targets, options: DerivationOptions, show: Any) -> str:
    if options.reveal_ends:
        return f"Your last line is not the expression to reach, {show(targets.result)}."
    return "Your last line is not the expected result."


def _verdict(earned: float, feedback: list[str], value: DerivationAnswer, review: Review) -> Verdict:
    notes = list(value.notes)
    earned = round(min(max(earned, 0.0), 1.0), 6)
    if review.result_undecided and not review.first_broken:
        return Verdict.undecided(
            *feedback, "The grader could not decide whether your final result is right; a person will check it.",
            *notes, provisional=earned,
        )
    if review.undecided and not review.first_broken:
        lines = ", ".join(sorted({str(value.steps[o.index].line) for o in review.undecided}, key=int)[:6])
        reasons = list(dict.fromkeys(o.message for o in review.undecided if o.message))[:2]
        return Verdict.undecided(
            *feedback,
            f"The grader could not check the step(s) on line {lines}; a person will look at them.",
            *reasons,
            *notes,
            provisional=earned,
        )
    if earned >= 1.0:
        return Verdict.correct(*feedback, *notes)
    if not feedback:
        feedback.append("Your derivation does not reach the expected result.")
    return Verdict.partial(earned, *feedback, *notes)


# --- misconceptions in probability derivations ----------------------------------------------------------------


def probability_steps_match(value: DerivationAnswer, produced: Any, options: DerivationOptions) -> bool:
    """Whether the derivation shows the misconception `produced` (a value or a StepPattern)."""
    if isinstance(produced, Alternatives):
        return any(probability_steps_match(value, p, options) for p in produced.options)
    outcomes = check_probability_steps(value)
    if isinstance(produced, StepPattern):
        broken = [o for o in outcomes if not o.ok and not o.undecided]
        if produced.detect is not None:  # the set's own test of a broken step
            return any(
                produced.detect(value.steps[o.index - 1].expr, value.steps[o.index].expr,
                                value.steps[o.index].relation or "=")
                for o in broken
            )
        return any(o.mistake == produced.name for o in broken)
    if isinstance(produced, Derivation):
        produced = produced.result
    if not is_expr(produced):
        return False
    suspects = {len(value.steps) - 1} | {o.index for o in outcomes if not o.ok}
    candidates = _variants(produced, options.per_point)
    return any(equivalent(value.steps[k].expr, c) for k in sorted(suspects) for c in candidates)


# --- expression steps (grader.mathparse + grader.mathjudge, with a facts model) ----------------------------------


def _math_context(options: DerivationOptions) -> Any:
    from grader.mathparse import MathContext
    from grader.probability.formula_steps import DERIV, EXPECT

    functions = tuple(dict.fromkeys([*options.functions, EXPECT, DERIV]))
    return MathContext(
        variables=dict(options.variables) or None,
        indexed=dict(options.indexed),
        indices=tuple(options.indices) or ("i", "j", "k"),
        functions=functions,
    )


_BARE_SUM = re.compile(r"(\\?)sum\s*_\s*(?:\{\s*([a-z])\s*\}|([a-z]))(?![A-Za-z0-9_])(?!\s*\^)")


def _read_piece(text: str, ctx: Any, sum_upper: str | None = None) -> tuple[Any, str]:
    """(sympy value, '') or (None, why it cannot be read)."""
    import sympy as sp

    from grader.mathparse import MathSyntaxError, parse_math
    from grader.probability.formula_steps import rewrite_operators

    if sum_upper:
        text = _BARE_SUM.sub(lambda m: f"{m.group(1)}sum_{{{m.group(2) or m.group(3)}=1}}^{{{sum_upper}}}", text)
    rewritten = rewrite_operators(text)
    try:
        value = parse_math(rewritten, ctx)
    except MathSyntaxError as err:
        if rewritten == text:
            return None, err.render()
        try:
            parse_math(text, ctx)
        except MathSyntaxError as original:
            return None, original.render()  # the caret under the student's own text
        return None, err.message
    from sympy.core.relational import Relational
    from sympy.logic.boolalg import BooleanAtom, BooleanFunction

    if isinstance(value, (sp.MatrixBase, Relational, BooleanFunction, BooleanAtom)):
        return None, "this piece is not a single expression"
    return value, ""


def parse_expression_steps(lines: list[RawLine], options: DerivationOptions) -> DerivationAnswer | InvalidAnswer:
    """Read formula steps; a line that cannot be read is kept and sent to a person, except the last."""
    from grader.probability.formula_steps import normal_line, split_relations

    try:
        ctx = _math_context(options)
    except ValueError as err:
        return InvalidAnswer(f"this part's options do not describe its variables ({err})")
    steps: list[Step] = []
    for n, line in enumerate(lines):
        text = normal_line(line.text, tuple(options.functions))
        leading, pieces, relations = split_relations(text)
        if not steps and leading is not None:
            return InvalidAnswer(
                f"line 1 starts with '{leading}': write the expression you start from first, then one step per line"
            )
        if any(not p for p in pieces):
            return InvalidAnswer(f"line {line.number}: a relation has nothing on one side")
        read = [_read_piece(p, ctx, options.sum_upper) for p in pieces]
        if n == len(lines) - 1 and read[-1][0] is None:
            return InvalidAnswer(f"line {line.number}: {read[-1][1]}")
        for k, ((expr, error), _piece) in enumerate(zip(read, pieces, strict=False)):
            if k == 0:
                relation = leading if steps else None
                implicit = bool(steps) and leading is None
            else:
                relation, implicit = relations[k - 1], False
            steps.append(Step(expr, relation, line.number, line.text, line.justification, implicit, error))
    return DerivationAnswer(tuple(steps), "expression")


@dataclass(frozen=True)
class ExpressionTargets(Targets):
    facts: Any = None
    domains: dict[str, str] = field(default_factory=dict)


def expression_targets(expected: Any, options: DerivationOptions) -> ExpressionTargets:
    import sympy as sp

    from grader.probability.formula_steps import Facts

    result = expected.result if isinstance(expected, Derivation) else expected
    if isinstance(result, sp.Equality):
        result = result.rhs
    start = expected.start if isinstance(expected, Derivation) and options.start else None
    ctx = _math_context(options)
    if options.start:
        start = resolve_reference(options.start, lambda text: _read_piece(text, ctx)[0])
    if options.result:
        result = resolve_reference(options.result, lambda text: _read_piece(text, ctx)[0])
    facts = resolve_reference(options.facts, lambda text: None) if options.facts else Facts()
    domains = {**dict(options.variables), **dict(getattr(facts, "domains", {}) or {})}
    return ExpressionTargets(start, result, None, facts or Facts(), domains)


def _has_opaque(expr: Any) -> bool:
    from sympy.core.function import AppliedUndef

    return bool(expr.atoms(AppliedUndef))


def check_formula_relation(left: Any, right: Any, relation: str, targets: ExpressionTargets,
                           options: DerivationOptions) -> StepOutcome:
    """One formula step under the facts model: ok, broken, or undecided (index filled in later)."""
    from grader.mathjudge import judge
    from grader.probability.formula_steps import Undecidable

    try:
        a, b = targets.facts.rewrite(left), targets.facts.rewrite(right)
    except Undecidable:
        return StepOutcome(0, False, undecided=True, message="this step uses notation the grader cannot evaluate")
    except Exception:  # noqa: BLE001 - sympy can fail in many ways on odd input; a person decides
        return StepOutcome(0, False, undecided=True, message="this step could not be evaluated")
    if _has_opaque(a) or _has_opaque(b):
        return StepOutcome(0, False, undecided=True, message="this step uses notation the grader cannot evaluate")
    verdict = judge(a, b, targets.domains, budget=options.budget).verdict
    if verdict == "equivalent":
        return StepOutcome(0, True)
    if verdict == "undecided":
        return StepOutcome(0, False, undecided=True, message="the grader could not decide this step in time")
    for condition in targets.facts.conditions():
        if judge(a.subs(condition), b.subs(condition), targets.domains, budget=options.budget).verdict == "equivalent":
            return StepOutcome(0, True)
    if relation != "=":
        return StepOutcome(0, False, undecided=True, message="inequalities between formulas are checked by a person")
    return StepOutcome(0, False, message="this step claims equality, but the two sides are not equal under the "
                                         "assumptions of the question")


def review_expression(answer: DerivationAnswer, targets: ExpressionTargets, options: DerivationOptions) -> Review:
    from dataclasses import replace

    from grader.mathjudge import judge

    review = Review()
    for k in range(1, len(answer.steps)):
        before, step = answer.steps[k - 1], answer.steps[k]
        if step.implicit:
            review.outcomes.append(StepOutcome(k, True))  # a new statement: checked on its own relations
            continue
        if before.expr is None or step.expr is None:
            why = (step.error or before.error).split("\n")[0]
            review.outcomes.append(StepOutcome(k, False, undecided=True, message=f"line {step.line} could not be read: {why}"))
            continue
        outcome = check_formula_relation(before.expr, step.expr, step.relation or "=", targets, options)
        review.outcomes.append(replace(outcome, index=k))
    last = answer.steps[-1].expr
    if targets.start is not None and answer.steps[0].expr is not None:
        review.start_ok = judge(answer.steps[0].expr, targets.start, targets.domains, budget=options.budget).verdict == "equivalent"
    if targets.result is not None and last is not None:
        verdict = judge(last, targets.result, targets.domains, budget=options.budget).verdict
        review.result_ok = verdict == "equivalent"
        review.result_undecided = verdict == "undecided"
    return review


def compare_expression_steps(value: Any, expected: Any, options: DerivationOptions) -> Verdict:
    if not isinstance(value, DerivationAnswer):
        value = parse_expression_steps(split_lines(render_expression(value).split("\n")), options)
        if isinstance(value, InvalidAnswer):
            return Verdict.incorrect(value.message)
    targets = expression_targets(expected, options)
    review = review_expression(value, targets, options)
    return credit_and_feedback(value, review, targets, options, render_expression)


def expression_steps_match(value: Any, produced: Any, options: DerivationOptions) -> bool:
    """The last line (or a line reached by a broken step) equals the misconception's value."""
    import sympy as sp

    from grader.mathjudge import judge

    if isinstance(produced, Alternatives):
        return any(expression_steps_match(value, p, options) for p in produced.options)
    if isinstance(produced, Derivation):
        produced = produced.result
    if isinstance(produced, sp.Equality):
        produced = produced.rhs
    if not isinstance(value, DerivationAnswer) or not isinstance(produced, sp.Basic):
        return False
    targets = expression_targets(produced, options)
    review = review_expression(value, targets, options)
    suspects = {len(value.steps) - 1} | {o.index for o in review.outcomes if not o.ok and not o.undecided}
    return any(
        value.steps[k].expr is not None
        and judge(value.steps[k].expr, produced, targets.domains, budget=options.budget).verdict == "equivalent"
        for k in sorted(suspects)
    )


def render_expression(value: Any) -> str:
    """A sympy value (or a reference derivation of sympy lines) as text the formula parser reads."""
    import sympy as sp

    if isinstance(value, Derivation):
        lines = [render_expression(value.lines[0])]
        for relation, line in zip(value.relations, value.lines[1:], strict=False):
            # A chain of expressions (a = b = c) shows its relations; a chain of equations does not.
            chained = relation in ("=", ">=", "<=") and not isinstance(line, sp.Equality)
            lines.append(f"{relation} {render_expression(line)}" if chained else render_expression(line))
        return "\n".join(lines)
    if isinstance(value, DerivationAnswer):
        out = []
        for step in value.steps:
            text = "?" if step.expr is None else render_expression(step.expr)
            out.append(text if step.relation is None or step.implicit else f"{step.relation} {text}")
        return "\n".join(out)
    if isinstance(value, sp.Equality):
        return f"{sp.sstr(value.lhs)} = {sp.sstr(value.rhs)}"
    if isinstance(value, sp.Basic):
        return str(sp.sstr(value))
    return str(value)
