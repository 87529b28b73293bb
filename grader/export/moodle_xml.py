"""Moodle XML grade import: `<result>` per student with item idnumber and user idnumber.

See docs/lms.md, "Moodle XML". No mapping step: every result needs the grade item's ID number (the
set id, or --assignment-id) and the user's ID number. A `<result>` is written only with a score:
Moodle reads a missing score or `-` as "no grade" and overwrites the grade it holds (older versions
abort the import on `-`). `read` parses such files defensively (Moodle's own export is not always
well escaped), which also proves what `write` produces round-trips.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from grader.errors import GraderError
from grader.export.common import (
    DEFAULT_OPTIONS,
    ExportOptions,
    ExportResult,
    columns,
    export_rows,
    feedback_summary,
    grade,
    no_grade_reason,
    note_excused,
    number,
    skip_without,
    waiting_parts,
    xml_text,
)
from grader.export.roster import Roster
from grader.scores import ScoreTable, StudentRow

NO_GRADE = "-"


@dataclass(frozen=True)
class XmlResult:
    """One `<result>` of a Moodle grade XML file."""

    assignment: str
    student: str
    score: float | None  # None: `-` or no <score>, i.e. no grade
    feedback: str | None


def write(table: ScoreTable, out: TextIO, *, per_part: bool = False, roster: Roster | None = None,
          options: ExportOptions = DEFAULT_OPTIONS) -> ExportResult:
    """Write a Moodle XML grade import file."""
    result = ExportResult("moodle-xml")
    item = options.assignment_id or table.problem_set
    cols = columns(table, per_part, options)
    root = ET.Element("results", batch=f"grader_{table.problem_set}_{int(options.timestamp().timestamp())}")
    excused = []
    for xr in export_rows(table, roster, options, result):
        if skip_without(result, xr, "Moodle XML (user ID number)", ("idnumber",)):
            continue
        if xr.row.excused:
            excused.append(xr.student)
            continue
        values = [grade(xr.row, col, options) for col in cols]
        if all(v is None for v in values) or (xr.row.total is None and not options.missing_as_zero):
            result.skipped.append(f"{xr.student}: {no_grade_reason(xr.row, cols, values)}")
            continue
        if any(v is None for v in values):  # per part: only the parts without a score stay out
            result.notes.append(f"{xr.student}: {waiting_parts(cols, values)} wait(s) for a person; only those "
                                "results are left out (score them with grader review, then export again)")
        for col, points in zip(cols, values, strict=True):
            if points is None:
                continue
            element = ET.SubElement(root, "result")
            ET.SubElement(element, "assignment").text = xml_text(item if col.part is None else f"{item}.{col.part}")
            ET.SubElement(element, "student").text = xml_text(xr.ids["idnumber"])
            ET.SubElement(element, "score").text = number(points)
            feedback = _feedback(table, xr.row, col.part, options)
            if feedback:
                ET.SubElement(element, "feedback").text = xml_text(feedback)
        result.written += 1
    note_excused(result, excused, "Moodle")
    result.notes.append(
        f"Moodle matches <assignment> to the grade item's ID number: set it to {item!r}"
        + (" (one item per part, '<id>.<part>')" if per_part else "")
    )
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
    return result


def _feedback(table: ScoreTable, row: StudentRow, part: str | None, options: ExportOptions) -> str:
    if part is None:
        return feedback_summary(table, row) if options.feedback else row.comment
    score = row.parts.get(part)
    return "\n".join(f for f in score.feedback if f) if options.feedback and score is not None else ""


class MoodleXmlUnreadable(GraderError):
    """A file is not a Moodle grade XML document."""


def read(source: str | Path) -> list[XmlResult]:
    """Parse a Moodle grade XML file (or its text) into results; `-`/absent score is None."""
    text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise MoodleXmlUnreadable(f"Not a Moodle grade XML file: {err}.") from None
    if root.tag != "results":
        raise MoodleXmlUnreadable(f"Not a Moodle grade XML file: the root is <{root.tag}>, not <results>.")
    results = []
    for element in root.iter("result"):
        score_text = (element.findtext("score") or "").strip()
        results.append(XmlResult(
            assignment=(element.findtext("assignment") or "").strip(),
            student=(element.findtext("student") or "").strip(),
            score=None if score_text in ("", NO_GRADE) else float(score_text),
            feedback=element.findtext("feedback"),
        ))
    return results
