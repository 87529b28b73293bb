"""How long the slowest hostile answer file takes to check (target: at most 2 s).

    python benchmarks/bench_hostile.py                 # the fixed corpus and 200 random files
    python benchmarks/bench_hostile.py --random 1000 --seed 7 --top 10
    python benchmarks/bench_hostile.py --n 5 --repeat 1     # the smoke test's tiny size

The files are those of the fuzz test (tests/hostile_corpus.py): the fixed corpus of known traps
(70 000 unknown keys, 5 000-digit integers, lone surrogates, 50 000-deep nesting, every part
answered with 5 000 parentheses or a power tower, ...) and random documents drawn with a seeded
generator. Each is checked once in this process, as `grader check FILE --json` does (reading,
grading every part, printing); a file that is refused counts too, since refusing must also be
quick. Times are wall-clock on the machine at hand, after one warm-up check.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from grader.cli import app  # noqa: E402
from tests.hostile_corpus import EXAMPLE, fixed_corpus, hostile_document  # noqa: E402

TARGET_SECONDS = 2.0


def time_check(folder: Path, name: str, fmt: str, text: str) -> tuple[float, int]:
    file = folder / f"{name}.{fmt}"
    file.write_bytes(text.encode("utf-8", "surrogatepass"))
    runner = CliRunner()
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        result = runner.invoke(app, ["check", str(file), "--json"])
    seconds = time.perf_counter() - started
    code = getattr(result.exception, "exit_code", result.exit_code) if result.exception else result.exit_code
    return seconds, int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=200, help="Random documents besides the fixed corpus.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=5, help="How many of the slowest files to list.")
    parser.add_argument("--n", type=int, default=None, help="Check only the first N files (fixed corpus first).")
    parser.add_argument("--repeat", type=int, default=1, help="Checks of each file; its median time counts.")
    args = parser.parse_args()
    files = {name: doc for name, doc in fixed_corpus().items()}
    rng = random.Random(args.seed)
    for i in range(args.random):
        files[f"random_{args.seed}_{i}"] = hostile_document(rng)
    files = dict(list(files.items())[: args.n])
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        time_check(folder, "warm_up", "yaml", EXAMPLE.read_text(encoding="utf-8"))
        for name, (fmt, text) in files.items():
            runs = [time_check(folder, name, fmt, text) for _ in range(max(1, args.repeat))]
            seconds, code = statistics.median(r[0] for r in runs), runs[0][1]
            timings.append((seconds, name, fmt, code, len(text)))
    timings.sort(reverse=True)
    print(f"{len(timings)} hostile files checked; slowest first (exit code 0 = graded, 1/2 = refused):")
    for seconds, name, fmt, code, size in timings[: args.top]:
        print(f"  {seconds:6.2f} s  exit {code}  {fmt:4}  {size:>9} chars  {name}")
    slowest = timings[0][0]
    verdict = "within" if slowest <= TARGET_SECONDS else "OVER"
    print(f"Slowest hostile file: {slowest:.2f} s ({verdict} the {TARGET_SECONDS:g} s target).")


if __name__ == "__main__":
    main()
