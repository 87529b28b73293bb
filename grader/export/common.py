"""What every export shares: options, results, cell neutralisation, numbers and identities."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from grader.config import ExportDefaults
from grader.errors import GraderError
from grader.export.roster import Roster, RosterEntry
from grader.scores import ScoreTable, StudentRow
from grader.spreadsheet import neutralise


class ExportRefused(GraderError):
    """An export would produce a file the LMS mis-reads; the message says what to change."""


class ExportEmpty(GraderError):
    """An export would carry no student at all; `result` says whom it left out and why."""

    def __init__(self, result: ExportResult) -> None:
        self.result = result
        left_out = (f" ({len(result.skipped)} student(s) left out; the first: {result.skipped[0]})"
                    if result.skipped else " (the gradebook has no graded submission)")
        super().__init__(
            f"The {result.format} export would carry no student, so nothing was written{left_out}"
            + ". Import the LMS roster first (grader roster import FILE) so students have the LMS's ids, or pass "
            "--student-is FIELD if the grader's student ids are those ids; --allow-empty writes the file anyway."
        )


class Safe(str):
    """A cell the exporter wrote itself (a number, `EX`, `-`, `#`): never neutralised."""


@dataclass(frozen=True)
class ExportOptions:
    """Settings of an export; every default lives here (and in the course config)."""

    title: str | None = None  # LMS column / grade item name; default: the problem set's title
    assignment_id: str | None = None  # Canvas assignment id, Blackboard column id, Moodle XML item idnumber
    student_is: str | None = None  # roster field that the grader's own ids are, for students not in it
    moodle_key: str = "email"  # Moodle CSV identity column: email, idnumber or username
    visibility: str = "visible"  # Gradescope results visibility
    missing_as_zero: bool = False  # write 0 for "no submission" (otherwise the student is left out)
    now: datetime | None = None  # time stamp written into the file (LTI timestamp, Moodle XML batch)
    bom: bool = False  # start CSV files with a UTF-8 BOM (helps Excel on Windows)
    feedback: bool = False  # add each student's feedback summary where the format carries feedback
    platform: str | None = None  # LTI: the platform the scores go to (canvas, moodle), for its own rules
    regrade: bool = False  # LTI on Canvas: the scores replace ones already posted (no new submission)
    pending: str = "hold"  # LTI on Moodle, rows with parts waiting for a person: hold or provisional

    def timestamp(self) -> datetime:
        return (self.now or datetime.now(UTC)).astimezone(UTC)

    @classmethod
    def from_config(cls, defaults: ExportDefaults, **given: Any) -> ExportOptions:
        """The course config's export settings, overridden by the options given (None = not given)."""
        base = {f.name: getattr(defaults, f.name) for f in fields(defaults)}
        return cls(**{**base, **{k: v for k, v in given.items() if v is not None}})


DEFAULT_OPTIONS = ExportOptions()


@dataclass
class ExportResult:
    """What an export wrote, whom it left out and why, and what the instructor should know."""

    format: str
    written: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class ExportRow:
    """A student's row with what the roster knows about them."""

    row: StudentRow
    entry: RosterEntry | None
    ids: dict[str, str]
    assumed: frozenset[str] = frozenset()  # id fields taken from the grader's id (--student-is)

    @property
    def student(self) -> str:
        return self.row.student

    def name(self) -> str:
        """The display name: roster name, else the table's, else the student id."""
        if self.entry is not None:
            return self.entry.name or self.entry.sortable_name()
        return self.row.display_name or self.row.student

    def first_last(self) -> tuple[str, str]:
        if self.entry is not None:
            return self.entry.first_name, self.entry.last_name
        return "", ""

    @property
    def submitted(self) -> bool:
        return self.row.total is not None


@dataclass(frozen=True)
class Column:
    """One grade column: the whole set (part None) or one part."""

    title: str
    part: str | None
    points: float


def number(value: float, decimals: int = 2) -> Safe:
    """A number with a decimal point, at most `decimals` decimals, no exponent, no thousands separator."""
    text = f"{round(float(value), decimals):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Safe("0" if text in ("-0", "") else text)


def cell(value: Any, decimals: int = 2) -> str:
    """A CSV cell: our own numbers and markers as they are, any other text neutralised."""
    if value is None:
        return ""
    if isinstance(value, Safe):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number(value, decimals)
    return neutralise(str(value))


def csv_writer(out: TextIO, **kwargs: Any) -> Any:
    """A csv writer with `\\n` line ends (every LMS here reads them)."""
    return csv.writer(out, lineterminator="\n", **kwargs)


def write_rows(writer: Any, rows: Iterable[Sequence[Any]], decimals: int = 2) -> None:
    """Write rows of cells; line breaks inside a cell become `\n`, which the csv module quotes
    (with `\n` line ends it would leave a bare `\r` unquoted, splitting the record)."""
    for row in rows:
        writer.writerow([_one_newline(cell(v, decimals)) for v in row])


def _one_newline(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def columns(table: ScoreTable, per_part: bool, options: ExportOptions) -> list[Column]:
    """The grade columns: one for the set, or one per part titled `<title>: <part id>`."""
    title = options.title or table.title
    if not per_part:
        return [Column(title, None, table.max_total)]
    return [Column(f"{title}: {part}", part, points) for part, points in table.parts]


def grade(row: StudentRow, column: Column, options: ExportOptions) -> float | None:
    """The points of a row in a column; None when there is no score (not submitted, or pending)."""
    if column.part is None:
        if row.total is None:
            return 0.0 if options.missing_as_zero else None
        return row.total
    part = row.parts.get(column.part)
    if part is None or part.score is None:
        return 0.0 if (row.total is None and options.missing_as_zero) else None
    return part.score


def row_grades(xr: ExportRow, cols: Sequence[Column], options: ExportOptions,
               result: ExportResult, decimals: int = 2) -> list[Safe] | None:
    """Every column's grade of a row as written numbers, or None (and the reason recorded in
    `result.skipped`) when one would be empty.

    An empty cell is never written: Canvas takes a blank over an existing grade as "remove
    it", and Moodle's CSV and XML imports turn blank or `-` into "no grade", overwriting what is
    there. A student left out of the file keeps whatever the LMS has.
    """
    values = [grade(xr.row, col, options) for col in cols]
    if all(v is not None for v in values):
        return [number(v, decimals) for v in values if v is not None]
    result.skipped.append(f"{xr.student}: {no_grade_reason(xr.row, cols, values)}")
    return None


def no_grade_reason(row: StudentRow, cols: Sequence[Column], values: Sequence[float | None]) -> str:
    """Why a row has no grade to write, and what would give it one."""
    if row.total is None:
        return ("no counted submission, so no grade; left out so the LMS keeps what it has "
                "(--missing-as-zero writes 0)")
    return (f"{waiting_parts(cols, values)} wait(s) for a person, so the row has no grade there; left out so "
            "the LMS keeps what it has (score them with grader review, then export again)")


def waiting_parts(cols: Sequence[Column], values: Sequence[float | None]) -> str:
    """The columns without a grade, as a short list."""
    waiting = [col.part or col.title for col, v in zip(cols, values, strict=True) if v is None]
    return ", ".join(waiting[:5]) + (f" and {len(waiting) - 5} more" if len(waiting) > 5 else "")


def feedback_summary(table: ScoreTable, row: StudentRow) -> str:
    """A student's short feedback: the total, each part's score, the parts still to be reviewed."""
    title = table.title or table.problem_set
    lines = []
    if row.comment:
        lines.append(row.comment)
    total = "no counted submission" if row.total is None else f"{number(row.total)} of {number(table.max_total)} points"
    lines.append(f"{title}: {total}.")
    scored = [f"{part_id} {number(p.score)}/{number(p.max_score)}" for part_id, _ in table.parts
              if (p := row.parts.get(part_id)) is not None and p.score is not None]
    waiting = [part_id for part_id, _ in table.parts
               if (p := row.parts.get(part_id)) is not None and p.score is None]
    if scored:
        lines.append("Parts: " + ", ".join(scored) + ".")
    if waiting:
        lines.append("Waiting for review: " + ", ".join(waiting) + ".")
    return "\n".join(lines)


def export_rows(table: ScoreTable, roster: Roster | None, options: ExportOptions,
                result: ExportResult) -> list[ExportRow]:
    """The table's rows with their roster entries, plus roster students who did not submit."""
    roster = roster or Roster()
    rows: list[ExportRow] = []
    seen: set[str] = set()
    for row in table.rows:
        entry = roster.get(row.student)
        if entry is not None:
            seen.add(entry.student)
        rows.append(_export_row(row, entry, options))
    absent = [e for s, e in sorted(roster.entries.items()) if s not in seen]
    for entry in absent:
        empty = StudentRow(student=entry.student, parts={}, total=None, max_total=table.max_total)
        rows.append(_export_row(empty, entry, options))
    if absent:
        shown = "exported as 0" if options.missing_as_zero else "left out"
        result.notes.append(f"{len(absent)} student(s) in the roster have no submission ({shown}): "
                            + ", ".join(e.student for e in absent))
    if roster.entries:
        unknown = [r.student for r in table.rows if roster.get(r.student) is None]
        if unknown:
            result.notes.append(f"{len(unknown)} submitting student(s) are not in the roster: "
                                + ", ".join(unknown))
    pending = [r.student for r in table.rows if r.needs_review and r.total is not None]
    if pending:
        result.notes.append(f"{len(pending)} student(s) have parts waiting for a person; their totals "
                            "count only the parts graded so far")
    return rows


def _export_row(row: StudentRow, entry: RosterEntry | None, options: ExportOptions) -> ExportRow:
    ids = {k: v for k, v in row.lms_ids.items() if v}
    if entry is not None:
        ids.update({k: v for k, v in entry.ids.items() if v})
    assumed: frozenset[str] = frozenset()
    if options.student_is and not ids.get(options.student_is):
        ids[options.student_is] = row.student
        assumed = frozenset({options.student_is})
    return ExportRow(row, entry, ids, assumed)


def skip_without(result: ExportResult, xr: ExportRow, lms: str, fields: Sequence[str]) -> bool:
    """Record (and return True) when a row has none of the identifiers an LMS needs."""
    if any(xr.ids.get(f) for f in fields):
        return False
    wanted = " or ".join(fields)
    result.skipped.append(
        f"{xr.student}: no {wanted} for {lms}; add it to the roster (grader roster import) "
        "or pass --student-is FIELD if the grader's ids are those"
    )
    return True


def note_excused(result: ExportResult, students: list[str], lms: str) -> None:
    if students:
        result.notes.append(f"{len(students)} excused student(s) left out ({lms} has no 'excused' "
                            f"in its import; excuse them in the gradebook): {', '.join(students)}")


_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """Text without the characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return _XML_INVALID.sub("\ufffd", value)


def iso_millis(moment: datetime) -> str:
    """ISO 8601 with milliseconds and an explicit offset, e.g. 2025-03-01T22:05:09.123+00:00."""
    return moment.isoformat(timespec="milliseconds")
