"""The one family of errors the library raises; the CLI turns them into `Error: ...` lines."""

from __future__ import annotations


class GraderError(Exception):
    """Base class: the message is a full sentence that says how to fix the problem."""

    exit_code = 1


class SpecInvalid(GraderError):
    """A problem set does not load or does not pass validation."""

    exit_code = 2


class ProblemSetNotFound(GraderError):
    """No problem set at the given path or with the given id."""

    exit_code = 2


class SubmissionUnreadable(GraderError):
    """An answer file cannot be read or parsed (bad syntax, too large, wrong shape)."""

    exit_code = 2


class SubmissionNotFound(GraderError):
    """An answer file or a student's submission does not exist."""

    exit_code = 2


class UnknownSolver(GraderError):
    """A spec names a solver that is not registered."""


class UnknownKind(GraderError):
    """A spec names an answer kind that does not exist."""


class UsageError(GraderError):
    """A command was given arguments that do not fit together."""

    exit_code = 2
