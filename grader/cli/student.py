"""Commands for students and problem authors: template, check, validate."""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from grader.budget import VALIDATE_VARIANTS
from grader.cli import _state, app
from grader.errors import GraderError

if TYPE_CHECKING:
    from grader.engine import Report

SET_OPTION = typer.Option(None, "--set", "-s", help="Problem-set folder or id (default: the file's problem_set, looked up).")


@app.command()
def template(
    problem_set: Path = typer.Argument(..., help="Problem-set id or folder, e.g. mlp_cnn or problems/mlp_cnn."),
    student: str = typer.Option(..., "--student", help="Your student id (it picks your variant)."),
    output: Path | None = typer.Option(None, "-o", "--output", metavar="FILE", help="Write here instead of printing."),
    fmt: str = typer.Option("yaml", "--format", help="yaml, toml, json, md (Markdown) or ipynb (Jupyter notebook)."),
) -> None:
    """Write a blank answer file with every question, rendered for the student's variant."""
    from grader import api

    text = api.template(problem_set, student, fmt)
    if output is None:
        typer.echo(text, nl=False)
        return
    if output.exists():
        raise typer.BadParameter(f"{output} exists; choose another name so no answers are lost.")
    output.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {output}. Fill it in, then run: grader check {output}")


@app.command()
def check(
    files: list[Path] = typer.Argument(..., help="Answer file(s) (YAML, TOML, JSON, Markdown .md or a notebook .ipynb)."),
    set_path: Path | None = SET_OPTION,
    as_json: bool = typer.Option(
        False, "--json", help="Print the result as JSON, with how each answer was read (a list for several files)."
    ),
    brief: bool = typer.Option(False, "--brief", help="Only statuses and scores, no feedback."),
    part: str | None = typer.Option(None, "--part", help="Show only this part (its id, as in the answer file)."),
    show_reading: bool = typer.Option(
        False, "--show-reading", help="Show how each formula, vector, matrix and step was read."
    ),
) -> None:
    """Grade answer files and show, per part, the status, the score and feedback.

    Every readable file is graded; a file that cannot be read or graded is reported on stderr
    and the command exits non-zero (2) once the others are done.
    """
    from grader.check_store import check_file
    from grader.report.feedback import report_text

    checked, graded, failed = [], [], []
    for file in files:
        try:
            if as_json or show_reading:
                from grader import api

                checked.append(api.check_file_read(file, set_path, readings=True))
            else:  # an unchanged file, set and grader: the stored report, without sympy
                checked.append((check_file(file, set_path), {}))
            graded.append(file)
        except GraderError as err:
            if len(files) == 1 or _state["debug"]:
                raise
            typer.echo(f"Error: {err}", err=True)
            failed.append(err.exit_code)
    if part is not None:
        checked = [(_only_part(report, part, file), readings)
                   for (report, readings), file in zip(checked, graded, strict=True)]
    if as_json:
        data = [_with_readings(report, readings) for report, readings in checked]
        typer.echo(json.dumps(data[0] if len(files) == 1 else data, indent=2, ensure_ascii=False, default=str))
    elif checked:
        typer.echo("\n\n".join(
            report_text(report, verbose=not brief, readings=readings if show_reading else None)
            for report, readings in checked
        ))
    if failed:
        typer.echo(f"{len(failed)} of {len(files)} file(s) could not be graded (see above).", err=True)
        raise typer.Exit(max(failed))


def _only_part(report: Any, part_id: str, file: Path) -> Any:
    chosen = [p for p in report.parts if p.id == part_id]
    if not chosen:
        near = difflib.get_close_matches(part_id, [p.id for p in report.parts], n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        typer.echo(f"Error: {file} has no part {part_id}{hint}.", err=True)
        raise typer.Exit(2)
    return replace(report, parts=chosen)


def _with_readings(report: Report, readings: dict[str, Any]) -> dict[str, Any]:
    data = report.to_dict()
    for part in data["parts"]:
        reading = readings.get(part["id"])
        part["reads_as"] = None if reading is None else reading.to_dict()
    return data


@app.command()
def validate(
    problem_set: Path = typer.Argument(..., help="Problem-set id or folder to check."),
    variants: int = typer.Option(VALIDATE_VARIANTS, "--variants", min=0, help="How many random variants to try."),
) -> None:
    """Check a problem set: schema, solvers on the default and random variants, references and misconceptions."""
    from grader import api

    result = api.validate(problem_set, variants)
    for note in result.notes:
        typer.echo(f"note: {note}")
    for error in result.errors:
        typer.echo(f"error: {error}", err=True)
    status = "OK" if result.ok else f"{len(result.errors)} error(s)"
    typer.echo(
        f"{result.problem_set}: {status}; {result.parts_checked} graded parts checked "
        f"on {result.variants_checked} variants, {result.tests_run} question test(s) run"
    )
    if not result.ok:
        raise typer.Exit(1)
