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

# Wider lines are shown as a window around the caret.
_WINDOW = 72
_COMMAND_AT = re.compile(r"\\(?:[A-Za-z]+|.)?", re.DOTALL)
# Characters the pre-scan writes in place of `|` (see limits.py); shown as `|` again.
BAR_MARKERS = {"\ue000": "|", "\ue001": "|"}
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
        if self.position is None or not self.text:
            return self.message
        text = self.text
        pos = min(max(self.position, 0), len(text))
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        line = text[start : len(text) if end < 0 else end].rstrip("\r")
        column = pos - start
        if len(line) > _WINDOW:
            first = max(0, min(column - _WINDOW // 2, len(line) - _WINDOW))
            shown = line[first : first + _WINDOW]
            lead = "..." if first > 0 else ""
            tail = "..." if first + _WINDOW < len(line) else ""
            line, column = lead + shown + tail, column - first + len(lead)
        # One printable character per input character keeps the caret aligned.
        line = "".join(" " if ch in "\t\r\f\v" else ch if ch.isprintable() else "?" for ch in line)
        label = f"line {text.count(chr(10), 0, pos) + 1}: " if "\n" in text.rstrip("\n") else "  "
        return f"{self.message}\n{label}{line}\n{' ' * (len(label) + column)}^"


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
