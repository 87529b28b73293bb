"""The tests stand on the repository alone: no test file names a place outside it.

A fresh clone with nothing beside it must test exactly what CI tests, so nothing under tests/
may read a sibling checkout, an absolute path on someone's machine or a document the
repository does not ship. Hostile paths used as test *input* (`../../etc/passwd` given to the
submit command) are fine: they are data, not places the tests read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

TESTS = ROOT / "tests"

# Written with regex escapes or classes, so that this file's own source does not match them.
OUTSIDE = [
    (re.compile(r"\.\.[/\\]+shared\b"), "a checkout beside the repository"),
    (re.compile(r"\bshared[/\\]+(lms|tutorial|samples)\b"), "a checkout beside the repository"),
    (re.compile(r"/wor[k]/"), "an absolute path on one machine"),
    (re.compile(r"/hom[e]/|/User[s]/|\b[A-Z]:\\\\Users\b"), "an absolute path on one machine"),
    (re.compile(r"\bFORMAT[S]\.md\b|\bPART[S]\.md\b|\bDESIG[N]\.md\b|\bSTYL[E]\.md\b"),
     "a document the repository does not ship"),
    (re.compile(r"\bROO[T]\.parents?\b"), "a folder above the repository"),
    (re.compile(r"\bSHARE[D]\b"), "a checkout beside the repository"),
]
CLIMB = re.compile(r"\.parent[s]\[(\d+)\]|(?:\.paren[t]){2,}")

def files_under_tests() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def outside_references(path: Path, root: Path = ROOT) -> list[str]:
    """Each line of `path` (a file under `root`) that names a place outside `root`, with why."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    depth = len(path.relative_to(root).parts) - 1  # parents[depth] of this file is the repository
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        reasons = [why for pattern, why in OUTSIDE if pattern.search(line)]
        if path.suffix == ".py":
            for match in CLIMB.finditer(line):
                steps = int(match.group(1)) if match.group(1) else match.group(0).count(".parent") - 1
                if steps > depth:
                    reasons.append("a folder above the repository")
        if reasons:
            found.append(f"{path.relative_to(root)}:{number}: {reasons[0]}: {line.strip()}")
    return found


@pytest.mark.parametrize("path", files_under_tests(), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_file_names_a_place_outside_the_repository(path):
    assert not outside_references(path)


def test_the_check_catches_what_it_is_for(tmp_path):
    sibling = "/".join(["..", "sha" + "red", "lms", "samples"])
    lines = {
        f'SAMPLES = Path("{sibling}")': True,
        "data = Path('/" + "work/repo/x.txt')": True,
        "# see FORMATS" + ".md": True,
        "OUT = ROOT" + ".parent / 'x'": True,
        "HERE = Path(__file__).resolve().parents[" + "3]": True,
        'submit(answer_file(tmp_path, "../../etc/passwd"))': False,
        "ROOT = Path(__file__).resolve()" + ".parents[1]": False,
        "the weights are shared along the diagonals": False,
    }
    (tmp_path / "tests").mkdir()
    for number, (line, flagged) in enumerate(lines.items()):
        probe = tmp_path / "tests" / f"probe{number}.py"
        probe.write_text(line + "\n", encoding="utf-8")
        assert bool(outside_references(probe, tmp_path)) is flagged, line


def test_the_ci_entry_point_runs_as_is_from_a_clone():
    import os

    ci = ROOT / ".ci" / "run"
    assert ci.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    assert os.access(ci, os.X_OK), "git update-index --chmod=+x .ci/run"


def test_ci_runs_the_test_command_the_readme_gives():
    """CI runs exactly the README's test command (the pytest part of its install-and-test line)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("Install and run the tests"):].split("```")[1]
    (line,) = [line for line in block.splitlines() if "pytest" in line]
    command = line.split("&&")[-1].strip()
    assert command.startswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert [c for c in ci if "pytest" in c and not c.startswith("#")] == [command]
