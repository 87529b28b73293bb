"""The command line's face: every --help renders plain metavars, flags as flags, no type reprs."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from grader.cli import app, version
from tests.conftest import run_cli
from tests.test_docs import command_paths

# What a help page shows when the CLI library renders Python types instead of metavars.
LEAKS = ["<bool>", "<str>", "<path>", "<int", "<float", "list[", "{", "}"]


def help_text(*path: str) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", [(), *command_paths()], ids=lambda p: " ".join(p) or "grader")
def test_help_shows_no_python_types(path):
    text = help_text(*path)
    leaked = [leak for leak in LEAKS if leak in text]
    assert not leaked, f"`grader {' '.join(path)} --help` shows {leaked}:\n{text}"


def test_flags_show_as_flags_and_outputs_as_file():
    check = help_text("check")
    assert re.search(r"--json\s+Print", check)  # no metavar between a flag and its help
    assert re.search(r"Usage: .*check \[OPTIONS\] FILES\.\.\.", check)
    assert re.search(r"--out\s+-o\s+FILE\s", help_text("report"))
    assert re.search(r"--output\s+-o\s+FILE\s", help_text("template"))


def test_version_and_completion_are_offered():
    top = help_text()
    for option in ("--version", "--install-completion", "--show-completion"):
        assert option in top
    shown = run_cli("--version")
    assert shown.returncode == 0 and shown.stdout == f"grader {version()}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", version())


def test_shell_completion_completes_commands_and_options():
    def complete(words: str) -> list[str]:
        cword = len(words.split()) - (0 if words.endswith(" ") else 1)
        env = {"_GRADER_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        done = CliRunner().invoke(app, [], env=env, prog_name="grader")
        assert done.exit_code == 0, done.output
        return done.output.split()

    assert complete("grader che") == ["check"]
    assert complete("grader check --js") == ["--json"]
    assert complete("grader review ") == ["list", "set", "export", "import"]
    root = typer.main.get_command(app)
    assert set(complete("grader ")) >= set(root.commands)


@pytest.mark.parametrize(("path", "option", "default"), [
    (("validate",), "--variants", "VALIDATE_VARIANTS"),
    (("test",), "--variants", "QUESTION_TEST_VARIANTS"),
    (("compare",), "--budget", "DEFAULT_SECONDS"),
])
def test_option_defaults_are_the_librarys(path, option, default):
    from grader import budget

    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    param = next(p for p in command.params if option in p.opts)
    assert param.default == getattr(budget, default)
    assert re.search(rf"default: {getattr(budget, default):g}\b", help_text(*path)), help_text(*path)


def test_every_command_is_in_a_help_panel_for_the_people_who_run_it():
    from grader.cli import HELP_PANELS, command_name

    listed = [name for names in HELP_PANELS.values() for name in names]
    registered = [command_name(c.name, c.callback) for c in app.registered_commands]
    registered += [g.name for g in app.registered_groups]
    assert sorted(registered) == sorted(listed) and len(set(listed)) == len(listed)
    shown = CliRunner().invoke(app, ["--help"], terminal_width=120).output
    assert "For students" in shown and shown.index("For students") < shown.index("For instructors")
    assert "─ Commands ─" not in shown


def test_the_top_level_help_draws_plain_boxes_where_the_terminal_cannot_show_others(monkeypatch):
    import io

    from typer.main import get_command

    from grader.cli import HELP_PANELS
    from grader.cli.tophelp import top_help

    group = get_command(app)
    ctx = group.make_context("grader", [], resilient_parsing=True)
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    page = top_help(group, ctx, HELP_PANELS)
    assert "+- For students -" in page and "╭" not in page
    page.encode("ascii")  # nothing the terminal cannot print
    rows = [line for line in page.splitlines() if line.startswith(("|", "+"))]
    assert len({len(line) for line in rows}) == 1  # every box line as wide as the others
