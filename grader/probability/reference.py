"""What reference solvers hand to the kinds besides plain expressions.

A `Derivation` is a reference chain of steps (its first line is the required start, its last
line the required result, and its relations compose to the relation to show). A `StepPattern`
names a mistake that lives in a step rather than in a value (Jensen's inequality used in the
wrong direction). `Alternatives` lists several values that one misconception can produce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.probability.nodes import RelOp


@dataclass(frozen=True)
class Derivation:
    """A reference derivation: lines[0] rel[0] lines[1] rel[1] ... lines[-1].

    `lines` hold probability trees (nodes.Expr) or sympy expressions; `justifications` one word
    per relation (or "").
    """

    lines: tuple[Any, ...]
    relations: tuple[RelOp, ...]
    justifications: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.relations) != len(self.lines) - 1:
            raise ValueError("a derivation needs one relation between each pair of lines")

    @property
    def start(self) -> Any:
        return self.lines[0]

    @property
    def result(self) -> Any:
        return self.lines[-1]


@dataclass(frozen=True)
class StepPattern:
    """A mistake recognised in the steps of a derivation, not in its value.

    A problem set registers its own step mistakes by returning a StepPattern with `detect`
    from a misconception solver: `detect(before, after, relation)` is asked about each step
    that does not follow and says whether it is this mistake. Without `detect`, the name is one
    the step checker itself reports ("wrong_direction": an inequality the wrong way round).
    """

    name: str
    description: str = ""
    detect: Callable[[Any, Any, str], bool] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Alternatives:
    """Any of these values counts as the same misconception."""

    options: tuple[Any, ...]
