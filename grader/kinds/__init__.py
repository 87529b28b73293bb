"""The registry of answer kinds: one module per kind, registered here and only here."""

from __future__ import annotations

from typing import Any

from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Status, Verdict
from grader.kinds.choice import ChoiceKind
from grader.kinds.derivation import DerivationKind
from grader.kinds.formula import EquationKind, ExpressionKind, FunctionKind, MatrixExprKind, VectorExprKind
from grader.kinds.integer import IntegerKind
from grader.kinds.matrix import MatrixKind
from grader.kinds.number import NumberKind
from grader.kinds.probability import ProbabilityKind
from grader.kinds.shape import ShapeKind
from grader.kinds.text import TextKind

KINDS: dict[str, Kind[Any, Any]] = {
    kind.name: kind
    for kind in (
        IntegerKind(),
        NumberKind(),
        ShapeKind(),
        MatrixKind(),
        TextKind(),
        ExpressionKind(),
        FunctionKind(),
        EquationKind(),
        VectorExprKind(),
        MatrixExprKind(),
        ProbabilityKind(),
        DerivationKind(),
        ChoiceKind(),
    )
}
# Every kind name a spec may use: the registry itself, so a new kind is declared in one place.
KNOWN_KIND_NAMES = frozenset(KINDS)


def get_kind(name: str) -> Kind[Any, Any] | None:
    """The implementation of a kind, or None when it is declared but not implemented yet."""
    return KINDS.get(name)

from grader.kinds import written  # noqa: E402, F401  (registers the `written.answer` solver)

__all__ = [
    "KINDS", "KNOWN_KIND_NAMES", "Example", "InvalidAnswer", "Kind", "KindOptions", "Status",
    "Verdict", "get_kind",
]
