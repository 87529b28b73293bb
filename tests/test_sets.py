"""Finding problem sets: a folder as given, else an id looked up in the documented order."""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.errors import ProblemSetNotFound
from grader.sets import PROBLEMS_ENV, bundled_folder, locate, set_folder
from tests.conftest import ROOT, SET_DIR, run_cli


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv(PROBLEMS_ENV, raising=False)
    monkeypatch.delenv("GRADER_CONFIG", raising=False)


def a_set(folder: Path, set_id: str = "mlp_cnn") -> Path:
    """A copy of the shipped set at folder/set_id (its id is its folder's name)."""
    shutil.copytree(SET_DIR, folder / set_id)
    return folder / set_id


def test_the_bundled_sets_are_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert locate("mlp_cnn") == bundled_folder() / "mlp_cnn"
    assert (locate("mlp_cnn") / "set.yaml").read_bytes() == (SET_DIR / "set.yaml").read_bytes()


def test_each_place_wins_over_the_ones_after_it(tmp_path, monkeypatch):
    course = tmp_path / "course"
    (course / "week1").mkdir(parents=True)
    (course / "grader.toml").write_text('problems = "sets"\n', encoding="utf-8")
    from_config = a_set(course / "sets")
    from_env = a_set(tmp_path / "env")
    monkeypatch.chdir(course / "week1")
    assert locate("mlp_cnn") == from_config  # grader.toml in a parent, before the bundled sets
    monkeypatch.setenv(PROBLEMS_ENV, f"{tmp_path / 'nowhere'}:{tmp_path / 'env'}")
    assert locate("mlp_cnn") == from_env  # GRADER_PROBLEMS before grader.toml
    assert set_folder(str(from_config)) == from_config  # a folder given as --set before all


def test_a_course_config_looks_beside_itself_by_default(tmp_path, monkeypatch):
    (tmp_path / "grader.toml").write_text('inbox = "inbox"\n', encoding="utf-8")
    mine = a_set(tmp_path / "problems", "week2")
    monkeypatch.chdir(tmp_path)
    assert locate("week2") == mine


def test_set_folder_takes_paths_as_they_are_and_looks_up_bare_ids(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert set_folder("problems/mlp_cnn") == Path("problems/mlp_cnn")  # a path: not looked up
    assert set_folder("mlp_cnn") == bundled_folder() / "mlp_cnn"
    (tmp_path / "mlp_cnn").mkdir()
    assert set_folder("mlp_cnn") == Path("mlp_cnn")  # a folder here wins


def test_not_found_names_every_place_once_in_order(tmp_path, monkeypatch):
    bundled = bundled_folder()
    (tmp_path / "grader.toml").write_text(f'problems = "{bundled}"\n', encoding="utf-8")
    monkeypatch.setenv(PROBLEMS_ENV, f"{tmp_path / 'a'}:{bundled}:{tmp_path / 'a'}")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProblemSetNotFound) as err:
        locate("mlp_cn")
    message = str(err.value)
    assert "Did you mean 'mlp_cnn'?" in message
    for place in (str(tmp_path / "a"), str(bundled), "--set PATH: not given"):
        assert message.count(place) == 1, (place, message)
    labels = ["1. --set", f"2. {PROBLEMS_ENV}", "3. grader.toml", "4. bundled sets"]
    assert [message.index(label) for label in labels] == sorted(message.index(label) for label in labels)


def test_check_of_a_file_for_an_unknown_set_exits_2_naming_the_places(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("student: a\nproblem_set: no_such_set\np1.1a: 28x28x1\n", encoding="utf-8")
    done = run_cli("check", "a.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: Problem set 'no_such_set' was not found.")
    assert "--set PATH: not given" in done.stderr and PROBLEMS_ENV in done.stderr
    assert f"none in {tmp_path} or a parent folder" in done.stderr and str(bundled_folder()) in done.stderr


def test_template_check_and_validate_by_id_from_an_empty_folder(tmp_path):
    made = run_cli("template", "mlp_cnn", "--student", "a", "-o", "a.yaml", cwd=tmp_path, fresh=True)
    assert made.returncode == 0, made.stderr
    checked = run_cli("check", "a.yaml", "--brief", cwd=tmp_path, fresh=True)
    assert checked.returncode == 0, checked.stderr
    assert "Total: 0/" in checked.stdout
    valid = run_cli("validate", "mlp_cnn", "--variants", "0", cwd=tmp_path)
    assert valid.returncode == 0 and ": OK;" in valid.stdout, valid.stderr


@pytest.mark.parametrize("command", ["validate", "template"])
def test_a_set_argument_that_is_neither_a_folder_nor_a_known_id_exits_2(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    extra = ["--student", "a"] if command == "template" else []
    missing = CliRunner().invoke(app, [command, "sub/nowhere", *extra])
    assert isinstance(missing.exception, ProblemSetNotFound) and missing.exception.exit_code == 2
    assert "No problem set at sub/nowhere" in str(missing.exception)
    unknown = CliRunner().invoke(app, [command, "nowhere", *extra])
    assert isinstance(unknown.exception, ProblemSetNotFound)
    assert f"1. nowhere: no such folder in {tmp_path}, so it was read as a set id" in str(unknown.exception)


@pytest.mark.slow
def test_a_wheel_carries_every_file_of_every_bundled_set(tmp_path):
    import subprocess

    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("mlgrader-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"grader/bundled_problems/{p.relative_to(ROOT / 'problems').as_posix()}"
               for p in (ROOT / "problems").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert any(name.endswith("/rubrics/p1.4.yaml") for name in shipped)
    assert shipped <= names
    assert not any(name.startswith("problems/") for name in names)
