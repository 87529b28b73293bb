"""The README's instructor flow (grade, roster import, export), run line by line as written in a
temporary copy of the bundled example class, exports at least one student in every format."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.export import FORMATS
from tests.conftest import ROOT

SECTION = "### Submitting and exporting grades"


def readme_flow() -> list[str]:
    """The `$ grader ...` lines of the code block in the README section that grades the examples."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n### ", len(SECTION))]
    blocks = section.split("```")[1::2]
    block = next(b for b in blocks if "$ grader grade submissions_example" in b)
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_the_readme_flow_names_every_export_format():
    exported = {shlex.split(line)[shlex.split(line).index("--format") + 1]
                for line in readme_flow() if line.startswith("grader export")}
    assert exported == set(FORMATS)


def test_the_readme_instructor_flow_runs_as_written_and_exports_rows_in_every_format(tmp_path):
    for folder in ("submissions_example", "problems", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    outputs = {}
    for line in readme_flow():
        args = shlex.split(line)
        assert args[0] == "grader", line
        done = subprocess.run([sys.executable, "-m", "grader", *args[1:]], cwd=tmp_path, capture_output=True,
                              text=True, env=env, timeout=600)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        if args[1] == "export":
            outputs[args[args.index("--format") + 1]] = tmp_path / args[args.index("-o") + 1]
            exported = re.search(r"Exported (\d+) student\(s\)", done.stdout)
            # six tutorial students; the plain CSV, per part, leaves out bob (a part waits for a person)
            assert exported and int(exported[1]) >= 5, f"{line}\n{done.stdout}\n{done.stderr}"
    assert set(outputs) == set(FORMATS)
    for fmt, path in outputs.items():
        assert _rows(fmt, path) >= 1, fmt


def _rows(fmt: str, path: Path) -> int:
    if fmt == "gradescope":
        return len(list(path.glob("*/results.json")))
    if fmt == "lti":
        return len(json.loads(path.read_text(encoding="utf-8")))
    if fmt == "json":
        return len(json.loads(path.read_text(encoding="utf-8"))["students"])
    if fmt == "moodle-xml":
        return len(ET.parse(path).getroot().findall("result"))
    rows = list(csv.reader(path.open(encoding="utf-8")))
    return len([r for r in rows[1:] if "Points Possible" not in r[0]])
