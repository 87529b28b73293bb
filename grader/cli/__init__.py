"""The `grader` command: thin typer commands over grader.api, and the one error boundary."""

from __future__ import annotations

import sys

import typer

from grader.errors import GraderError

app = typer.Typer(
    name="grader",
    help="Grade machine-learning exercises: numbers, shapes, matrices, formulas, derivations and text.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

_state = {"debug": False}


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"grader {version()}")
        raise typer.Exit(0)


def version() -> str:
    """The installed package's version (the source tree's when it is not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("mlgrader")
    except PackageNotFoundError:
        from grader import __version__

        return __version__


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    _version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                  help="Show the grader's version and exit."),
) -> None:
    """Grade machine-learning exercises: numbers, shapes, matrices, formulas, derivations and text."""
    _state["debug"] = debug


# Command modules register themselves on `app` when imported. One line per module.
from grader.cli import (
    authoring,  # noqa: F401
    compare,  # noqa: F401
    instructor,  # noqa: F401
    lms,  # noqa: F401
    rubric,  # noqa: F401
    student,  # noqa: F401
)

# (more command modules are imported here)


def main() -> None:
    """Console entry point: library errors become one `Error: ...` line and a non-zero exit."""
    try:
        # Standalone mode handles usage errors and --help; library errors pass through to here.
        app()
    except GraderError as err:
        if _state["debug"]:
            raise
        typer.echo(f"Error: {err}", err=True)
        sys.exit(err.exit_code)
