"""Answer files as documents: a Markdown file or a Jupyter notebook with every question rendered
for the student's variant, and answers written the way `grader.answer_documents` reads them back."""

from __future__ import annotations

import json
import re
from typing import Any

from grader.answer_documents import NOTEBOOK_KEY, PART_TAG
from grader.kinds import get_kind
from grader.spec import ProblemSet
from grader.spec.models import Part
from grader.variants import Variant, render_prompt

HOW_TO = (
    "Numbers: 750 or 0.25. Shapes: 28x28x1. Formulas: plain text such as 1 - tanh(x)^2, or LaTeX "
    "between dollars, $1 - \\tanh^2(x)$. Matrices: a table, one row per line (| 1 | 2 |). "
    "Derivations: a list, one step per item. Text: as you would write it."
)
_PLAIN_UNSAFE = re.compile(r"^\s*([-*+>#|~]|\d+[.)]\s|`{3})|[$`]|<!--|\\\[")
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def markdown_template(
    problem_set: ProblemSet, variant: Variant, student: str, answers: dict[str, Any] | None = None
) -> str:
    """A Markdown answer file: front matter, then one `## <part id>` section per part, its
    question quoted above the place for the answer (filled in from `answers` when given)."""
    answers = answers or {}
    out = [
        "---",
        f"student: {json.dumps(student)}",
        f"problem_set: {json.dumps(problem_set.id)}",
        "---",
        "",
        f"# {problem_set.title}",
        "",
        f"Answer file for {problem_set.id}, variant {variant.key}. Write each answer under its part's "
        "heading, below the quoted question, then run: `grader check <this file>`.",
        "",
        HOW_TO + " Lines starting with > are the questions: they are not read as answers.",
    ]
    for problem in problem_set.problems:
        out += ["", f"# {problem.title}"]
        for part in problem.parts:
            out += ["", f"## {part.id}", "", *_quoted(question(part, variant, problem.id)), ""]
            if part.id in answers:
                out.append(answer_markdown(answers[part.id]))
    for part_id in _unknown(problem_set, answers):
        out += ["", f"## {part_id}", "", answer_markdown(answers[part_id])]
    return "\n".join(out).rstrip("\n") + "\n"


def notebook_template(
    problem_set: ProblemSet, variant: Variant, student: str, answers: dict[str, Any] | None = None
) -> str:
    """A notebook: a Markdown cell per question and an answer cell per part, tagged with the part
    id in its metadata, then a cell that checks the saved notebook."""
    import nbformat
    from nbformat import v4

    answers = answers or {}
    cells = [
        v4.new_markdown_cell(
            f"# {problem_set.title}\n\nAnswer notebook for {problem_set.id}, variant {variant.key}. "
            "Write each answer in the cell below its question (double-click to edit it). "
            f"{HOW_TO}\n\nSave the notebook, then run the last cell to check your answers, or run "
            "`grader check <this notebook>` in a terminal.",
            id="intro",
        ),
        v4.new_code_cell(f"from grader.notebook import Checker\nchecker = Checker({problem_set.id!r})", id="setup"),
    ]
    for problem in problem_set.problems:
        cells.append(v4.new_markdown_cell(f"## {problem.title}", id=_cell_id("problem", problem.id)))
        for part in problem.parts:
            cells.append(v4.new_markdown_cell(
                f"### {part.id}\n\n" + question(part, variant, problem.id), id=_cell_id("question", part.id)
            ))
            answer = answer_markdown(answers[part.id]) if part.id in answers else ""
            cell = v4.new_markdown_cell(answer, id=_cell_id("answer", part.id))
            cell.metadata[NOTEBOOK_KEY] = {"part": part.id}
            cell.metadata["tags"] = [PART_TAG + part.id]
            cells.append(cell)
    for part_id in _unknown(problem_set, answers):
        cell = v4.new_markdown_cell(answer_markdown(answers[part_id]), id=_cell_id("answer", part_id))
        cell.metadata[NOTEBOOK_KEY] = {"part": part_id}
        cells.append(cell)
    cells.append(v4.new_code_cell("checker.check_notebook()", id="check"))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata[NOTEBOOK_KEY] = {"student": student, "problem_set": problem_set.id, "variant": variant.key}
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    text: str = nbformat.writes(notebook)
    return text + "\n"


def question(part: Part, variant: Variant, problem_id: str) -> str:
    """A part's question for the variant, with its points and how to write the answer."""
    kind = get_kind(part.kind)
    how = kind.describe(kind.options(part.options)) if kind else part.kind
    points = f"{part.points:g} point{'s' if part.points != 1 else ''}"
    prompt = render_prompt(" ".join(part.prompt.split()), variant.params.get(problem_id, {}))
    return f"{prompt}\n\n*({points}; {how})*"


def answer_markdown(answer: Any) -> str:
    """An answer as Markdown that reads back to the same value."""
    if answer is None:
        return ""
    if isinstance(answer, list) and answer and all(isinstance(row, list) for row in answer):
        lines = ["| " + " | ".join(_cell(x).replace("|", "\\|") for x in row) + " |" for row in answer]
        rule = "|" + "|".join(" --- " for _ in answer[0]) + "|"
        return "\n".join([lines[0], rule, *lines[1:]])
    if isinstance(answer, list):
        return "\n".join(f"- {_cell(item)}" for item in answer)
    if isinstance(answer, str) and "\n" in answer.strip():
        longest = max((len(run) for run in re.findall(r"`+", answer)), default=0)
        ticks = "`" * max(3, longest + 1)
        return f"{ticks}\n{answer.strip(chr(10))}\n{ticks}"
    return _cell(answer)


def _cell(value: Any) -> str:
    """One value in running text, a list item or a table cell."""
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, default=str)
    if not value.strip():
        return "` `"
    if _NUMBER.match(value) or _PLAIN_UNSAFE.search(value) or "|" in value or value != value.strip():
        if "`" not in value:
            return f"`{value}`"
        if "$" not in value:
            return f"${value}$"
    return value


def _unknown(problem_set: ProblemSet, answers: dict[str, Any]) -> list[str]:
    known = set(problem_set.part_ids())
    return [key for key in answers if key not in known]


def _quoted(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.split("\n")]


def _cell_id(prefix: str, name: str) -> str:
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '-', name)}"[:64]
