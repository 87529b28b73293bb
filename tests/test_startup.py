"""Start-up cost: commands import only what they use, and lark's parse tables are built once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.cachedir import grammar_cache

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
from grader.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(name for name in ("sympy", "numpy", "lark", "grader.engine", "grader.batch") if name in sys.modules)
print(json.dumps(heavy))
"""


def imported_by(*args: str, **env: str) -> list[str]:
    """The heavy modules a fresh interpreter has imported after running `grader ARGS`."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env={**os.environ, "COLUMNS": "120", **env})
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_and_version_import_neither_sympy_nor_numpy(option):
    assert imported_by(option) == []


def test_every_command_help_is_light():
    from typer.main import get_command

    from grader.cli import app

    group = get_command(app)
    names = sorted(group.commands)  # type: ignore[attr-defined]
    assert "check" in names and "grade" in names
    for name in names:
        assert imported_by(name, "--help") == [], f"grader {name} --help"


def test_a_command_imports_what_it_uses():
    # Without the cache: an unchanged file checked again is shown from it without sympy
    # (tests/test_check_store.py).
    answers = str(ROOT / "submissions_example" / "alice_correct.yaml")
    assert "sympy" in imported_by("check", answers, GRADER_CACHE="off")


# ----- parse tables ---------------------------------------------------------------------------------

PARSE = """
from grader.mathparse.grammar import get_parser
from grader.probability import parse_line
print(get_parser().parse("x^2 + 1").data, type(parse_line("p(x) = 1")).__name__)
"""


def _parse_in_fresh_process(cache: str) -> str:
    done = subprocess.run([sys.executable, "-c", PARSE], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "GRADER_CACHE_DIR": cache}, check=True)
    return done.stdout


def test_parse_tables_are_cached_and_read_back(tmp_path):
    first = _parse_in_fresh_process(str(tmp_path))
    tables = sorted(p.name for p in (tmp_path / "grammars").iterdir())
    assert [name.split("-")[0] for name in tables] == ["mathparse", "probability"]
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "grammars").iterdir()}
    assert _parse_in_fresh_process(str(tmp_path)) == first
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "grammars").iterdir()} == stamps, "read, not rebuilt"


def test_a_damaged_table_file_is_rebuilt(tmp_path):
    first = _parse_in_fresh_process(str(tmp_path))
    for table in (tmp_path / "grammars").iterdir():
        table.write_bytes(table.read_bytes()[:100])
    assert _parse_in_fresh_process(str(tmp_path)) == first
    assert all(p.stat().st_size > 1000 for p in (tmp_path / "grammars").iterdir())


def test_an_unwritable_cache_falls_back_to_building_the_tables(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    assert _parse_in_fresh_process(str(blocker)) == _parse_in_fresh_process(str(tmp_path / "cache"))


@pytest.mark.parametrize("changed", ["grammar", "options"])
def test_the_table_file_is_keyed_by_grammar_and_options(changed, monkeypatch, tmp_path):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))
    base = grammar_cache("g", "start: X\nX: \"x\"", parser="lalr")
    other = (grammar_cache("g", "start: X\nX: \"y\"", parser="lalr") if changed == "grammar"
             else grammar_cache("g", "start: X\nX: \"x\"", parser="earley"))
    assert base != other
    assert base == grammar_cache("g", "start: X\nX: \"x\"", parser="lalr")


def test_cache_off_means_no_table_file(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("GRADER_CACHE", "off")
    assert grammar_cache("g", "start: X", parser="lalr") is False
    assert not (tmp_path / "grammars").exists()
