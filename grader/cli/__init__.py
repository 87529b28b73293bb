"""The `grader` command: thin typer commands over grader.api, and the one error boundary."""

from __future__ import annotations

import gc
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from grader.errors import GraderError


class _Grader(TyperGroup):
    """The top-level group: its help page is drawn by `grader.cli.tophelp`, without rich."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from grader.cli.tophelp import top_help

        typer.echo(top_help(self, ctx, HELP_PANELS), nl=False, color=False)


app = typer.Typer(
    cls=_Grader,
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


# Command modules register themselves on `app` when imported, one line per module.
# isort: off
from grader.cli import student  # noqa: F401
from grader.cli import lms  # noqa: F401
from grader.cli import instructor  # noqa: F401
from grader.cli import compare  # noqa: F401
from grader.cli import rubric  # noqa: F401
from grader.cli import authoring  # noqa: F401
# isort: on

# `grader --help` groups the commands by who runs them; a command missing here fails a test.
HELP_PANELS = {
    "For students": ("template", "check", "submit", "receipt"),
    "For instructors": ("grade", "review", "feedback", "report", "roster", "export", "gradescope-bundle"),
    "For problem-set authors": ("new", "validate", "test", "sets", "compare", "rubric-test", "rubric-index"),
}
_PANEL_OF = {name: panel for panel, names in HELP_PANELS.items() for name in names}
_LISTED = [name for names in HELP_PANELS.values() for name in names]


def command_name(name: str | None, callback: object) -> str:
    """A registered command's name as typed (`gradescope-bundle`), named or from its function."""
    return name or getattr(callback, "__name__", "").replace("_", "-")


for _command in app.registered_commands:
    _command.rich_help_panel = _PANEL_OF.get(command_name(_command.name, _command.callback), "Commands")
for _group in app.registered_groups:
    _group.rich_help_panel = _PANEL_OF.get(_group.name or "", "Commands")
# Panels, and commands in them, are shown in the order of HELP_PANELS.
app.registered_commands.sort(
    key=lambda c: _LISTED.index(n) if (n := command_name(c.name, c.callback)) in _LISTED else len(_LISTED)
)


# A command is a short process that builds many objects which all live to its end (sympy's
# caches, parse tables, the set): collecting after every 700 allocations spent about a tenth of a
# second of a `grader check` on objects that survive. Collecting less often still frees cycles.
GC_THRESHOLDS = (20_000, 20, 20)


def main() -> None:
    """Console entry point: library errors become one `Error: ...` line and a non-zero exit."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        # Standalone mode handles usage errors and --help; library errors pass through to here.
        app()
    except GraderError as err:
        if _state["debug"]:
            raise
        typer.echo(f"Error: {err}", err=True)
        sys.exit(err.exit_code)
    finally:
        # The command is done and the process ends here. The interpreter's last collections would
        # walk every object still alive (a third of a cold `grader check`'s CPU time) to find
        # garbage nobody will use: set them aside, so exiting costs only freeing them.
        gc.freeze()
