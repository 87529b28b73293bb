"""Solvers are registered by name so that specs can refer to them without executing anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from grader.errors import UnknownSolver

F = TypeVar("F", bound=Callable[..., Any])

SOLVERS: dict[str, Callable[..., Any]] = {}


def solver(name: str) -> Callable[[F], F]:
    """Register a pure function `(**params) -> expected answer` under a name specs can use."""

    def register(func: F) -> F:
        if name in SOLVERS:
            raise ValueError(f"solver {name!r} is registered twice")
        SOLVERS[name] = func
        return func

    return register


def get_solver(name: str) -> Callable[..., Any]:
    """The solver registered under name; the error lists near names."""
    try:
        return SOLVERS[name]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(name, SOLVERS, n=3)
        hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        raise UnknownSolver(f"No solver is registered as {name!r}.{hint}") from None
