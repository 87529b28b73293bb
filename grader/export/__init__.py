"""Grades out: one module per LMS format, the roster, and `export`, which writes one.

The names below come from `grader.export.registry` on first use, so that the command line can
list the formats (`grader.export.formats`) and read rosters without loading every writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.lazy import lazy_attributes

if TYPE_CHECKING:
    from grader.export.registry import (
        FORMATS,
        ExportEmpty,
        ExportFormat,
        ExportOptions,
        ExportRefused,
        ExportResult,
        default_output,
        export,
        get_format,
    )

_REGISTRY = ("FORMATS", "ExportEmpty", "ExportFormat", "ExportOptions", "ExportRefused", "ExportResult",
             "default_output", "export", "get_format")

__all__ = ["FORMATS", "ExportEmpty", "ExportFormat", "ExportOptions", "ExportRefused", "ExportResult",
           "default_output", "export", "get_format"]


__getattr__ = lazy_attributes(__name__, dict.fromkeys(_REGISTRY, "grader.export.registry"))
