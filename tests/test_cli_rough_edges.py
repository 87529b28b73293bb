"""Command-line corners: several files with some unreadable, a folder given to check, an empty
folder given to grade, a mistyped review score, and the review count with --all."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.errors import GraderError
from grader.kinds import KINDS, Verdict
from tests.conftest import EXAMPLES, SET_DIR, run_cli


def cli(*args: str):
    """Run a command in this process (so fixtures' patches apply)."""
    return CliRunner().invoke(app, list(args))


def exit_code(result) -> int:
    """The code `grader` exits with: a library error reaches main(), which exits with its code."""
    if isinstance(result.exception, GraderError):
        return result.exception.exit_code
    return result.exit_code


def test_check_grades_every_readable_file_and_exits_2_at_the_end(tmp_path, monkeypatch):
    good = shutil.copy(EXAMPLES / "alice_correct.yaml", tmp_path / "good.yaml")
    (tmp_path / "broken.yaml").write_text("student: x\np1.1a: [unclosed\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    done = cli("check", "missing.yaml", str(good), "broken.yaml", "--brief")
    assert done.exit_code == 2
    assert done.stdout.count("Total: ") == 1 and "alice" in done.stdout  # the readable file is graded
    errors = done.stderr.splitlines()
    assert errors[0] == "Error: No answer file at missing.yaml."
    assert errors[1].startswith("Error: broken.yaml: line ")
    assert errors[-1] == "2 of 3 file(s) could not be graded (see above)."


def test_check_json_of_several_files_lists_the_graded_ones(tmp_path, monkeypatch):
    good = shutil.copy(EXAMPLES / "alice_correct.yaml", tmp_path / "good.yaml")
    monkeypatch.chdir(tmp_path)
    done = cli("check", str(good), "missing.yaml", "--json")
    assert done.exit_code == 2
    data = json.loads(done.stdout)
    assert isinstance(data, list) and [r["student"] for r in data] == ["alice"]


def test_check_of_one_good_file_still_exits_0():
    done = cli("check", str(EXAMPLES / "alice_correct.yaml"), "--brief")
    assert done.exit_code == 0 and done.stderr == "" and "Total: 52/52" in done.stdout


def test_check_of_a_folder_says_so_and_suggests_grade(tmp_path):
    done = run_cli("check", str(EXAMPLES), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: {EXAMPLES} is a folder, not an answer file")
    assert f"grader grade {EXAMPLES} --set SET" in done.stderr


@pytest.mark.parametrize("folder", ["empty", "no_such_folder"])
def test_a_failed_grade_creates_no_gradebook(tmp_path, folder):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not an answer file", encoding="utf-8")
    db = tmp_path / "g.sqlite"
    done = cli("grade", str(tmp_path / folder), "--set", str(SET_DIR), "--db", str(db), "--jobs", "0")
    assert exit_code(done) == 2
    assert not list(tmp_path.glob("g.sqlite*"))


@pytest.fixture
def graded_db(tmp_path, monkeypatch):
    """A gradebook of the examples where every shape part waits for a person."""
    monkeypatch.setattr(KINDS["shape"], "compare",
                        lambda value, expected, options: Verdict.undecided("The checker could not decide."))
    db = str(tmp_path / "g.sqlite")
    assert cli("grade", str(EXAMPLES), "--set", str(SET_DIR), "--db", db, "--jobs", "0").exit_code == 0
    return db


@pytest.mark.parametrize("score", ["abc", "1,5,", "nan", "inf", "1/0", "1e400"])
def test_a_bad_review_score_is_a_plain_message(graded_db, score):
    first = json.loads(cli("review", "list", "--db", graded_db, "--json").stdout)[0]
    done = cli("review", "set", "--db", graded_db, "--", first["student"], first["part"], score)
    assert exit_code(done) == 2
    message = str(done.exception) if done.exception else done.output
    assert "SCORE must be a" in message and repr(score) in message
    for leak in ("Input should be", "valid number", "pydantic", "float_parsing"):
        assert leak not in message


def test_a_review_score_may_be_a_fraction(graded_db):
    first = json.loads(cli("review", "list", "--db", graded_db, "--json").stdout)[0]
    done = cli("review", "set", first["student"], first["part"], "1/2", "--db", graded_db, "--by", "ta")
    assert done.exit_code == 0, done.output
    assert "0.5 recorded (by ta)" in done.stdout


def test_review_list_all_counts_only_the_parts_still_waiting(graded_db):
    items = json.loads(cli("review", "list", "--db", graded_db, "--json").stdout)
    first = items[0]
    assert cli("review", "set", first["student"], first["part"], "0", "--db", graded_db).exit_code == 0
    everything = cli("review", "list", "--db", graded_db, "--all").stdout
    assert f"{len(items) - 1} part(s) to review, 1 already scored." in everything
    waiting = cli("review", "list", "--db", graded_db).stdout
    assert f"{len(items) - 1} part(s) to review." in waiting


def test_an_unreadable_config_or_a_missing_gradebook_exits_2(tmp_path):
    (tmp_path / "grader.toml").write_text("db = [unclosed\n", encoding="utf-8")
    config = run_cli("report", "--out", "r.html", cwd=tmp_path)
    assert config.returncode == 2 and config.stderr.startswith("Error: ") and "grader.toml" in config.stderr
    (tmp_path / "grader.toml").unlink()
    missing = run_cli("report", "--db", "none.sqlite", "--out", "r.html", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.startswith("Error: No gradebook at none.sqlite")


@pytest.mark.parametrize("argv, code", [(["--version"], 0), (["no-such-command"], 2)])
def test_the_entry_point_sets_live_objects_aside_when_the_command_ends(monkeypatch, argv, code):
    """Once the command is done, whether it succeeded or not, `main` freezes the collector's objects,
    so that the interpreter's last collections do not walk them all on the way out."""
    import gc
    import sys

    from grader.cli import main

    calls: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "set_threshold", lambda *_: calls.append("thresholds"))
    monkeypatch.setattr(sys, "argv", ["grader", *argv])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == code
    assert calls == ["thresholds", "freeze"]
