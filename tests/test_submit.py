"""`grader submit`: immutable storage, no overwrite, concurrency, hostile ids, receipts."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader.api import check_file
from grader.errors import ProblemSetNotFound, SubmissionUnreadable, UsageError
from grader.inbox import (
    RECEIPT_SUFFIX,
    Receipt,
    part_counts,
    sanitise_student_id,
    submit,
    submitted_students,
    verify_receipt,
)
from tests.conftest import EXAMPLES, ROOT, example_files, run_cli

SAME_SECOND = datetime(2025, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
CONCURRENT = 50

# Student ids that attack the file system or try to share another student's folder.
HOSTILE_IDS = {
    "path_traversal": "../../etc/passwd",
    "absolute": "/etc/passwd",
    "backslash_traversal": "..\\..\\Windows\\win.ini",
    "nul_byte": "a\x00b",
    "newline": "bob\nalice",
    "windows_reserved": "CON",
    "windows_reserved_with_extension": "nul.txt",
    "dot": ".",
    "dotdot": "..",
    "leading_dash": "-rf",
    "trailing_dot": "alice.",
    "unicode_lookalike": "\u0430lice",  # Cyrillic а
    "fullwidth": "\uff41\uff4c\uff49\uff43\uff45",  # ａｌｉｃｅ, NFKC-folds to alice
    "mimics_a_hash_suffix": "alice-0123456789",
    "emoji": "\U0001f642",
    "very_long": "a" * 1000,
}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


def answer_file(folder: Path, student: str, name: str = "answers.json", **answers) -> Path:
    path = folder / name
    path.write_text(json.dumps({"student": student, "problem_set": "mlp_cnn",
                                **(answers or {"p1.1a": "28x28x1"})}), encoding="utf-8")
    return path


def mixed_answers(folder: Path) -> Path:
    """One correct answer, one unreadable (invalid) answer and one wrong answer; the rest missing."""
    path = folder / "mixed.yaml"
    path.write_text("student: ann\nproblem_set: mlp_cnn\np1.1a: 28x28x1\np1.1b: 32 by 32 by 1\np1.1c.params: 7\n",
                    encoding="utf-8")
    return path


def stored_files(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.endswith(RECEIPT_SUFFIX))


# ----------------------------------------------------------------------------- storing


def test_submit_stores_the_exact_bytes_and_a_receipt(tmp_path):
    inbox = tmp_path / "inbox"
    done = submit(EXAMPLES / "alice_correct.yaml", inbox, now=SAME_SECOND)
    data = (EXAMPLES / "alice_correct.yaml").read_bytes()
    assert done.stored.read_bytes() == data
    assert done.stored.relative_to(inbox).as_posix() == (
        f"alice/20250301T235959.999999Z_{hashlib.sha256(data).hexdigest()[:8]}.yaml")
    receipt = done.receipt
    assert (receipt.student, receipt.problem_set, receipt.sha256) == ("alice", "mlp_cnn", hashlib.sha256(data).hexdigest())
    assert receipt.received_at == "2025-03-01T23:59:59.999999+00:00" and receipt.size == len(data)
    assert receipt.parts["total"] == receipt.parts["answered"] + receipt.parts["missing"]
    assert Receipt.from_dict(json.loads(done.receipt_path.read_text(encoding="utf-8"))) == receipt
    assert done.receipt_path.name == done.stored.name + RECEIPT_SUFFIX
    assert not any(p.name.startswith(".") for p in inbox.rglob("*"))  # no temporary file left


def test_wrong_and_invalid_answers_are_accepted_and_counted(tmp_path):
    done = submit(mixed_answers(tmp_path), tmp_path / "inbox")
    counts = done.receipt.parts
    assert counts == part_counts(check_file(mixed_answers(tmp_path)))
    assert counts["answered"] == 3 and counts["invalid"] == 1 and counts["missing"] == counts["total"] - 3


def test_two_submits_in_the_same_second_both_survive(tmp_path):
    inbox = tmp_path / "inbox"
    first = submit(EXAMPLES / "alice_correct.yaml", inbox, now=SAME_SECOND)
    second = submit(EXAMPLES / "alice_correct.yaml", inbox, now=SAME_SECOND)
    other = submit(answer_file(tmp_path, "alice", "a.yaml"), inbox, now=SAME_SECOND)
    assert len({first.stored, second.stored, other.stored}) == 3
    assert second.stored.name == first.stored.name.replace(".yaml", "-1.yaml")
    assert first.stored.read_bytes() == second.stored.read_bytes() == (EXAMPLES / "alice_correct.yaml").read_bytes()
    assert len(stored_files(inbox)) == 3
    assert all(verify_receipt(s.receipt_path).ok for s in (first, second, other))


def test_stored_files_are_read_only(tmp_path):
    done = submit(EXAMPLES / "alice_correct.yaml", tmp_path / "inbox")
    assert done.stored.stat().st_mode & 0o222 == 0 and done.receipt_path.stat().st_mode & 0o222 == 0


def test_without_hard_links_exclusive_create_still_never_overwrites(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    inbox = tmp_path / "inbox"
    first = submit(EXAMPLES / "alice_correct.yaml", inbox, now=SAME_SECOND)
    second = submit(EXAMPLES / "alice_correct.yaml", inbox, now=SAME_SECOND)
    assert first.stored != second.stored and len(stored_files(inbox)) == 2
    assert verify_receipt(second.receipt_path).ok


def test_a_crash_before_the_final_name_leaves_nothing(tmp_path, monkeypatch):
    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "link", crash)
    with pytest.raises(KeyboardInterrupt):
        submit(EXAMPLES / "alice_correct.yaml", tmp_path / "inbox")
    assert [p for p in (tmp_path / "inbox").rglob("*") if p.is_file()] == []


def _worker(file: str, inbox: str, barrier, queue) -> None:
    """One process: wait for all the others, then submit with the same clock reading."""
    barrier.wait()
    done = submit(file, inbox, now=SAME_SECOND)
    queue.put((str(done.stored), done.receipt.sha256))


def test_fifty_concurrent_submits_from_different_processes_all_land(tmp_path):
    inbox = tmp_path / "inbox"
    files = []
    for i in range(CONCURRENT):  # half the same bytes (same name), half different
        content = "28x28x1" if i % 2 else f"{i}x{i}x1"
        files.append(answer_file(tmp_path, "alice", f"a{i}.json", **{"p1.1a": content}))
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    barrier, queue = context.Barrier(CONCURRENT), context.Queue()
    processes = [context.Process(target=_worker, args=(str(f), str(inbox), barrier, queue)) for f in files]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    stored = stored_files(inbox)
    assert len(stored) == CONCURRENT == len({path for path, _ in results})
    for path, sha in results:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
        assert verify_receipt(Path(path + RECEIPT_SUFFIX)).ok
    assert sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in stored) == sorted(
        hashlib.sha256(f.read_bytes()).hexdigest() for f in files)


# ----------------------------------------------------------------------------- refusing


def test_an_unparseable_file_is_refused_and_nothing_is_stored(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("student: ann\nproblem_set: mlp_cnn\np1.1a: [unclosed\n", encoding="utf-8")
    with pytest.raises(SubmissionUnreadable):
        submit(bad, tmp_path / "inbox")
    assert not (tmp_path / "inbox").exists()


def test_an_unknown_problem_set_is_refused(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"student": "ann", "problem_set": "no_such_set"}), encoding="utf-8")
    with pytest.raises(ProblemSetNotFound):
        submit(path, tmp_path / "inbox")


def test_a_file_without_a_student_is_refused(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"problem_set": "mlp_cnn", "p1.1a": "28x28x1"}), encoding="utf-8")
    with pytest.raises(SubmissionUnreadable, match="student"):
        submit(path, tmp_path / "inbox")


def test_no_inbox_says_where_to_set_it(tmp_path):
    with pytest.raises(UsageError, match=re.escape("grader.toml")):
        submit(EXAMPLES / "alice_correct.yaml", None)


def test_a_symlinked_student_folder_is_refused(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (inbox / "alice").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(Exception, match="symbolic link"):
        submit(EXAMPLES / "alice_correct.yaml", inbox)
    assert list((tmp_path / "elsewhere").iterdir()) == []


# ----------------------------------------------------------------------------- hostile ids


@pytest.mark.parametrize("name", sorted(HOSTILE_IDS))
def test_hostile_ids_stay_inside_the_inbox(name, tmp_path):
    inbox = tmp_path / "inbox"
    done = submit(answer_file(tmp_path, HOSTILE_IDS[name]), inbox)
    rel = done.stored.resolve().relative_to(inbox.resolve())
    assert len(rel.parts) == 2 and SAFE_NAME.match(rel.parts[0]) and len(rel.parts[0]) <= 75
    assert rel.parts[0].split(".")[0].upper() not in ("CON", "NUL", "PRN", "AUX")
    assert done.receipt.student == HOSTILE_IDS[name]
    assert verify_receipt(done.receipt_path).ok


def test_distinct_ids_never_share_a_folder():
    ids = [*HOSTILE_IDS.values(), "alice", "Alice", "a_b", "a b", "a/b"]
    ids += [sanitise_student_id(i) for i in ids]  # a clean id that looks like a sanitised one
    folders = [sanitise_student_id(i) for i in ids]
    assert len(set(ids)) == len(set(folders))


# Capital letters are no longer clean: folder names are case-folded (reproduction 7 of issue 13).
CLEAN_IDS = ["alice", "s1234567", "jean.dupont", "o-brien_2"]


@pytest.mark.parametrize("student", CLEAN_IDS)
def test_clean_ids_are_kept_as_they_are(student):
    assert sanitise_student_id(student) == student


def test_ids_differing_only_in_case_get_folders_that_differ_in_more_than_case():
    folders = {student: sanitise_student_id(student) for student in ("alice", "ALICE", "Alice", "O-Brien_2")}
    assert all(folder == folder.casefold() for folder in folders.values())
    assert len({folder.casefold() for folder in folders.values()}) == len(folders)


def test_sanitising_is_stable():
    assert sanitise_student_id("../x") == sanitise_student_id("../x") != sanitise_student_id("..-x")
    assert sanitise_student_id("").startswith("_-")


# ----------------------------------------------------------------------------- receipts


@pytest.fixture
def submitted(tmp_path):
    return submit(EXAMPLES / "bob_mistakes.yaml", tmp_path / "inbox")


def test_a_receipt_verifies(submitted):
    result = verify_receipt(submitted.receipt_path)
    assert result.ok and result.file == submitted.stored


def test_a_copy_of_the_receipt_verifies_against_the_inbox(submitted, tmp_path):
    copy = tmp_path / "my_receipt.json"
    copy.write_text(submitted.receipt.to_json(), encoding="utf-8")
    assert verify_receipt(copy, tmp_path / "inbox").ok


def test_a_changed_file_fails_verification(submitted):
    submitted.stored.chmod(0o640)
    submitted.stored.write_bytes(submitted.stored.read_bytes() + b"\np1.1a: 28x28x1\n")
    result = verify_receipt(submitted.receipt_path)
    assert not result.ok and any("SHA-256" in p for p in result.problems)


def test_a_deleted_file_fails_verification(submitted):
    submitted.stored.unlink()
    assert not verify_receipt(submitted.receipt_path).ok


def test_a_forged_receipt_fails_verification(submitted, tmp_path):
    data = submitted.receipt.to_dict() | {"received_at": "2025-01-01T00:00:00+00:00"}
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data), encoding="utf-8")
    result = verify_receipt(forged, tmp_path / "inbox")
    assert not result.ok and any("received_at differs" in p for p in result.problems)


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "bob/../../x", "bob"])
def test_a_receipt_pointing_outside_the_inbox_fails(submitted, tmp_path, path):
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(submitted.receipt.to_dict() | {"path": path}), encoding="utf-8")
    result = verify_receipt(forged, tmp_path / "inbox")
    assert not result.ok


def test_a_receipt_for_another_students_folder_fails(submitted, tmp_path):
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(submitted.receipt.to_dict() | {"student": "alice"}), encoding="utf-8")
    assert not verify_receipt(forged, tmp_path / "inbox").ok


def test_submitted_students_reads_an_inbox_and_a_plain_folder(tmp_path):
    submit(EXAMPLES / "bob_mistakes.yaml", tmp_path / "inbox")
    submit(answer_file(tmp_path, "../x"), tmp_path / "inbox")
    assert submitted_students(tmp_path / "inbox") == {"bob", "../x"}
    plain = tmp_path / "plain"  # the tutorial's examples (the other sets' are in sub-folders)
    plain.mkdir()
    for path in example_files():
        shutil.copy(path, plain)
    assert submitted_students(plain) == {"alice", "bob", "chloe", "david", "emma", "farid"}


# ----------------------------------------------------------------------------- command line


def test_cli_submit_prints_a_receipt(tmp_path):
    file = mixed_answers(tmp_path)
    done = run_cli("submit", str(file), "--to", str(tmp_path / "inbox"), "--save-receipt", str(tmp_path / "receipt.json"))
    assert done.returncode == 0, done.stderr
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    assert "Submitted ann's answers to mlp_cnn." in done.stdout and f"sha256    {sha}" in done.stdout
    assert re.search(r"parts     3 of \d+ answered \(1 invalid\), \d+ missing", done.stdout)
    assert "'by' is not a number" not in done.stdout  # feedback only in practice mode
    verified = run_cli("receipt", "verify", str(tmp_path / "receipt.json"), "--inbox", str(tmp_path / "inbox"))
    assert verified.returncode == 0 and verified.stdout.startswith("OK: ")


def test_cli_submit_in_practice_mode_shows_checks_feedback(tmp_path):
    done = run_cli("submit", str(mixed_answers(tmp_path)), "--to", str(tmp_path / "inbox"), "--practice")
    assert done.returncode == 0, done.stderr
    assert "'by' is not a number" in done.stdout and "Total: " in done.stdout


def test_cli_submit_takes_the_inbox_and_practice_from_grader_toml(tmp_path):
    shutil.copytree(ROOT / "problems", tmp_path / "problems")
    (tmp_path / "grader.toml").write_text('inbox = "course/inbox"\npractice = true\n', encoding="utf-8")
    shutil.copy(EXAMPLES / "bob_mistakes.yaml", tmp_path / "bob.yaml")
    done = run_cli("submit", "bob.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Total: " in done.stdout and len(stored_files(tmp_path / "course" / "inbox")) == 1


def test_cli_submit_of_a_broken_file_is_one_error_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("student: ann\nproblem_set: mlp_cnn\np1.1a: [unclosed\n", encoding="utf-8")
    done = run_cli("submit", str(bad), "--to", str(tmp_path / "inbox"))
    assert done.returncode == 2 and done.stderr.startswith("Error: ") and len(done.stderr.splitlines()) == 1


def test_cli_receipt_verify_fails_on_a_changed_file(tmp_path):
    done = submit(EXAMPLES / "alice_correct.yaml", tmp_path / "inbox")
    done.stored.chmod(0o640)
    done.stored.write_text("student: mallory\n", encoding="utf-8")
    verified = run_cli("receipt", "verify", str(done.receipt_path))
    assert verified.returncode == 1 and "MISMATCH" in verified.stderr
