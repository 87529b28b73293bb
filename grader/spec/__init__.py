"""Problem-set specs: models and loading."""

from grader.spec.loader import load_problem_set
from grader.spec.models import Misconception, Parameter, Part, Problem, ProblemSet, SolverCall

__all__ = ["Misconception", "Parameter", "Part", "Problem", "ProblemSet", "SolverCall", "load_problem_set"]
