"""Grades out: one module per LMS format, the roster, and `export`, which writes one.

The names below come from `grader.export.registry` on first use, so that the command line can
list the formats (`grader.export.formats`) and read rosters without loading every writer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name not in _REGISTRY:
        raise AttributeError(f"module 'grader.export' has no attribute {name!r}")
    value = getattr(importlib.import_module("grader.export.registry"), name)
    globals()[name] = value
    return value
