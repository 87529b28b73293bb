"""Problem-set specs: models and loading.

The names below are imported on first use: reading an answer file needs only the safe YAML loader
of this package, and must not pay for the loader's kinds and solvers (sympy among them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.lazy import lazy_attributes

if TYPE_CHECKING:
    from grader.spec.loader import load_problem_set
    from grader.spec.models import Misconception, Parameter, Part, Problem, ProblemSet, SolverCall

_HOMES = {
    "load_problem_set": "grader.spec.loader",
    **dict.fromkeys(("Misconception", "Parameter", "Part", "Problem", "ProblemSet", "SolverCall"), "grader.spec.models"),
}

__all__ = ["Misconception", "Parameter", "Part", "Problem", "ProblemSet", "SolverCall", "load_problem_set"]


__getattr__ = lazy_attributes(__name__, _HOMES)
