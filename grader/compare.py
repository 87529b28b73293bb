"""Judging one answer against one reference, for problem authors (`grader compare`)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any, Literal, cast

import sympy as sp

from grader.errors import UsageError
from grader.mathjudge import DomainInvalid, judge, judge_relation, parse_domain
from grader.mathparse import MathContext, MathSyntaxError, OutOfBudget, parse_math, split_definition


def parse_var_options(items: Iterable[str]) -> dict[str, str]:
    """`NAME:DOMAIN` pairs from the command line into a mapping, checking each domain."""
    variables = {}
    for item in items:
        name, sep, domain = item.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--var {item!r}: write NAME:DOMAIN, e.g. x:real or p:(0,1).")
        variables[name.strip()] = check_domain(domain.strip(), name.strip())
    return variables


def check_domain(domain: str, name: str = "") -> str:
    """The domain unchanged if the judge understands it; a usage error naming the variable if not."""
    try:
        parse_domain(domain)
    except DomainInvalid as err:
        raise UsageError(f"{name}: {err}" if name else str(err)) from None
    return domain


Syntax = Literal["auto", "text", "latex"]

# Names read as unknown functions rather than products, as in Var(z) = Var(a).
DEFAULT_FUNCTIONS = ("Var", "Cov")
SYNTAXES = ("auto", "text", "latex")


def compare(student: str, reference: str, variables: dict[str, str] | None = None,
            syntax: str = "auto", budget: float = 2.0) -> dict[str, Any]:
    """The verdict on one pair: {verdict, message, seconds}; verdict is equivalent,
    not_equivalent, invalid or undecided."""
    if syntax not in SYNTAXES:
        raise UsageError(f"--syntax {syntax!r}: choose one of {', '.join(SYNTAXES)}.")
    start = time.perf_counter()
    try:
        context = MathContext(variables=dict(variables) if variables else None,
                              functions=tuple(f for f in DEFAULT_FUNCTIONS
                                              if f not in (variables or {})))
    except ValueError as err:  # a name that cannot be a variable
        raise UsageError(f"--var: {err}") from None
    try:
        ref = _unwrap(parse_math(reference, context, syntax="auto"))
    except MathSyntaxError as err:
        return _result("invalid", "The reference does not parse: " + err.render(), start)
    except OutOfBudget as err:
        return _result("undecided", err.message, start)
    try:
        answer = _unwrap(parse_math(student, context, syntax=cast(Syntax, syntax)))
    except MathSyntaxError as err:
        return _result("invalid", err.render(), start)
    except OutOfBudget as err:
        return _result("undecided", err.message, start)
    domains = dict(variables or {})
    if isinstance(ref, sp.Rel) != isinstance(answer, sp.Rel):
        return _result("not_equivalent", "One side is an equation or inequality and the other is not.", start)
    check = judge_relation if isinstance(ref, sp.Rel) else judge
    outcome = check(answer, ref, domains, budget=budget)
    return _result(outcome.verdict, outcome.message, start)


def compare_batch(lines: Iterable[str], budget: float = 2.0) -> Iterator[dict[str, Any]]:
    """One verdict per JSON line {student, reference, variables, syntax}, in order."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object")  # noqa: TRY004 - reported per line like bad JSON
            variables = {k: check_domain(str(v), k) for k, v in (item.get("variables") or {}).items()}
            yield compare(str(item["student"]), str(item["reference"]), variables,
                          str(item.get("syntax", "auto")), budget)
        except (ValueError, KeyError, UsageError) as err:
            yield {"verdict": "invalid", "message": f"line {number}: {err}", "seconds": 0.0}


def _unwrap(value: Any) -> Any:
    """`f(x) = ...` definitions compare by their right-hand side."""
    if isinstance(value, sp.Eq):
        name, rhs = split_definition(value)
        if name is not None and rhs is not None:
            return rhs
    return value


def _result(verdict: str, message: str, start: float) -> dict[str, Any]:
    return {"verdict": verdict, "message": message, "seconds": round(time.perf_counter() - start, 6)}
