"""Shared fixtures: the shipped problem set and helpers that write answer files."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

# Property tests try the same examples on every run, so a result never depends on the run (a
# change that passes once passes in CI). GRADER_TEST_EXPLORE=1 draws new examples each run, with
# more of them: what a search for new failures wants, never what gates a change.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True, max_examples=1000)
settings.load_profile("explore" if os.environ.get("GRADER_TEST_EXPLORE") else "repeatable")

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
DATA = ROOT / "tests" / "data"


# Tests that take long (large property searches, real worker processes, a SIGKILL mid-batch, a
# Dask cluster, a wheel build). `python -m pytest -n 2` runs them, and so does CI; a quick local
# run while you work can leave them out with `python -m pytest -n 2 -m "not slow"`. Listed here by
# node id, in one place, rather than decorated one by one; an entry that matches no test is an error.
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


def example_files() -> list[Path]:
    """The tutorial's example answer files (the sub-folders hold other sets' examples)."""
    return sorted(p for p in EXAMPLES.iterdir() if p.is_file())


LMS_SAMPLES = DATA / "lms"  # hand-written LMS files; see its README


@pytest.fixture(scope="session")
def problem_set() -> ProblemSet:
    return load_problem_set(SET_DIR)


@pytest.fixture(scope="session")
def text_rubrics(problem_set: ProblemSet) -> dict[str, tuple[Any, str, Any]]:
    """The tutorial's text parts: part id -> (compiled rubric, the prompt it is read against, part)."""
    from grader.rubric import load_rubric, part_options

    found = {}
    for _, part in problem_set.parts():
        if part.kind == "text":
            options = part_options(part.options, problem_set.root, part.prompt)
            found[part.id] = (load_rubric(options["rubric"]), options["prompt"], part)
    return found


# The tests that measure the rubrics over every sample set score the same answers (the floors of
# tests/test_rubric_samples.py and the examples' second opinion of tests/test_rubric_examples.py).
# They share one xdist group, so they run in one process, and there each answer is scored once.
MEASURING = pytest.mark.xdist_group("measuring_sets")


@pytest.fixture(scope="session")
def rubric_scores(text_rubrics: dict[str, tuple[Any, str, Any]]) -> Callable[[str, Any], Any]:
    """score(part, answer): the tutorial rubric's result for an answer, computed once per process.
    Scoring is a pure function of the rubric and the answer, so a kept result is the result."""
    from grader.rubric import score_answer

    kept: dict[tuple[str, str], Any] = {}

    def score(part: str, answer: Any) -> Any:
        rubric, prompt, _ = text_rubrics[part]
        if not isinstance(answer, str):
            return score_answer(rubric, answer, prompt)
        if (part, answer) not in kept:
            kept[part, answer] = score_answer(rubric, answer, prompt)
        return kept[part, answer]

    return score


@pytest.fixture
def graded(tmp_path, problem_set):
    """A gradebook holding the tutorial's example submissions, graded in this process."""
    from grader.batch import grade_folder
    from grader.store import Gradebook

    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        yield gb


def parse_xhtml(text: str):
    """A page the grader wrote, as an XML tree (past its doctype line)."""
    import xml.etree.ElementTree as ET

    return ET.fromstring(text.split("\n", 1)[1])


def tutorial_solvers(stem: str):
    """A module of the tutorial's own solver files (problems/mlp_cnn/solvers/<stem>.py), as loaded."""
    return load_problem_set(SET_DIR).solvers.modules[stem]


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


def run_cli(*args: str, cwd: Path = ROOT, fresh: bool = False) -> subprocess.CompletedProcess:
    """Run `grader ARGS` as a user would: in a process of its own, exit code, stdout and stderr.

    The process is forked from this one, which has already imported the grader, so a command
    costs milliseconds instead of the second or two a new interpreter spends importing sympy
    and numpy. It is still a separate process (nothing it does reaches the tests) and runs the
    console entry point, `grader.cli.main`, with its error boundary. `fresh=True` starts a new
    interpreter (`python -m grader`) instead, for the tests of a clean start.
    """
    if fresh or not hasattr(os, "fork"):
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True,
                              text=True, env=env, timeout=120)
    return _forked_cli(list(args), Path(cwd))


def _forked_cli(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    import io
    import tempfile
    import time
    import traceback

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: becomes `grader ARGS` and never returns to pytest
            code = 1
            try:
                os.chdir(cwd)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
                sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
                sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
                os.environ["PYTHONIOENCODING"] = "utf-8"
                sys.argv = ["grader", *args]
                from grader.cli import main

                main()
                code = 0
            except SystemExit as done:
                if isinstance(done.code, int):
                    code = done.code
                elif done.code is None:
                    code = 0
                else:
                    print(done.code, file=sys.stderr)
            except BaseException:  # noqa: BLE001 - an uncaught error: a traceback, as Python would print
                traceback.print_exc()
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        deadline = time.monotonic() + timeout
        while True:
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                raise subprocess.TimeoutExpired(["grader", *args], timeout)
            time.sleep(0.005)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(["grader", *args], os.waitstatus_to_exitcode(status),
                                           out.read().decode("utf-8"), err.read().decode("utf-8"))
