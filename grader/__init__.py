"""Automated grader for mathematical machine-learning coursework.

A problem set's solver files register their reference solvers with::

    from grader import solver

    @solver("softmax.grad")
    def grad(p, y): ...
"""

from collections.abc import Callable
from typing import Any, TypeVar

__version__ = "0.1.0"

_F = TypeVar("_F", bound=Callable[..., Any])


def solver(name: str) -> Callable[[_F], _F]:
    """Register a pure function as a reference solver under `name` (see grader.solvers.registry)."""
    from grader.solvers.registry import solver as register

    return register(name)


__all__ = ["__version__", "solver"]
