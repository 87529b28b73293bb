"""Probability notation: a safe parser, random finite models, an evaluator and a judge.

    parse_line("sum_i log p(x_i) >= sum_i E_q[log p(x_i, z) - log q(z|x_i)]")  -> Chain
    parse_expression(r"\\mathbb{E}_{q(z|x_i)}[\\log p(x_i|z)]")                  -> Expr
    equivalent(a, b); check_relation(a, b, ">=")                                -> judged on DRAWS
"""

from grader.probability.errors import ProbSyntaxError
from grader.probability.evaluate import evaluate
from grader.probability.judge import (
    Comparison,
    StepCheck,
    check_relation,
    compare,
    compose,
    equivalent,
    flip,
)
from grader.probability.model import DRAWS, FiniteModel, random_model
from grader.probability.nodes import Chain, Expr, Sample
from grader.probability.parser import parse_expression, parse_line
from grader.probability.printing import render

__all__ = [
    "DRAWS", "Chain", "Comparison", "Expr", "FiniteModel", "ProbSyntaxError", "Sample", "StepCheck",
    "check_relation", "compare", "compose", "equivalent", "evaluate", "flip", "parse_expression",
    "parse_line", "random_model", "render",
]
