"""Reports from the gradebook: the class report and per-student feedback documents.

The names below are imported on first use, so that `grader.report.feedback` (a student's report
as text, which `grader check` prints) comes without the class report's kinds and templates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.lazy import lazy_attributes

if TYPE_CHECKING:
    from grader.report.render import (
        class_report_html,
        class_report_json,
        feedback_documents,
        write_class_report,
        write_feedback,
    )
    from grader.report.stats import ClassStats, class_stats

_HOMES = {
    **dict.fromkeys(("class_report_html", "class_report_json", "feedback_documents", "write_class_report",
                     "write_feedback"), "grader.report.render"),
    **dict.fromkeys(("ClassStats", "class_stats"), "grader.report.stats"),
}

__all__ = [
    "ClassStats", "class_report_html", "class_report_json", "class_stats", "feedback_documents",
    "write_class_report", "write_feedback",
]


__getattr__ = lazy_attributes(__name__, _HOMES)
