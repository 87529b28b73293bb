"""Reports from the gradebook: the class report and per-student feedback documents."""

from grader.report.render import (
    class_report_html,
    class_report_json,
    feedback_documents,
    write_class_report,
    write_feedback,
)
from grader.report.stats import ClassStats, class_stats

__all__ = [
    "ClassStats", "class_report_html", "class_report_json", "class_stats", "feedback_documents",
    "write_class_report", "write_feedback",
]
