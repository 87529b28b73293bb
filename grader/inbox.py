"""Submissions in: checked, stored immutably in the inbox, and acknowledged with a receipt.

Layout: `INBOX/<sanitised, case-folded student>/<UTC yyyymmddTHHMMSS.ffffffZ>_<sha256[:8]>.<ext>`,
with the receipt beside it as `<same name>.receipt.json`. The receipt is prepared before the file
is stored and the file removed again if the receipt cannot be written, so a submission ends with
a receipt or leaves nothing behind; the student's own copy is written by `keep_copy`. A file is written to a temporary name in the
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
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader import __version__
from grader.answers import FORMATS, MAX_FILE_BYTES, Submission, check_size, decode_submission, detect_format
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
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_SURROGATES = re.compile("[\ud800-\udfff]")
PART_COUNT_KEYS = ("total", "answered", "invalid", "missing")


class InboxError(GraderError):
    """The inbox cannot be used (not configured, not writable)."""


class ReceiptUnreadable(GraderError):
    """A receipt file is not a receipt written by `grader submit`."""

    exit_code = 2


def sanitise_student_id(student: str) -> str:
    """A folder name for a student id: safe on every OS, and distinct for distinct ids.

    Keeps `[a-z0-9._-]` after NFKC normalisation and case folding (so `alice` and `ALICE` cannot
    collide on a case-insensitive file system); no leading dot or dash, no `..`, no trailing dot,
    no Windows device name, at most 64 characters. When any of that changed the id (or the id
    already ends like a hash suffix), `-<sha256 prefix of the original>` is appended, so two
    different ids never share a folder. The receipt keeps the original id.
    """
    safe = _UNSAFE.sub("_", unicodedata.normalize("NFKC", student).casefold())
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
        """Validate a loaded receipt field by field; ReceiptUnreadable (exit 2) if it is not one."""
        required = ("student", "problem_set", "received_at", "sha256", "path", "size", "file")
        if not isinstance(data, dict) or any(k not in data for k in required):
            raise ReceiptUnreadable(
                f"{source} is not a receipt from `grader submit` (it needs {', '.join(required)})."
            )

        def refuse(field_name: str, wanted: str) -> ReceiptUnreadable:
            return ReceiptUnreadable(f"{source} is not a receipt from `grader submit`: its {field_name!r} "
                                     f"is not {wanted}.")

        texts = {}
        for name in ("student", "problem_set", "received_at", "sha256", "path", "file", "grader_version"):
            value = data.get(name, "")
            if not isinstance(value, str) or len(value) > 1000 or _SURROGATES.search(value):
                raise refuse(name, "a short text")
            texts[name] = value
        if not _SHA256.fullmatch(texts["sha256"]):
            raise refuse("sha256", "64 hexadecimal digits")
        size = data["size"]
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_FILE_BYTES:
            raise refuse("size", f"a whole number of bytes up to {MAX_FILE_BYTES}")
        parts = data.get("parts", {})
        if not isinstance(parts, dict) or any(
            k not in PART_COUNT_KEYS or not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 1_000_000
            for k, v in parts.items()
        ):
            raise refuse("parts", f"counts of {', '.join(PART_COUNT_KEYS)}")
        return cls(
            student=texts["student"], problem_set=texts["problem_set"], received_at=texts["received_at"],
            sha256=texts["sha256"].lower(), path=texts["path"], size=size, file=texts["file"],
            parts=dict(parts), grader_version=texts["grader_version"],
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
    receipt = Receipt(
        student=submission.student, problem_set=problem_set.id,
        received_at=received.isoformat(timespec="microseconds"), sha256=digest,
        path="", size=len(data), file=file.name, parts=part_counts(report),
    )
    # Everything that could fail about the receipt fails before the file is stored.
    receipt.to_json().encode("utf-8")
    stored = _store_new(folder, (f"{base}{suffix}" if n == 0 else f"{base}-{n}{suffix}"
                                 for n in range(MAX_NAME_ATTEMPTS)), data)
    receipt = replace(receipt, path=f"{student_dir}/{stored.name}")
    try:
        receipt_path = _store_new(folder, iter([stored.name + RECEIPT_SUFFIX]), receipt.to_json().encode("utf-8"))
    except BaseException:
        # A submission ends with a receipt or leaves nothing in the inbox.
        stored.unlink(missing_ok=True)
        raise
    return Submitted(receipt, stored, receipt_path, report)


def keep_copy(receipt: Receipt, answer_file: str | Path, where: str | Path | None = None) -> Path:
    """Write the student's own copy of a receipt; never replaces a file.

    where: a file name, or a folder; by default the copy goes beside the answer file as
    `<answer file stem>.<time received>.receipt.json` (a name `grader grade` never reads).
    """
    answer_file = Path(answer_file)
    stamp = _name_stamp(receipt.received_at).rstrip("_")
    default_name = f"{answer_file.stem}.{stamp}{RECEIPT_SUFFIX}"
    if where is None:
        target = answer_file.parent / default_name
    else:
        target = Path(where)
        if target.is_dir():
            target = target / default_name
    data = receipt.to_json().encode("utf-8")
    for n in range(MAX_NAME_ATTEMPTS):
        candidate = target if n == 0 else target.with_name(_numbered(target.name, n))
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o644)
        except FileExistsError:
            continue
        except OSError as err:
            raise InboxError(f"Cannot write {candidate} ({err.strerror}).") from None
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return candidate
    raise InboxError(f"Could not find a free file name for the receipt beside {target}.")


def _numbered(name: str, n: int) -> str:
    for suffix in (RECEIPT_SUFFIX, Path(name).suffix):
        if suffix and name.endswith(suffix) and name != suffix:
            return f"{name[:-len(suffix)]}-{n}{suffix}"
    return f"{name}-{n}"


def verify_receipt(receipt_file: str | Path, inbox: str | Path | None = None) -> Verification:
    """Check every field of a receipt against the inbox.

    The stored file must exist under the receipt's path, in the folder of the receipt's student,
    with that SHA-256 and size, saying that student and problem set, under a name that records
    that time of receipt. A copy of the receipt must equal the inbox's receipt in every field;
    the inbox's own receipt must also count the parts as this grader counts them (when it is the
    version that wrote it and the problem set can be found).
    """
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
    if not parts[1].startswith(_name_stamp(receipt.received_at)):
        problems.append(f"the stored file's name {parts[1]!r} does not record the time {receipt.received_at!r}")
    stored_submission = _stored_submission(target, problems)
    if stored_submission is not None:
        if stored_submission.student != receipt.student:
            problems.append(f"the stored file is {stored_submission.student!r}'s, the receipt says {receipt.student!r}")
        if stored_submission.problem_set not in (None, receipt.problem_set):
            problems.append(f"the stored file answers {stored_submission.problem_set!r}, "
                            f"the receipt says {receipt.problem_set!r}")
    kept = target.with_name(target.name + RECEIPT_SUFFIX)
    if not kept.is_file():
        problems.append(f"the inbox has no receipt {kept.name} for this file")
    elif kept.resolve() != receipt_file.resolve():
        stored = read_receipt(kept)
        for name, value in stored.to_dict().items():
            if getattr(receipt, name) != value:
                problems.append(f"{name} differs: the inbox's receipt says {value!r}, "
                                f"this one {getattr(receipt, name)!r}")
    elif stored_submission is not None and receipt.grader_version == __version__ and not problems:
        counted = _recount(stored_submission)
        if counted is not None and counted != receipt.parts:
            problems.append(f"parts differs: the stored file has {counted}, the receipt says {receipt.parts}")
    return Verification(receipt, target, problems)


def _name_stamp(received_at: str) -> str:
    """The prefix `submit` gives a stored file's name for a time of receipt ('' never matches)."""
    try:
        moment = datetime.fromisoformat(received_at)
    except ValueError:
        return "\0"
    if moment.tzinfo is None:
        return "\0"
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ_")


def _stored_submission(target: Path, problems: list[str]) -> Submission | None:
    try:
        return decode_submission(target.read_bytes(), target)
    except GraderError as err:
        problems.append(f"the stored file cannot be read as an answer file ({err})")
        return None


def _recount(submission: Submission) -> dict[str, int] | None:
    """The receipt's part counts for a stored file, or None when its problem set is not at hand."""
    try:
        return part_counts(grade_submission(resolve_set_for(submission, None), submission))
    except GraderError:
        return None


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
    except RecursionError:
        raise ReceiptUnreadable(f"{path} is not a receipt from `grader submit` (it is nested too deeply).") from None
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
