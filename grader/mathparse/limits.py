"""Bounds on what a student controls, and the cheap pre-scan that enforces the textual ones.

The pre-scan runs before the grammar, in one linear pass with no recursion: it refuses long
answers, deep nesting and unbalanced brackets (with the caret on the culprit), unknown LaTeX
commands, and decides which `|` open and which close an absolute value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from grader.mathparse.errors import MathSyntaxError, quote
from grader.mathparse.latex import (
    DELIMITER_SPELLINGS,
    ENVIRONMENTS,
    FUNCTION_COMMANDS,
    KNOWN_COMMANDS,
    NAME_COMMANDS,
    REFUSED_COMMANDS,
)
from grader.mathparse.names import GREEK_CHARS


@dataclass(frozen=True)
class Limits:
    """Size bounds for one answer; every bound is checked before sympy does costly work."""

    max_length: int = 5000
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


OPEN_BAR = "\ue000"
CLOSE_BAR = "\ue001"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")

_DELIMITER = r"(?:\\[{}|]|\\[A-Za-z]+|[()\[\]|.])"
_SCAN = re.compile(
    r"""
      (?P<left>\\left\s*DELIM)
    | (?P<right>\\right\s*DELIM)
    | (?P<begin>\\begin\s*\{\s*(?P<benv>[^{}]*?)\s*\})
    | (?P<end>\\end\s*\{\s*(?P<eenv>[^{}]*?)\s*\})
    | (?P<escbrace>\\[{}])
    | (?P<cmd>\\[A-Za-z]+)
    | (?P<other>\\.|\\\Z)
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    | (?P<bar>\|)
    """.replace("DELIM", _DELIMITER),
    re.VERBOSE | re.DOTALL,
)
_CLOSER = {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}
_OPERAND_END = re.compile(r"[A-Za-z0-9)\]}'′²³¹⁰⁴-⁹.]")
_OTHER_ESCAPES = {"\\\\", "\\,", "\\;", "\\:", "\\!", "\\>", "\\ "}


@dataclass
class _Frame:
    """One open bracket: what closes it, where it is, and how it looks."""

    closer: str
    pos: int
    shown: str


def _fail(message: str, pos: int | None, text: str) -> MathSyntaxError:
    return MathSyntaxError(message, pos, text)


def _strip_math_delimiters(text: str) -> str:
    """Blank out surrounding $...$, $$...$$, \\(...\\) or \\[...\\] (positions are kept)."""
    stripped = text.strip()
    offset = text.find(stripped[:1]) if stripped else 0
    for opener, closer in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        inner_length = len(stripped) - len(opener) - len(closer)
        if inner_length > 0 and stripped.startswith(opener) and stripped.endswith(closer):
            end = offset + len(stripped)
            chars = list(text)
            chars[offset : offset + len(opener)] = " " * len(opener)
            chars[end - len(closer) : end] = " " * len(closer)
            return "".join(chars)
    return text


_SPELLED_DELIMITER = re.compile(r"\\(" + "|".join(DELIMITER_SPELLINGS) + r")(?![A-Za-z])")
_SPACE_WITH_ARGUMENT = re.compile(
    r"\\(?:hspace\*?|mspace)\s*\{[^{}]*\}"
    r"|\\m?kern\s*-?(?:\d+\.?\d*|\.\d+)\s*(?:mu|em|ex|pt)"
)
_SUPER_THEN_SUB = re.compile(r"\^(\{[^{}]*\}|[A-Za-z0-9])(\s*)_(\{[^{}]*\}|[A-Za-z0-9])")
_BOXED = re.compile(r"\\boxed(?![A-Za-z])")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _normalise_latex(text: str) -> str:
    """Rewrite LaTeX spellings that mean the same as what the grammar reads, keeping every
    position: `\\mleft(` is `\\left(`, `\\lbrack` is `[`, `\\hspace{1em}` is space,
    and `\\boxed{...}` around the answer (or a part) is a group."""
    text = _SPELLED_DELIMITER.sub(
        lambda m: DELIMITER_SPELLINGS[m.group(1)].ljust(len(m.group())), text)
    text = _SPACE_WITH_ARGUMENT.sub(_blank, text)
    return _unbox(text)


def _subscript_first(text: str) -> str:
    """`a^{2}_{k}` is `a_{k}^{2}` (same length): the grammar reads the subscript first."""
    return _SUPER_THEN_SUB.sub(lambda m: f"_{m.group(3)}{m.group(2)}^{m.group(1)}", text)


def _unbox(text: str) -> str:
    """`\\boxed{...}` spanning the whole answer disappears (a relation may sit inside);
    elsewhere only the command goes and its braces group."""
    match = _BOXED.search(text)
    if match is None:
        return text
    opening = re.compile(r"\s*\{").match(text, match.end())
    if text[: match.start()].strip() == "" and opening is not None:
        depth, close = 0, None
        for k in range(opening.end() - 1, len(text)):
            if text[k] == "{" and text[k - 1] != "\\":
                depth += 1
            elif text[k] == "}" and text[k - 1] != "\\":
                depth -= 1
                if depth == 0:
                    close = k
                    break
        if close is not None and text[close + 1 :].strip() == "":
            text = " " * opening.end() + text[opening.end() : close] + " " * (len(text) - close)
    return _BOXED.sub(_blank, text)


def _is_operand_end(text: str, pos: int, closing_bars: set[int]) -> bool:
    """Whether the input just before `pos` ends an operand (so a `|` there closes one)."""
    j = pos - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    if j < 0:
        return False
    if j in closing_bars:
        return True
    k = j
    while k >= 0 and text[k].isalpha() and text[k].isascii():
        k -= 1
    if k < j and k >= 0 and text[k] == "\\":
        slashes = 0
        while k - slashes >= 0 and text[k - slashes] == "\\":
            slashes += 1
        if slashes % 2 == 1:
            # A command: only letter-like ones (\alpha, \pi) end an operand.
            name = text[k + 1 : j + 1]
            return name in NAME_COMMANDS and name not in FUNCTION_COMMANDS
    last = text[j]
    return bool(_OPERAND_END.match(last)) or last in GREEK_CHARS


def _check_command(name: str, pos: int, text: str, latex: bool) -> None:
    if not latex:
        raise _fail(
            f"{quote(chr(92) + name)} is a LaTeX command, but this answer is read as plain text",
            pos,
            text,
        )
    if name in REFUSED_COMMANDS:
        raise _fail(REFUSED_COMMANDS[name], pos, text)
    if name not in KNOWN_COMMANDS:
        raise _fail(f"unknown LaTeX command {quote(chr(92) + name)}", pos, text)


class _Scanner:
    """The pre-scan's state: the stack of open brackets and the `|` rewrites."""

    def __init__(self, text: str, original: str, limits: Limits, latex: bool) -> None:
        self.text = text
        self.original = original
        self.limits = limits
        self.latex = latex
        self.stack: list[_Frame] = []
        self.chars = list(text)
        self.closing_bars: set[int] = set()

    def push(self, closer: str, pos: int, shown: str) -> None:
        if len(self.stack) >= self.limits.max_depth:
            raise _fail(
                f"this answer nests brackets more than {self.limits.max_depth} levels deep",
                pos,
                self.original,
            )
        self.stack.append(_Frame(closer, pos, shown))

    def pop(self, closer: str, pos: int, shown: str) -> None:
        if not self.stack:
            raise _fail(
                f"unexpected {quote(shown)}: there is no opening bracket for it", pos, self.original
            )
        top = self.stack[-1]
        if top.closer != closer:
            expected = "a closing '|'" if top.closer == "|" else quote(top.closer)
            raise _fail(
                f"unexpected {quote(shown)}: {expected} must first close the "
                f"{quote(top.shown)} at character {top.pos + 1}",
                pos,
                self.original,
            )
        self.stack.pop()

    def bar(self, pos: int, length: int) -> None:
        # A `|` closes the innermost open `|` when it follows an operand (`|x|`), else opens
        # one (`2|x|`, `||x||`): the grammar then sees distinct opening and closing tokens.
        top = self.stack[-1] if self.stack else None
        closes = (
            top is not None
            and top.closer == "|"
            and _is_operand_end(self.text, pos, self.closing_bars)
        )
        if closes:
            self.stack.pop()
            self.closing_bars.add(pos + length - 1)
            self.chars[pos] = CLOSE_BAR
        else:
            self.push("|", pos, "|")
            self.chars[pos] = OPEN_BAR
        self.chars[pos + 1 : pos + length] = " " * (length - 1)

    def command(self, name: str, pos: int, length: int) -> None:
        _check_command(name, pos, self.original, self.latex)
        if name == "vert":
            self.bar(pos, length)
        elif name == "lvert":
            self.push("\\rvert", pos, "\\lvert")
        elif name == "rvert":
            self.pop("\\rvert", pos, "\\rvert")
        elif name == "lbrace":
            self.push("\\rbrace", pos, "\\lbrace")
        elif name == "rbrace":
            self.pop("\\rbrace", pos, "\\rbrace")

    def environment(self, match: re.Match[str], opening: bool) -> None:
        name = match.group("benv" if opening else "eenv")
        pos = match.start()
        _check_command("begin" if opening else "end", pos, self.original, self.latex)
        if name not in ENVIRONMENTS:
            raise _fail(f"the LaTeX environment {quote(name)} is not supported", pos, self.original)
        if opening:
            self.push(f"\\end{{{name}}}", pos, f"\\begin{{{name}}}")
        else:
            self.pop(f"\\end{{{name}}}", pos, f"\\end{{{name}}}")

    def delimiter(self, match: re.Match[str], opening: bool) -> None:
        pos = match.start()
        _check_command("left" if opening else "right", pos, self.original, self.latex)
        shown = re.sub(r"\s+", "", match.group())
        delim = shown[5:] if opening else shown[6:]
        if delim.startswith("\\") and delim[1:].isalpha():
            _check_command(delim[1:], pos, self.original, self.latex)
        if opening:
            self.push("\\right", pos, shown)
        else:
            self.pop("\\right", pos, shown)

    def scan(self) -> str:
        for match in _SCAN.finditer(self.text):
            kind = match.lastgroup
            pos = match.start()
            token = match.group()
            if kind == "left" or kind == "right":
                self.delimiter(match, kind == "left")
            elif kind == "begin" or kind == "end":
                self.environment(match, kind == "begin")
            elif kind == "escbrace":
                if not self.latex:
                    _check_command(token[1:], pos, self.original, self.latex)
                if token == "\\{":
                    self.push("\\}", pos, token)
                else:
                    self.pop("\\}", pos, token)
            elif kind == "cmd":
                self.command(token[1:], pos, len(token))
            elif kind == "other":
                self.other(token, pos)
            elif kind == "open":
                self.push(_CLOSER[token], pos, token)
            elif kind == "close":
                self.pop(token, pos, token)
            else:
                self.bar(pos, 1)
        if self.stack:
            top = self.stack[-1]
            raise _fail(self.unclosed_message(top), top.pos, self.original)
        return "".join(self.chars)

    def other(self, token: str, pos: int) -> None:
        if token == "\\":
            raise _fail("a lone '\\' ends the answer", pos, self.original)
        if not self.latex:
            _check_command(token[1:], pos, self.original, self.latex)
        if token not in _OTHER_ESCAPES:
            raise _fail(f"unknown LaTeX command {quote(token)}", pos, self.original)

    @staticmethod
    def unclosed_message(frame: _Frame) -> str:
        if frame.closer == "\\right":
            return f"this {quote(frame.shown)} has no matching '\\right'"
        if frame.closer.startswith("\\end"):
            return f"this {quote(frame.shown)} has no matching {quote(frame.closer)}"
        return f"this {quote(frame.shown)} is never closed"


def prescan(text: str, limits: Limits, latex: bool) -> str:
    """Check length, characters, commands and brackets; return the text the grammar reads.

    The returned text has the same length as the input (positions stay valid): surrounding
    `$` signs are blanked and each `|` is replaced by an opening or closing marker.
    """
    if len(text) > limits.max_length:
        raise _fail(
            f"this answer is too long ({len(text)} characters; the limit is {limits.max_length})",
            None,
            text,
        )
    if not text.strip():
        raise _fail("the answer is empty", None, text)
    bad = _PRIVATE_USE.search(text)
    if bad:
        raise _fail(f"unexpected character {quote(bad.group())}", bad.start(), text)
    stripped = _subscript_first(_strip_math_delimiters(text))
    if latex:
        stripped = _normalise_latex(stripped)
    return _Scanner(stripped, text, limits, latex).scan()
