"""The one error a probability parse can end in: a message and the place it refers to."""

from __future__ import annotations

from grader.caret import point_at


class ProbSyntaxError(ValueError):
    """A probability expression that cannot be read; `render()` shows a caret under the place."""

    def __init__(self, message: str, text: str = "", pos: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.pos = pos

    def render(self) -> str:
        """The message, then the offending line with a caret under the character."""
        return point_at(self.message, self.text, self.pos)
