"""The one error the parser raises, and the one function that turns lark's errors into it."""

from __future__ import annotations

import re

from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from grader.caret import point_at

# Characters the pre-scan writes in place of `|` (see limits.py); shown as `|` again.
BAR_MARKERS = {"\ue000": "|", "\ue001": "|"}
_COMMAND_AT = re.compile(r"\\(?:[A-Za-z]+|.)?", re.DOTALL)
_OPERATOR_ENDINGS = "+-−*/^=<>,&_·⋅×÷≤≥"


class MathSyntaxError(ValueError):
    """An answer that cannot be read as math: what is wrong, where, and the text it is in."""

    def __init__(self, message: str, position: int | None = None, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.text = text

    def __reduce__(self) -> tuple[type[MathSyntaxError], tuple[str, int | None, str]]:
        # Grading runs in worker processes: keep position and text through pickling.
        return (type(self), (self.message, self.position, self.text))

    def render(self) -> str:
        """The message, then the offending line with a caret `^` under the position."""
        return point_at(self.message, self.text, self.position)


def quote(shown: str) -> str:
    """Put a piece of the input in quotes a student reads easily."""
    return f'"{shown}"' if "'" in shown else f"'{shown}'"


def _shown_at(text: str, start: int, end: int | None = None) -> str:
    """The input at [start, end) as the student typed it (bar markers shown as `|`)."""
    if start >= len(text):
        return ""
    if end is None or end <= start:
        command = _COMMAND_AT.match(text, start)
        end = command.end() if command and text[start] == "\\" else start + 1
    piece = text[start:end]
    return "".join(BAR_MARKERS.get(ch, ch) for ch in piece)


def incomplete(text: str) -> MathSyntaxError:
    """The error for an answer that stops before the formula is complete."""
    stripped = text.rstrip()
    last = stripped[-1:]
    if last and last in _OPERATOR_ENDINGS:
        message = f"the answer ends with {quote(last)}: something is missing after it"
    else:
        message = "the answer is incomplete: something is missing at the end"
    return MathSyntaxError(message, len(stripped), text)


def from_lark(error: LarkError, text: str) -> MathSyntaxError:
    """Turn any lark error into a MathSyntaxError that names the token and its position."""
    if isinstance(error, UnexpectedCharacters):
        pos = int(error.pos_in_stream or 0)
        shown = _shown_at(text, pos)
        if shown == "∞":
            return MathSyntaxError("infinity is not allowed in an answer", pos, text)
        what = "command" if shown.startswith("\\") else "character"
        return MathSyntaxError(f"unexpected {what} {quote(shown)}", pos, text)
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            return incomplete(text)
        pos = token.start_pos if token.start_pos is not None else 0
        shown = _shown_at(text, pos, token.end_pos)
        message = f"unexpected {quote(shown.strip() or shown)}"
        if shown == "\\\\":
            message += ": '\\\\' only separates the rows of a \\begin{...} block"
        return MathSyntaxError(message, pos, text)
    if isinstance(error, UnexpectedEOF):
        return incomplete(text)
    if isinstance(error, UnexpectedInput):
        return MathSyntaxError("this cannot be read as a formula", error.pos_in_stream, text)
    return MathSyntaxError("this cannot be read as a formula", None, text)
