"""`grader compare`: see how one answer (or a file of them) would be judged."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from grader.budget import DEFAULT_SECONDS, MAX_SECONDS, MIN_SECONDS
from grader.cli import app


@app.command()
def compare(
    student: str | None = typer.Argument(None, help="The answer to judge, e.g. 'sech(x)^2'."),
    reference: str | None = typer.Argument(None, help="The reference, e.g. '1 - tanh(x)^2'."),
    var: list[str] = typer.Option([], "--var", help="NAME:DOMAIN, e.g. x:real, n:positive_integer, p:(0,1). Repeatable."),
    syntax: str = typer.Option("auto", "--syntax", help="How to read the answer: text, latex or auto."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict, message and seconds as one JSON object."),
    batch: Path | None = typer.Option(None, "--batch", help="JSON-lines file, one object per line with student, reference, variables and syntax; '-' for stdin."),
    budget: float = typer.Option(DEFAULT_SECONDS, "--budget", min=MIN_SECONDS, max=MAX_SECONDS,
                                  help="CPU seconds allowed per check."),
) -> None:
    """Judge an answer against a reference the way the grader would (equivalent, not_equivalent, invalid, undecided)."""
    from grader import compare as comparing

    if batch is not None:
        lines = sys.stdin if str(batch) == "-" else batch.read_text(encoding="utf-8").splitlines()
        for verdict in comparing.compare_batch(lines, budget):
            typer.echo(json.dumps(verdict, ensure_ascii=False))
        return
    if student is None or reference is None:
        raise typer.BadParameter("give STUDENT and REFERENCE, or --batch FILE")
    result = comparing.compare(student, reference, comparing.parse_var_options(var), syntax, budget)
    typer.echo(json.dumps(result, ensure_ascii=False) if as_json else f"{result['verdict']}: {result['message']}")
