"""Fuzzing whole answer files through `grader check` and `grader submit`: whatever the file, the
command ends in a report or one `Error:` line with a documented exit code, never a traceback or
a hang; every part ends in a documented status; a submission ends with a receipt or leaves
nothing in the inbox."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from grader.cli import app
from grader.errors import GraderError
from grader.inbox import RECEIPT_SUFFIX
from tests.hostile_corpus import fixed_corpus, hostile_document

STATUSES = {"correct", "partial", "incorrect", "invalid", "missing", "needs_review", "not_graded"}
EXIT_CODES = {0, 1, 2}  # 1: a problem set that does not exist; 2: a file that cannot be read
HANG_SECONDS = 60  # far above any budget: only a hang gets near it
FUZZ = settings(max_examples=20, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def invoke(args: list[str]) -> tuple[int, str]:
    """Run the command as `grader` does: a GraderError is one `Error:` line and its exit code."""
    started = time.monotonic()
    result = CliRunner().invoke(app, args)
    assert time.monotonic() - started < HANG_SECONDS, args
    if isinstance(result.exception, GraderError):
        message = str(result.exception)
        assert message and "Traceback" not in message
        message.encode("utf-8")  # printable
        return result.exception.exit_code, message
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _stored(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(".")) if inbox.exists() else []


def check_and_submit(folder: Path, fmt: str, text: str) -> None:
    file = folder / f"answers.{fmt}"
    file.write_bytes(text.encode("utf-8", "surrogatepass"))
    code, output = invoke(["check", str(file), "--json"])
    assert code in EXIT_CODES, output
    if code == 0:
        report = json.loads(output)
        assert report["parts"] and {p["status"] for p in report["parts"]} <= STATUSES
        assert all(0 <= p["score"] <= p["max_score"] for p in report["parts"])

    inbox = folder / "inbox"
    before = _stored(inbox)
    code, output = invoke(["submit", str(file), "--to", str(inbox), "--save-receipt", str(folder)])
    assert code in EXIT_CODES, output
    new = [p for p in _stored(inbox) if p not in before]
    if code == 0:
        answers = [p for p in new if not p.name.endswith(RECEIPT_SUFFIX)]
        assert len(answers) == 1 and answers[0].with_name(answers[0].name + RECEIPT_SUFFIX) in new
    else:
        assert new == [], "a refused submission left files in the inbox"


@pytest.mark.parametrize("name", sorted(fixed_corpus()))
def test_the_hostile_corpus_ends_in_messages(tmp_path, name):
    fmt, text = fixed_corpus()[name]
    check_and_submit(tmp_path, fmt, text)


@FUZZ
@given(source=st.randoms(use_true_random=False))
def test_random_answer_files_end_in_messages(tmp_path_factory, source: random.Random):
    fmt, text = hostile_document(source)
    check_and_submit(tmp_path_factory.mktemp("fuzz"), fmt, text)
