"""Batch grading: every file found, bad ones recorded and skipped, incremental, crash-safe, cached."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from grader import batch
from grader.answers import MAX_FILE_BYTES, read_submission
from grader.api import grade_submission
from grader.batch import SLOW_ENV, grade_folder, received_time, student_hint
from grader.kinds import KINDS, Status
from grader.spec import load_problem_set
from grader.store import Gradebook
from tests.conftest import EXAMPLES, ROOT, SET_DIR, example_files, write_answers

# Files that attempt something nasty, each with the words its failure reason must contain.
HOSTILE_FILES: dict[str, tuple[str, bytes, str]] = {
    "yaml_alias_bomb": (
        "bomb.yaml",
        b"student: eve\na: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
        + b"".join(f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n".encode()
                   for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
        "aliases",
    ),
    "binary_garbage": ("garbage.yaml", bytes(range(256)) * 40, "not UTF-8"),
    "wrong_problem_set": ("other.yaml", b"student: mallory\nproblem_set: linear_algebra\np1.1a: 28x28x1\n",
                          "linear_algebra"),
    "huge_file": ("huge.yaml", b"student: big\np1.4: '" + b"a" * (MAX_FILE_BYTES + 10) + b"'\n", "limited"),
    "not_a_mapping": ("list.yaml", b"- p1.1a\n- 28x28x1\n", "top level"),
    "deeply_nested_json": ("deep.json", b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    "broken_toml": ("broken.toml", b'student = "tom"\n"p1.1a" = \n', "broken.toml"),
    "control_characters_in_student_id": ("ctl.yaml", b'student: "a\\x00b"\np1.1a: 28x28x1\n', "student id"),
}


# Kinds judged without a time budget: their verdicts cannot depend on how loaded the machine is,
# so two runs (killed and resumed, local and Dask) must agree on them exactly.
BUDGET_FREE_KINDS = ("shape", "integer", "number", "matrix")


def make_class(folder: Path, n: int, *, budget_free: bool = False) -> Path:
    """n answer files: the example submissions again and again, each under its own student id."""
    folder.mkdir(parents=True, exist_ok=True)
    examples = example_files()
    kinds = {part.id: part.kind for _, part in load_problem_set(SET_DIR).parts()}
    for i in range(n):
        answers = read_submission(examples[i % len(examples)]).answers
        if budget_free:
            answers = {k: v for k, v in answers.items() if kinds.get(k) in BUDGET_FREE_KINDS}
        write_answers(folder / f"s{i:03d}.yaml", answers, student=f"s{i:03d}")
    return folder


def expected_report(path: Path, problem_set):
    """What `grader check` says about a file: the reference for what the batch stores."""
    return grade_submission(problem_set, read_submission(path))


def dump(db: Path) -> dict[str, object]:
    """A gradebook's contents without ids and times: what two equivalent runs must agree on."""
    conn = sqlite3.connect(db)
    out: dict[str, object] = {}
    for row in conn.execute(
        "SELECT s.path, s.sha256, s.content, g.problem_set, g.spec_digest, g.student, g.variant, g.outcome,"
        " g.error, g.warnings, g.submission_id FROM submissions s JOIN gradings g ON g.submission_id = s.id"
    ):
        results = conn.execute(
            "SELECT part_id, status, score, max_score, feedback, answer, misconception FROM results"
            " WHERE submission_id = ? ORDER BY position", (row[-1],)
        ).fetchall()
        out[row[0]] = (row[1:-1], results)
    conn.close()
    return out


def gradings(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM gradings").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def grade_cli(folder: Path, db: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "grader", "grade", str(folder), "--set", str(SET_DIR), "--db", str(db), *extra],
        cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def test_every_example_is_stored_with_the_engines_results(tmp_path, problem_set):
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        students = {s.student: s for s in gb.students()}
    files = example_files()
    assert (summary.found, summary.graded, summary.failed) == (len(files), len(files), [])
    for path in files:
        report = expected_report(path, problem_set)
        counted = students[report.student].counted
        assert counted is not None
        assert [(p.id, p.status, p.score, p.feedback, p.misconception) for p in counted.parts] == [
            (p.id, p.status.value, p.score, p.feedback, p.misconception) for p in report.parts
        ]


def test_rerun_is_incremental_and_a_changed_file_or_spec_is_graded_again(tmp_path):
    set_dir = tmp_path / "set"
    shutil.copytree(SET_DIR, set_dir)
    folder = make_class(tmp_path / "class", 6)
    problem_set = load_problem_set(set_dir)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        first = grade_folder(folder, problem_set, gb, jobs=0)
        again = grade_folder(folder, problem_set, gb, jobs=0)
        assert (first.graded, again.graded, again.unchanged) == (6, 0, 6)

        changed = write_answers(folder / "s001.yaml", {"p1.1a": "1x1x1"}, student="s001")
        after_edit = grade_folder(folder, problem_set, gb, jobs=0)
        assert (after_edit.graded, after_edit.unchanged) == (1, 5)
        assert len(gb.student(None, "s001").submissions) == 2

        (set_dir / "problem1.yaml").write_text((set_dir / "problem1.yaml").read_text() + "\n# edited\n")
        new_spec = load_problem_set(set_dir)
        assert new_spec.digest != problem_set.digest
        changed.unlink()  # its stored copy is still graded again: the gradebook is the record
        regraded = grade_folder(folder, new_spec, gb, jobs=0)
        assert (regraded.graded, regraded.unchanged) == (7, 0)
        forced = grade_folder(folder, new_spec, gb, jobs=0, regrade=True)
        assert forced.graded == 7


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_a_hostile_file_is_recorded_and_the_rest_are_graded(tmp_path, problem_set, name):
    file_name, content, reason = HOSTILE_FILES[name]
    folder = tmp_path / "class"
    shutil.copytree(EXAMPLES, folder)
    (folder / file_name).write_bytes(content)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(folder, problem_set, gb, jobs=0)
        failures = gb.failures()
        students = {s.student for s in gb.students() if s.counted is not None}
    assert [Path(p).name for p, _ in summary.failed] == [file_name]
    assert reason in summary.failed[0][1]
    assert [Path(f.path).name for f in failures] == [file_name]
    assert summary.graded == len(list(example_files()))
    assert students == {expected_report(p, problem_set).student for p in example_files()}


def test_hostile_files_in_one_folder_through_worker_processes(tmp_path, problem_set):
    folder = tmp_path / "class"
    shutil.copytree(EXAMPLES, folder)
    for file_name, content, _ in HOSTILE_FILES.values():
        (folder / file_name).write_bytes(content)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(folder, problem_set, gb, jobs=2)
    assert sorted(Path(p).name for p, _ in summary.failed) == sorted(f for f, _, _ in HOSTILE_FILES.values())
    assert summary.graded == len(list(example_files()))


def test_a_crash_inside_a_kind_costs_only_that_part(tmp_path, problem_set, monkeypatch):
    def explode(raw, options):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(KINDS["shape"], "parse", explode)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(EXAMPLES, problem_set, gb, jobs=0)
        alice = gb.student(None, "alice").counted
    assert summary.failed == [] and summary.graded == len(list(example_files()))
    assert alice is not None
    statuses = {p.id: p.status for p in alice.parts}
    assert statuses["p1.1a"] == Status.NEEDS_REVIEW.value
    assert statuses["p1.1c.params"] == Status.CORRECT.value  # an integer part: untouched


def sabotage_grading(monkeypatch, before) -> None:
    """Patch the batch's grade so that `before(student)` runs first: it raises or ends the process
    for the students a test picks, and grading goes on as usual for the others."""
    real = batch.grade

    def patched(problem_set, variant, submission, **kwargs):
        before(submission.student)
        return real(problem_set, variant, submission, **kwargs)

    monkeypatch.setattr(batch, "grade", patched)


def test_a_crash_of_the_grader_is_recorded_against_that_file(tmp_path, problem_set, monkeypatch):
    def crash_for_bob(student):
        if student == "bob":
            raise RuntimeError("unexpected")

    sabotage_grading(monkeypatch, crash_for_bob)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(EXAMPLES, problem_set, gb, jobs=0)
    assert [(Path(p).name, "RuntimeError" in why) for p, why in summary.failed] == [("bob_mistakes.yaml", True)]
    assert summary.graded == len(list(example_files())) - 1


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="patches the workers through fork")
def test_a_file_that_kills_its_worker_fails_alone(tmp_path, problem_set, monkeypatch):
    def die_for_bob(student):
        if student == "bob":
            os._exit(3)

    sabotage_grading(monkeypatch, die_for_bob)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(EXAMPLES, problem_set, gb, jobs=2)
    assert summary.failed == [(str((EXAMPLES / "bob_mistakes.yaml").resolve()), batch.WORKER_DIED)]
    assert summary.graded == len(list(example_files())) - 1


def test_a_repeated_answer_is_judged_once(tmp_path, problem_set, monkeypatch):
    calls: list[object] = []
    real = KINDS["shape"].parse

    def counting(raw, options):
        calls.append(raw)
        return real(raw, options)

    monkeypatch.setattr(KINDS["shape"], "parse", counting)
    folder = tmp_path / "class"
    folder.mkdir()
    answers = {"p1.1a": "28x28x1", "p1.1b": "32 x 32 x 1"}
    for i in range(5):
        write_answers(folder / f"s{i}.yaml", answers, student=f"s{i}")
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        totals = {row.student: row.total for row in gb.score_table().rows}
    assert sorted(calls) == sorted(answers.values())  # once per distinct answer, not per student
    assert len(set(totals.values())) == 1 and len(totals) == 5


def test_cached_grading_equals_fresh_grading_with_per_student_variants(tmp_path):
    set_dir = tmp_path / "set"
    shutil.copytree(SET_DIR, set_dir)
    meta = yaml.safe_load((set_dir / "set.yaml").read_text(encoding="utf-8"))
    meta["variants"]["enabled"] = True
    (set_dir / "set.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    problem_set = load_problem_set(set_dir)
    folder = make_class(tmp_path / "class", 18, budget_free=True)  # the same answers, 18 variants
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
        stored = {s.student: s.counted for s in gb.students()}
    variants = set()
    for path in sorted(folder.iterdir()):
        fresh = expected_report(path, problem_set)  # no verdict cache
        counted = stored[fresh.student]
        assert counted is not None
        variants.add(fresh.variant)
        assert counted.variant == fresh.variant
        assert [(p.status, p.score, p.feedback, p.misconception) for p in counted.parts] == [
            (p.status.value, p.score, p.feedback, p.misconception) for p in fresh.parts
        ]
    assert len(variants) == 18


def test_received_time_and_student_from_the_inbox_layout(tmp_path):
    inbox = tmp_path / "inbox" / "alice"
    inbox.mkdir(parents=True)
    named = inbox / "20261125T113100.123456Z_0123abcd.yaml"
    named.write_text("p1.1a: 28x28x1\n")
    assert received_time(named) == datetime(2026, 11, 25, 11, 31, 0, 123456, tzinfo=UTC)
    assert student_hint(named, tmp_path / "inbox") == "alice"
    receipt = named.with_name(named.name + ".receipt.json")
    receipt.write_text(json.dumps({
        "student": "alice", "problem_set": "mlp_cnn", "received_at": "2026-11-25T11:31:02.000001+00:00",
        "sha256": "0" * 64, "path": "alice/x", "size": 1, "file": "a.yaml",
    }))
    assert received_time(named) == datetime(2026, 11, 25, 11, 31, 2, 1, tzinfo=UTC)
    top = tmp_path / "inbox" / "bob.yaml"
    top.write_text("p1.1a: 1\n")
    assert student_hint(top, tmp_path / "inbox") == "bob"
    assert received_time(top) == datetime.fromtimestamp(top.stat().st_mtime, UTC)


def test_a_file_without_student_line_is_filed_under_its_folder(tmp_path, problem_set):
    folder = tmp_path / "inbox" / "zoe"
    folder.mkdir(parents=True)
    (folder / "answers.yaml").write_text("p1.1a: 28x28x1\n")
    (tmp_path / "inbox" / "zoe.receipt.json").write_text("{}")  # receipts are not answer files
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(tmp_path / "inbox", problem_set, gb, jobs=0)
        assert summary.found == 1
        assert [s.student for s in gb.students()] == ["zoe"]


def test_sigkill_mid_batch_then_rerun_gives_the_uninterrupted_gradebook(tmp_path):
    folder = make_class(tmp_path / "class", 40, budget_free=True)
    killed, clean = tmp_path / "killed.sqlite", tmp_path / "clean.sqlite"
    proc = grade_cli(folder, killed, "--jobs", "2", env={SLOW_ENV: "150"})
    try:
        deadline = time.monotonic() + 90
        while gradings(killed) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        # The workers die with their parent instead of grading on as orphans.
        for _ in range(200):
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail("worker processes outlived the killed batch")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
    stored = gradings(killed)
    assert 5 <= stored < 40, "the batch was not killed part-way through"
    with sqlite3.connect(killed) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    resumed = grade_cli(folder, killed, "--jobs", "2")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert f"graded {40 - stored}, unchanged {stored}" in out
    uninterrupted = grade_cli(folder, clean, "--jobs", "2")
    assert uninterrupted.communicate(timeout=120) and uninterrupted.returncode == 0
    assert dump(killed) == dump(clean)
    assert len(dump(clean)) == 40


def test_grading_on_a_local_dask_cluster_matches_local_workers(tmp_path, problem_set):
    distributed = pytest.importorskip("distributed")
    folder = make_class(tmp_path / "class", 6, budget_free=True)
    (folder / "list.yaml").write_bytes(HOSTILE_FILES["not_a_mapping"][1])
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, host="127.0.0.1",
                                       dashboard_address=":0")
    with cluster, Gradebook.open(tmp_path / "dask.sqlite") as gb:
        summary = grade_folder(folder, problem_set, gb, dask_address=cluster.scheduler_address)
    with Gradebook.open(tmp_path / "local.sqlite") as gb:
        grade_folder(folder, problem_set, gb, jobs=0)
    assert summary.graded == 6 and len(summary.failed) == 1
    assert dump(tmp_path / "dask.sqlite") == dump(tmp_path / "local.sqlite")


def test_cli_grade_prints_a_summary_with_reasons(tmp_path):
    folder = tmp_path / "class"
    shutil.copytree(EXAMPLES, folder)
    (folder / "list.yaml").write_bytes(HOSTILE_FILES["not_a_mapping"][1])
    proc = grade_cli(folder, tmp_path / "g.sqlite", "--jobs", "0")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"graded {len(list(example_files()))}, unchanged 0, failed 1" in out
    assert "list.yaml" in err and "top level" in err


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="patches the workers through fork")
def test_in_tasks_of_several_files_a_killer_and_a_crash_cost_only_their_own(tmp_path, problem_set, monkeypatch):
    text = (EXAMPLES / "alice_correct.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "class"
    folder.mkdir()
    for n in range(40):
        (folder / f"s{n:02}.yaml").write_text(text.replace("student: alice", f"student: s{n:02}"), encoding="utf-8")
    assert batch.chunk_size(40, 2) > 1  # several files per task
    def hostile(student):
        if student == "s17":
            os._exit(3)
        if student == "s23":
            raise RuntimeError("unexpected")

    sabotage_grading(monkeypatch, hostile)
    with Gradebook.open(tmp_path / "g.sqlite") as gb:
        summary = grade_folder(folder, problem_set, gb, jobs=2)
    failed = {Path(path).name: why for path, why in summary.failed}
    assert sorted(failed) == ["s17.yaml", "s23.yaml"]
    assert failed["s17.yaml"] == batch.WORKER_DIED and "RuntimeError" in failed["s23.yaml"]
    assert summary.graded == 38


def test_tasks_are_small_enough_to_keep_every_worker_busy():
    assert batch.chunk_size(5, 2) == 1 and batch.chunk_size(0, 2) == 1
    assert batch.chunk_size(10_000, 2) == batch.MAX_CHUNK
    for count in range(1, 200):
        size = batch.chunk_size(count, 2)
        assert 1 <= size <= batch.MAX_CHUNK and (size == 1 or count // size >= 2 * batch.IN_FLIGHT_PER_WORKER)
