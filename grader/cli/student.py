"""Commands for students and problem authors: template, check, validate."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from grader.cli import app

SET_OPTION = typer.Option(None, "--set", "-s", help="Problem-set folder (default: found from the file's problem_set).")


@app.command()
def template(
    problem_set: Path = typer.Argument(..., help="Problem-set folder, e.g. problems/mlp_cnn."),
    student: str = typer.Option(..., "--student", help="Your student id (it picks your variant)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write here instead of printing."),
    fmt: str = typer.Option("yaml", "--format", help="yaml, toml or json."),
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
    files: list[Path] = typer.Argument(..., help="Answer file(s) (YAML, TOML or JSON)."),
    set_path: Path | None = SET_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON (a list for several files)."),
    brief: bool = typer.Option(False, "--brief", help="Only statuses and scores, no feedback."),
) -> None:
    """Grade answer files and show, per part, the status, the score and feedback."""
    from grader import api
    from grader.render import report_text

    reports = [api.check_file(file, set_path) for file in files]
    if as_json:
        data = [r.to_dict() for r in reports]
        typer.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False, default=str))
        return
    typer.echo("\n\n".join(report_text(report, verbose=not brief) for report in reports))


@app.command()
def validate(
    problem_set: Path = typer.Argument(..., help="Problem-set folder to check."),
    variants: int = typer.Option(20, "--variants", min=0, help="How many random variants to try."),
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
        f"on {result.variants_checked} variants"
    )
    if not result.ok:
        raise typer.Exit(1)
