"""Start-up cost: commands import only what they use, and lark's parse tables are built once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.cachedir import lark_parser, read_table, table_name

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
import sys
from pathlib import Path
import grader.cachedir
if "--no-shipped" in sys.argv:  # the cache's own behaviour, as without the package's tables
    grader.cachedir.SHIPPED_TABLES = Path("/nonexistent-shipped-tables")
from grader.mathparse.grammar import get_parser
from grader.probability import parse_line
print(get_parser().parse("x^2 + 1").data, type(parse_line("p(x) = 1")).__name__)
"""


def _parse_in_fresh_process(cache: str, shipped: bool = False) -> str:
    args = [] if shipped else ["--no-shipped"]
    done = subprocess.run([sys.executable, "-c", PARSE, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env={**os.environ, "GRADER_CACHE_DIR": cache}, check=True)
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
def test_the_table_file_is_keyed_by_grammar_and_options(changed):
    base = table_name("g", "start: X\nX: \"x\"", parser="lalr")
    other = (table_name("g", "start: X\nX: \"y\"", parser="lalr") if changed == "grammar"
             else table_name("g", "start: X\nX: \"x\"", parser="lalr", lexer="basic"))
    assert base != other
    assert base == table_name("g", "start: X\nX: \"x\"", parser="lalr")


def test_cache_off_means_no_table_file(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("GRADER_CACHE", "off")
    assert lark_parser("g", "start: X\nX: \"x\"", parser="lalr").parse("x").data == "start"
    assert not (tmp_path / "grammars").exists()


def test_a_table_reads_back_wherever_it_lies(monkeypatch, tmp_path):
    """The key holds no path: a table copied to another folder (another clone, an installed
    package) is read there, not rebuilt and written over."""
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    lark_parser("g", "start: X\nX: \"x\"", parser="lalr")
    (built,) = (tmp_path / "cache" / "grammars").iterdir()
    moved = tmp_path / "elsewhere" / built.name
    moved.parent.mkdir()
    moved.write_bytes(built.read_bytes())
    parser = read_table(moved, {})
    assert parser is not None and parser.parse("x").data == "start"
    assert read_table(tmp_path / "none.lark", {}) is None


# ----- parse tables shipped with the package ---------------------------------------------------------

SHIPPED = ROOT / "grader" / "grammars"
UPDATE_TABLES = "GRADER_UPDATE_TABLES"


def _package_grammars() -> dict[str, tuple[str, dict]]:
    from grader import cachedir
    from grader.mathparse.grammar import get_parser
    from grader.probability import parse_line

    get_parser()
    parse_line("p(x) = 1")
    assert {"mathparse", "probability"} <= set(cachedir.GRAMMARS)
    return {name: cachedir.GRAMMARS[name] for name in ("mathparse", "probability")}


def _built_for() -> dict[str, str]:
    return json.loads((SHIPPED / "VERSIONS.json").read_text(encoding="utf-8"))


def _running() -> dict[str, str]:
    import lark

    return {"lark": lark.__version__, "python": f"{sys.version_info[0]}.{sys.version_info[1]}"}


def test_the_shipped_tables_are_current():
    """One table per grammar of the package, for its current text. Rebuild them after changing a
    grammar: GRADER_UPDATE_TABLES=1 python -m pytest tests/test_startup.py -k shipped"""
    from lark import Lark

    from grader.cachedir import write_table

    grammars = _package_grammars()
    if os.environ.get(UPDATE_TABLES):
        for old in SHIPPED.glob("*.lark"):
            old.unlink()
        for name, (grammar, options) in grammars.items():
            write_table(SHIPPED / table_name(name, grammar, **options), Lark(grammar, **options))
        (SHIPPED / "VERSIONS.json").write_text(json.dumps(_running(), indent=1) + "\n", encoding="utf-8")
    expected = {table_name(name, grammar, **options) for name, (grammar, options) in grammars.items()}
    if _built_for() == _running():
        assert {p.name for p in SHIPPED.glob("*.lark")} == expected, f"rebuild them: {UPDATE_TABLES}=1"
    else:  # another lark or Python: the shipped tables do not apply, and the cache takes over
        assert not expected & {p.name for p in SHIPPED.glob("*.lark")}


def test_a_first_run_reads_the_shipped_tables(tmp_path):
    shipped = {p.name: p.read_bytes() for p in SHIPPED.glob("*.lark")}
    fresh = _parse_in_fresh_process(str(tmp_path), shipped=True)
    assert {p.name: p.read_bytes() for p in SHIPPED.glob("*.lark")} == shipped, "read, never written over"
    assert fresh == _parse_in_fresh_process(str(tmp_path / "built"))
    written = sorted(p.name.split("-")[0] for p in (tmp_path / "grammars").glob("*.lark"))
    # Built and written to the cache only when the shipped tables are for another lark or Python.
    assert written == ([] if _built_for() == _running() else ["mathparse", "probability"])
