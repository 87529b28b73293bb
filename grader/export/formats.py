"""The names of the export formats, in the order they are offered: light enough for the
command line's help, which lists them without loading the writers."""

from __future__ import annotations

# tests/test_export_formats.py checks this against the registry (grader.export.registry.FORMATS).
FORMAT_NAMES: tuple[str, ...] = (
    "canvas", "moodle", "moodle-xml", "blackboard", "brightspace", "gradescope", "lti", "csv", "json",
)
