"""Shared fixtures: the shipped problem set and helpers that write answer files."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

# CI explores the same examples on every run (reproducible); local runs keep exploring anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The suite never reads or fills the user's real cache (parse tables, expected answers): it gets
# its own folder, set before grader is imported and inherited by the commands tests run.
_TEST_CACHE = tempfile.mkdtemp(prefix="grader-test-cache-")
os.environ["GRADER_CACHE_DIR"] = _TEST_CACHE
os.environ.pop("GRADER_CACHE", None)
atexit.register(shutil.rmtree, _TEST_CACHE, ignore_errors=True)

from grader.spec import ProblemSet, load_problem_set  # noqa: E402 - after the cache folder is set

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "problems" / "mlp_cnn"
EXAMPLES = ROOT / "submissions_example"
SHARED = ROOT.parent / "shared"
LMS_SAMPLES = Path(__file__).resolve().parent / "data" / "lms"  # hand-written LMS files; see its README


@pytest.fixture(scope="session")
def problem_set() -> ProblemSet:
    return load_problem_set(SET_DIR)


def write_answers(path: Path, answers: dict, student: str = "tester", problem_set: str = "mlp_cnn") -> Path:
    """Write a YAML answer file (values converted to plain lists)."""
    data = {"student": student, "problem_set": problem_set, **{k: plain(v) for k, v in answers.items()}}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def as_typed(kind, value):
    """A reference value as a student would type it: lists for numbers, text for formulas."""
    import numpy

    if isinstance(value, (numpy.ndarray, tuple, list, int, float)):
        return plain(value)
    return kind.render(value)


def plain(value):
    """numpy arrays and tuples as nested lists, so they can be written to YAML."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `python -m grader ARGS` as a user would."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120)
