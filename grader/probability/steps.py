"""Splitting a derivation answer into lines, and each line into its text and its justification.

An answer is a YAML list of strings (one step each) or one block of lines (newlines or LaTeX
`\\\\` separate them; `\\begin{align*}`, `&` and `$$` are layout). A justification is a trailing
`# Jensen`, `(Jensen)`, `\\text{(Jensen)}`, `\\quad \\text{by Jensen}` or `by Jensen`; it is
stripped from the line and kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grader.limits import LIMITS

MAX_LINES = 40
MAX_LINE_CHARS = LIMITS.max_length
MAX_TOTAL_CHARS = 20000

# Words that may end a line inside brackets without being a justification.
MATH_WORDS = frozenset(
    ["log", "ln", "exp", "sum", "int", "kl", "elbo", "theta", "phi", "varphi", "epsilon", "eps", "sigma", "mu", "infty", "var", "tanh", "cdot", "mid"]
)

_TEXT_NOTE = re.compile(r"\\(?:text|textrm|textit|mathrm|mbox)\s*\{([^{}]*)\}\s*\)?$")
_NOTE_WORDS = re.compile(r"[A-Za-z][A-Za-z' .\-]*")
_BY_WORD = re.compile(r"(?:^|(?<=[\s,;]))(?:by|using|from|via|with)\s+(?=[A-Za-z])", re.IGNORECASE)
_RELATION_INSIDE = re.compile(r">=|<=|≥|≤|\\geq?|\\leq?|=")
_SPACING_TAIL = ("\\quad", "\\qquad", "\\,", "\\;", "\\:", "\\!", "(")

# "⇒ Var(W) = 1/D_a": a new statement, not a relation to the line before.
_IMPLIES = re.compile(
    r"^\s*(?:=>|⇒|⟹|→|->|\\Rightarrow|\\implies|\\Longrightarrow|\\to|hence|thus|so|therefore)(?![A-Za-z])\s*",
    re.IGNORECASE,
)
_END_OF_PROOF = re.compile(r"^\s*(?:q\.?e\.?d\.?|□|∎|\\blacksquare|\\square|\\qed)\s*$", re.IGNORECASE)
_LAYOUT = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}|\$\$?|\\\[|\\\]")


@dataclass(frozen=True)
class RawLine:
    """One line of a derivation as written: its number (1-based), its text and its justification."""

    number: int
    text: str
    justification: str = ""


class StepsUnreadable(ValueError):
    """The answer is not a list of steps; the message says how to write one."""


def _is_note(words: str) -> bool:
    tokens = re.findall(r"[A-Za-z]+", words)
    return any(len(t) >= 3 and t.lower() not in MATH_WORDS for t in tokens)


def split_justification(line: str) -> tuple[str, str]:
    """(the math of a line, its justification or ''), in linear time on any input."""
    text, _, comment = line.partition("#")
    note = comment.strip()
    text = _trim(text)
    found = _text_note(text) or _paren_note(text) or _by_note(text)
    if found is not None:
        cut, words = found
        note = note or words.strip(" .")
        text = _trim(text[:cut])
    return text, re.sub(r"^(?:by|using|from|via|with)\s+", "", note, flags=re.IGNORECASE)


def _trim(text: str) -> str:
    text = text.rstrip().rstrip(".,;").rstrip()
    changed = True
    while changed:
        changed = False
        for tail in _SPACING_TAIL:
            if text.endswith(tail) and tail != "(":
                text, changed = text[: -len(tail)].rstrip(), True
    return text


def _text_note(text: str) -> tuple[int, str] | None:
    """`\\quad \\text{(Jensen)}` at the end of a line."""
    match = _TEXT_NOTE.search(text)
    if match is None:
        return None
    cut = match.start()
    before = text[:cut].rstrip()
    if before.endswith("(") and match.group(0).endswith(")"):
        cut = len(before) - 1
    return cut, match.group(1).strip().strip("()")


def _paren_note(text: str) -> tuple[int, str] | None:
    """`(Jensen)` or `(KL >= 0)` at the end of a line, after a space."""
    if not text.endswith(")"):
        return None
    depth = 0
    for k in range(len(text) - 1, -1, -1):
        if text[k] == ")":
            depth += 1
        elif text[k] == "(":
            depth -= 1
            if depth == 0:
                break
    else:
        return None
    if k > 0 and not text[k - 1].isspace():
        return None
    content = text[k + 1: -1].strip()
    words = _NOTE_WORDS.fullmatch(content) is not None and _is_note(content)
    if words or ("(" not in content and _RELATION_INSIDE.search(content)):
        return k, content
    return None


def _by_note(text: str) -> tuple[int, str] | None:
    """`... by Jensen` / `, using linearity` at the end of a line."""
    last = None
    for match in _BY_WORD.finditer(text):
        last = match
    if last is None or not _NOTE_WORDS.fullmatch(text[last.end():]) or not _is_note(text[last.end():]):
        return None
    return last.start(), text[last.end():]


def split_lines(raw: Any) -> list[RawLine]:
    """The lines of a derivation answer; raises StepsUnreadable with a message for the student."""
    if isinstance(raw, bool) or raw is None:
        raise StepsUnreadable("expected the steps of a derivation: a list of lines, one step each")
    if isinstance(raw, (int, float)):
        raw = str(raw)
    if isinstance(raw, str):
        if len(raw) > MAX_TOTAL_CHARS:
            raise StepsUnreadable(f"this answer is {len(raw)} characters long; the limit is {MAX_TOTAL_CHARS}")
        pieces = re.split(r"\n|\\\\", _LAYOUT.sub(" ", raw))
    elif isinstance(raw, (list, tuple)):
        if len(raw) > MAX_LINES:
            raise StepsUnreadable(f"this derivation has {len(raw)} lines; the limit is {MAX_LINES}")
        pieces = []
        for k, item in enumerate(raw, 1):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise StepsUnreadable(f"line {k} of the list is not text; write each step as a string")
            text = str(item)
            if len(text) > MAX_LINE_CHARS:
                raise StepsUnreadable(f"line {k} is {len(text)} characters long; the limit is {MAX_LINE_CHARS}")
            pieces.append(_LAYOUT.sub(" ", text))
    else:
        raise StepsUnreadable("expected the steps of a derivation: a list of lines, one step each")
    lines: list[RawLine] = []
    for piece in pieces:
        if not piece.strip():
            continue
        text, note = split_justification(_IMPLIES.sub("", piece.replace("&", " "), count=1))
        if not text.strip() or _END_OF_PROOF.match(text):
            continue
        lines.append(RawLine(len(lines) + 1, text.strip(), note))
    if not lines:
        raise StepsUnreadable("the derivation is empty: write one step per line")
    if len(lines) > MAX_LINES:
        raise StepsUnreadable(f"this derivation has {len(lines)} lines; the limit is {MAX_LINES}")
    return lines


TOP_RELATION = re.compile(r"(>=|<=|=>|=<|==|≥|≤|⩾|⩽|\\geq?(?![A-Za-z])|\\leq?(?![A-Za-z])|\\geqslant|\\leqslant|=|≈|\\approx)")
