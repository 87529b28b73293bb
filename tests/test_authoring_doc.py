"""docs/authoring.md runs: every command, YAML and Python block, in order, in an empty folder.

`<!-- append: PATH -->` before a block appends it to PATH; `<!-- write: PATH -->` writes it.
Commands (`$ grader ...`) must exit 0; YAML blocks must load; Python blocks must run.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import yaml

from tests.conftest import ROOT

DOC = ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"(?:<!-- (append|write): (\S+) -->\n)?```(\w+)\n(.*?)```", re.S)


def test_every_block_of_the_authoring_guide_runs(tmp_path):
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    ran = 0
    for action, path, language, body in blocks:
        if action:
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a" if action == "append" else "w", encoding="utf-8") as handle:
                handle.write(body)
        elif language == "console":
            for line in body.splitlines():
                if not line.startswith("$ "):
                    continue
                words = shlex.split(line[2:])
                assert words[0] == "grader"
                done = subprocess.run([sys.executable, "-m", "grader", *words[1:]], cwd=tmp_path,
                                      capture_output=True, text=True)
                assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
                ran += 1
        elif language == "yaml":
            assert yaml.safe_load(body) is not None
        elif language == "python":
            exec(compile(body, str(DOC), "exec"), {})  # the guide's own example code, trusted
    assert ran >= 10
    # The worked example ends with a graded class and its export.
    assert (tmp_path / "week9.html").is_file()
    exported = (tmp_path / "week9.csv").read_text(encoding="utf-8")
    assert "ana" in exported and "ben" in exported
