"""Every benchmark still runs: each script in benchmarks/ on a tiny size, so an API change breaks
the suite rather than silently breaking a benchmark.

A benchmark script is `benchmarks/bench_*.py`; it must accept `--n N` (the size of its work: class
size, corpus pairs, files checked...) and `--repeat R` (measured repetitions), and exit 0 after
printing its figures (a missed target is printed, not an error, at this size).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))


def test_there_are_benchmarks():
    assert {"bench_batch.py", "bench_cli.py"} <= {s.name for s in SCRIPTS}


# Options beyond --n and --repeat that keep a script's smoke run short. The command benchmark's
# phases share every code path but the cache clearing, so one phase exercises the script.
SMOKE_OPTIONS = {"bench_cli.py": ["--phases", "edited"]}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_benchmark_runs_at_a_tiny_size(script: Path):
    options = ["--n", "5", "--repeat", "1", *SMOKE_OPTIONS.get(script.name, [])]
    done = subprocess.run([sys.executable, str(script), *options], capture_output=True,
                          text=True, cwd=BENCHMARKS.parent, timeout=900, env={**os.environ})
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert done.stdout.strip(), f"{script.name} printed no figures"
