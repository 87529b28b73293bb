"""The gradebook: SQLite storage of submissions, computed results and human overrides."""

from grader.config import DEFAULTS
from grader.store.gradebook import (
    Decision,
    EffectivePart,
    Failure,
    Gradebook,
    GradebookUnusable,
    Override,
    PartInfo,
    SetInfo,
    StudentResult,
    SubmissionResult,
    set_ref,
)
from grader.store.policy import Policy

# The gradebook when neither --db nor the course's grader.toml names one.
DEFAULT_DB = DEFAULTS.db

__all__ = [
    "DEFAULT_DB", "Decision", "EffectivePart", "Failure", "Gradebook", "GradebookUnusable", "Override", "PartInfo",
    "Policy", "SetInfo", "StudentResult", "SubmissionResult", "set_ref",
]
