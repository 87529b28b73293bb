"""The Gradescope autograder bundle, run against a temporary folder laid out like /autograder.

setup.sh is only checked for syntax (it installs Python packages, which a test must not do);
run_autograder runs for real with the python running the tests (GRADER_PYTHON) and the folder
as GRADER_AUTOGRADER_ROOT, and imports the grader copy inside the bundle.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.errors import SpecInvalid, UsageError
from grader.export.gradescope_bundle import build_bundle
from tests.conftest import EXAMPLES, SET_DIR, run_cli

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="run_autograder is a bash script")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return build_bundle(SET_DIR, tmp_path_factory.mktemp("bundle") / "autograder.zip").path


def autograder_root(bundle: Path, tmp_path: Path, *files: Path) -> Path:
    """/autograder as Gradescope lays it out: source (the zip), submission, results."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for file in files:
        shutil.copy(file, root / "submission" / file.name)
    return root


def run_autograder(root: Path, python: str = sys.executable) -> dict:
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": python}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=300, cwd=root, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_the_zip_has_setup_and_run_autograder_at_its_root(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        requirements = archive.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/export/gradescope_bundle.py",
            "problems/mlp_cnn/set.yaml"} <= set(names)
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert "numpy==" in requirements and "sympy==" in requirements and "pytest" not in requirements


def test_setup_and_run_autograder_are_valid_bash(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path)
    for name in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(root / "source" / name)], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr


def test_the_bundle_is_reproducible(bundle, tmp_path):
    again = build_bundle(SET_DIR, tmp_path / "again.zip").path
    assert again.read_bytes() == bundle.read_bytes()


def test_run_autograder_grades_a_submission(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path, EXAMPLES / "alice_correct.yaml")
    results = run_autograder(root)
    assert 0 < results["score"] == sum(t.get("score", 0) for t in results["tests"])
    assert results["visibility"] == "visible"
    assert len(results["tests"]) == 34 and results["execution_time"] >= 0
    first = results["tests"][0]
    assert first == {"name": "p1.1a (Basic concepts)", "number": "1.1a", "score": 1, "max_score": 1,
                     "status": "passed", "output": "Correct.", "visibility": "visible"}
    assert results["extra_data"]["student"] == "alice"


def test_run_autograder_uses_the_bundled_grader(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path, EXAMPLES / "farid.json")
    target = root / "source" / "grader" / "export" / "gradescope.py"
    original = target.read_text(encoding="utf-8")
    assert 'NO_FEEDBACK = {"correct": "Correct."' in original
    target.write_text(original.replace('NO_FEEDBACK = {"correct": "Correct."', 'NO_FEEDBACK = {"correct": "BUNDLED"'),
                      encoding="utf-8")
    results = run_autograder(root)
    assert results["tests"][0]["output"] == "BUNDLED"  # p1.1a, answered correctly
    assert any("did you mean 'p1.1c.shape'" in line for line in results["output"].splitlines())


def test_a_broken_submission_still_gets_results(bundle, tmp_path):
    bad = tmp_path / "answers.yaml"
    bad.write_text("student: ann\nproblem_set: mlp_cnn\np1.1a: [unclosed\n", encoding="utf-8")
    results = run_autograder(autograder_root(bundle, tmp_path, bad))
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("Your submission could not be graded: answers.yaml: line 4")


def test_an_empty_submission_says_what_to_upload(bundle, tmp_path):
    results = run_autograder(autograder_root(bundle, tmp_path))
    assert results["score"] == 0 and "upload your .yaml, .toml or .json answer file" in results["output"]


def test_several_answer_files_pick_the_one_for_this_set(bundle, tmp_path):
    other = tmp_path / "notes.json"
    other.write_text('{"problem_set": "another_lab"}', encoding="utf-8")
    results = run_autograder(autograder_root(bundle, tmp_path, EXAMPLES / "emma_channels_first.toml", other))
    assert results["extra_data"]["student"] == "emma" and results["tests"]


def test_a_file_without_student_uses_the_submission_metadata(bundle, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text('{"p1.1a": "28x28x1"}', encoding="utf-8")
    root = autograder_root(bundle, tmp_path, answers)
    (root / "submission_metadata.json").write_text(
        json.dumps({"id": 1, "users": [{"email": "ann@uni.example", "id": 7, "name": "Ann"}]}), encoding="utf-8")
    results = run_autograder(root)
    assert results["extra_data"]["student"] == "ann@uni.example" and results["score"] == 1


def test_results_json_is_written_even_when_python_cannot_start(bundle, tmp_path):
    root = autograder_root(bundle, tmp_path, EXAMPLES / "alice_correct.yaml")
    results = run_autograder(root, python=str(tmp_path / "no-such-python"))
    assert results["score"] == 0 and "could not run (exit status 127)" in results["output"]


def test_an_invalid_problem_set_is_refused_at_bundle_time(tmp_path):
    (tmp_path / "set.yaml").write_text("schema_version: 1\nid: x\n", encoding="utf-8")
    with pytest.raises(SpecInvalid):
        build_bundle(tmp_path, tmp_path / "a.zip")
    with pytest.raises(UsageError):
        build_bundle(SET_DIR, tmp_path / "a.zip", visibility="public")


def test_cli_gradescope_bundle(tmp_path):
    done = run_cli("gradescope-bundle", str(SET_DIR), "-o", str(tmp_path / "autograder.zip"),
                   "--visibility", "after_due_date")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {tmp_path / 'autograder.zip'}")
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        assert "--visibility after_due_date" in archive.read("run_autograder").decode()
