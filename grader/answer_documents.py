"""Answer files written where students already work: Markdown documents and Jupyter notebooks.

A Markdown answer file starts with a YAML front matter block (`student`, `problem_set`) between
`---` lines, then has one section per part headed by its id (`## q2.derivative`). A section's
text is the answer:

- `$…$`, `$$…$$` or `\\[…\\]` alone: the LaTeX inside, untouched;
- a fenced block: its lines as written (a derivation, one step per line);
- a list: one item per step of a derivation, or per entry of a vector;
- a table: a matrix, one row per table row;
- anything else: the text, its lines joined by spaces (a number alone is read as a number).

Blockquotes (`> …`, where the template puts each question) and HTML comments are not part of
the answer. A notebook holds the same Markdown in its answer cells, each tagged with the part id
in the cell's metadata, so the tag survives moving and editing the cell; untagged cells are
ignored, and messages name cells instead of lines.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from grader.errors import SubmissionUnreadable
from grader.spec.yamlsafe import YamlError, load_yaml
from grader.submission import Submission

NOTEBOOK_KEY = "grader"  # notebook and cell metadata key
PART_TAG = "part:"  # a cell tag naming its part, `part:q2.derivative`
MAX_SECTIONS = 2_000

_PART_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_MATH_BLOCKS = (("$$", "$$"), ("\\[", "\\]"), ("$", "$"))


@dataclass(frozen=True)
class NotebookSubmission(Submission):
    """A submission read from a notebook: its answers are located by cell, not by line."""

    def where(self, part_id: str) -> str:
        cell = self.lines.get(part_id)
        return f"cell {cell}" if cell else ""


# ----- Markdown -----------------------------------------------------------------------------------


def parse_markdown(text: str, name: str) -> Submission:
    """A Markdown answer file as a Submission; line numbers point at each answer's first line."""
    lines = text.splitlines()
    meta, start = _front_matter(lines, name)
    answers: dict[str, Any] = {}
    where: dict[str, int] = {}
    for part_id, heading_line, body in _sections(lines, start, name):
        if part_id in answers or part_id in where:
            raise SubmissionUnreadable(
                f"{name}: line {heading_line}: a second section for {part_id} (the first is at line "
                f"{where[part_id]}); keep one answer per part."
            )
        first = next((i for i, line in enumerate(body) if _is_answer_line(line)), None)
        where[part_id] = heading_line + 1 + (first or 0)
        answers[part_id] = read_answer_text("\n".join(body))
    return _submission(meta, answers, where, name)


def read_answer_text(source: str) -> Any:
    """The answer held by the text of one section or answer cell (see the module's rules)."""
    body = _without_quotes(_COMMENT.sub("", source).splitlines())
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    if not body:
        return None
    fence = _FENCE.match(body[0])
    if fence and len(body) >= 2 and body[-1].strip().startswith(fence.group(1)):
        return "\n".join(body[1:-1]).strip("\n") or None
    items = [_LIST_ITEM.match(line) for line in body if line.strip()]
    if all(item is not None for item in items):
        return [_item(item.group(1)) for item in items if item is not None]
    if all(line.strip().startswith("|") for line in body):
        rows = [line for line in body if not _is_table_rule(line)]
        return [[_item(cell.replace("\\|", "|")) for cell in _cells(row)] for row in rows]
    return _item(" ".join(line.strip() for line in body))


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise SubmissionUnreadable(f"{name}: line 1: the front matter opened by '---' is never closed; add a '---' line.")
    try:
        data, _ = load_yaml("\n".join(lines[1:end]))
    except YamlError as err:
        line = f"line {err.line + 1}: " if err.line else ""
        raise SubmissionUnreadable(f"{name}: {line}front matter: {err.message}.") from None
    if data is None:
        return {}, end + 1
    if not isinstance(data, dict):
        raise SubmissionUnreadable(f"{name}: line 2: the front matter should be 'student: ...' and 'problem_set: ...' lines.")
    return data, end + 1


def _sections(lines: list[str], start: int, name: str) -> list[tuple[str, int, list[str]]]:
    """(part id, heading line, body lines) for every `## <part id>` section."""
    sections: list[tuple[str, int, list[str]]] = []
    current: list[str] | None = None
    for (number, line), fenced in zip(enumerate(lines[start:], start=start + 1), _in_fences(lines[start:]),
                                      strict=True):
        if not fenced:
            heading = _heading(line)
            if heading is not None:
                current = None
                level, words = heading
                part_id = words[0].strip("`").rstrip(":") if words else ""
                if level == 2 and _PART_ID.match(part_id):
                    if len(sections) >= MAX_SECTIONS:
                        raise SubmissionUnreadable(f"{name}: line {number}: more than {MAX_SECTIONS} sections.")
                    current = []
                    sections.append((part_id, number, current))
                continue
        if current is not None:
            current.append(line)
    return sections


def _heading(line: str) -> tuple[int, list[str]] | None:
    """(level, words) of an ATX heading line (`## q1a`), or None for any other line."""
    text = line.lstrip(" ")
    if len(line) - len(text) > 3 or not text.startswith("#"):
        return None
    level = len(text) - len(text.lstrip("#"))
    rest = text[level:]
    if level > 6 or (rest and not rest[0].isspace()):
        return None
    return level, rest.strip().rstrip("#").split()


def _is_table_rule(line: str) -> bool:
    """The line under a table's first row: pipes, colons and dashes only (| --- | :-: |)."""
    text = line.strip()
    return "---" in text and not set(text) - set("|:- \t")


def _is_quote(line: str) -> bool:
    """A blockquote line (`> the question`); `>= ...`, a derivation step, is not one."""
    text = line.strip()
    return text == ">" or text.startswith("> ")


def _in_fences(lines: list[str]) -> Iterator[bool]:
    """For each line, whether it belongs to a fenced block (its opening and closing fences too)."""
    fence: str | None = None
    for line in lines:
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and line.strip().startswith(fence):
                fence = None
            yield True
        elif opened:
            fence = opened.group(1)
            yield True
        else:
            yield False


def _without_quotes(lines: list[str]) -> list[str]:
    """The lines that are not blockquotes, keeping everything inside fenced blocks."""
    return [line for line, fenced in zip(lines, _in_fences(lines), strict=True) if fenced or not _is_quote(line)]


def _is_answer_line(line: str) -> bool:
    text = line.strip()
    return bool(text) and not _is_quote(text) and not text.startswith("<!--")


def _sole_math(text: str) -> str | None:
    """The LaTeX of a section that is one math block and nothing else."""
    for left, right in _MATH_BLOCKS:
        if text.startswith(left) and text.endswith(right) and len(text) > len(left) + len(right):
            inner = text[len(left):-len(right)]
            if left == "$" and "$" in inner:
                return None
            return inner.strip()
    return None


def _item(text: str) -> Any:
    """One answer, list item or table cell: a code span is its text as written, a math block its
    LaTeX, a number alone a number, anything else the text."""
    text = text.strip()
    code = re.fullmatch(r"`([^`]+)`", text)
    if code:
        return code.group(1)
    math = _sole_math(text)
    return math if math is not None else _number(text)


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return re.split(r"(?<!\\)\|", row)


def _number(text: Any) -> Any:
    """A number written alone is a number, as it is in YAML, TOML and JSON answer files."""
    if isinstance(text, str) and _NUMBER.match(text.strip()):
        value = float(text)
        return int(text) if re.fullmatch(r"[+-]?\d+", text.strip()) else value
    return text


# ----- notebooks ----------------------------------------------------------------------------------


def parse_notebook(text: str, name: str) -> Submission:
    """A notebook's tagged answer cells as a Submission; messages name the cell (1-based)."""
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's notes on old notebooks (missing cell ids)
            notebook = nbformat.reads(text, as_version=4)
    except (ValueError, KeyError, TypeError, AttributeError, nbformat.ValidationError) as err:
        raise SubmissionUnreadable(f"{name}: this is not a readable Jupyter notebook ({err}).") from None
    except RecursionError:
        raise SubmissionUnreadable(f"{name}: the notebook is nested too deeply.") from None
    meta = notebook.get("metadata", {}).get(NOTEBOOK_KEY, {})
    if not isinstance(meta, dict):
        meta = {}
    answers: dict[str, Any] = {}
    cells: dict[str, int] = {}
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        part_id = cell_part(cell)
        if part_id is None:
            continue
        if part_id in cells:
            raise SubmissionUnreadable(
                f"{name}: cell {number}: a second answer cell for {part_id} (the first is cell {cells[part_id]}); "
                "keep one answer cell per part."
            )
        cells[part_id] = number
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SubmissionUnreadable(f"{name}: cell {number}: the cell's text is not text; retype it in Jupyter.")
        answers[part_id] = read_answer_text(source)
    return _submission(meta, answers, cells, name, notebook=True)


def cell_part(cell: Any) -> str | None:
    """The part id an answer cell is tagged with, or None for any other cell."""
    metadata = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    if not isinstance(metadata, dict):
        return None
    tagged = metadata.get(NOTEBOOK_KEY, {})
    part = tagged.get("part") if isinstance(tagged, dict) else None
    if isinstance(part, str):
        return part
    tags = metadata.get("tags", [])
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and tag.startswith(PART_TAG):
            return tag[len(PART_TAG):]
    return None


# ----- both ---------------------------------------------------------------------------------------


def _submission(
    meta: dict[str, Any], answers: dict[str, Any], lines: dict[str, int], name: str, *, notebook: bool = False
) -> Submission:
    student, problem_set = meta.get("student"), meta.get("problem_set")
    cls = NotebookSubmission if notebook else Submission
    return cls(
        student=None if student is None else str(student),
        problem_set=None if problem_set is None else str(problem_set),
        answers=answers,
        lines=lines,
        path=name,
    )
