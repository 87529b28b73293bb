"""Judging formulas by meaning, fast and under a time budget.

    from grader.mathjudge import judge, judge_relation
    j = judge(student_expr, reference_expr, {"x": "real", "alpha": "(0,1)"})
    j.verdict          # Verdict.EQUIVALENT / NOT_EQUIVALENT / UNDECIDED (equal to the strings)
    j.message          # for authors: may show the expected value at the witness
    j.student_message  # for students: where it differs, never the expected value
    j.witness          # {"x": -1} where they differ, else None

How a verdict is reached, cheapest first; each step can end the check:

1. structural: after matching symbols by name, the two expressions are the same sympy object.
2. exact: an exact identity test modulo a 61-bit prime at random points, treating every
   non-rational sub-expression as an independent unknown and exp/tanh/sech/sigmoid through
   exp-generators (see `algebra`). Equal at three random points proves an algebraic identity
   (error probability below 1e-30). It proves; it never disproves.
3. numeric: evaluation at sampled points (see `numeric` and `domains`): a fast pass with mpmath
   at 34 digits, and ball arithmetic (values with rigorous rounding bounds, 154 to about 1000
   digits) for every point where the fast pass is not clearly equal, so a reported
   difference is never rounding. One differing point gives `not_equivalent` with that point
   as the witness. Agreement gives `equivalent` only when every region of every variable's
   domain (both signs, tiny, moderate and large values, zero, interval ends, integers) and
   both sides of every kink were covered; otherwise `undecided`.
4. symbolic: when the numeric stage could not decide, `sympy.simplify(student - reference)
   == 0`, only when a preemptive timer guards it (main thread) and time is left.

Equivalent means equal: with the default `rel_tol=0` a difference the balls prove non-zero,
however small, is `not_equivalent` (agreeing points are re-checked at 320 bits so that a
difference below the fast pass's rounding is found); a positive `rel_tol` (a part's
`tolerance:`) accepts values within it, and floats from code compare within 1e-12. The two
sides must be defined at the same points: where exactly one is defined, they differ.

Anything that runs out of the budget (2 s of CPU time by default, see `grader.budget`: never
wall-clock time, so a busy machine does not change a verdict) is `undecided` (method "timeout"),
never `not_equivalent`; so is an unexpected failure inside sympy (method "unsupported").
Free symbols not named in `domains` are real; undefined function applications such as Var(z)
are positive unknowns; sums with symbolic bounds are checked for the bounds 1, 2, 3 and 5
(see `prepare`). `ignore_points` lists points where the answers may differ by convention
(ReLU'(0)). Matrices are judged entry by entry. Equations and inequalities go to
`judge_relation` (see `relations`), which `judge` calls when given one.
"""

from grader.budget import BudgetExceeded, Deadline, time_budget
from grader.mathjudge.domains import Domain, DomainInvalid, parse_domain, parse_domains
from grader.mathjudge.judge import judge
from grader.mathjudge.relations import judge_relation
from grader.mathjudge.result import Judgement, Method, Verdict

__all__ = [
    "BudgetExceeded",
    "Deadline",
    "Domain",
    "DomainInvalid",
    "Judgement",
    "Method",
    "Verdict",
    "judge",
    "judge_relation",
    "parse_domain",
    "parse_domains",
    "time_budget",
]
