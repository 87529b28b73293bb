"""Reference solvers: pure functions from a variant's parameters to the expected answer.

Importing this package registers the built-in library (convolution arithmetic, correlation,
transpose convolution, ReLU, symbolic helpers, written answers); a problem set adds its own
solvers from the files its `set.yaml` lists under `solvers:`. Specs refer to solvers by name.
"""

from __future__ import annotations

from grader.solvers import activations, conv, conv1d, symbolic, written  # noqa: F401  (registration)
from grader.solvers.registry import SOLVERS, SetSolvers, get_solver, load_set_solvers, solver

__all__ = ["SOLVERS", "SetSolvers", "get_solver", "load_set_solvers", "solver"]
