"""Writing a blank answer file for one student, with each question rendered for their variant."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from grader.kinds import get_kind
from grader.spec import ProblemSet
from grader.variants import Variant, render_prompt

FORMATS = ("yaml", "toml", "json", "md", "ipynb")


def answer_template(problem_set: ProblemSet, variant: Variant, student: str, fmt: str = "yaml") -> str:
    """The answer file as text: every part id as a key, its question as a comment above it."""
    if fmt == "json":
        return _json_template(problem_set, variant, student)
    if fmt in ("md", "ipynb"):
        from grader.document_template import markdown_template, notebook_template

        return (markdown_template if fmt == "md" else notebook_template)(problem_set, variant, student)
    comment, assign, blank = ("#", " = ", '""') if fmt == "toml" else ("#", ": ", "")
    quote = json.dumps  # a JSON string is a valid YAML and TOML string
    out = [
        f"{comment} Answer file for '{problem_set.title}' ({problem_set.id}), variant {variant.key}.",
        f"{comment} Write each answer after its part id, then run: grader check <this file>",
        f"{comment} Numbers: 750 or 0.25; shapes: 28x28x1; matrices: [[1, 2], [3, 4]];",
        f"{comment} formulas: plain text like 1 - tanh(x)^2, or LaTeX in single quotes like '1 - \\tanh^2(x)'",
        f"{comment} (in double quotes a backslash starts an escape: \"\\tanh\" holds a tab); text: in quotes.",
        "",
        f"student{assign}{quote(student)}",
        f"problem_set{assign}{quote(problem_set.id)}",
    ]
    for problem in problem_set.problems:
        params = variant.params.get(problem.id, {})
        out += ["", f"{comment} ===== {problem.title} ====="]
        for part in problem.parts:
            kind = get_kind(part.kind)
            how = kind.describe(kind.options(part.options)) if kind else part.kind
            out.append("")
            out.append(f"{comment} {part.id} ({part.points:g} point{'s' if part.points != 1 else ''}; {how})")
            prompt = render_prompt(" ".join(part.prompt.split()), params)
            out += [f"{comment}   {line}" for line in textwrap.wrap(prompt, 92)]
            out += [f"{comment}     {line}" for line in _choices(kind, part, variant)]
            key = quote(part.id) if fmt == "toml" else part.id
            out.append(f"{key}{assign}{blank}")
    return "\n".join(out) + "\n"


def _json_template(problem_set: ProblemSet, variant: Variant, student: str) -> str:
    prompts = {}
    for problem, part in problem_set.parts():
        prompt = render_prompt(" ".join(part.prompt.split()), variant.params.get(problem.id, {}))
        prompts[part.id] = "\n".join([prompt, *_choices(get_kind(part.kind), part, variant)])
    data = {
        "student": student,
        "problem_set": problem_set.id,
        "answers": {part.id: None for _, part in problem_set.parts()},
        "_prompts": prompts,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _choices(kind: Any, part: Any, variant: Variant) -> list[str]:
    """A choice part's choices, in the order of the student's variant (empty for other kinds)."""
    present = getattr(kind, "present", None)
    return present(kind.options(part.options), variant.key, part.id) if present is not None else []
