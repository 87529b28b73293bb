"""Hostile answer files and receipts end in a message with the documented exit code, never a
traceback. One named test per reproduction of issue 13 (the first, budgets under load, is in
test_budget_determinism.py)."""

from __future__ import annotations

import difflib
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from grader import inbox
from grader.api import check_file
from grader.inbox import RECEIPT_SUFFIX, sanitise_student_id, submit, verify_receipt
from tests.conftest import ROOT, run_cli, write_answers

BIG = "9" * 5000


def _answers(tmp_path: Path, student: str = "ann", name: str = "answers.yaml") -> Path:
    return write_answers(tmp_path / name, {"p1.1a": "28x28x1", "p2.1.derivative": "1 - tanh(x)^2"},
                         student=student)


def _one_error_line(done: subprocess.CompletedProcess, code: int) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: ") and len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr


def _inbox_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# 2 ---------------------------------------------------------------------------------------------


def test_reproduction_2_many_unknown_keys_give_a_few_lines_and_a_count(tmp_path, monkeypatch):
    data = {"student": "eve", "problem_set": "mlp_cnn", "p1.1a": "28x28x1"}
    data.update({f"zz{i}": 1 for i in range(70_000)})
    file = tmp_path / "unknown.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    assert file.stat().st_size < 1_000_000
    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    report = check_file(file)
    assert len(calls) <= 3  # work per unknown key is constant, not a search of every part id
    assert len(report.warnings) == 4
    assert report.warnings[-1].startswith("69997 more key(s)")
    assert next(p for p in report.parts if p.id == "p1.1a").status.value == "correct"

    done = run_cli("check", str(file), "--brief")
    assert done.returncode == 0, done.stderr
    assert sum(line.startswith("warning:") for line in done.stdout.splitlines()) == 4


def test_reproduction_2_an_unknown_key_still_gets_did_you_mean(tmp_path):
    file = write_answers(tmp_path / "a.yaml", {"p2.1.derivativ": "1 - tanh(x)^2"})
    assert "did you mean 'p2.1.derivative'" in check_file(file).warnings[0]


# 3 ---------------------------------------------------------------------------------------------

HUGE_NUMBER_FILES = {
    "yaml": ("a.yaml", f"student: ann\nproblem_set: mlp_cnn\np1.1a: {BIG}\n"),
    "yaml_hex": ("a.yaml", f"student: ann\nproblem_set: mlp_cnn\np1.1a: 0x{'f' * 5000}\n"),
    "json": ("a.json", f'{{"student": "ann", "problem_set": "mlp_cnn", "p1.1a": {BIG}}}'),
    "toml": ("a.toml", f'student = "ann"\nproblem_set = "mlp_cnn"\n"p1.1a" = {BIG}\n'),
    "toml_in_a_list": ("a.toml", f'student = "ann"\nproblem_set = "mlp_cnn"\n"p1.1a" = [1, {BIG}]\n'),
}


@pytest.mark.parametrize("name", sorted(HUGE_NUMBER_FILES))
def test_reproduction_3_a_5000_digit_integer_is_refused_with_exit_2(tmp_path, name):
    file_name, text = HUGE_NUMBER_FILES[name]
    file = tmp_path / file_name
    file.write_text(text, encoding="utf-8")
    message = _one_error_line(run_cli("check", str(file)), 2)
    assert "more than 4000 digits" in message
    assert "line 3" in message or name == "json"  # a JSON file of one line
    submitted = run_cli("submit", str(file), "--to", str(tmp_path / "inbox"))
    _one_error_line(submitted, 2)
    assert _inbox_files(tmp_path / "inbox") == []


# 4 ---------------------------------------------------------------------------------------------

SURROGATE_FILES = {
    "student_id": '{"student": "\\ud800", "problem_set": "mlp_cnn", "p1.1a": "28x28x1"}',
    "answer": '{"student": "ann", "problem_set": "mlp_cnn", "p2.1.derivative": "1 - \\udc80"}',
    "key": '{"student": "ann", "problem_set": "mlp_cnn", "\\ud800": "1"}',
}


@pytest.mark.parametrize("name", sorted(SURROGATE_FILES))
def test_reproduction_4_a_lone_surrogate_is_refused_and_nothing_is_stored(tmp_path, name):
    file = tmp_path / "a.json"
    file.write_text(SURROGATE_FILES[name], encoding="utf-8")
    assert "surrogate" in _one_error_line(run_cli("check", str(file)), 2)
    assert "surrogate" in _one_error_line(run_cli("submit", str(file), "--to", str(tmp_path / "inbox")), 2)
    assert _inbox_files(tmp_path / "inbox") == []


def test_reproduction_4_a_receipt_that_cannot_be_written_leaves_nothing(tmp_path, monkeypatch):
    real = inbox._store_new

    def failing(folder, names, data):
        names = list(names)
        if names[0].endswith(RECEIPT_SUFFIX):
            raise OSError("disk full")
        return real(folder, iter(names), data)

    monkeypatch.setattr(inbox, "_store_new", failing)
    with pytest.raises(OSError):
        submit(_answers(tmp_path), tmp_path / "inbox")
    assert [p for p in _inbox_files(tmp_path / "inbox") if not p.name.startswith(".")] == []


# 5 ---------------------------------------------------------------------------------------------

MALFORMED_RECEIPTS = {
    "size_text": lambda r: json.dumps(r | {"size": "abc"}),
    "size_null": lambda r: json.dumps(r | {"size": None}),
    "size_huge_float": lambda r: json.dumps(r | {"size": 0}).replace('"size": 0', '"size": 1e400'),
    "parts_text": lambda r: json.dumps(r | {"parts": {"total": "x"}}),
    "parts_list": lambda r: json.dumps(r | {"parts": [1, 2]}),
    "student_number": lambda r: json.dumps(r | {"student": 7}),
    "sha256_not_hex": lambda r: json.dumps(r | {"sha256": "z" * 64}),
    "nested_50000_deep": lambda r: "[" * 50_000 + "]" * 50_000,
    "a_list": lambda r: "[1, 2, 3]",
}


@pytest.fixture
def submitted(tmp_path):
    return submit(_answers(tmp_path), tmp_path / "inbox")


@pytest.mark.parametrize("name", sorted(MALFORMED_RECEIPTS))
def test_reproduction_5_a_malformed_receipt_is_not_a_receipt(submitted, tmp_path, name):
    bad = tmp_path / "bad.receipt.json"
    bad.write_text(MALFORMED_RECEIPTS[name](submitted.receipt.to_dict()), encoding="utf-8")
    message = _one_error_line(run_cli("receipt", "verify", str(bad), "--inbox", str(tmp_path / "inbox")), 2)
    assert "not a receipt" in message


@pytest.mark.parametrize("field,value", [("parts", {"total": 34, "answered": 34, "invalid": 0, "missing": 0}),
                                         ("file", "other.yaml"), ("grader_version", "0.0.1"),
                                         ("problem_set", "other_set")])
def test_reproduction_5_an_edited_copy_of_a_receipt_fails(submitted, tmp_path, field, value):
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(submitted.receipt.to_dict() | {field: value}), encoding="utf-8")
    result = verify_receipt(copy, tmp_path / "inbox")
    assert not result.ok and any(field in problem for problem in result.problems), result.problems
    done = run_cli("receipt", "verify", str(copy), "--inbox", str(tmp_path / "inbox"))
    assert done.returncode == 1 and "MISMATCH" in done.stderr and "Traceback" not in done.stderr


def test_reproduction_5_an_edited_inbox_receipt_fails(submitted):
    counts = dict(submitted.receipt.parts, answered=submitted.receipt.parts["total"], missing=0)
    submitted.receipt_path.chmod(0o640)
    submitted.receipt_path.write_text(json.dumps(submitted.receipt.to_dict() | {"parts": counts}), encoding="utf-8")
    result = verify_receipt(submitted.receipt_path)
    assert not result.ok and any(problem.startswith("parts differs") for problem in result.problems)


def test_reproduction_5_received_at_is_checked_against_the_stored_file(submitted, tmp_path):
    submitted.receipt_path.chmod(0o640)
    edited = submitted.receipt.to_dict() | {"received_at": "2020-01-01T00:00:00.000000+00:00"}
    submitted.receipt_path.write_text(json.dumps(edited), encoding="utf-8")
    assert not verify_receipt(submitted.receipt_path).ok


# 6 ---------------------------------------------------------------------------------------------


def _printed_command(stdout: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.startswith("Check it later with: "))
    return shlex.split(line.removeprefix("Check it later with: "))


def test_reproduction_6_the_save_receipt_hint_works_as_printed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_cli("submit", str(_answers(tmp_path)), "--to", str(tmp_path / "inbox"),
                   "--save-receipt", str(tmp_path / "mine.json"))
    assert done.returncode == 0, done.stderr
    command = _printed_command(done.stdout)
    assert command[:3] == ["grader", "receipt", "verify"] and command[3] == str(tmp_path / "mine.json")
    verified = subprocess.run([sys.executable, "-m", "grader", *command[1:]], cwd=elsewhere,
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0 and verified.stdout.startswith("OK: "), verified.stderr


def test_reproduction_6_the_student_keeps_a_receipt_by_default(tmp_path):
    (tmp_path / "home").mkdir()
    answers = _answers(tmp_path / "home")
    done = run_cli("submit", str(answers), "--to", str(tmp_path / "inbox"))
    assert done.returncode == 0, done.stderr
    copies = list(answers.parent.glob(f"*{RECEIPT_SUFFIX}"))
    assert len(copies) == 1 and str(copies[0]) in done.stdout
    assert json.loads(copies[0].read_text(encoding="utf-8"))["sha256"] in done.stdout
    again = run_cli("submit", str(answers), "--to", str(tmp_path / "inbox"))
    assert again.returncode == 0 and len(list(answers.parent.glob(f"*{RECEIPT_SUFFIX}"))) == 2
    command = _printed_command(again.stdout)
    verified = subprocess.run([sys.executable, "-m", "grader", *command[1:]], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stderr


# 7 ---------------------------------------------------------------------------------------------


def test_reproduction_7_ids_differing_only_in_case_never_share_a_folder(tmp_path):
    inbox_dir = tmp_path / "inbox"
    done = [submit(_answers(tmp_path, student, f"{student}.yaml"), inbox_dir) for student in ("alice", "ALICE")]
    folders = [d.stored.parent.name for d in done]
    assert folders[0] == "alice" and folders[1] == folders[1].casefold()
    assert folders[0].casefold() != folders[1].casefold()
    assert [d.receipt.student for d in done] == ["alice", "ALICE"]
    assert all(verify_receipt(d.receipt_path).ok for d in done)
    assert sanitise_student_id("ALICE") == folders[1]
