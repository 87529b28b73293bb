"""Batch grading benchmark: submissions per second, peak memory, and the time to merely load the files.

    python benchmarks/bench_batch.py --n 100 1000 10000            # both variant modes
    python benchmarks/bench_batch.py --n 1000 --modes fixed --jobs 2 --repeat 3

For each N and mode it generates N synthetic full submissions (correct answers in varied
notations, known misconceptions, other wrong values, invalid values and blanks; YAML, TOML and
JSON), then, in a fresh process so peak memory is that run's own:
  1. grades the folder into a new gradebook with `grader.batch.grade_folder` (worker processes),
  2. grades it again (every submission unchanged: the incremental path),
  3. only loads every file (`read_submission`, one process): the baseline the grading is compared to.
Peak memory is `ru_maxrss` of the batch process (the gradebook writer) and of its largest worker.
Modes: `fixed` (variants off: every student has the tutorial's numbers) and `per-student`
(variants on: each student has their own parameters and expected answers).
Each run starts with an empty cache folder of its own (expected answers, parse tables), so the
grading time includes computing every expected answer once. Targets: fixed N=1000 graded in
at most 5x the load time; peak memory at N=10000 within 1.5x that at N=1000.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "problems" / "mlp_cnn"
EXAMPLES = ROOT / "submissions_example"
MODES = ("fixed", "per-student")
# How a part is answered, with weights: a realistic class is mostly right, with typical mistakes.
OUTCOMES = {"correct": 55, "misconception": 18, "wrong": 9, "invalid": 8, "blank": 10}
INVALID = ["28 by 28", "seven hundred and fifty", "[[1, 2], [3]", "n/a", "?", "x^^2", "[32, 32, ten]"]
FORMATS = {"yaml": 80, "toml": 10, "json": 10}


# ----- generating a class -------------------------------------------------------------------------


def make_set(work: Path, mode: str) -> Path:
    """The shipped problem set, with per-student variants switched on for that mode."""
    target = work / "set"
    shutil.copytree(SET_DIR, target)
    if mode == "per-student":
        meta = yaml.safe_load((target / "set.yaml").read_text(encoding="utf-8"))
        meta["variants"]["enabled"] = True
        (target / "set.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return target


def answer_pool() -> dict[str, list[Any]]:
    """Answers typed by the example students, for parts the generator cannot compute."""
    from grader.answers import read_submission

    pool: dict[str, list[Any]] = {}
    for path in sorted(EXAMPLES.iterdir()):
        if not path.is_file():  # other sets' examples live in sub-folders
            continue
        submission = read_submission(path)
        if submission.problem_set not in (None, "mlp_cnn"):
            continue
        for part_id, raw in submission.answers.items():
            if raw not in (None, ""):
                pool.setdefault(part_id, []).append(raw)
    return pool


def notations(kind: str, value: Any, rng: random.Random) -> Any:
    """The value written the way some student would write it."""
    if kind == "shape":
        dims = [int(d) for d in value]
        return rng.choice([
            "x".join(map(str, dims)), " x ".join(map(str, dims)), " × ".join(map(str, dims)), dims,
            "(" + ", ".join(map(str, dims)) + ")", "[" + ", ".join(map(str, dims)) + "]", "*".join(map(str, dims)),
        ])
    if kind in ("integer", "number"):
        return rng.choice([value, str(value), f" {value} "])
    if kind == "matrix":
        rows = [[_plain(x) for x in row] for row in value]
        return rng.choice([
            rows, json.dumps(rows), "; ".join(" ".join(str(x) for x in row) for row in rows),
            "\n".join(" ".join(str(x) for x in row) for row in rows) + "\n",
        ])
    return str(value)


def wrong(kind: str, value: Any, rng: random.Random) -> Any:
    """A plausible wrong value of the same kind."""
    if kind == "shape":
        dims = [int(d) for d in value]
        dims[rng.randrange(len(dims))] += rng.choice([-2, 1, 3])
        return [max(1, d) for d in dims]
    if kind in ("integer", "number"):
        return value + rng.choice([-10, -1, 1, 2, 100])
    if kind == "matrix":
        rows = [[_plain(x) for x in row] for row in value]
        i, j = rng.randrange(len(rows)), rng.randrange(len(rows[0]))
        rows[i][j] = rows[i][j] + rng.choice([-1, 1, 2])
        return rows
    return value


def _plain(x: Any) -> Any:
    x = float(x)
    return int(x) if x.is_integer() else round(x, 6)


def generate(folder: Path, set_dir: Path, n: int, seed: int = 0) -> None:
    """Write n submissions (student s00000 ... ) under folder, in the inbox layout's folders."""
    from grader.engine import ExpectedCache
    from grader.kinds import KINDS
    from grader.spec import load_problem_set
    from grader.variants import variant_for

    rng = random.Random(seed)
    problem_set = load_problem_set(set_dir)
    pool = answer_pool()
    cache = ExpectedCache()
    outcomes, weights = zip(*OUTCOMES.items(), strict=True)
    formats, format_weights = zip(*FORMATS.items(), strict=True)
    for i in range(n):
        student = f"s{i:05d}"
        variant = variant_for(problem_set, student)
        answers: dict[str, Any] = {}
        for problem, part in problem_set.parts():
            outcome = rng.choices(outcomes, weights)[0]
            if outcome == "blank":
                continue
            if outcome == "invalid":
                answers[part.id] = rng.choice(INVALID)
                continue
            if part.kind not in KINDS or part.solver is None or part.kind not in ("shape", "integer", "number",
                                                                                 "matrix"):
                if part.id in pool:
                    answers[part.id] = rng.choice(pool[part.id])
                continue
            expected = cache.get(variant, problem, part, part.solver)
            if outcome == "misconception" and part.misconceptions:
                mistake = rng.choice(part.misconceptions)
                with contextlib.suppress(Exception):  # a misconception that does not apply to this variant
                    expected = cache.get(variant, problem, part, mistake.solver)
            elif outcome in ("wrong", "misconception"):
                expected = wrong(part.kind, expected, rng)
            answers[part.id] = notations(part.kind, expected, rng)
        fmt = rng.choices(formats, format_weights)[0]
        target = folder / student
        target.mkdir(parents=True, exist_ok=True)
        (target / f"answers.{fmt}").write_text(_dump(fmt, student, problem_set.id, answers), encoding="utf-8")


def _dump(fmt: str, student: str, set_id: str, answers: dict[str, Any]) -> str:
    data = {"student": student, "problem_set": set_id, **answers}
    if fmt == "json":
        return json.dumps({"student": student, "problem_set": set_id, "answers": answers}, indent=2)
    if fmt == "toml":
        return "\n".join(f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# ----- one measured run (in its own process) -------------------------------------------------------


def run_one(n: int, mode: str, jobs: int | None, work: Path) -> dict[str, Any]:
    os.environ["GRADER_CACHE_DIR"] = str(work / "cache")  # cold: nothing computed by an earlier run
    from grader.answers import read_submission
    from grader.batch import discover, grade_folder
    from grader.spec import load_problem_set
    from grader.store import Gradebook

    set_dir = make_set(work, mode)
    folder = work / "submissions"
    started = time.perf_counter()
    generate(folder, set_dir, n)
    generated = time.perf_counter() - started
    problem_set = load_problem_set(set_dir)

    started = time.perf_counter()
    with Gradebook.open(work / "gradebook.sqlite") as gradebook:
        summary = grade_folder(folder, problem_set, gradebook, jobs=jobs)
        graded = time.perf_counter() - started
        started = time.perf_counter()
        again = grade_folder(folder, problem_set, gradebook, jobs=jobs)
        rerun = time.perf_counter() - started
    assert summary.graded + len(summary.failed) == n and again.unchanged == n, (summary, again)

    started = time.perf_counter()
    for path in discover(folder, problem_set):
        read_submission(path)
    loaded = time.perf_counter() - started
    return {
        "n": n, "mode": mode, "generate_s": round(generated, 2), "grade_s": round(graded, 2),
        "per_second": round(n / graded, 1), "load_s": round(loaded, 2), "grade_over_load": round(graded / loaded, 2),
        "rerun_s": round(rerun, 2), "failed": len(summary.failed),
        "parent_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


# ----- driver ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000, 10000], help="class sizes")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each size and mode (each is printed)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child run: one N, one mode, JSON on stdout
        with tempfile.TemporaryDirectory(prefix="bench-batch-") as work:
            print(json.dumps(run_one(args.n[0], args.modes[0], args.jobs, Path(work))))
        return 0
    rows = []
    header = (f"{'mode':<12}{'N':>7}{'load s':>9}{'grade s':>9}{'subm/s':>9}{'grade/load':>11}"
              f"{'rerun s':>9}{'failed':>8}{'parent MiB':>12}{'worker MiB':>12}")
    print(header)
    for mode in args.modes:
        for n in [n for n in args.n for _ in range(max(1, args.repeat))]:
            command = [sys.executable, __file__, "--one", "--n", str(n), "--modes", mode]
            if args.jobs is not None:
                command += ["--jobs", str(args.jobs)]
            row = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            rows.append(row)
            print(f"{mode:<12}{n:>7}{row['load_s']:>9}{row['grade_s']:>9}{row['per_second']:>9}"
                  f"{row['grade_over_load']:>11}{row['rerun_s']:>9}{row['failed']:>8}"
                  f"{row['parent_peak_mib']:>12}{row['worker_peak_mib']:>12}", flush=True)
    return _targets(rows)


def _targets(rows: list[dict[str, Any]]) -> int:
    by = {(r["mode"], r["n"]): r for r in rows}
    ok = True
    if ("fixed", 1000) in by:
        ratio = by[("fixed", 1000)]["grade_over_load"]
        print(f"target: fixed N=1000 graded in <= 5x the load time: {ratio}x -> {'met' if ratio <= 5 else 'MISSED'}")
        ok &= ratio <= 5
    for mode in MODES:
        if (mode, 1000) in by and (mode, 10000) in by:
            for key in ("parent_peak_mib", "worker_peak_mib"):
                ratio = by[(mode, 10000)][key] / by[(mode, 1000)][key]
                met = ratio <= 1.5
                print(f"target: {mode} {key} at N=10000 within 1.5x N=1000: {ratio:.2f}x -> "
                      f"{'met' if met else 'MISSED'}")
                ok &= met
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
