"""Equations written inside a free-text answer, judged by meaning against a rubric's formula.

A rubric expression `{formula: "z = mu + sigma*epsilon"}` is found in an answer that writes an
equation for the same left side ("z = μ + σ·ε", "z_i = \\mu_i + \\sigma_i \\epsilon_i",
"z = ε σ + μ") whose right side equals the rubric's; with `wrong: true` it is found when that
right side differs ("z = μ + σ² ε"), so a misconception can be a wrong formula in any of its
forms rather than a list of spellings.

Student text is untrusted: an equation is cut out of the prose with a bounded scan, read by the
safe parser (`grader.mathparse`, a grammar, never `sympify`), kept only when it names nothing
but the rubric formula's names, and compared by `grader.mathjudge` under its CPU-time budget. Whatever cannot be read
whole, names something the formula does not, or cannot be decided is neither right nor wrong: the
expression is simply not found, so an unreadable formula never costs or earns points.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import sympy as sp

from grader.budget import OutOfBudget
from grader.mathjudge import Equivalence, judge, parse_domains
from grader.mathparse import MathContext, MathSyntaxError, parse_math
from grader.mathparse.names import FUNCTIONS, GREEK_CHARS, GREEK_NAMES, NAME_ALIASES

if TYPE_CHECKING:
    from grader.rubric.model import Formula

MAX_EQUATIONS = 12  # equations read in one answer; the rest are ignored
MAX_SIDE_CHARS = 120  # a longer side is prose, or too much to judge here
JUDGE_SECONDS = 0.5  # CPU time a comparison may take before it is undecided (never wrong)

# Products students type between factors; the parser reads `*`.
_PRODUCTS = re.compile(r"\\odot\b|\\circ\b|\\times\b|\\cdot\b|[⊙∘⋅·×∗]")
# Characters an equation's side may hold besides letters and digits.
_MATH_CHARS = set("+-*/^()[]{}_'²³√−|\\ ")
# Words that may stand inside a formula: functions, Greek names, their aliases.
_MATH_WORDS = ({name.lower() for name in FUNCTIONS} | {name.lower() for name in GREEK_NAMES}
               | set(NAME_ALIASES) | {"eps", "var", "frac"})
_ANY_NAME = MathContext()
_RELATION = re.compile(r"(?<![<>=!:≤≥])(:?=)(?![=>])")


@dataclass(frozen=True)
class Equation:
    """An equation cut out of an answer: its sides as text and where it stands in the answer."""

    lhs: str
    rhs: str
    start: int
    end: int


Sides = tuple[sp.Basic, sp.Basic, tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def reference_sides(source: str, aliases: Mapping[str, str] | None = None,
                    domains: Mapping[str, str] | None = None) -> Sides:
    """A rubric's formula read (instructor text, still through the safe parser): its two sides,
    the names it uses, and its aliases and domains checked; ValueError if it is not an equation
    `name = expression` or `f(x) = expression`, or an alias or domain does not fit it."""
    try:
        parsed = parse_math(source, _ANY_NAME)
    except MathSyntaxError as err:
        raise ValueError(f"formula {source!r} cannot be read: {err.message}") from None
    if not isinstance(parsed, sp.Equality):
        raise ValueError(f"formula {source!r} is not an equation 'left = right'")  # noqa: TRY004 - a rubric value
    lhs, rhs = _plain(parsed.lhs, {}), _plain(parsed.rhs, {})
    names = tuple(sorted({s.name for s in (lhs.free_symbols | rhs.free_symbols) if isinstance(s, sp.Symbol)}))
    alias_pairs = tuple(sorted((dict(aliases or {})).items()))
    for alias, name in alias_pairs:
        if name not in names:
            raise ValueError(f"formula {source!r}: alias {alias!r} stands for {name!r}, which it does not use")
    domain_pairs = tuple(sorted((dict(domains or {})).items()))
    try:
        parse_domains(dict(domain_pairs))
    except ValueError as err:
        raise ValueError(f"formula {source!r}: {err}") from None
    return lhs, rhs, names, alias_pairs, domain_pairs


def equations(text: str) -> list[Equation]:
    """The equations `left = right` of an answer whose both sides are cut cleanly out of the
    prose (bounded: at most MAX_EQUATIONS, each side at most MAX_SIDE_CHARS)."""
    text = _PRODUCTS.sub(lambda m: "*".ljust(len(m.group())), text)
    found: list[Equation] = []
    for match in _RELATION.finditer(text):
        if len(found) >= MAX_EQUATIONS:
            break
        lhs = _left_side(text, match.start())
        rhs = _right_side(text, match.end())
        if lhs is None or rhs is None:
            continue
        found.append(Equation(text[lhs:match.start()].strip(), text[match.end():rhs].strip(), lhs, rhs))
    return found


def matches(formula: Formula, equation: Equation) -> bool:
    """Whether the answer's equation is the formula (or, for `wrong`, states the same left side
    with a different right side). Undecided, unreadable or foreign equations never match."""
    verdict = _verdict(equation.lhs, equation.rhs, formula.lhs, formula.rhs, formula.names, formula.aliases,
                       formula.domains)
    return verdict == (Equivalence.NOT_EQUIVALENT if formula.wrong else Equivalence.EQUIVALENT)


# A class writes the same few equations: each is read and judged once against a formula (the
# concept's and the misconception's formula are often one).
@lru_cache(maxsize=4096)
def _verdict(lhs_text: str, rhs_text: str, lhs: sp.Basic, rhs: sp.Basic, names: tuple[str, ...],
             aliases: tuple[tuple[str, str], ...], domains: tuple[tuple[str, str], ...]) -> Equivalence | None:
    """How the equation's right side compares with the formula's, or None when the equation is not
    one to judge: unreadable, another left side, a value, names the formula does not use."""
    spellings = {*names, *(alias for alias, _ in aliases)}
    if _applied(spellings, rhs_text):
        return None  # "σ(ε)": a product, or the logistic of ε? Not decided here.
    sides = _read(lhs_text, rhs_text)
    if sides is None:
        return None
    renames = dict(aliases)
    student_lhs, student_rhs = _plain(sides[0], renames), _plain(sides[1], renames)
    used = {s.name for s in student_rhs.free_symbols if isinstance(s, sp.Symbol)}
    if student_lhs != lhs or not used or not used <= set(names):
        return None  # another equation, a value ("z = 1.15" in a worked example), or foreign names
    return judge(student_rhs, rhs, dict(domains), budget=JUDGE_SECONDS).verdict


def _read(lhs_text: str, rhs_text: str) -> tuple[sp.Basic, sp.Basic] | None:
    """Both sides, any name read as a variable (the caller keeps only the formula's names)."""
    try:
        lhs = parse_math(lhs_text, _ANY_NAME)
        rhs = parse_math(rhs_text, _ANY_NAME)
    except (MathSyntaxError, OutOfBudget, ArithmeticError, RecursionError):
        return None
    if not isinstance(lhs, sp.Basic) or not isinstance(rhs, sp.Expr) or isinstance(lhs, sp.Rel):
        return None
    return lhs, rhs


def _applied(spellings: set[str], side: str) -> bool:
    """Whether the side writes one of these names (or its Greek letter) before a bracket."""
    spellings = spellings | {char for char, name in GREEK_CHARS.items() if name in spellings}
    return any(re.search(rf"(?<![A-Za-z]){re.escape(s)}(?:_\w+|_{{[^{{}}]*}})?\s*\(", side) for s in spellings)


def _plain(expr: sp.Basic, renames: Mapping[str, str]) -> sp.Basic:
    """Subscripts dropped (`z_i`, `mu[i]` read as z, mu) and aliases renamed, so that the student's
    names meet the formula's; every symbol becomes a plain one (assumptions are the judge's)."""
    def name(raw: str) -> str:
        head = raw.split("_", 1)[0] or raw
        return renames.get(head, head)

    replacements: dict[sp.Basic, sp.Basic] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Indexed):
            replacements[node] = sp.Symbol(name(str(node.base)))
    if replacements:
        expr = expr.xreplace(replacements)
    symbols = {s: sp.Symbol(name(s.name)) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return expr.xreplace(symbols) if symbols else expr


def _math_word(word: str) -> bool:
    return len(word) == 1 or word.lower() in _MATH_WORDS or all(c in GREEK_CHARS for c in word)


def _right_side(text: str, start: int) -> int | None:
    """Where the right side that begins at `start` ends, or None when it does not end cleanly (a
    sign the parser does not know, an operator left hanging, too long)."""
    i, end = start, len(text)
    while i < end and i - start <= MAX_SIDE_CHARS:
        char = text[i]
        if char.isalpha():
            j = i
            while j < end and text[j].isalpha():
                j += 1
            if not _math_word(text[i:j]):
                break  # prose begins ("avec", "where")
            i = j
        elif char.isdigit() or char in _MATH_CHARS or (char == "." and text[i + 1:i + 2].isdigit()):
            i += 1  # "0.5", ".5"
        elif char in ".,;:!?" and (i + 1 == end or text[i + 1].isspace()):
            break  # a sentence's or a list's punctuation
        elif char in "~∼≈<>=$\n":
            break
        else:
            return None
    else:
        if i < end:
            return None  # too long to be one formula
    side = text[start:i].rstrip()
    if not side.strip() or side[-1] in "+-*/^(_−":
        return None
    return start + len(side)


def _left_side(text: str, stop: int) -> int | None:
    """Where the left side that ends at `stop` begins: the run of formula characters before it
    back to punctuation or a prose word; None when there is none."""
    i = stop
    while i > 0 and stop - i <= MAX_SIDE_CHARS:
        char = text[i - 1]
        if char.isalpha():
            j = i
            while j > 0 and (text[j - 1].isalpha()):
                j -= 1
            if not _math_word(text[j:i]):
                break
            i = j
        elif char.isdigit() or char in _MATH_CHARS or (char == "." and text[i:i + 1].isdigit()):
            i -= 1
        else:
            break
    while i < stop and text[i].isspace():
        i += 1
    return i if i < stop else None
