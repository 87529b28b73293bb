"""Gradescope autograder bundle: this grader inside Gradescope, one container per submission.

`build_bundle` writes the zip Gradescope asks for: `setup.sh` and `run_autograder` at its root,
the grader's own source (`grader/`, put on PYTHONPATH; no wheel to build, so it works offline),
`requirements.txt` (the grader's dependencies, pinned to the versions installed here) and the
problem set under `problems/<set>/`. In the container, `run_autograder` calls

    python -m grader.export.gradescope_bundle run --submission DIR --results FILE --set SET_DIR

which grades the one answer file in /autograder/submission and writes
/autograder/results/results.json, always, even when the submission or the grader fails.
`GRADER_AUTOGRADER_ROOT` and `GRADER_PYTHON` override /autograder and the python it runs.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grader
from grader.answers import FORMATS, read_submission
from grader.engine import grade
from grader.errors import GraderError, SubmissionNotFound, UsageError
from grader.export.common import ExportOptions
from grader.export.gradescope import VISIBILITIES, dump, results_json
from grader.scores import table_from_reports
from grader.spec import ProblemSet, load_problem_set
from grader.variants import variant_for

DISTRIBUTION = "mlgrader"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same inputs give the same zip
SKIP_PARTS = ("__pycache__", ".git", ".pytest_cache", ".mypy_cache")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: a Python >= 3.11 in a venv
# at /autograder/venv with the grader's dependencies. The grader itself is in
# /autograder/source/grader (put on PYTHONPATH by run_autograder).
set -euo pipefail
cd /autograder/source
PY=""
for candidate in python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null 2>&1; then PY="$candidate"; break; fi
done
if [ -z "$PY" ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PY=python3.11
fi
if ! "$PY" -m venv /autograder/venv; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$PY-venv"
  "$PY" -m venv /autograder/venv
fi
/autograder/venv/bin/python -m pip install --upgrade pip
/autograder/venv/bin/python -m pip install -r /autograder/source/requirements.txt
# Fail the image build now, not at the first submission, if the grader cannot start.
PYTHONPATH=/autograder/source /autograder/venv/bin/python -c "import grader.export.gradescope_bundle"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission: grade the answer file in submission/ and write
# results/results.json. A results.json is always written, even if the grader crashes.
set -uo pipefail
ROOT="${{GRADER_AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{GRADER_PYTHON:-$ROOT/venv/bin/python}}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
cd "$ROOT" || exit 0
PYTHONPATH="$ROOT/source${{PYTHONPATH:+:$PYTHONPATH}}" "$PYTHON" -m grader.export.gradescope_bundle run \\
  --submission "$ROOT/submission" \\
  --results "$RESULTS" \\
  --set "$ROOT/source/problems/{set_id}" \\
  --metadata "$ROOT/submission_metadata.json" \\
  --visibility {visibility}
status=$?
if [ ! -s "$RESULTS" ]; then
  printf '{{"score": 0, "output": "The autograder could not run (exit status %s). Your submission is saved; your instructor has to look at it.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}}\\n' "$status" > "$RESULTS"
fi
exit 0
"""


@dataclass(frozen=True)
class Bundle:
    """A built autograder zip."""

    path: Path
    problem_set: str
    files: int
    size: int


def build_bundle(set_path: str | Path, out: str | Path, *, visibility: str = "visible") -> Bundle:
    """Write the Gradescope autograder zip for a problem set (validated first)."""
    if visibility not in VISIBILITIES:
        raise UsageError(f"--visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}.")
    problem_set = load_problem_set(set_path)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", problem_set.id):
        raise GraderError(f"The problem set id {problem_set.id!r} cannot be a folder name; use letters, digits, _ . -")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    entries: list[tuple[str, bytes, int]] = [
        ("setup.sh", SETUP_SH.encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.format(set_id=problem_set.id, visibility=visibility).encode(), 0o755),
        ("requirements.txt", requirements().encode(), 0o644),
    ]
    package = Path(grader.__file__).resolve().parent
    entries += [(f"grader/{rel}", data, 0o644) for rel, data in _tree(package)]
    entries += [(f"problems/{problem_set.id}/{rel}", data, 0o644) for rel, data in _tree(Path(problem_set.root))]
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data, mode in sorted(entries):
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return Bundle(out, problem_set.id, len(entries), out.stat().st_size)


def requirements() -> str:
    """The grader's runtime dependencies, pinned to the versions this bundle was built with."""
    header = (f"# Dependencies of {DISTRIBUTION} {grader.__version__}, pinned to the versions installed "
              "where this bundle was built.")
    lines = [header]
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        declared = []
    for requirement in declared:
        if "extra ==" in requirement:
            continue
        name = re.match(r"[A-Za-z0-9._-]+", requirement)
        if name is None:
            continue
        try:
            lines.append(f"{name.group(0)}=={importlib.metadata.version(name.group(0))}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(requirement.split(";")[0].strip())
    return "\n".join(lines) + "\n"


def _tree(root: Path) -> list[tuple[str, bytes]]:
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(p in SKIP_PARTS or p.startswith(".") for p in rel.parts):
            continue
        if path.suffix in (".pyc", ".pyo"):
            continue
        files.append((rel.as_posix(), path.read_bytes()))
    return files


# ---------------------------------------------------------------------------- inside the container


def find_answer_file(folder: Path, problem_set: ProblemSet) -> Path:
    """The one answer file in a Gradescope submission folder (searched recursively)."""
    files = [
        p for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix.lower() in FORMATS
        and not any(part.startswith(".") or part == "__MACOSX" for part in p.relative_to(folder).parts)
    ]
    if len(files) > 1:
        matching = []
        for path in files:
            try:
                if read_submission(path).problem_set == problem_set.id:
                    matching.append(path)
            except GraderError:
                continue
        files = matching or files
    if not files:
        raise SubmissionNotFound(
            "No answer file found in your submission; upload your .yaml, .toml or .json answer file."
        )
    if len(files) > 1:
        names = ", ".join(p.relative_to(folder).as_posix() for p in files)
        raise SubmissionNotFound(f"Your submission has several answer files ({names}); upload only one.")
    return files[0]


def grade_folder(submission_dir: Path, set_path: Path, *, metadata: Path | None = None,
                 visibility: str = "visible") -> dict[str, Any]:
    """The results.json document for one Gradescope submission folder."""
    problem_set = load_problem_set(set_path)
    file = find_answer_file(submission_dir, problem_set)
    submission = read_submission(file)
    if submission.problem_set and submission.problem_set != problem_set.id:
        raise GraderError(
            f"{file.name} answers problem set {submission.problem_set!r}, but this assignment is "
            f"{problem_set.id!r}; fix the 'problem_set' line or upload the right file."
        )
    if not submission.student:
        submission = replace(submission, student=_metadata_student(metadata))
    report = grade(problem_set, variant_for(problem_set, submission.student), submission)
    table = table_from_reports(problem_set, [report])
    document = results_json(table, table.rows[0], ExportOptions(visibility=visibility))
    if report.warnings:
        document["output"] = "\n".join([*report.warnings, document["output"]])
    return document


def _metadata_student(metadata: Path | None) -> str:
    """The submitter's email from submission_metadata.json, for files without a student line."""
    try:
        users = json.loads(metadata.read_text(encoding="utf-8")).get("users") if metadata else None
    except (OSError, ValueError, AttributeError):
        users = None
    if isinstance(users, list) and users and isinstance(users[0], dict):
        return str(users[0].get("email") or users[0].get("id") or "gradescope-submitter")
    return "gradescope-submitter"


def failure_results(message: str) -> dict[str, Any]:
    """A results.json that tells the student what went wrong and gives no points."""
    return {"score": 0, "output": message, "output_format": "text", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": []}


def run(submission_dir: Path, results: Path, set_path: Path, *, metadata: Path | None = None,
        visibility: str = "visible") -> dict[str, Any]:
    """Grade a submission folder and write results.json; never fails to write it."""
    started = time.monotonic()
    try:
        document = grade_folder(submission_dir, set_path, metadata=metadata, visibility=visibility)
    except GraderError as err:  # the submission's problem: say how to fix it, naming files as uploaded
        message = str(err).replace(f"{submission_dir}{os.sep}", "")
        document = failure_results(f"Your submission could not be graded: {message}")
    except Exception:  # noqa: BLE001 - the container boundary: a results.json must always be written
        traceback.print_exc()
        document = failure_results(
            "The autograder failed on this submission; your submission is saved and your instructor "
            "has to look at it."
        )
    document["execution_time"] = round(time.monotonic() - started, 3)
    results.parent.mkdir(parents=True, exist_ok=True)
    tmp = results.with_name(results.name + ".tmp")
    tmp.write_text(dump(document), encoding="utf-8")
    os.replace(tmp, results)
    return document


def main(argv: list[str] | None = None) -> int:
    """`python -m grader.export.gradescope_bundle run ...`: the entry point run_autograder calls."""
    parser = argparse.ArgumentParser(prog="python -m grader.export.gradescope_bundle",
                                     description="Grade one Gradescope submission into results.json.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("run", help="grade /autograder/submission into results.json")
    command.add_argument("--submission", type=Path, required=True, help="the submission folder")
    command.add_argument("--results", type=Path, required=True, help="the results.json to write")
    command.add_argument("--set", type=Path, required=True, help="the problem-set folder")
    command.add_argument("--metadata", type=Path, help="submission_metadata.json (optional)")
    command.add_argument("--visibility", default="visible", choices=VISIBILITIES)
    args = parser.parse_args(argv)
    document = run(args.submission, args.results, args.set, metadata=args.metadata, visibility=args.visibility)
    print(f"score {document.get('score')}; results written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
