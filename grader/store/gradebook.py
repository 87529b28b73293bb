"""The gradebook: one SQLite file (standard library, WAL) holding submissions, results and overrides.

Three kinds of rows, kept apart so that no machine step can lose a human one:
- submissions: immutable, one per distinct (content, path), with SHA-256 and time received;
- gradings and results: what the grader computed for a submission against a problem set,
  replaced whole (in one transaction) when it is graded again;
- overrides: a person's score and comment for one part, append-only; grading never writes there.
The effective score of a part, and which submission of a student counts, are derived on read.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from grader.engine import Report
from grader.errors import GraderError, SubmissionNotFound, UsageError
from grader.scores import PENDING_STATUSES, PartScore, ScoreTable, StudentRow
from grader.spec.loader import load_problem_set
from grader.spec.models import ProblemSet
from grader.store.migrations import NewerSchema, migrate
from grader.store.policy import Policy

OVERRIDDEN = "overridden"
BUSY_TIMEOUT_MS = 30_000


# The longest a batch keeps its writes uncommitted (Gradebook.grouped_commits).
GROUP_SECONDS = 0.5


class GradebookUnusable(GraderError):
    """The gradebook file cannot be opened, or holds no grades for what was asked."""

    exit_code = 2


@dataclass(frozen=True)
class PartInfo:
    """A part as the gradebook remembers it from the problem set."""

    id: str
    problem: str
    problem_title: str
    kind: str
    points: float


@dataclass(frozen=True)
class SetInfo:
    """A snapshot of a problem set: enough to report on it without the spec on disk."""

    id: str
    title: str
    digest: str
    parts: tuple[PartInfo, ...]
    policy: Policy

    @classmethod
    def of(cls, problem_set: ProblemSet) -> SetInfo:
        """The snapshot of a loaded problem set (its policy is validated here)."""
        parts = tuple(
            PartInfo(part.id, problem.id, problem.title, part.kind, part.points)
            for problem, part in problem_set.parts()
        )
        policy = Policy.from_dict(problem_set.meta.policy, f"{problem_set.root}/set.yaml: policy")
        return cls(problem_set.id, problem_set.title, problem_set.digest, parts, policy)

    @property
    def max_score(self) -> float:
        return round(sum(p.points for p in self.parts), 6)

    def part(self, part_id: str) -> PartInfo:
        """A part by id; the error lists the set's part ids."""
        for part in self.parts:
            if part.id == part_id:
                return part
        raise UsageError(
            f"Problem set {self.id!r} has no part {part_id!r}; its parts are "
            f"{', '.join(p.id for p in self.parts)}."
        )


@dataclass(frozen=True)
class Override:
    """A person's decision on one part of one submission."""

    id: int
    submission_id: int
    problem_set: str
    part_id: str
    score: float
    comment: str
    author: str
    created_at: datetime


SetRef = ProblemSet | SetInfo | str | None
"""Which set: a loaded problem set (its current policy applies), a snapshot, an id, or None for the only one."""


@dataclass(frozen=True)
class Decision:
    """A score (and comment) a person gives one part of one submission."""

    submission_id: int
    part_id: str
    score: float
    comment: str = ""


@dataclass(frozen=True)
class EffectivePart:
    """A part's computed result together with the override in force, if any."""

    id: str
    problem: str
    kind: str
    status: str
    score: float
    max_score: float
    feedback: tuple[str, ...]
    answer: Any
    misconception: str | None
    override: Override | None = None
    provisional: str | None = None  # why the computed result is not final, if it is not

    @property
    def waiting(self) -> bool:
        """A person still has to decide this part's points."""
        return self.override is None and self.status in PENDING_STATUSES

    @property
    def effective_score(self) -> float | None:
        """The override's score, else the computed one; None while a person has to decide."""
        if self.override is not None:
            return self.override.score
        return None if self.waiting else self.score

    @property
    def effective_status(self) -> str:
        return OVERRIDDEN if self.override is not None else self.status

    @property
    def fully_correct(self) -> bool:
        score = self.effective_score
        return score is not None and score >= self.max_score - 1e-9


@dataclass(frozen=True)
class SubmissionResult:
    """One graded submission of a student, with overrides and the late penalty applied."""

    submission_id: int
    student: str
    path: str
    received_at: datetime
    variant: str
    parts: tuple[EffectivePart, ...]
    warnings: tuple[str, ...]
    late_days: int = 0
    penalty_fraction: float = 0.0

    @property
    def raw_total(self) -> float:
        return round(sum(p.effective_score or 0.0 for p in self.parts), 6)

    @property
    def penalty(self) -> float:
        return round(self.raw_total * self.penalty_fraction, 6)

    @property
    def total(self) -> float:
        return round(self.raw_total - self.penalty, 6)

    @property
    def needs_review(self) -> bool:
        return any(p.waiting for p in self.parts)


@dataclass(frozen=True)
class Failure:
    """A submission that could not be graded against the set, and why."""

    submission_id: int
    student: str
    path: str
    received_at: datetime
    error: str


@dataclass(frozen=True)
class StudentResult:
    """Everything the gradebook knows about one student for one set; `counted` follows the policy."""

    student: str
    counted: SubmissionResult | None
    submissions: tuple[SubmissionResult, ...] = ()
    failures: tuple[Failure, ...] = ()


@dataclass(frozen=True)
class StoredSubmission:
    """An immutable submission row."""

    id: int
    path: str
    sha256: str
    size: int
    content: bytes | None
    received_at: datetime


@dataclass
class Gradebook:
    """A connection to one gradebook file; open it with Gradebook.open(path)."""

    path: Path
    conn: sqlite3.Connection
    _sets: dict[str, SetInfo] = field(default_factory=dict)
    # While `grouped_commits` runs: the longest a group stays open, and when the open one began.
    _group_seconds: float | None = None
    _group_started: float | None = None

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Gradebook:
        """Open (or, with create, start) a gradebook and bring its schema up to date."""
        path = Path(path)
        if path.is_dir():
            raise GradebookUnusable(f"{path} is a folder; give a file name such as gradebook.sqlite.")
        if not create and not path.is_file():
            raise GradebookUnusable(
                f"No gradebook at {path}; grade a folder first: grader grade DIR --set SET --db {path}"
            )
        if not path.parent.is_dir():
            raise GradebookUnusable(f"The folder {path.parent} does not exist; create it or choose another --db.")
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row  # columns are read by name, never by position
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable against a killed process in WAL mode (not against power loss).
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            migrate(conn)
        except NewerSchema as err:
            raise GradebookUnusable(
                f"{path} was written by a newer version of the grader (migrations {err}); upgrade the grader."
            ) from None
        except sqlite3.DatabaseError as err:
            raise GradebookUnusable(f"{path} is not a usable gradebook ({err}); check the --db path.") from None
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error.

        Inside `grouped_commits`, a transaction is a savepoint of the group's: an error rolls back
        this transaction alone, and the group commits once it has been open long enough.
        """
        if self._group_seconds is None:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            return
        if self._group_started is None:
            self.conn.execute("BEGIN IMMEDIATE")
            self._group_started = time.monotonic()
        self.conn.execute("SAVEPOINT one")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK TO one")
            self.conn.execute("RELEASE one")
            raise
        self.conn.execute("RELEASE one")
        if time.monotonic() - self._group_started >= self._group_seconds:
            self._commit_group()

    @contextmanager
    def grouped_commits(self, seconds: float = GROUP_SECONDS) -> Iterator[None]:
        """Commit the transactions opened inside in groups, at most `seconds` apart, and whatever
        is left when the block ends (also when it ends with an error or an interrupt).

        A batch writes two small transactions per submission; committing each costs as much as
        writing it. A process killed mid-group loses only that group's rows, which the next
        batch writes again: their submissions are still in the folder, and the results graded.
        """
        if self._group_seconds is not None:  # already grouping: the outer block commits
            yield
            return
        self._group_seconds = seconds
        try:
            yield
        finally:
            self._commit_group()
            self._group_seconds = None

    def _commit_group(self) -> None:
        if self._group_started is not None:
            self._group_started = None
            self.conn.execute("COMMIT")

    # ----- intake -----------------------------------------------------------------------------

    def add_submission(
        self, *, path: str, sha256: str, size: int, content: bytes | None, received_at: datetime
    ) -> int:
        """Store a submission unless the same content at the same path is already there; its id."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO submissions (path, sha256, size, content, received_at, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (path, sha256, size, content, _iso(received_at), _now()),
            )
            row = conn.execute(
                "SELECT id FROM submissions WHERE sha256 = ? AND path = ?", (sha256, path)
            ).fetchone()
        return int(row["id"])

    def submission(self, submission_id: int) -> StoredSubmission:
        """A stored submission by id."""
        row = self.conn.execute(
            "SELECT id, path, sha256, size, content, received_at FROM submissions WHERE id = ?",
            (submission_id,),
        ).fetchone()
        if row is None:
            raise SubmissionNotFound(f"There is no submission {submission_id} in {self.path}.")
        return StoredSubmission(
            id=row["id"], path=row["path"], sha256=row["sha256"], size=row["size"], content=row["content"],
            received_at=_parse_time(row["received_at"]),
        )

    def grading_digest(self, submission_id: int, problem_set: str) -> str | None:
        """The spec digest a submission was last graded with for a set, or None if never."""
        row = self.conn.execute(
            "SELECT spec_digest FROM gradings WHERE submission_id = ? AND problem_set = ?",
            (submission_id, problem_set),
        ).fetchone()
        return None if row is None else str(row["spec_digest"])

    def graded_submissions(self, problem_set: str, *, unless_digest: str | None = None) -> list[tuple[int, str, str]]:
        """(id, path, student) of submissions graded for a set, except those graded with `unless_digest`."""
        rows = self.conn.execute(
            "SELECT g.submission_id, s.path, g.student FROM gradings g JOIN submissions s ON s.id = g.submission_id"
            " WHERE g.problem_set = ? AND g.spec_digest IS NOT ? ORDER BY g.submission_id",
            (problem_set, unless_digest),
        )
        return [(int(r["submission_id"]), str(r["path"]), str(r["student"])) for r in rows]

    def provisional_submissions(self, problem_set: str) -> set[int]:
        """Submissions with a result that is not final for the set (a check ran out of budget)."""
        return {row["submission_id"] for row in self.conn.execute(
            "SELECT DISTINCT submission_id FROM results WHERE problem_set = ? AND provisional IS NOT NULL",
            (problem_set,),
        )}

    def record_problem_set(self, problem_set: ProblemSet) -> SetInfo:
        """Remember this version of the problem set (parts, points, policy) for later reports."""
        info = SetInfo.of(problem_set)
        parts = [asdict(part) for part in info.parts]
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO problem_sets (id, digest, title, parts, policy, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (info.id, info.digest, info.title, json.dumps(parts),
                 json.dumps(problem_set.meta.policy, default=str), _now()),
            )
        self._sets[info.id] = info
        return info

    def record_results(self, submission_id: int, report: Report, spec_digest: str) -> None:
        """Replace a submission's computed results for the report's set, in one transaction."""
        rows = [
            (submission_id, report.problem_set, position, p.id, p.problem, p.kind, p.status.value, p.score,
             p.max_score, json.dumps(list(p.feedback), ensure_ascii=False), _answer_json(p.answer),
             p.misconception, p.provisional)
            for position, p in enumerate(report.parts)
        ]
        with self.transaction() as conn:
            self._replace_grading(
                conn, submission_id, report.problem_set, spec_digest, report.student or "", report.variant,
                "graded", None, list(report.warnings),
            )
            conn.executemany(
                "INSERT INTO results (submission_id, problem_set, position, part_id, problem, kind, status,"
                " score, max_score, feedback, answer, misconception, provisional)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def record_failure(
        self, submission_id: int, problem_set: str, spec_digest: str, student: str, error: str
    ) -> None:
        """Record that a submission could not be graded against a set, and why."""
        with self.transaction() as conn:
            self._replace_grading(conn, submission_id, problem_set, spec_digest, student, None, "failed", error, [])

    @staticmethod
    def _replace_grading(
        conn: sqlite3.Connection, submission_id: int, problem_set: str, digest: str, student: str,
        variant: str | None, outcome: str, error: str | None, warnings: list[str],
    ) -> None:
        conn.execute("DELETE FROM results WHERE submission_id = ? AND problem_set = ?", (submission_id, problem_set))
        conn.execute("DELETE FROM gradings WHERE submission_id = ? AND problem_set = ?", (submission_id, problem_set))
        conn.execute(
            "INSERT INTO gradings (submission_id, problem_set, spec_digest, student, variant, outcome, error,"
            " warnings, graded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (submission_id, problem_set, digest, student, variant, outcome, error,
             json.dumps(warnings, ensure_ascii=False), _now()),
        )

    # ----- human decisions --------------------------------------------------------------------

    def set_override(
        self, submission_id: int, problem_set: SetRef, part_id: str, score: float, *, comment: str = "",
        author: str,
    ) -> Override:
        """Record a person's score for one part; earlier decisions stay in the history."""
        return self.set_overrides(problem_set, [Decision(submission_id, part_id, score, comment)], author=author)[0]

    def set_overrides(self, problem_set: SetRef, decisions: list[Decision], *, author: str) -> list[Override]:
        """Record several decisions at once: all are checked first, then stored in one transaction."""
        info = self.set_info(problem_set)
        errors = []
        for decision in decisions:
            try:
                part = info.part(decision.part_id)
            except UsageError as err:
                errors.append(str(err))
                continue
            if not 0.0 <= decision.score <= part.points:
                errors.append(
                    f"A score for {part.id} must be between 0 and {part.points:g}; got {decision.score:g}."
                )
            if self.grading_digest(decision.submission_id, info.id) is None:
                errors.append(f"Submission {decision.submission_id} was never graded for {info.id!r}.")
        if errors:
            raise UsageError("\n  ".join(["Nothing was recorded:", *errors]))
        created = datetime.now(UTC)
        stored = []
        with self.transaction() as conn:
            for d in decisions:
                cursor = conn.execute(
                    "INSERT INTO overrides (submission_id, problem_set, part_id, score, comment, author, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (d.submission_id, info.id, d.part_id, float(d.score), d.comment, author, _iso(created)),
                )
                stored.append(Override(int(cursor.lastrowid or 0), d.submission_id, info.id, d.part_id,
                                       float(d.score), d.comment, author, created))
        return stored

    def overrides(self, problem_set: str | None = None, *, history: bool = False) -> list[Override]:
        """Overrides in force (or, with history, every decision ever recorded), oldest first."""
        query = "SELECT id, submission_id, problem_set, part_id, score, comment, author, created_at FROM overrides"
        if not history:
            query += (" WHERE id IN (SELECT MAX(id) FROM overrides"
                      " GROUP BY submission_id, problem_set, part_id)")
        rows = [_override(r) for r in self.conn.execute(query + " ORDER BY id")]
        return [o for o in rows if problem_set is None or o.problem_set == problem_set]

    # ----- derived views ----------------------------------------------------------------------

    def problem_set_ids(self) -> list[str]:
        """Sets that have gradings in this gradebook."""
        return [r["problem_set"] for r in self.conn.execute("SELECT DISTINCT problem_set FROM gradings ORDER BY 1")]

    def set_info(self, problem_set: SetRef = None) -> SetInfo:
        """The snapshot of a set: a loaded ProblemSet (current policy), an id, or the only set."""
        if isinstance(problem_set, SetInfo):
            return problem_set
        if isinstance(problem_set, ProblemSet):
            return SetInfo.of(problem_set)
        set_id = problem_set if problem_set is not None else self._only_set()
        if set_id not in self._sets:
            row = self.conn.execute(
                "SELECT id, digest, title, parts, policy FROM problem_sets WHERE id = ?"
                " ORDER BY recorded_at DESC, rowid DESC LIMIT 1",
                (set_id,),
            ).fetchone()
            if row is None:
                known = ", ".join(self.problem_set_ids()) or "none yet"
                raise GradebookUnusable(
                    f"{self.path} has no grades for problem set {set_id!r} (it has: {known}); "
                    f"run: grader grade DIR --set PATH --db {self.path}"
                )
            parts = tuple(PartInfo(**p) for p in json.loads(row["parts"]))
            self._sets[set_id] = SetInfo(
                id=row["id"], title=row["title"], digest=row["digest"], parts=parts,
                policy=Policy.from_dict(json.loads(row["policy"])),
            )
        return self._sets[set_id]

    def _only_set(self) -> str:
        ids = self.problem_set_ids()
        if len(ids) == 1:
            return ids[0]
        if not ids:
            raise GradebookUnusable(
                f"{self.path} has no grades yet; run: grader grade DIR --set PATH --db {self.path}"
            )
        raise UsageError(f"{self.path} holds several problem sets ({', '.join(ids)}); choose one with --set ID.")

    def students(self, problem_set: SetRef = None) -> Iterator[StudentResult]:
        """Every student with a submission for the set, in id order, with the policy applied."""
        info = self.set_info(problem_set)
        rows = self.conn.execute(
            "SELECT g.student, g.submission_id, g.outcome, g.error, g.variant, g.warnings, s.path, s.received_at"
            " FROM gradings g JOIN submissions s ON s.id = g.submission_id"
            " WHERE g.problem_set = ? ORDER BY g.student, s.received_at, s.id",
            (info.id,),
        ).fetchall()
        start = 0
        while start < len(rows):
            end = start
            while end < len(rows) and rows[end]["student"] == rows[start]["student"]:
                end += 1
            yield self._student(info, rows[start:end])
            start = end

    def student(self, problem_set: SetRef, student: str) -> StudentResult:
        """One student's results; the error suggests how to find valid ids."""
        info = self.set_info(problem_set)
        rows = self.conn.execute(
            "SELECT g.student, g.submission_id, g.outcome, g.error, g.variant, g.warnings, s.path, s.received_at"
            " FROM gradings g JOIN submissions s ON s.id = g.submission_id"
            " WHERE g.problem_set = ? AND g.student = ? ORDER BY s.received_at, s.id",
            (info.id, student),
        ).fetchall()
        if not rows:
            raise SubmissionNotFound(
                f"No submission of student {student!r} was graded for {info.id!r}; "
                "`grader review list` shows the students with parts to review."
            )
        return self._student(info, rows)

    def _student(self, info: SetInfo, rows: list[sqlite3.Row]) -> StudentResult:
        graded = [r for r in rows if r["outcome"] == "graded"]
        failures = tuple(
            Failure(submission_id=r["submission_id"], student=r["student"], path=r["path"],
                    received_at=_parse_time(r["received_at"]), error=r["error"] or "")
            for r in rows if r["outcome"] == "failed"
        )
        ids = [r["submission_id"] for r in graded]
        parts = self._parts(info.id, ids)
        submissions = tuple(
            _submission_result(info.policy, r, parts.get(r["submission_id"], [])) for r in graded
        )
        return StudentResult(rows[0]["student"], _counted(info.policy, submissions), submissions, failures)

    def _parts(self, set_id: str, submission_ids: list[int]) -> dict[int, list[EffectivePart]]:
        if not submission_ids:
            return {}
        marks = ", ".join("?" * len(submission_ids))
        overrides: dict[tuple[int, str], Override] = {}
        for row in self.conn.execute(
            "SELECT id, submission_id, problem_set, part_id, score, comment, author, created_at FROM overrides"
            f" WHERE problem_set = ? AND submission_id IN ({marks}) ORDER BY id",
            (set_id, *submission_ids),
        ):
            override = _override(row)
            overrides[(override.submission_id, override.part_id)] = override  # the latest wins
        parts: dict[int, list[EffectivePart]] = {}
        for row in self.conn.execute(
            "SELECT submission_id, part_id, problem, kind, status, score, max_score, feedback, answer,"
            f" misconception, provisional FROM results WHERE problem_set = ? AND submission_id IN ({marks})"
            " ORDER BY submission_id, position",
            (set_id, *submission_ids),
        ):
            parts.setdefault(row["submission_id"], []).append(
                EffectivePart(
                    id=row["part_id"], problem=row["problem"], kind=row["kind"], status=row["status"],
                    score=row["score"], max_score=row["max_score"], feedback=tuple(json.loads(row["feedback"])),
                    answer=None if row["answer"] is None else json.loads(row["answer"]),
                    misconception=row["misconception"], override=overrides.get((row["submission_id"], row["part_id"])),
                    provisional=row["provisional"],
                )
            )
        return parts

    def failures(self, problem_set: SetRef = None) -> list[Failure]:
        """Every submission recorded as failed for the set."""
        return [f for s in self.students(problem_set) for f in s.failures]

    def score_table(self, problem_set: SetRef = None) -> ScoreTable:
        """Every student's effective grade: counted submission, overrides, late penalty."""
        info = self.set_info(problem_set)
        return ScoreTable(
            problem_set=info.id,
            title=info.title,
            parts=[(p.id, p.points) for p in info.parts],
            rows=[_row(info, s) for s in self.students(info)],
            part_titles={p.id: p.problem_title for p in info.parts},
        )


def set_ref(value: str | Path | None) -> ProblemSet | str | None:
    """What --set names: a problem-set folder (loaded, so its current policy applies) or a set id."""
    if value is None:
        return None
    if Path(value).is_dir():
        return load_problem_set(value)
    return str(value)


def _row(info: SetInfo, student: StudentResult) -> StudentRow:
    counted = student.counted
    if counted is None:
        return StudentRow(student=student.student, parts={}, total=None, max_total=info.max_score)
    parts = {
        p.id: PartScore(
            part_id=p.id,
            score=p.effective_score,
            max_score=p.max_score,
            status=p.effective_status,
            feedback=p.feedback + ((p.override.comment,) if p.override and p.override.comment else ()),
        )
        for p in counted.parts
    }
    return StudentRow(
        student=student.student,
        parts=parts,
        total=counted.total,
        max_total=info.max_score,
        submitted_at=counted.received_at,
        late_days=counted.late_days,
        penalty=counted.penalty,
        needs_review=counted.needs_review,
    )


def _submission_result(policy: Policy, row: sqlite3.Row, parts: list[EffectivePart]) -> SubmissionResult:
    received = _parse_time(row["received_at"])
    return SubmissionResult(
        submission_id=row["submission_id"], student=row["student"], path=row["path"], received_at=received,
        variant=row["variant"] or "", parts=tuple(parts), warnings=tuple(json.loads(row["warnings"])),
        late_days=policy.late_days(received), penalty_fraction=policy.penalty_fraction(received),
    )


def _counted(policy: Policy, submissions: Iterable[SubmissionResult]) -> SubmissionResult | None:
    """The submission that counts: the best total, or the latest on time (else the latest late one).

    `submissions` are in the order received, so max() keeps the latest among equal totals.
    """
    ordered = list(submissions)
    if not ordered:
        return None
    if policy.counts == "best":
        return max(reversed(ordered), key=lambda s: s.total)
    on_time = [s for s in ordered if s.late_days == 0]
    return (on_time or ordered)[-1]


def _override(row: sqlite3.Row) -> Override:
    return Override(
        id=row["id"], submission_id=row["submission_id"], problem_set=row["problem_set"], part_id=row["part_id"],
        score=row["score"], comment=row["comment"], author=row["author"], created_at=_parse_time(row["created_at"]),
    )


def _answer_json(answer: Any) -> str | None:
    return None if answer is None else json.dumps(answer, ensure_ascii=False, default=str)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Fixed width (always microseconds, always UTC), so text order is time order in SQL.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _now() -> str:
    return _iso(datetime.now(UTC))


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
