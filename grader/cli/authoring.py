"""Commands for problem-set authors: test, new, sets."""

from __future__ import annotations

from pathlib import Path

import typer

from grader.budget import QUESTION_TEST_VARIANTS
from grader.cli import app


@app.command("test")
def test_command(
    problem_set: Path = typer.Argument(..., help="Problem-set folder, e.g. problems/mlp_cnn."),
    part: str | None = typer.Option(None, "--part", help="Only this part's tests."),
    variants: int = typer.Option(QUESTION_TEST_VARIANTS, "--variants", min=0, help="Random variants to try when variants are on."),
) -> None:
    """Run the question tests of a set (each part's `tests:`) and print a table of the results."""
    from grader import api  # imported when the command runs: `grader --help` stays light

    outcomes = api.question_tests(problem_set, part, variants)
    rows = [("part", "#", "variant", "result", "got", "expected", "answer")]
    for o in outcomes:
        answer = " ".join((o.answer if isinstance(o.answer, str) else repr(o.answer)).split())
        rows.append((o.part, str(o.index), o.variant, "pass" if o.passed else "FAIL", o.got, o.expected,
                     answer if len(answer) <= 40 else answer[:39] + "…"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    failed = [o for o in outcomes if not o.passed]
    for o in failed:
        typer.echo(f"FAIL {o.describe()}", err=True)
    typer.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if not outcomes:
        typer.echo("No question tests found: add `tests:` to a part (see docs/authoring.md).")
    if failed:
        raise typer.Exit(1)


@app.command("new")
def new_command(
    folder: Path = typer.Argument(..., help="The folder to create (new or empty)."),
    title: str = typer.Option(..., "--title", help="The problem set's title."),
) -> None:
    """Write a working skeleton problem set: set.yaml, a problem with a part of every common kind, solvers.py, a rubric."""
    from grader import api  # imported when the command runs: `grader --help` stays light

    written = api.new_set(folder, title)
    for path in written:
        typer.echo(f"  wrote {path}")
    typer.echo(f"Next: grader validate {folder}   then edit {folder / 'problem1.yaml'} and run: grader test {folder}")


@app.command("sets")
def sets_command() -> None:
    """List the problem sets found (GRADER_PROBLEMS, the course grader.toml, the bundled sets): id, title, parts, points."""
    from grader import api  # imported when the command runs: `grader --help` stays light

    found = api.problem_sets()
    if not found:
        typer.echo("No problem set found; pass a folder to --set, or set GRADER_PROBLEMS to a folder of sets.")
        return
    rows = [("id", "title", "parts", "points", "path")]
    for s in found:
        if s.error:
            rows.append((s.id, f"(does not load: {s.error})", "-", "-", s.path))
        else:
            rows.append((s.id, s.title, str(s.parts), f"{s.points:g}", s.path))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=False)) + "  " + row[4])
