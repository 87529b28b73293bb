"""Reference solvers: pure functions from a variant's parameters to the expected answer.

Importing this package registers every solver module; specs refer to solvers by name.
"""

from __future__ import annotations

from grader.solvers import (  # noqa: F401  (registration)
    activations,
    conv,
    conv1d,
    probability,
    symbolic,
    tutorial_extra,
)
from grader.solvers.registry import SOLVERS, get_solver, solver

__all__ = ["SOLVERS", "get_solver", "solver"]
