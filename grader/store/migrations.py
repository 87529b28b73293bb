"""The gradebook's schema as named migrations, applied in order and recorded in `schema_migrations`.

A migration is never edited once released: a schema change is a new entry at the end of
MIGRATIONS. Each one runs in its own transaction together with the row that records it, so a
crash leaves the schema either before or after it, never in between.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "0001_initial",
        (
            # Immutable: one row per distinct (content, path). content is NULL only for files
            # too large to be an answer file; their hash and size are still kept.
            """CREATE TABLE submissions (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                content BLOB,
                received_at TEXT NOT NULL,
                added_at TEXT NOT NULL,
                UNIQUE (sha256, path)
            )""",
            # A snapshot of each version of a problem set, so reports need no spec on disk.
            """CREATE TABLE problem_sets (
                id TEXT NOT NULL,
                digest TEXT NOT NULL,
                title TEXT NOT NULL,
                parts TEXT NOT NULL,
                policy TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                PRIMARY KEY (id, digest)
            )""",
            # The latest machine grading of a submission against a set (recomputable).
            """CREATE TABLE gradings (
                submission_id INTEGER NOT NULL REFERENCES submissions (id),
                problem_set TEXT NOT NULL,
                spec_digest TEXT NOT NULL,
                student TEXT NOT NULL,
                variant TEXT,
                outcome TEXT NOT NULL CHECK (outcome IN ('graded', 'failed')),
                error TEXT,
                warnings TEXT NOT NULL DEFAULT '[]',
                graded_at TEXT NOT NULL,
                PRIMARY KEY (submission_id, problem_set)
            )""",
            "CREATE INDEX gradings_by_student ON gradings (problem_set, student)",
            """CREATE TABLE results (
                submission_id INTEGER NOT NULL,
                problem_set TEXT NOT NULL,
                position INTEGER NOT NULL,
                part_id TEXT NOT NULL,
                problem TEXT NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                score REAL NOT NULL,
                max_score REAL NOT NULL,
                feedback TEXT NOT NULL,
                answer TEXT,
                misconception TEXT,
                PRIMARY KEY (submission_id, problem_set, part_id),
                FOREIGN KEY (submission_id, problem_set)
                    REFERENCES gradings (submission_id, problem_set) ON DELETE CASCADE
            )""",
            # Human decisions: append-only, the latest per (submission, set, part) is in force.
            # Nothing that grading does ever writes here.
            """CREATE TABLE overrides (
                id INTEGER PRIMARY KEY,
                submission_id INTEGER NOT NULL REFERENCES submissions (id),
                problem_set TEXT NOT NULL,
                part_id TEXT NOT NULL,
                score REAL NOT NULL,
                comment TEXT NOT NULL DEFAULT '',
                author TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX overrides_by_part ON overrides (submission_id, problem_set, part_id)",
        ),
    ),
    (
        "0002_provisional_results",
        (
            # Why a result is not final (a check ran out of its budget); NULL for a final one.
            # `grader grade` grades a submission with any provisional result again.
            "ALTER TABLE results ADD COLUMN provisional TEXT",
        ),
    ),
]


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations this database has, in the order they were applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return [name for (name,) in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration the database does not have yet; return their names.

    The connection must be in autocommit mode (isolation_level=None): transactions are explicit.
    """
    done = set(applied(conn))
    known = {name for name, _ in MIGRATIONS}
    unknown = sorted(done - known)
    if unknown:
        raise NewerSchema(unknown)
    new = []
    for name, statements in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while this one waited for the lock.
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        new.append(name)
    return new


class NewerSchema(Exception):
    """The database was written by a newer grader (it has migrations this one does not know)."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names
