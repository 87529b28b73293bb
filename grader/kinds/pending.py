"""Kinds that are declared in specs but graded by a person until their checker exists."""

from __future__ import annotations

# Every kind name a spec may use. Those without an implementation in the registry are reported
# as "not graded automatically yet", never as wrong.
KNOWN_KIND_NAMES = frozenset(
    {
        "integer", "number", "shape", "matrix",
        "expression", "equation", "function", "vector_expr", "matrix_expr",
        "probability", "derivation", "choice", "text",
    }
)
