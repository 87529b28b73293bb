"""The one way a message points at a place in a student's text: the line, and a caret under it.

Both parsers of student text (formulas and probability notation) render their errors with it,
so a student sees the same layout whichever part they answered.
"""

from __future__ import annotations

# Wider lines are shown as a window around the caret.
WINDOW = 72


def point_at(message: str, text: str, position: int | None) -> str:
    """`message`, then the line of `text` holding `position` with a `^` under that character.

    A line wider than WINDOW is cut around the caret (`...` marks a cut); in a text of several
    lines the line is labelled with its number. Without a position or text, the message alone.
    """
    if position is None or not text:
        return message
    pos = min(max(position, 0), len(text))
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : len(text) if end < 0 else end].rstrip("\r")
    column = pos - start
    if len(line) > WINDOW:
        first = max(0, min(column - WINDOW // 2, len(line) - WINDOW))
        shown = line[first : first + WINDOW]
        lead = "..." if first > 0 else ""
        tail = "..." if first + WINDOW < len(line) else ""
        line, column = lead + shown + tail, column - first + len(lead)
    # One printable character per input character keeps the caret aligned.
    line = "".join(" " if ch in "\t\r\f\v" else ch if ch.isprintable() else "?" for ch in line)
    label = f"line {text.count(chr(10), 0, pos) + 1}: " if "\n" in text.rstrip("\n") else "  "
    return f"{message}\n{label}{line}\n{' ' * (len(label) + column)}^"
