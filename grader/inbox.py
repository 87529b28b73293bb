"""Submissions in: checked, stored immutably in the inbox, and acknowledged with a receipt.

Layout: `INBOX/<sanitised student>/<UTC yyyymmddTHHMMSS.ffffffZ>_<sha256[:8]>.<ext>`, with the
receipt beside it as `<same name>.receipt.json`. A file is written to a temporary name in the
same folder, flushed to disk, then hard-linked to its final name, which fails if the name
exists: so a submission never overwrites another (a counter is added instead), and a crash never
leaves a half-written file under a final name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader import __version__
from grader.answers import FORMATS, MAX_FILE_BYTES, check_size, decode_submission, detect_format
from grader.api import grade_submission, resolve_set_for
from grader.engine import Report
from grader.errors import GraderError, SubmissionNotFound, SubmissionUnreadable, UsageError
from grader.kinds import Status

STUDENT_DIR_MAX = 64
HASH_SUFFIX_CHARS = 10
RECEIPT_SUFFIX = ".receipt.json"
MAX_RECEIPT_BYTES = 100_000
MAX_NAME_ATTEMPTS = 10_000
STORED_MODE = 0o440  # read-only: stored files are never edited; group-readable for the course staff
# Device names Windows refuses as file names, with or without an extension.
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
    | {f"COM{c}" for c in "¹²³"} | {f"LPT{c}" for c in "¹²³"}
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_HASHED = re.compile(rf"-[0-9a-f]{{{HASH_SUFFIX_CHARS}}}$")


class InboxError(GraderError):
    """The inbox cannot be used (not configured, not writable)."""


class ReceiptUnreadable(GraderError):
    """A receipt file is not a receipt written by `grader submit`."""

    exit_code = 2


def sanitise_student_id(student: str) -> str:
    """A folder name for a student id: safe on every OS, and distinct for distinct ids.

    Keeps `[A-Za-z0-9._-]` after NFKC normalisation; no leading dot or dash, no `..`, no trailing
    dot, no Windows device name, at most 64 characters. When any of that changed the id (or the
    id already ends like a hash suffix), `-<sha256 prefix of the original>` is appended, so two
    different ids never share a folder.
    """
    safe = _UNSAFE.sub("_", unicodedata.normalize("NFKC", student))
    safe = re.sub(r"\.{2,}", "_", safe)[:STUDENT_DIR_MAX]
    if safe[:1] in (".", "-"):
        safe = "_" + safe[1:]
    if safe.endswith("."):
        safe = safe[:-1] + "_"
    if safe.split(".")[0].upper() in WINDOWS_RESERVED:
        safe = "_" + safe
    safe = safe or "_"
    if safe != student or _HASHED.search(safe):
        digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()
        safe = f"{safe}-{digest[:HASH_SUFFIX_CHARS]}"
    return safe


@dataclass(frozen=True)
class Receipt:
    """Proof of a submission: who, which set, when, the file's SHA-256 and what it answered."""

    student: str
    problem_set: str
    received_at: str  # ISO 8601, UTC, microseconds
    sha256: str
    path: str  # relative to the inbox, '/'-separated
    size: int
    file: str  # the name the student submitted
    parts: dict[str, int] = field(default_factory=dict)  # total, answered, invalid, missing
    grader_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any, source: str = "<receipt>") -> Receipt:
        required = ("student", "problem_set", "received_at", "sha256", "path", "size", "file")
        if not isinstance(data, dict) or any(k not in data for k in required):
            raise ReceiptUnreadable(
                f"{source} is not a receipt from `grader submit` (it needs {', '.join(required)})."
            )
        parts = data.get("parts") or {}
        return cls(
            student=str(data["student"]), problem_set=str(data["problem_set"]),
            received_at=str(data["received_at"]), sha256=str(data["sha256"]).lower(),
            path=str(data["path"]), size=int(data["size"]), file=str(data["file"]),
            parts={str(k): int(v) for k, v in parts.items()} if isinstance(parts, dict) else {},
            grader_version=str(data.get("grader_version", "")),
        )


@dataclass(frozen=True)
class Submitted:
    """The outcome of `submit`: the receipt, where it was stored, and the check report."""

    receipt: Receipt
    stored: Path
    receipt_path: Path
    report: Report


@dataclass(frozen=True)
class Verification:
    """Whether a receipt matches the inbox; `problems` says what does not."""

    receipt: Receipt
    file: Path
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def part_counts(report: Report) -> dict[str, int]:
    """How many parts are answered, invalid and missing (invalid ones count as answered)."""
    statuses = [p.status for p in report.parts]
    missing = statuses.count(Status.MISSING)
    return {
        "total": len(statuses),
        "answered": len(statuses) - missing,
        "invalid": statuses.count(Status.INVALID),
        "missing": missing,
    }


def submit(file: str | Path, inbox: str | Path | None, *, set_path: str | Path | None = None,
           now: datetime | None = None) -> Submitted:
    """Check an answer file, store an immutable copy in the inbox and return its receipt.

    The answers may be wrong or invalid; the file must parse, name its student and belong to a
    known problem set. The bytes stored are exactly the bytes checked and hashed.
    """
    if inbox is None:
        raise UsageError(
            "No inbox given: pass --to INBOX, or set `inbox = \"...\"` in the course's grader.toml."
        )
    file = Path(file)
    data = _read_limited(file)
    submission = decode_submission(data, file)
    problem_set = resolve_set_for(submission, set_path)
    if not submission.student or not submission.student.strip():
        raise SubmissionUnreadable(
            f"{file}: the file does not say whose it is; add a line 'student: <your id>' and submit again."
        )
    report = grade_submission(problem_set, submission)
    received = (now or datetime.now(UTC)).astimezone(UTC)
    digest = hashlib.sha256(data).hexdigest()
    student_dir = sanitise_student_id(submission.student)
    folder = Path(inbox) / student_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InboxError(f"Cannot create {folder} ({err.strerror}); check the inbox path and permissions.") from None
    if folder.is_symlink():
        raise InboxError(f"{folder} is a symbolic link; an inbox folder must be a real folder. Remove the link.")
    suffix = file.suffix.lower() if file.suffix.lower() in FORMATS else "." + detect_format(file, "")
    base = f"{received.strftime('%Y%m%dT%H%M%S.%fZ')}_{digest[:8]}"
    stored = _store_new(folder, (f"{base}{suffix}" if n == 0 else f"{base}-{n}{suffix}"
                                 for n in range(MAX_NAME_ATTEMPTS)), data)
    receipt = Receipt(
        student=submission.student, problem_set=problem_set.id,
        received_at=received.isoformat(timespec="microseconds"), sha256=digest,
        path=f"{student_dir}/{stored.name}", size=len(data), file=file.name,
        parts=part_counts(report),
    )
    receipt_path = _store_new(folder, iter([stored.name + RECEIPT_SUFFIX]), receipt.to_json().encode())
    return Submitted(receipt, stored, receipt_path, report)


def verify_receipt(receipt_file: str | Path, inbox: str | Path | None = None) -> Verification:
    """Check a receipt against the inbox: the file exists, has that hash and that receipt."""
    receipt_file = Path(receipt_file)
    receipt = read_receipt(receipt_file)
    root = Path(inbox) if inbox is not None else receipt_file.resolve().parent.parent
    parts = receipt.path.split("/")
    target = root.joinpath(*parts)
    problems: list[str] = []
    if len(parts) != 2 or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
        return Verification(receipt, target, [f"the receipt's path {receipt.path!r} is not an inbox path"])
    if parts[0] != sanitise_student_id(receipt.student):
        problems.append(f"the receipt's folder {parts[0]!r} is not the folder of student {receipt.student!r}")
    if not target.is_file():
        hint = "" if inbox is not None else " (if this receipt is a copy kept elsewhere, pass --inbox INBOX)"
        problems.append(f"{target} does not exist in the inbox{hint}")
        return Verification(receipt, target, problems)
    digest, size = _sha256_file(target)
    if digest != receipt.sha256:
        problems.append(f"the stored file's SHA-256 is {digest}, the receipt says {receipt.sha256}")
    if size != receipt.size:
        problems.append(f"the stored file has {size} bytes, the receipt says {receipt.size}")
    kept = target.with_name(target.name + RECEIPT_SUFFIX)
    if not kept.is_file():
        problems.append(f"the inbox has no receipt {kept.name} for this file")
    elif kept.resolve() != receipt_file.resolve():
        stored = read_receipt(kept)
        for name in ("student", "problem_set", "received_at", "sha256", "size"):
            if getattr(stored, name) != getattr(receipt, name):
                problems.append(f"{name} differs: the inbox's receipt says {getattr(stored, name)!r}, "
                                f"this one {getattr(receipt, name)!r}")
    return Verification(receipt, target, problems)


def read_receipt(path: str | Path) -> Receipt:
    """Load a receipt JSON file."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionNotFound(f"No receipt at {path}; give the .receipt.json file `grader submit` wrote.")
    if path.stat().st_size > MAX_RECEIPT_BYTES:
        raise ReceiptUnreadable(f"{path} is too large to be a receipt.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise ReceiptUnreadable(f"{path} is not a receipt from `grader submit` ({err}).") from None
    return Receipt.from_dict(data, str(path))


def submitted_students(folder: str | Path) -> set[str]:
    """Student ids of the answer files (or inbox receipts) under a folder; unreadable files are skipped."""
    students: set[str] = set()
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            if path.name.endswith(RECEIPT_SUFFIX):
                students.add(read_receipt(path).student)
            elif path.suffix.lower() in FORMATS:
                student = decode_submission(_read_limited(path), path).student
                if student:
                    students.add(student)
        except GraderError:
            continue
    return students


def answer_files(folder: str | Path) -> list[Path]:
    """Answer files under a folder (an inbox or a plain folder), in path order: oldest first in an inbox."""
    return [
        p for p in sorted(Path(folder).rglob("*"))
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(RECEIPT_SUFFIX)
        and p.suffix.lower() in FORMATS
    ]


# ---------------------------------------------------------------------------- internals


def _read_limited(file: Path) -> bytes:
    """The file's bytes, reading no more than the size limit allows (the file may be growing)."""
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SubmissionNotFound(f"No answer file at {file}.") from None
    except IsADirectoryError:
        raise SubmissionNotFound(f"{file} is a folder; give your answer file.") from None
    check_size(file, len(data))
    return data


def _store_new(folder: Path, names: Iterator[str], data: bytes) -> Path:
    """Write `data` under the first of `names` that does not exist yet; never replace a file."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, STORED_MODE)
        for name in names:
            target = folder / name
            try:
                os.link(tmp, target)  # atomic, and fails if the name is taken
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: exclusive create instead
                try:
                    _write_exclusive(target, data)
                except FileExistsError:
                    continue
            _fsync_dir(folder)
            return target
    finally:
        Path(tmp).unlink(missing_ok=True)
    raise InboxError(f"Could not find a free file name in {folder}; is something writing there in a loop?")


def _write_exclusive(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), STORED_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders; its rename/link are durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
