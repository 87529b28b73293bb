"""Rosters: which LMS identifiers belong to each of the grader's student ids.

`read_roster` reads a Canvas gradebook export, a Moodle export, a Blackboard Grade Center
download, a Brightspace export, a Gradescope scores export or a plain CSV (`student,...`),
detected from its header row. Each row becomes a `RosterEntry` keyed by the grader's student id
(the `student:` line of answer files), taken from one column chosen by `key`. The roster is kept
as a small JSON file (`roster.json` by default) that the exports read to fill each LMS's identity
columns.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import GraderError, UsageError
from grader.limits import LIMITS

SCHEMA_VERSION = 1
MAX_ROSTER_BYTES = LIMITS.max_roster_bytes

# Every identifier a roster can carry, with what it is in the LMS.
ID_FIELDS: dict[str, str] = {
    "canvas_id": "Canvas user id (the `ID` column of a Canvas gradebook export)",
    "sis_user_id": "Canvas `SIS User ID`",
    "sis_login_id": "Canvas `SIS Login ID`",
    "integration_id": "Canvas `Integration ID`",
    "email": "email address (Moodle `Email address`, Gradescope `Email`, Brightspace `Email`)",
    "idnumber": "Moodle user `ID number`",
    "username": "LMS username (Moodle, Blackboard `Username`, Brightspace `Username`)",
    "student_number": "Blackboard `Student ID`",
    "org_defined_id": "Brightspace `OrgDefinedId`",
    "sid": "Gradescope `SID`",
    "lti_user_id": "LTI 1.3 user id (the launch's `sub`), used by LTI AGS scores",
}

# Which column of each LMS's file is taken as the grader's student id unless --key says otherwise.
DEFAULT_KEYS: dict[str, str] = {
    "canvas": "sis_login_id",
    "moodle": "email",
    "blackboard": "username",
    "brightspace": "username",
    "gradescope": "sid",
    "plain": "student",
}

FORMAT_NAMES: dict[str, str] = {
    "canvas": "Canvas gradebook export",
    "moodle": "Moodle grade export",
    "blackboard": "Blackboard Grade Center download",
    "brightspace": "Brightspace grades export",
    "gradescope": "Gradescope scores export",
    "plain": "plain CSV (student,...)",
}

CANVAS_TITLE_ID = re.compile(r"^(.*)\s\((\d+)\)$")
CANVAS_TEST_STUDENT_NAMES = ("student, test", "test student")
# Canvas ignores columns whose header contains any of these (substring match).
CANVAS_IGNORED_COLUMNS = (
    "Current Score", "Current Points", "Current Grade", "Final Score", "Final Points",
    "Final Grade", "Override Score", "Override Grade", "Override Status",
)
BLACKBOARD_COLUMN = re.compile(r"^(?P<title>.*?)\s*(?:\[(?P<points>[^\]]*)\])?\s*\|(?P<id>\d+)\s*$")
# Moodle's export names a grade item's columns `<Module>: <Item> (Real)` and `... (Feedback)`
# (manual items: `<Item> (Real)`); its import mapping form selects the item for such a header.
MOODLE_REAL = "(Real)"
MOODLE_FEEDBACK = "(Feedback)"
MOODLE_ITEM = re.compile(r"^(?P<display>.*\S)\s*\(Real\)$")
MOODLE_TOTALS = ("Course total",)
BRIGHTSPACE_ITEM = re.compile(r"^(?P<title>.*?) (?P<type>Points Grade|Grade Symbol|Text Grade)(?:\s*<.*>)?$")


class RosterUnreadable(GraderError):
    """A roster file cannot be read or its format is not recognised."""

    exit_code = 2


@dataclass
class RosterEntry:
    """One student: the grader's id, names for display, and their identifiers in each LMS."""

    student: str
    ids: dict[str, str] = field(default_factory=dict)
    name: str = ""  # as the LMS shows it; Canvas uses the sortable "Last, First"
    first_name: str = ""
    last_name: str = ""
    section: str = ""

    def sortable_name(self) -> str:
        """`Last, First` when known, else the name, else the student id."""
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.name or self.student

    def merged(self, other: RosterEntry) -> RosterEntry:
        """This entry completed by another's non-empty values (the other wins on conflicts)."""
        return RosterEntry(
            student=self.student,
            ids={**self.ids, **{k: v for k, v in other.ids.items() if v}},
            name=other.name or self.name,
            first_name=other.first_name or self.first_name,
            last_name=other.last_name or self.last_name,
            section=other.section or self.section,
        )


@dataclass
class Roster:
    """Students by grader id, and known LMS column ids (e.g. Canvas assignment ids by title)."""

    entries: dict[str, RosterEntry] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # lms -> {title: column id}
    sources: list[str] = field(default_factory=list)

    def get(self, student: str) -> RosterEntry | None:
        """The entry of a student id: exact match first, then a unique case-insensitive one."""
        if student in self.entries:
            return self.entries[student]
        folded = [e for key, e in self.entries.items() if key.casefold() == student.casefold()]
        return folded[0] if len(folded) == 1 else None

    def column_id(self, lms: str, title: str) -> str | None:
        """The LMS's id of a column (assignment) with this exact title, if the roster saw one."""
        return self.columns.get(lms, {}).get(title)

    def merge(self, other: Roster) -> Roster:
        """A roster with both sets of students and columns; `other` wins on conflicts."""
        entries = dict(self.entries)
        for student, entry in other.entries.items():
            entries[student] = entries[student].merged(entry) if student in entries else entry
        columns = {lms: dict(cols) for lms, cols in self.columns.items()}
        for lms, cols in other.columns.items():
            columns.setdefault(lms, {}).update(cols)
        return Roster(entries, columns, [*self.sources, *other.sources])

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "sources": self.sources,
            "columns": self.columns,
            "students": [
                {"student": e.student, "name": e.name, "first_name": e.first_name,
                 "last_name": e.last_name, "section": e.section, "ids": dict(sorted(e.ids.items()))}
                for _, e in sorted(self.entries.items())
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Roster:
        entries = {}
        for item in data.get("students", []):
            entry = RosterEntry(
                student=str(item["student"]),
                ids={str(k): str(v) for k, v in (item.get("ids") or {}).items()},
                name=str(item.get("name", "")),
                first_name=str(item.get("first_name", "")),
                last_name=str(item.get("last_name", "")),
                section=str(item.get("section", "")),
            )
            entries[entry.student] = entry
        columns = {str(k): {str(t): str(i) for t, i in v.items()} for k, v in (data.get("columns") or {}).items()}
        return cls(entries, columns, [str(s) for s in data.get("sources", [])])


@dataclass
class RosterRead:
    """What reading one roster file found, including the rows it could not use."""

    roster: Roster
    format: str
    key: str
    rows: int = 0
    skipped: list[str] = field(default_factory=list)  # not students: Points Possible, Test Student
    unkeyed: list[str] = field(default_factory=list)  # students without a value in the key column
    duplicates: list[str] = field(default_factory=list)


@dataclass
class RosterCheck:
    """Roster against submissions: who is missing on either side."""

    without_submission: list[str]  # roster students with no submission
    without_roster: list[str]  # submitting students the roster does not know


# ---------------------------------------------------------------------------- reading files


def read_roster(path: str | Path, *, key: str | None = None, fmt: str | None = None) -> RosterRead:
    """Read an LMS export or plain CSV as a roster; `key` names the column holding grader ids."""
    path = Path(path)
    if not path.is_file():
        raise RosterUnreadable(f"No roster file at {path}; give the CSV you downloaded from your LMS.")
    if path.stat().st_size > MAX_ROSTER_BYTES:
        raise RosterUnreadable(f"{path} is larger than {MAX_ROSTER_BYTES // 1_000_000} MB; is it a roster?")
    return parse_roster(path.read_bytes(), key=key, fmt=fmt, name=str(path))


def parse_roster(data: bytes, *, key: str | None = None, fmt: str | None = None,
                 name: str = "<roster>") -> RosterRead:
    """Parse roster bytes (any of the supported formats) into a RosterRead."""
    header, rows = _csv_rows(_decode(data, name), name)
    fmt = fmt or detect_format(header, name)
    if fmt not in _READERS:
        raise UsageError(f"Unknown roster format {fmt!r}; choose one of {', '.join(_READERS)}.")
    key = key or DEFAULT_KEYS[fmt]
    if key not in ID_FIELDS and key != "student":
        raise UsageError(
            f"--key {key!r} is not a roster field; choose one of {', '.join(ID_FIELDS)}."
        )
    result = RosterRead(Roster(sources=[f"{fmt}:{Path(name).name}"]), fmt, key)
    raw_entries = _READERS[fmt](header, rows, result)
    for line, entry in raw_entries:
        result.rows += 1
        student = entry.student if key == "student" else entry.ids.get(key, "")
        who = entry.name or entry.sortable_name() or f"row {line}"
        if not student:
            result.unkeyed.append(f"line {line}: {who} has no {key}")
            continue
        entry.student = student
        if student in result.roster.entries:
            result.duplicates.append(f"line {line}: {key} {student!r} appears again ({who})")
            continue
        result.roster.entries[student] = entry
    return result


def detect_format(header: list[str], name: str = "<roster>") -> str:
    """The LMS a header row comes from."""
    cells = {h.strip().casefold() for h in header}
    if "orgdefinedid" in cells or "end-of-line indicator" in cells:
        return "brightspace"
    if "section" in cells and ({"student", "lastname"} & cells) and "id" in cells:
        return "canvas"
    if "sid" in cells and ("total score" in cells or "status" in cells):
        return "gradescope"
    if "email address" in cells or "id number" in cells:
        return "moodle"
    if "username" in cells and (any(BLACKBOARD_COLUMN.match(h) for h in header) or "last name" in cells):
        return "blackboard"
    if "student" in cells:
        return "plain"
    shown = ", ".join(header[:6])
    raise RosterUnreadable(
        f"{name}: the header ({shown}...) is not one of a Canvas, Moodle, Blackboard, Brightspace "
        "or Gradescope export; for a plain CSV name the first column 'student'."
    )


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet programs on Windows save CSV in the ANSI code page.
        return data.decode("cp1252", errors="replace")


# Header cells that identify students in some LMS's file: they tell which delimiter a file uses.
KNOWN_HEADERS = frozenset({
    "student", "id", "sis user id", "sis login id", "section", "first name", "last name", "firstname",
    "lastname", "id number", "email address", "username", "orgdefinedid", "email", "sid", "name",
    "student id", "end-of-line indicator",
})
DELIMITERS = ",;\t:"  # Moodle's export offers comma, semicolon, colon and tab


def _delimiter(first_line: str) -> str:
    """The delimiter that splits the header into the most known column names (then the most cells)."""
    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(1 for c in cells if c.strip().lstrip("\ufeff").casefold() in KNOWN_HEADERS), len(cells)
    return max(DELIMITERS, key=score)


def _csv_rows(text: str, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise RosterUnreadable(f"{name} is empty; give the CSV you downloaded from your LMS.") from None
    except csv.Error as err:
        raise RosterUnreadable(f"{name}: line 1: {err}.") from None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if any(c.strip() for c in cells):
                rows.append((line, [c.strip() for c in cells] + [""] * (len(header) - len(cells))))
    except csv.Error as err:
        raise RosterUnreadable(f"{name}: line {reader.line_num}: {err}.") from None
    return header, rows


def _index(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(h.strip().casefold(), i)
    return index


def _get(cells: list[str], index: dict[str, int], *names: str) -> str:
    for name in names:
        i = index.get(name.casefold())
        if i is not None and i < len(cells) and cells[i]:
            return cells[i]
    return ""


Entries = list[tuple[int, RosterEntry]]


def _read_canvas(header: list[str], rows: list[tuple[int, list[str]]], result: RosterRead) -> Entries:
    index = _index(header)
    section_at = index.get("section")
    if section_at is None:
        raise RosterUnreadable("The Canvas file has no 'Section' column; Canvas needs it as the last identity column.")
    columns = result.roster.columns.setdefault("canvas", {})
    for title in header[section_at + 1:]:
        match = CANVAS_TITLE_ID.match(title)
        if match and not any(word in title for word in CANVAS_IGNORED_COLUMNS):
            columns[match.group(1)] = match.group(2)
    entries: Entries = []
    for line, cells in rows:
        first = cells[0]
        if first.strip() == "Points Possible":
            result.skipped.append(f"line {line}: the Points Possible row")
            continue
        if all(not c or c == "Muted" or c.startswith("Manual Posting") for c in cells):
            result.skipped.append(f"line {line}: a Manual Posting / Muted row")
            continue
        name = _canvas_unguard(first)
        if "lastname" in index:
            name = f"{_get(cells, index, 'LastName')}, {_get(cells, index, 'FirstName')}"
        ids = {
            "canvas_id": _get(cells, index, "ID"),
            "sis_user_id": _get(cells, index, "SIS User ID"),
            "sis_login_id": _get(cells, index, "SIS Login ID"),
            "integration_id": _get(cells, index, "Integration ID"),
        }
        if name.strip().casefold() in CANVAS_TEST_STUDENT_NAMES and not ids["sis_user_id"]:
            result.skipped.append(f"line {line}: the Canvas Test Student")
            continue
        last, _, firstname = name.partition(", ")
        entries.append((line, RosterEntry(
            student="", ids=_nonempty(ids), name=name, first_name=firstname, last_name=last,
            section=_get(cells, index, "Section"),
        )))
    return entries


def _canvas_unguard(value: str) -> str:
    """Canvas exports a name starting with `=` as `="=..."`; give back the name."""
    if value.startswith('="') and value.endswith('"') and len(value) >= 3:
        return value[2:-1]
    return value


def _person(ids: dict[str, str], first: str, last: str, section: str = "", name: str = "") -> RosterEntry:
    """A roster entry from an LMS row; its display name is the first and last names, else `name`."""
    return RosterEntry(student="", ids=_nonempty(ids), first_name=first, last_name=last,
                       name=" ".join(x for x in (first, last) if x) or name, section=section)


def _read_moodle(header: list[str], rows: list[tuple[int, list[str]]], result: RosterRead) -> Entries:
    index = _index(header)
    columns = result.roster.columns.setdefault("moodle", {})
    for title in header:
        match = MOODLE_ITEM.match(title.strip())
        if match and match.group("display") not in MOODLE_TOTALS:
            display = match.group("display")
            # The export writes `<Module>: <Item>`; the grader's --title is the item's own name.
            columns[display.split(": ", 1)[-1]] = display
            columns[display] = display
    return [
        (line, _person(
            {
                "idnumber": _get(cells, index, "ID number"),
                "email": _get(cells, index, "Email address"),
                "username": _get(cells, index, "Username"),
            },
            _get(cells, index, "First name"), _get(cells, index, "Last name", "Surname"),
            section=_get(cells, index, "Groups", "Group"),
        ))
        for line, cells in rows
    ]


def _read_blackboard(header: list[str], rows: list[tuple[int, list[str]]], result: RosterRead) -> Entries:
    index = _index(header)
    columns = result.roster.columns.setdefault("blackboard", {})
    for title in header:
        match = BLACKBOARD_COLUMN.match(title)
        if match and match.group("title") not in ("Total", "Weighted Total"):
            columns[match.group("title")] = match.group("id")
    return [
        (line, _person(
            {"username": _get(cells, index, "Username"), "student_number": _get(cells, index, "Student ID")},
            _get(cells, index, "First Name"), _get(cells, index, "Last Name"),
        ))
        for line, cells in rows
    ]


def _read_brightspace(header: list[str], rows: list[tuple[int, list[str]]], result: RosterRead) -> Entries:
    index = _index(header)
    columns = result.roster.columns.setdefault("brightspace", {})
    for title in header:
        match = BRIGHTSPACE_ITEM.match(title)
        if match and match.group("type") == "Points Grade":
            columns[match.group("title")] = match.group("title")

    def unhash(value: str) -> str:
        # The leading '#' keeps spreadsheets from reading ids as numbers; it is not data.
        return value.removeprefix("#")

    return [
        (line, _person(
            {
                "org_defined_id": unhash(_get(cells, index, "OrgDefinedId")),
                "username": unhash(_get(cells, index, "Username")),
                "email": _get(cells, index, "Email"),
            },
            _get(cells, index, "First Name"), _get(cells, index, "Last Name"),
        ))
        for line, cells in rows
    ]


def _read_gradescope(header: list[str], rows: list[tuple[int, list[str]]], result: RosterRead) -> Entries:
    index = _index(header)
    return [
        (line, _person(
            {"sid": _get(cells, index, "SID"), "email": _get(cells, index, "Email")},
            _get(cells, index, "First Name"), _get(cells, index, "Last Name"),
            section=_get(cells, index, "Sections"), name=_get(cells, index, "Name"),
        ))
        for line, cells in rows
    ]


# Plain CSV headers that name a roster field, besides the field names themselves.
PLAIN_ALIASES = {
    "canvas id": "canvas_id", "canvas user id": "canvas_id",
    "sis user id": "sis_user_id", "sis login id": "sis_login_id", "integration id": "integration_id",
    "email address": "email", "e-mail": "email", "id number": "idnumber", "student id": "student_number",
    "orgdefinedid": "org_defined_id", "lti user id": "lti_user_id", "lti": "lti_user_id",
    "user name": "username",
}
PLAIN_NAMES = {"name": "name", "first name": "first_name", "first_name": "first_name",
               "last name": "last_name", "last_name": "last_name", "section": "section"}


def _read_plain(header: list[str], rows: list[tuple[int, list[str]]], result: RosterRead) -> Entries:
    fields: dict[int, str] = {}
    for i, h in enumerate(header):
        label = h.strip().casefold()
        name = label if label in ID_FIELDS or label == "student" else PLAIN_ALIASES.get(label)
        name = name or PLAIN_NAMES.get(label)
        if name:
            fields.setdefault(i, name)
    entries: Entries = []
    for line, cells in rows:
        values = {fields[i]: cells[i] for i in fields if i < len(cells) and cells[i]}
        entries.append((line, RosterEntry(
            student=values.get("student", ""),
            ids={k: v for k, v in values.items() if k in ID_FIELDS},
            name=values.get("name", ""),
            first_name=values.get("first_name", ""),
            last_name=values.get("last_name", ""),
            section=values.get("section", ""),
        )))
    return entries


def _nonempty(ids: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in ids.items() if v}


_READERS = {
    "canvas": _read_canvas,
    "moodle": _read_moodle,
    "blackboard": _read_blackboard,
    "brightspace": _read_brightspace,
    "gradescope": _read_gradescope,
    "plain": _read_plain,
}


# ---------------------------------------------------------------------------- storing


def load_roster(path: str | Path) -> Roster:
    """Read a roster saved by `save_roster`; a missing file is an empty roster."""
    path = Path(path)
    if not path.exists():
        return Roster()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RosterUnreadable(f"{path} is not a roster saved by `grader roster import` ({err}).") from None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise RosterUnreadable(f"{path} is not a version-{SCHEMA_VERSION} roster; import it again.")
    return Roster.from_dict(data)


def save_roster(roster: Roster, path: str | Path) -> None:
    """Write the roster as JSON, atomically (a crash leaves the old file intact)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(roster.to_dict(), indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_roster(file: str | Path, roster_path: str | Path, *, key: str | None = None,
                  fmt: str | None = None, replace: bool = False) -> RosterRead:
    """Read an LMS file and merge it into the saved roster (or replace it)."""
    read = read_roster(file, key=key, fmt=fmt)
    merged = read.roster if replace else load_roster(roster_path).merge(read.roster)
    save_roster(merged, roster_path)
    return RosterRead(merged, read.format, read.key, read.rows, read.skipped, read.unkeyed, read.duplicates)


def compare(roster: Roster, students: Iterable[str]) -> RosterCheck:
    """Roster students without a submission, and submitting students not in the roster."""
    submitted = sorted(set(students))
    matched = {entry.student for s in submitted if (entry := roster.get(s)) is not None}
    return RosterCheck(
        without_submission=sorted(s for s in roster.entries if s not in matched),
        without_roster=[s for s in submitted if roster.get(s) is None],
    )
