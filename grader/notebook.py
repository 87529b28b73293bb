"""Checking answers from inside a Jupyter notebook.

    from grader.notebook import Checker
    checker = Checker("mlp_cnn")
    checker.check("p2.1.derivative", r"1 - \\tanh^2(x)")   # one answer
    checker.check_notebook()                               # the saved notebook's answer cells

Each result shows as rich HTML in Jupyter (status, score, feedback and the answer as the grader
read it, in MathML) and as text anywhere else. Checking grades exactly as `grader check` does;
nothing is submitted.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.answer_documents import NOTEBOOK_KEY
from grader.answers import Submission, read_submission
from grader.engine import PartResult, Report, grade
from grader.errors import UsageError
from grader.kinds import Status
from grader.reading import Reading, read_answer, report_readings
from grader.render import STATUS_LABEL, format_points, report_text
from grader.spec import ProblemSet, load_problem_set
from grader.variants import variant_for

_QUIET = (Status.CORRECT, Status.MISSING)  # statuses whose feedback adds nothing to the status
_COLOURS = {
    Status.CORRECT: "#1b6e2b", Status.PARTIAL: "#8a5a00", Status.NEEDS_REVIEW: "#8a5a00",
    Status.NOT_GRADED: "#8a5a00", Status.INCORRECT: "#b3261e", Status.INVALID: "#b3261e", Status.MISSING: "#666",
}


@dataclass(frozen=True)
class PartCheck:
    """The check of one answer."""

    result: PartResult
    reading: Reading | None = None

    def __str__(self) -> str:
        part = self.result
        lines = [f"{part.id}: {STATUS_LABEL[part.status]}, {format_points(part.score)}/{format_points(part.max_score)}"]
        if self.reading is not None:
            first, *rest = self.reading.text.split("\n")
            lines += [f"  reads as: {first}", *(f"            {line}" for line in rest)]
        for message in part.feedback:
            first, *rest = message.split("\n")
            lines += [f"  - {first}", *(f"    {line}" for line in rest)]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return f'<div class="grader-check">{_part_html(self.result, self.reading)}</div>'


@dataclass(frozen=True)
class NotebookCheck:
    """The check of every answer cell of a notebook."""

    report: Report
    readings: dict[str, Reading] = field(default_factory=dict)
    path: str = ""

    @property
    def parts(self) -> list[PartCheck]:
        return [PartCheck(p, self.readings.get(p.id)) for p in self.report.parts]

    def __str__(self) -> str:
        return report_text(self.report, readings=self.readings)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        report = self.report
        head = (
            f"<p><strong>{html.escape(report.problem_set)}</strong>, {html.escape(report.student or 'no student id')}: "
            f"<strong>{format_points(report.score)} / {format_points(report.max_score)}</strong>"
            f" <span style=\"color:#666\">({html.escape(Path(self.path).name)})</span></p>"
        )
        warnings = "".join(f"<p style=\"color:#b3261e\">{html.escape(w)}</p>" for w in report.warnings)
        parts = "".join(_part_html(p, self.readings.get(p.id)) for p in report.parts)
        return f'<div class="grader-check">{head}{warnings}{parts}</div>'


class Checker:
    """Checks answers against a problem set, for the student named in the notebook (or given)."""

    def __init__(self, problem_set: str | Path, student: str | None = None, notebook: str | Path | None = None):
        from grader.sets import locate

        folder = Path(problem_set)
        if not (folder / "set.yaml").is_file():
            folder = locate(str(problem_set))
        self.problem_set: ProblemSet = load_problem_set(folder)
        self.notebook = Path(notebook) if notebook is not None else None
        self.student = student

    def check(self, part_id: str, answer: Any) -> PartCheck:
        """Grade one answer to one part, for this student's variant."""
        found = self.problem_set.find_part(part_id)
        if found is None:
            import difflib

            near = difflib.get_close_matches(part_id, self.problem_set.part_ids(), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise UsageError(f"{self.problem_set.id} has no part {part_id}{hint}.")
        student = self.student or self._notebook_student()
        submission = Submission(student=student, problem_set=self.problem_set.id, answers={part_id: answer})
        report = grade(self.problem_set, variant_for(self.problem_set, student), submission)
        result = next(p for p in report.parts if p.id == found[1].id)
        return PartCheck(result, read_answer(self.problem_set, result.id, answer))

    def check_notebook(self, path: str | Path | None = None) -> NotebookCheck:
        """Grade the answer cells of the saved notebook (save it first: unsaved edits are not seen)."""
        notebook = Path(path) if path is not None else self._find_notebook()
        submission = read_submission(notebook)
        if submission.problem_set and submission.problem_set != self.problem_set.id:
            raise UsageError(f"{notebook} answers {submission.problem_set}, not {self.problem_set.id}.")
        student = self.student or submission.student
        submission = Submission(
            student=student, problem_set=self.problem_set.id, answers=submission.answers,
            lines=submission.lines, path=submission.path,
        ) if student != submission.student else submission
        report = grade(self.problem_set, variant_for(self.problem_set, student), submission)
        return NotebookCheck(report, report_readings(self.problem_set, report), str(notebook))

    def _find_notebook(self) -> Path:
        if self.notebook is not None:
            return self.notebook
        named = os.environ.get("JPY_SESSION_NAME", "")  # set by Jupyter for the kernel of a notebook
        if named.endswith(".ipynb") and Path(named).is_file():
            return Path(named)
        candidates = [p for p in sorted(Path.cwd().glob("*.ipynb")) if self._answers_this_set(p)]
        if len(candidates) == 1:
            return candidates[0]
        found = "no notebook" if not candidates else f"{len(candidates)} notebooks"
        raise UsageError(
            f"Found {found} for {self.problem_set.id} in {Path.cwd()}; "
            "name yours: checker.check_notebook('my_answers.ipynb')."
        )

    def _answers_this_set(self, path: Path) -> bool:
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        meta = data.get("metadata", {}).get(NOTEBOOK_KEY, {}) if isinstance(data, dict) else {}
        return isinstance(meta, dict) and meta.get("problem_set") == self.problem_set.id

    def _notebook_student(self) -> str | None:
        try:
            return read_submission(self._find_notebook()).student
        except Exception:  # noqa: BLE001 - no notebook to name the student: the default variant is used
            return None


def _part_html(part: PartResult, reading: Reading | None) -> str:
    colour = _COLOURS.get(part.status, "#1d1d1f")
    out = [
        '<div style="border-top:1px solid #ddd;padding:0.3em 0">',
        f"<code>{html.escape(part.id)}</code>: "
        f'<span style="color:{colour};font-weight:600">{html.escape(STATUS_LABEL[part.status])}</span>, '
        f"{format_points(part.score)} / {format_points(part.max_score)}",
    ]
    if reading is not None:
        # reading.mathml is built by grader.reading from a parsed value, every text node escaped.
        out.append(f'<div><span style="color:#666">Read as:</span> {reading.mathml}</div>')
    if part.feedback and part.status not in _QUIET:
        out.append("<ul>")
        for message in part.feedback:
            first, _, rest = message.partition("\n")
            block = f"<pre>{html.escape(rest)}</pre>" if rest else ""
            out.append(f"<li>{html.escape(first)}{block}</li>")
        out.append("</ul>")
    out.append("</div>")
    return "".join(out)
