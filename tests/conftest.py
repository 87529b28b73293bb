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


# Tests that take long (large property searches, real worker processes, a SIGKILL mid-batch, a
# Dask cluster, a wheel build). `python -m pytest` runs them, and so does CI; a quick local run
# while you work can leave them out with `python -m pytest -m "not slow"`. Listed here by node id,
# in one place, rather than decorated one by one; an entry that matches no test is an error.
SLOW = {
    "test_spec.py::test_validate_passes_for_fifty_random_variants",
    "test_sets.py::test_a_wheel_carries_every_file_of_every_bundled_set",
    "test_batch.py::test_sigkill_mid_batch_then_rerun_gives_the_uninterrupted_gradebook",
    "test_batch.py::test_grading_on_a_local_dask_cluster_matches_local_workers",
    "test_submit.py::test_fifty_concurrent_submits_from_different_processes_all_land",
    "test_derivation.py::test_derivation_parse_and_compare_never_raise",
    "test_mathparse_safety.py::test_arbitrary_text_raises_only_math_syntax_error",
    "test_mathparse_safety.py::test_sympy_printed_expressions_read_back",
    "test_probability.py::test_parser_raises_only_its_own_error_on_token_soup",
}


def pytest_collection_modifyitems(config, items):
    collected_files = {item.path.name for item in items}
    found = set()
    for item in items:
        key = f"{item.path.name}::{item.originalname}"
        if key in SLOW:
            item.add_marker(pytest.mark.slow)
            found.add(key)
    stale = {key for key in SLOW - found if key.split("::")[0] in collected_files}
    if stale and not config.option.keyword and not config.option.markexpr:
        raise pytest.UsageError(f"tests/conftest.py SLOW names tests that do not exist: {sorted(stale)}")


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
