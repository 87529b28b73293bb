"""Shared fixtures: the shipped problem set and helpers that write answer files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

# CI explores the same examples on every run (reproducible); local runs keep exploring anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from grader.spec import ProblemSet, load_problem_set

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "problems" / "mlp_cnn"
EXAMPLES = ROOT / "submissions_example"
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"  # still read by the LMS sample tests until they ship their own copies


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
