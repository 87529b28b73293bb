"""Commands for instructors who write rubrics for free-text parts: rubric-test, rubric-index."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from grader.cli import app


@app.command("rubric-test")
def rubric_test(
    problem_set: Path = typer.Argument(..., help="Problem-set id or folder, e.g. mlp_cnn or problems/mlp_cnn."),
    part: str = typer.Argument(..., help="The id of a text part."),
    samples: Path = typer.Argument(..., help="YAML list of answers, or of mappings with answer, expected_points and expected_status."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when a sample misses its expected points or status."),
) -> None:
    """Score sample answers against a text part's rubric, to tune the rubric before grading a class."""
    from grader import authoring
    from grader.rubric import tune

    run = authoring.run_part_samples(problem_set, part, samples)
    typer.echo(json.dumps(run.to_dict(), indent=2, ensure_ascii=False) if as_json else tune.format_run(run))
    if strict and not run.as_expected:
        raise typer.Exit(1)


@app.command("rubric-index")
def rubric_index(
    problem_set: Path = typer.Argument(..., help="Problem-set id or folder, e.g. mlp_cnn or problems/mlp_cnn."),
) -> None:
    """Write the index of each text rubric's graded examples, what its patterns require, and its
    fields as JSON, beside the rubrics (in rubrics/prepared/), so a first check is fast."""
    from grader import authoring
    from grader.rubric.loader import DATA_FOLDER, PREPARED_FOLDER
    from grader.rubric.prefilter import STORE_NAME

    indexes = authoring.write_example_indexes(problem_set)
    stores = authoring.write_pattern_stores(problem_set)
    fields = authoring.write_rubric_data(problem_set)
    for path in [*indexes, *stores, *fields]:
        typer.echo(f"Wrote {path}")
    if not indexes and not stores and not fields:
        typer.echo("This set has no text part whose rubric is a file; nothing to write.")
        return
    if indexes:
        typer.echo("Ship these files with the set; the grader uses an index of examples only while the example "
                   "files, the rubric's points and its model answers are as they were when it was written.")
    if stores:
        typer.echo(f"{STORE_NAME} lists the strings each regular expression requires, for this minor version of "
                   "Python; a pattern it does not list is compiled when its rubric loads, as without it.")
    if fields:
        typer.echo(f"{PREPARED_FOLDER}/{DATA_FOLDER}/ holds each rubric's fields as JSON, read instead of its YAML "
                   "while the rubric file is unchanged.")

