"""Bounds on everything a student (or a file from outside) controls, in one place.

Every reader takes its bound from `LIMITS`: the answer-file readers, the formula and
probability parsers, the derivation and text readers, the engine and the roster reader. A
bound is checked before the costly work it protects, and an answer over it is invalid with a
message saying which limit, never a crash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Size bounds; the defaults are the grader's. The formula bounds are checked before sympy
    does costly work."""

    # One answer as typed: a formula, a probability expression, a derivation line, a text answer.
    max_length: int = 5000
    # Any one answer a kind is shown at all (a derivation of many lines, a matrix of formulas).
    max_answer_chars: int = 20_000
    # Files from outside: an answer file, a YAML file, a roster export.
    max_file_bytes: int = 1_000_000
    max_yaml_bytes: int = 1_000_000
    max_roster_bytes: int = 20_000_000
    # A number written in an answer file (a bigger one would cost seconds to convert).
    max_integer_digits: int = 4000
    # Formulas: nesting, numbers, powers and matrices.
    max_depth: int = 60
    max_number_digits: int = 30
    max_exponent: int = 1000
    # A power of a formula is bounded by what it stands for, degree x terms of its base
    # ((y - b)^4000 is 8000), not by the digits of its exponent.
    max_degree_terms: int = 100_000
    max_matrix: tuple[int, int] = (50, 50)
    # sympy evaluates as it builds (relations, Piecewise conditions): a hard stop on that work.
    max_seconds: float = 1.0

    @property
    def max_tree_depth(self) -> int:
        """Nesting allowed in the parse tree (operators as well as brackets)."""
        return 2 * self.max_depth

    @property
    def max_number_bits(self) -> int:
        """Bits of the largest number an answer may produce (about 10**max_exponent)."""
        return math.ceil(self.max_exponent * math.log2(10)) + 64


LIMITS = Limits()
