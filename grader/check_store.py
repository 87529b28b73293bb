"""Reports of `grader check` kept on disk: an unchanged answer file is not graded twice.

A check's report is a function of three things, and of nothing else: the bytes of the answer
file, the files of the problem set, and the grader (its version, its own source files and the
versions of the libraries that shape a grade; see `expected_store.grader_fingerprint`). A student
who runs `grader check` again without changing an answer gets the stored report, which needs
neither sympy nor the problem set's solvers:

    <cache>/checks/<grader fingerprint>/<key[:2]>/<key>.json

- The key hashes the answer file's resolved path and bytes, the set folder's resolved path and
  the path and bytes of every file under it (problems, rubrics, solver files, referenced files):
  editing any of them, or moving the answer file, gives another key.
- A report is stored only when it is final: a part whose check ran out of its budget is tried
  again next time, so such a report is never stored. A report is stored only if it reads back
  equal to itself (an answer that YAML reads as something JSON cannot hold is simply graded again).
- A file whose header, key or checksum does not match is ignored and the file graded again.
  Writes are atomic (a temporary file, then a rename), so concurrent checks are safe.
- At most MAX_REPORTS reports are kept; beyond that the oldest are deleted.

`GRADER_CACHE=off` turns this off with the rest of the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.cachedir import cache_folder, write_atomically
from grader.results import Report, report_from_dict

FORMAT = 1
# Reports kept per grader version: the oldest go first (a report is a few kilobytes).
MAX_REPORTS = 2000
_SKIPPED_DIRS = {"__pycache__"}


def set_contents_digest(folder: Path) -> str:
    """A digest of every file under a set folder (hidden entries and bytecode left out)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".") and not f.endswith(".pyc")):
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder)
            with open(path, "rb") as handle:
                digest.update(f"{relative}\0".encode() + handle.read() + b"\0")
    return digest.hexdigest()


def report_key(answer_file: Path, set_dir: Path, fingerprint: str) -> str:
    """The key of a check: the answer file, the set's files and the grader."""
    digest = hashlib.sha256(f"{FORMAT}\0{fingerprint}\0".encode())
    digest.update(f"{answer_file.resolve()}\0".encode() + answer_file.read_bytes() + b"\0")
    digest.update(f"{set_dir.resolve()}\0{set_contents_digest(set_dir)}".encode())
    return digest.hexdigest()


def _set_dir(answer_file: Path, set_path: str | Path | None) -> Path:
    """The folder of the set the file would be graded against (as `api.resolve_set_for` finds it)."""
    from grader.answers import read_submission
    from grader.sets import find_set_file

    if set_path is None:
        set_path = read_submission(answer_file).problem_set
        if not set_path:
            raise LookupError("the file names no problem set")
    return find_set_file(set_path).parent


class CheckStore:
    """Check reports on disk, one small JSON file per key."""

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def default(cls) -> CheckStore | None:
        """The store in the user's cache folder, or None when caching is off or impossible."""
        from grader.expected_store import grader_fingerprint

        folder = cache_folder("checks", grader_fingerprint())
        return None if folder is None else cls(folder)

    def key(self, answer_file: Path, set_path: str | Path | None) -> str | None:
        """The key of checking this file now, or None when it cannot be told without grading
        (an unreadable file or a set that cannot be found: the full check says what is wrong)."""
        try:
            return report_key(answer_file, _set_dir(answer_file, set_path), self.folder.name)
        except Exception:  # noqa: BLE001 - any doubt means "grade it", which reports the problem
            return None

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def lookup(self, key: str) -> Report | None:
        """The stored report, or None (also for a file that is damaged or was written for another key)."""
        try:
            body = json.loads(self.path(key).read_bytes())
            if body.get("format") != FORMAT or body.get("key") != key or body.get("check") != _checksum(body["report"]):
                return None
            return _report_from_data(body["report"])
        except Exception:  # noqa: BLE001 - whatever is wrong with the file, the answers are graded again
            return None

    def remember(self, key: str, report: Report) -> bool:
        """Keep a final report; False when it is provisional or does not read back equal to itself."""
        if any(part.provisional is not None for part in report.parts):
            return False
        try:
            data = _report_data(report)
            text = json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False)
            if _report_from_data(json.loads(text)) != report:
                return False
        except (TypeError, ValueError, KeyError, RecursionError):
            return False
        body = {"format": FORMAT, "key": key, "report": data, "check": _checksum(data)}
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        written = write_atomically(path, json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        if written:
            self.prune()
        return written

    def prune(self, keep: int | None = None) -> int:
        """Delete the oldest reports beyond `keep` (default MAX_REPORTS); how many were deleted.
        Only speed is lost: a deleted report is graded again when its file is checked."""
        keep = MAX_REPORTS if keep is None else keep
        reports = list(self.folder.glob("*/*.json"))
        if len(reports) <= keep:
            return 0
        dated = []
        for report in reports:
            try:
                dated.append((report.stat().st_mtime_ns, report))
            except OSError:
                continue
        dated.sort()
        deleted = 0
        for _, report in dated[: len(dated) - keep]:
            with contextlib.suppress(OSError):
                report.unlink()
                deleted += 1
        return deleted


def _report_data(report: Report) -> dict[str, Any]:
    return {**report.to_dict(), "file": report.file, "spec_digest": report.spec_digest}


def _report_from_data(data: dict[str, Any]) -> Report:
    report = report_from_dict(data, data["spec_digest"])
    return Report(
        student=report.student, problem_set=report.problem_set, variant=report.variant, parts=report.parts,
        warnings=report.warnings, file=data["file"], spec_digest=report.spec_digest,
    )


def _checksum(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def check_file(path: str | Path, set_path: str | Path | None = None) -> Report:
    """`api.check_file`, answered from the store when the file, its set and the grader are unchanged."""
    store = CheckStore.default()
    key = None if store is None else store.key(Path(path), set_path)
    if store is not None and key is not None:
        found = store.lookup(key)
        if found is not None:
            return replace(found, file=str(path))
    from grader import api

    report = api.check_file(path, set_path)
    if store is not None and key is not None:
        store.remember(key, report)
    return report
