"""The one error a probability parse can end in: a message and the place it refers to."""

from __future__ import annotations

WINDOW = 70


class ProbSyntaxError(ValueError):
    """A probability expression that cannot be read; `render()` shows a caret under the place."""

    def __init__(self, message: str, text: str = "", pos: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.pos = pos

    def render(self) -> str:
        """The message, then the offending line with a caret under the character."""
        if self.pos is None or not self.text:
            return self.message
        pos = max(0, min(self.pos, len(self.text)))
        start = self.text.rfind("\n", 0, pos) + 1
        end = self.text.find("\n", pos)
        line = self.text[start: len(self.text) if end < 0 else end]
        col = pos - start
        lo = max(0, col - WINDOW // 2)
        hi = min(len(line), lo + WINDOW)
        shown = ("…" if lo else "") + line[lo:hi] + ("…" if hi < len(line) else "")
        caret = " " * (col - lo + (1 if lo else 0)) + "^"
        return f"{self.message}\n    {shown}\n    {caret}"
