"""Grading a whole folder into the gradebook: find the files, grade them in parallel, store results.

The parent process is the gradebook's one writer. It reads each file once, stores it as an
immutable submission, and sends (id, path, bytes) to workers -- local processes, or a Dask
cluster -- which grade and send back plain dicts. Each result is committed on arrival, so a
killed run loses only the submissions in flight, and the next run grades whatever has no result
for the current spec. This module holds the only broad `except` around a submission.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.answers import MAX_FILE_BYTES, check_size, decode_submission
from grader.api import check_set_matches
from grader.engine import ExpectedCache, VerdictCache, grade
from grader.errors import GraderError, SubmissionUnreadable, UsageError
from grader.inbox import RECEIPT_SUFFIX, answer_files, read_receipt
from grader.results import report_from_dict
from grader.scores import PENDING_STATUSES
from grader.spec.models import ProblemSet
from grader.store.gradebook import Gradebook
from grader.variants import Variant, variant_for

# Test hook, read only by workers: sleep this many milliseconds before grading each submission,
# so a test can kill a batch part-way through. Never set it in production.
SLOW_ENV = "GRADER_TEST_SLOW_MS"
MAX_STUDENT_ID = 200
IN_FLIGHT_PER_WORKER = 4
# Submissions sent to a worker in one task: fewer round trips between processes, while a class
# too small to fill every worker's tasks is still spread over all of them (see `chunk_size`).
MAX_CHUNK = 8
# Per-worker cache sizes: large enough for a whole class on one variant, small enough that memory
# stays flat when every student has their own variant (and so their own expected answers).
VERDICT_CACHE_LIMIT = 20_000
EXPECTED_CACHE_LIMIT = 20_000
VARIANT_CACHE_LIMIT = 1_000
WORKER_DIED = "the grading process died while grading this file (out of memory, or a crash in native code)"
_INBOX_TIME = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})T(\d{2})[:-]?(\d{2})[:-]?(\d{2})(?:[.,](\d{1,6}))?Z?_")

Progress = Callable[[int, int, str], None]
"""Called after each submission with (done, total, path)."""


@dataclass
class BatchSummary:
    """What a batch did: counts, and every failure with its reason."""

    problem_set: str
    found: int = 0
    unchanged: int = 0
    retried: int = 0  # graded again because an earlier result was provisional (out of budget)
    graded: int = 0
    needs_review: int = 0  # graded submissions with parts a person must score
    review_parts: Counter[str] = field(default_factory=Counter)  # status -> parts waiting for a person
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    seconds: float = 0.0
    interrupted: bool = False
    remaining: int = 0  # queued but not graded when interrupted


@dataclass(frozen=True)
class _Queued:
    submission_id: int
    path: str
    student_hint: str


def grade_folder(
    folder: str | Path,
    problem_set: ProblemSet,
    gradebook: Gradebook,
    *,
    jobs: int | None = None,
    regrade: bool = False,
    dask_address: str | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Grade every answer file under `folder` that has no result for this version of the set.

    jobs: worker processes (default: one per core; 0 grades in this process). dask_address:
    send the grading to that Dask scheduler instead. regrade: grade everything again.
    Submissions graded earlier for the set with another spec version are graded again too.
    """
    folder = Path(folder)
    check_folder(folder, problem_set)
    started = time.perf_counter()
    gradebook.record_problem_set(problem_set)
    summary = BatchSummary(problem_set.id)
    with gradebook.grouped_commits():
        _grade_queue(folder, problem_set, gradebook, regrade, summary, jobs, dask_address, progress)
    summary.seconds = time.perf_counter() - started
    return summary


def _grade_queue(
    folder: Path, problem_set: ProblemSet, gradebook: Gradebook, regrade: bool, summary: BatchSummary,
    jobs: int | None, dask_address: str | None, progress: Progress | None,
) -> None:
    queue = _intake(folder, problem_set, gradebook, regrade, summary)
    summary.remaining = len(queue)

    def store(item: _Queued, outcome: Outcome) -> None:
        _record(gradebook, problem_set, item, outcome, summary)
        summary.remaining -= 1
        if progress is not None:
            progress(len(queue) - summary.remaining, len(queue), item.path)

    if progress is not None:
        progress(0, len(queue), "")
    work = (_work_item(gradebook, item) for item in queue)
    try:
        if dask_address:
            _run_dask(dask_address, problem_set, work, store, len(queue))
        elif jobs == 0:
            _run_inline(problem_set, work, store)
        else:
            _run_pool(problem_set, jobs or os.cpu_count() or 1, work, store, len(queue))
    except KeyboardInterrupt:
        summary.interrupted = True


# ----- intake: files -> immutable submissions -> what needs grading ------------------------------


def check_folder(folder: Path, problem_set: ProblemSet | None = None) -> None:
    """Raise UsageError unless `folder` holds at least one answer file (checked before anything is written)."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; give the folder that holds the answer files.")
    if not discover(folder, problem_set):
        raise UsageError(
            f"No answer files (.yaml, .yml, .toml, .json) under {folder}; give the folder that holds them."
        )


def discover(folder: Path, problem_set: ProblemSet | None = None) -> list[Path]:
    """Answer files (YAML, TOML, JSON) under a folder, except the problem set's own files and
    another set's folder of answers (a sub-folder named after the set its files answer)."""
    skip = Path(problem_set.root).resolve() if problem_set is not None else None
    _resolved_folder.cache_clear()  # folders may have moved since the last batch of this process
    return [
        p for p in answer_files(folder)
        if skip is None
        or not (_resolved_folder(p.parent).is_relative_to(skip) or _other_sets_folder(p, folder, problem_set))
    ]


@functools.lru_cache(maxsize=4096)
def _resolved_folder(folder: Path) -> Path:
    """A folder's resolved path, once per folder of a batch (a class has many files per folder);
    `discover` starts each batch with an empty memory."""
    return folder.resolve()


_SET_LINE = re.compile(rb"""^\s*"?problem_set"?\s*[:=]\s*["']?([A-Za-z0-9_.-]+)""", re.MULTILINE)


def _other_sets_folder(path: Path, folder: Path, problem_set: ProblemSet | None) -> bool:
    """Whether path lies in a sub-folder named after another set, and answers that set: such a
    folder (`submissions/softmax_backprop/...`) is that set's to grade, not a failure of this one."""
    if problem_set is None:
        return False
    try:
        between = _resolved_folder(path.parent).relative_to(_resolved_folder(folder)).parts
    except ValueError:
        return False
    others = [name for name in between if name != problem_set.id]
    if not others:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    declared = _SET_LINE.search(head)
    return declared is not None and declared.group(1).decode() in others


def received_time(path: Path) -> datetime:
    """When a file was received: its inbox receipt, else the inbox file name, else its mtime."""
    receipt = path.with_name(path.name + RECEIPT_SUFFIX)
    if receipt.is_file():
        try:
            return _aware(datetime.fromisoformat(read_receipt(receipt).received_at))
        except (GraderError, ValueError):
            pass
    match = _INBOX_TIME.match(path.name)
    if match:
        year, month, day, hour, minute, second, fraction = match.groups()
        try:
            return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                            int((fraction or "0").ljust(6, "0")), tzinfo=UTC)
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def student_hint(path: Path, folder: Path) -> str:
    """Whose file this is when it does not say: its folder's name, or its own name at the top."""
    try:
        nested = _resolved_folder(path.parent) != _resolved_folder(folder)
    except OSError:
        nested = False
    return path.parent.name if nested else path.stem


def _intake(
    folder: Path, problem_set: ProblemSet, gradebook: Gradebook, regrade: bool, summary: BatchSummary
) -> list[_Queued]:
    queue: dict[int, _Queued] = {}
    # Results a budget cut short are not final: grade those submissions again.
    provisional = set() if regrade else gradebook.provisional_submissions(problem_set.id)
    for path in discover(folder, problem_set):
        summary.found += 1
        try:
            size = path.stat().st_size
            content, sha256 = _read(path, size)
            received = received_time(path)
        except OSError as err:
            summary.failed.append((str(path), f"cannot read the file ({err.strerror or err})"))
            continue
        # Absolute paths: the same file is the same submission whatever the working directory.
        absolute = str(path.resolve())
        submission_id = gradebook.add_submission(
            path=absolute, sha256=sha256, size=size, content=content, received_at=received
        )
        if regrade or gradebook.grading_digest(submission_id, problem_set.id) != problem_set.digest:
            queue.setdefault(submission_id, _Queued(submission_id, absolute, student_hint(path, folder)))
        elif submission_id in provisional:
            if submission_id not in queue:
                summary.retried += 1
            queue.setdefault(submission_id, _Queued(submission_id, absolute, student_hint(path, folder)))
        else:
            summary.unchanged += 1
    # Stored submissions graded with an older version of the set are graded again from their
    # stored bytes, even when their file is gone: the gradebook is the record, not the folder.
    for submission_id, stored_path, student in gradebook.graded_submissions(
        problem_set.id, unless_digest=None if regrade else problem_set.digest
    ):
        queue.setdefault(submission_id, _Queued(submission_id, stored_path, student))
    for submission_id, stored_path, student in gradebook.graded_submissions(problem_set.id) if provisional else ():
        if submission_id in provisional and submission_id not in queue:
            summary.retried += 1
            queue[submission_id] = _Queued(submission_id, stored_path, student)
    return list(queue.values())


def _read(path: Path, size: int) -> tuple[bytes | None, str]:
    """The file's bytes and SHA-256; too-large files are hashed in chunks and not kept."""
    if size <= MAX_FILE_BYTES:
        content = path.read_bytes()
        return content, hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return None, digest.hexdigest()


def _work_item(gradebook: Gradebook, item: _Queued) -> tuple[_Queued, dict[str, Any]]:
    stored = gradebook.submission(item.submission_id)
    payload = {
        "path": stored.path, "size": stored.size, "content": stored.content, "student_hint": item.student_hint,
    }
    return item, payload


# ----- the worker side: plain dicts in, plain dicts out ------------------------------------------


@dataclass
class _WorkerState:
    problem_set: ProblemSet
    expected: ExpectedCache = field(default_factory=ExpectedCache)
    verdicts: VerdictCache = field(default_factory=lambda: VerdictCache(limit=VERDICT_CACHE_LIMIT))
    variants: dict[str | None, Variant] = field(default_factory=dict)

    def variant(self, student: str | None) -> Variant:
        if len(self.variants) > VARIANT_CACHE_LIMIT:
            self.variants.clear()
        if student not in self.variants:
            self.variants[student] = variant_for(self.problem_set, student)
        return self.variants[student]


_STATE: dict[str, _WorkerState] = {}  # in a worker process: one per problem-set digest, for its life


def _init_worker(problem_set: ProblemSet) -> None:
    """Process-pool initializer: keep the set (sent once), let only the parent handle Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _state(problem_set)


def _state(problem_set: ProblemSet) -> _WorkerState:
    state = _STATE.get(problem_set.digest)
    if state is None:
        state = _STATE[problem_set.digest] = _WorkerState(problem_set)
    return state


@dataclass(frozen=True)
class Outcome:
    """What a worker made of one stored submission: its report as a plain dict (it crosses process
    and Dask boundaries), or the error that stopped it and the student it was for."""

    report: dict[str, Any] | None = None
    error: str = ""
    student: str | None = None

    @property
    def ok(self) -> bool:
        return self.report is not None


def grade_items(payloads: list[dict[str, Any]], problem_set: ProblemSet | str) -> list[Outcome]:
    """Worker entry point: grade stored submissions into Outcomes, one each; a crash while
    grading one becomes that one's failed Outcome.

    problem_set: the set itself (Dask), or the digest of the one the pool initializer stored.
    """
    state = _state(problem_set) if isinstance(problem_set, ProblemSet) else _STATE[problem_set]
    outcomes = []
    for payload in payloads:
        try:
            outcomes.append(_grade(state, payload))
        except Exception as err:  # noqa: BLE001 - the batch boundary: record it, go on
            outcomes.append(_crash(err))
    return outcomes


def _grade(state: _WorkerState, payload: dict[str, Any]) -> Outcome:
    """Expected problems (unreadable, wrong set, bad student id) become a failed Outcome."""
    slow = os.environ.get(SLOW_ENV)
    if slow:
        time.sleep(int(slow) / 1000)
    if len(state.expected.values) > EXPECTED_CACHE_LIMIT:  # many per-student variants
        state.expected.values.clear()
    student = payload["student_hint"]
    try:
        content = payload["content"]
        if content is None:
            check_size(payload["path"], payload["size"])
            raise SubmissionUnreadable(f"{payload['path']}: the file's content was not kept.")
        submission = decode_submission(content, payload["path"])
        if submission.student is None:
            submission = replace(submission, student=student)
        _check_student_id(payload["path"], submission.student)
        student = submission.student
        check_set_matches(submission, state.problem_set)
        variant = state.variant(submission.student)
        report = grade(state.problem_set, variant, submission, cache=state.expected, verdicts=state.verdicts)
    except GraderError as err:
        return Outcome(error=str(err), student=student)
    return Outcome(report=report.to_dict())


def _check_student_id(path: str, student: str | None) -> None:
    if not student or not student.strip():
        raise SubmissionUnreadable(f"{path}: the 'student' line is empty; it must give the student's id.")
    if len(student) > MAX_STUDENT_ID or any(ord(c) < 32 for c in student):
        raise SubmissionUnreadable(
            f"{path}: the student id is not a plausible id (longer than {MAX_STUDENT_ID} characters or "
            "with control characters); fix the 'student' line."
        )


def _die_with_parent() -> None:
    """On Linux, end this worker when the batch process dies (even by SIGKILL), not orphan it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


# ----- the parent side: dispatch and record ------------------------------------------------------


Store = Callable[[_Queued, Outcome], None]
_Chunk = list[tuple[_Queued, dict[str, Any]]]  # the submissions of one task, with their payloads


def _run_inline(problem_set: ProblemSet, work: Iterable[tuple[_Queued, dict[str, Any]]], store: Store) -> None:
    state = _WorkerState(problem_set)  # caches live for this batch only
    for item, payload in work:
        try:
            outcome = _grade(state, payload)
        except Exception as err:  # noqa: BLE001 - the batch boundary: record it, go on
            outcome = _crash(err)
        store(item, outcome)


def chunk_size(count: int, workers: int) -> int:
    """Submissions per task: up to MAX_CHUNK, but small enough that `count` submissions still make
    IN_FLIGHT_PER_WORKER tasks for every worker."""
    return max(1, min(MAX_CHUNK, count // max(1, workers * IN_FLIGHT_PER_WORKER)))


def _run_pool(
    problem_set: ProblemSet, jobs: int, work: Iterator[tuple[_Queued, dict[str, Any]]], store: Store, count: int
) -> None:
    def make() -> Executor:
        return ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(problem_set,))

    _dispatch(make, lambda ex, payloads: ex.submit(grade_items, payloads, problem_set.digest), jobs, work, store,
              chunk_size(count, jobs))


def _run_dask(
    address: str, problem_set: ProblemSet, work: Iterator[tuple[_Queued, dict[str, Any]]], store: Store, count: int
) -> None:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask needs the Dask extra: pip install 'mlgrader[dask]'.") from None
    try:
        client = Client(address, timeout=30)
    except OSError as err:
        raise UsageError(f"Cannot reach the Dask scheduler at {address} ({err}); check the address.") from None
    try:
        # The set travels once to every worker; each task then carries only one file.
        shared = client.scatter(problem_set, broadcast=True, hash=False)
        executor = client.get_executor(pure=False)
        threads = sum(client.nthreads().values()) or 1
        _dispatch(lambda: executor, lambda ex, payloads: ex.submit(grade_items, payloads, shared), threads, work,
                  store, chunk_size(count, threads))
    finally:
        client.close()


def _dispatch(
    make: Callable[[], Executor],
    submit: Callable[[Executor, list[dict[str, Any]]], Future[list[Outcome]]],
    workers: int,
    work: Iterator[tuple[_Queued, dict[str, Any]]],
    store: Store,
    chunk: int = 1,
) -> None:
    """Keep a few tasks of `chunk` submissions per worker in flight; record each result as its
    task returns.

    When a worker process dies, the pool is replaced and the submissions that were in flight are
    graded again one at a time, so only the file that kills a worker is recorded as failed.
    """
    executor = make()
    pending: dict[Future[list[Outcome]], tuple[_Chunk, bool]] = {}
    suspects: deque[tuple[_Queued, dict[str, Any]]] = deque()
    work = iter(work)
    try:
        while True:
            isolating = bool(suspects) or any(alone for _, alone in pending.values())
            while len(pending) < (1 if isolating else workers * IN_FLIGHT_PER_WORKER):
                if isolating:
                    nxt = suspects.popleft() if suspects else next(work, None)
                    batch = [] if nxt is None else [nxt]
                else:
                    batch = list(itertools.islice(work, chunk))
                if not batch:
                    break
                pending[submit(executor, [payload for _, payload in batch])] = (batch, isolating)
                if isolating:
                    break
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                batch, alone = pending.pop(future)
                try:
                    outcomes = future.result()
                except BrokenProcessPool:
                    broken = True
                    if alone:
                        store(batch[0][0], Outcome(error=WORKER_DIED))
                    else:
                        suspects.extend(batch)
                    continue
                except Exception as err:  # noqa: BLE001 - the batch boundary: record it, go on
                    outcomes = [_crash(err)] * len(batch)
                for (item, _), outcome in zip(batch, outcomes, strict=True):
                    store(item, outcome)
            if broken:
                suspects.extend(entry for batch, _ in pending.values() for entry in batch)
                pending.clear()
                _stop(executor, cancel=True)
                executor = make()
    except BaseException:
        _stop(executor, cancel=True)
        raise
    _stop(executor, cancel=False)


def _stop(executor: Executor, *, cancel: bool) -> None:
    """Shut an executor down; with cancel, drop what has not started (Dask's takes no such flag)."""
    if isinstance(executor, ProcessPoolExecutor):
        executor.shutdown(wait=not cancel, cancel_futures=cancel)
    else:
        executor.shutdown(wait=not cancel)


def _crash(err: BaseException) -> Outcome:
    return Outcome(error=f"the grader crashed on this file ({type(err).__name__}: {err}); "
                         "please report it with the file")


def _record(
    gradebook: Gradebook, problem_set: ProblemSet, item: _Queued, outcome: Outcome, summary: BatchSummary
) -> None:
    if outcome.report is not None:
        report = report_from_dict(outcome.report, problem_set.digest)
        gradebook.record_results(item.submission_id, report, problem_set.digest)
        summary.graded += 1
        waiting = [p.status.value for p in report.parts if p.status.value in PENDING_STATUSES]
        summary.review_parts.update(waiting)
        summary.needs_review += bool(waiting)
    else:
        reason = outcome.error or "unknown error"
        student = outcome.student or item.student_hint
        gradebook.record_failure(item.submission_id, problem_set.id, problem_set.digest, student, reason)
        summary.failed.append((item.path, reason))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
