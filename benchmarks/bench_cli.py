"""Command start-up benchmark: whole `grader` processes against `python -c "import numpy, sympy"`.

    python benchmarks/bench_cli.py                 # 5 alternating runs of each command
    python benchmarks/bench_cli.py --repeat 9 --n 3
    python benchmarks/bench_cli.py --phases cold   # one phase only

Measures, as separate processes started the way a student starts them:
  - `grader check` of the bundled complete answer file (with --n N: N copies in one call),
  - `grader --help`,
  - `grader template problems/mlp_cnn --student alice`,
  - and the baseline `python -c "import numpy, sympy"`,
each run `--repeat` times, alternating (baseline, check, help, template, baseline, ...) so a
change in the machine's load hits all of them alike. Three phases:
  - cold: the cache folder is emptied before every grader run (parse tables, expected answers and
    the report are computed);
  - edited: parse tables and expected answers are in the cache, but the file's stored report is
    removed before every run, as after a student changed an answer: the file is graded;
  - warm: the cache was filled by one unmeasured run and the file is unchanged: `check` shows the
    stored report. Figures are medians of the CPU time (user + system of
the process, from wait4) and of the wall time, and their ratios to the baseline. On a shared,
loaded machine the CPU-time ratio is the one to trust: wall time also counts waiting for a core.

Python writes bytecode for the runs (a normal installation has it; PYTHONDONTWRITEBYTECODE is
removed from the environment of the measured processes), and one unmeasured run of each command
comes first so that every measured run finds it; the edited and warm phases start with one
unmeasured check that fills the cache.
Targets from the issue (CPU ratios): check warm <= 1.3x, check cold <= 3x, --help <= 0.3x. The
edited phase has no target of its own; it is printed because it is what a student waits for after
changing an answer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "submissions_example" / "alice_correct.yaml"
PHASES = ("cold", "edited", "warm")
TARGETS = {("check", "warm"): 1.3, ("check", "cold"): 3.0, ("--help", "warm"): 0.3, ("--help", "cold"): 0.3}


def commands(files: list[Path]) -> dict[str, list[str]]:
    grader = [sys.executable, "-m", "grader"]
    return {
        "import numpy, sympy": [sys.executable, "-c", "import numpy, sympy"],
        "check": [*grader, "check", *map(str, files)],
        "--help": [*grader, "--help"],
        "template": [*grader, "template", "problems/mlp_cnn", "--student", "alice"],
    }


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}:\n{error}")
    return usage.ru_utime + usage.ru_stime, wall


def measure(phase: str, cmds: dict[str, list[str]], env: dict[str, str], cache: Path,
            repeat: int) -> dict[str, tuple[float, float]]:
    """Median (CPU, wall) per command over `repeat` alternating rounds."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    if phase != "cold":  # unmeasured: parse tables, expected answers and the report in the cache
        run(cmds["check"], env)
    for _ in range(repeat):
        for name, command in cmds.items():
            if phase == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            elif phase == "edited" and name == "check":  # as if an answer had changed: no stored report
                shutil.rmtree(cache / "checks", ignore_errors=True)
            samples[name].append(run(command, env))
    return {name: (statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs))
            for name, runs in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="measured runs of each command per phase")
    parser.add_argument("--n", type=int, default=1, help="answer files one `grader check` checks "
                        "(copies of the bundled complete file)")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help=f"comma-separated phases to measure, of {', '.join(PHASES)} (default: all)")
    args = parser.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown or not phases:
        parser.error(f"--phases: unknown phase(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(PHASES)}")
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as work:
        files = [ANSWERS]
        for i in range(1, max(1, args.n)):
            copy = Path(work) / f"answers-{i}.yaml"
            shutil.copyfile(ANSWERS, copy)
            files.append(copy)
        cache = Path(work) / "cache"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GRADER_CACHE")}
        env["GRADER_CACHE_DIR"] = str(cache)
        env["GRADER_PROBLEMS"] = str(ROOT / "problems")
        cmds = commands(files)
        # Unmeasured, once: every command's bytecode written.
        for command in cmds.values():
            run(command, env)
        print(f"{'phase':<8}{'command':<22}{'CPU s':>8}{'wall s':>8}{'CPU ratio':>11}{'wall ratio':>12}")
        results = {}
        for phase in phases:
            medians = measure(phase, cmds, env, cache, max(1, args.repeat))
            base_cpu, base_wall = medians["import numpy, sympy"]
            for name, (cpu, wall) in medians.items():
                results[(name, phase)] = cpu / base_cpu
                print(f"{phase:<8}{name:<22}{cpu:>8.2f}{wall:>8.2f}{cpu / base_cpu:>10.2f}x{wall / base_wall:>11.2f}x",
                      flush=True)
    for (name, phase), limit in TARGETS.items():
        if (name, phase) not in results:
            continue
        ratio = results[(name, phase)]
        print(f"target: {name} {phase} <= {limit}x the bare import (CPU): {ratio:.2f}x -> "
              f"{'met' if ratio <= limit else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
