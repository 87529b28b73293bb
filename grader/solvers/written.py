"""Written answers: a reference given in a spec as text (`answer: "(H - F + 2*P)/S + 1"`).

The text is the author's, read with the same safe parser as a student's answer, with the
problem's parameters bound by name; it is never evaluated as Python.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import sympy as sp

from grader.solvers.registry import solver

NUMERIC_KINDS = ("integer", "number", "shape", "matrix")
FORMULA_KINDS = ("expression", "function", "equation", "vector_expr", "matrix_expr")


class WrittenAnswerError(ValueError):
    """A written answer that does not parse, or that its kind rejects."""


@solver("written.answer")
def written_answer(_text: Any, _kind: str, _options: dict[str, Any] | None = None, **params: Any) -> Any:
    """The value a written answer stands for, for this variant's parameters."""
    from grader.kinds import InvalidAnswer, get_kind
    from grader.rubric import part_options

    kind = get_kind(_kind)
    if kind is None:
        raise WrittenAnswerError(f"the kind {_kind!r} cannot read a written answer")
    options = kind.options(part_options(dict(_options or {}), ".", ""))
    scalars = {name: value for name, value in params.items() if _is_scalar(value)}
    if _kind in NUMERIC_KINDS:
        return _numeric(kind, _kind, _text, options, scalars)
    if _kind in FORMULA_KINDS:
        return _formula(kind, _text, options, scalars)
    value = kind.parse(_text, options)
    if isinstance(value, InvalidAnswer):
        raise WrittenAnswerError(value.message)
    if _kind == "probability":  # the expression itself, as a solver would give it
        return value.expr
    return value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _exact(value: Any) -> sp.Expr:
    return sp.Integer(value) if isinstance(value, numbers.Integral) else sp.nsimplify(value, rational=True)


def _numeric(kind: Any, name: str, text: Any, options: Any, params: dict[str, Any]) -> Any:
    from grader.kinds import InvalidAnswer
    from grader.mathparse import MathContext, MathSyntaxError, parse_math

    if not isinstance(text, str):  # a YAML number or list: the kind reads it as a student's
        value = kind.parse(text, options)
        if isinstance(value, InvalidAnswer):
            raise WrittenAnswerError(value.message)
        return value
    context = MathContext(variables={p: "real" for p in params})
    try:
        parsed = parse_math(text, context, syntax="auto")
    except MathSyntaxError as err:
        raise WrittenAnswerError(err.render()) from None
    if not isinstance(parsed, (sp.Basic, sp.MatrixBase)):
        raise WrittenAnswerError(f"{text!r} is not a value")
    values = {sp.Symbol(p, real=True): _exact(v) for p, v in params.items()}
    bound = _bind(parsed, values)
    if bound.free_symbols:
        names = ", ".join(sorted(str(s) for s in bound.free_symbols))
        raise WrittenAnswerError(f"{text!r} uses {names}, which is not a parameter of the problem")
    if name in ("integer", "number"):
        if isinstance(bound, sp.MatrixBase):
            raise WrittenAnswerError(f"a {name} part needs one number, not a list")
        if name == "integer":
            if not bound.is_integer:
                raise WrittenAnswerError(f"{text!r} gives {bound}, which is not a whole number")
            return int(bound)
        return float(bound)
    rows = bound.tolist() if isinstance(bound, sp.MatrixBase) else [[bound]]
    if name == "shape":
        flat = [entry for row in rows for entry in row]
        if not all(isinstance(e, sp.Basic) and e.is_integer for e in flat):
            raise WrittenAnswerError(f"{text!r} gives {flat}: a shape needs whole numbers")
        return tuple(int(e) for e in flat)
    text_rows = text.strip()
    array = np.array([[float(e) for e in row] for row in rows], dtype=float)
    if not text_rows.startswith("[["):  # `[1, 2, 3]` is one row of a matrix, not a column
        array = array.reshape(1, -1)
    return array


def _formula(kind: Any, text: Any, options: Any, params: dict[str, Any]) -> Any:
    from grader.kinds import InvalidAnswer

    declared = set(getattr(options, "variables", {})) | set(getattr(options, "indexed", {}))
    extra = {p: "real" for p in params if p not in declared}
    if extra and hasattr(options, "variables"):
        options = options.model_copy(update={"variables": {**options.variables, **extra}})
    value = kind.parse(text, options)
    if isinstance(value, InvalidAnswer):
        raise WrittenAnswerError(value.message)
    values = {name: _exact(params[name]) for name in extra}
    if not values:
        return value
    return _bind(value, {s: values[s.name] for s in _symbols(value) if s.name in values})


def _symbols(value: Any) -> set[sp.Symbol]:
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return {s for s in value.free_symbols if isinstance(s, sp.Symbol)}
    return set()


def _bind(value: Any, values: dict[sp.Symbol, sp.Expr]) -> Any:
    """Substitute parameters by name (whatever assumptions the parser gave their symbols)."""
    by_name = {s.name: v for s, v in values.items()}
    mapping = {s: by_name[s.name] for s in _symbols(value) if s.name in by_name}
    if not mapping:
        return value
    if isinstance(value, sp.MatrixBase):
        return value.xreplace(mapping)
    return value.xreplace(mapping)
