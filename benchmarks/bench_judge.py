"""Benchmark the math judge on the corpus, and compare with plain `sympy.simplify`.

Run: python benchmarks/bench_judge.py [--repeats N] [--simplify-cap SECONDS] [--n PAIRS]

After one warm-up pass, every pair is judged N times; the figures are the median, 95th
percentile and worst time per check (wall clock and CPU time of this process: on a shared
machine the wall clock also counts time spent waiting for a core), the count of each verdict,
how often the verdict was the expected one, and how many were wrong (a verdict that
contradicts the mathematical truth; `undecided` is never wrong). The same corpus is then
judged by `sympy.simplify(student - reference) == 0`, with symbols carrying their domain's
assumptions, under a cap per pair; for relations it asks whether the two sides' differences
simplify to each other or to each other's negative. simplify knows nothing of `ignore_points`,
so the two ReLU' pairs that rely on the convention at 0 count against it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from judge_corpus import EQ, NE, UN, Pair, corpus

from grader.mathjudge import BudgetExceeded, judge, parse_domain, time_budget

DEFAULT_BUDGET = 2.0


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def run_judge(pair: Pair) -> tuple[str, float, float]:
    """Judge one pair: verdict, wall seconds, CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = judge(pair.student, pair.reference, pair.domains, **pair.options)
    return str(result.verdict), time.perf_counter() - wall, time.process_time() - cpu


def is_wrong(verdict: str, truth: str) -> bool:
    """A verdict that contradicts the truth (undecided never does)."""
    return verdict != UN and verdict != truth


def bench_judge(pairs: list[Pair], repeats: int) -> None:
    for pair in pairs:  # warm-up: imports, sympy's caches, compiled closures
        run_judge(pair)
    walls: list[float] = []
    cpus: list[float] = []
    verdicts: Counter[str] = Counter()
    mismatches: list[str] = []
    wrong: list[str] = []
    over_budget = 0
    per_pair: dict[str, float] = {}
    for pair in pairs:
        budget = pair.options.get("budget", DEFAULT_BUDGET)
        pair_cpus = []
        for repeat in range(repeats):
            verdict, wall, cpu = run_judge(pair)
            walls.append(wall)
            cpus.append(cpu)
            pair_cpus.append(cpu)
            over_budget += wall > budget
            if repeat == 0:
                verdicts[verdict] += 1
                if verdict != pair.expect:
                    mismatches.append(f"{pair.name}: {verdict} (expected {pair.expect})")
                if is_wrong(verdict, pair.truth):
                    wrong.append(pair.name)
        per_pair[pair.name] = statistics.median(pair_cpus)
    print(f"math judge: {len(pairs)} pairs x {repeats} runs after warm-up")
    for label, values in (("wall", walls), ("cpu", cpus)):
        print(f"  {label:4} per check: median {statistics.median(values) * 1e3:7.2f} ms, "
              f"95th percentile {percentile(values, 0.95) * 1e3:8.2f} ms, "
              f"worst {max(values) * 1e3:8.1f} ms")
    print(f"  verdicts: {dict(verdicts)}")
    print(f"  as expected: {len(pairs) - len(mismatches)}/{len(pairs)}"
          + ("".join(f"\n    - {m}" for m in mismatches)))
    print(f"  wrong (contradicting the truth): {len(wrong)} {wrong if wrong else ''}")
    print(f"  checks over their budget: {over_budget}")
    slowest = sorted(per_pair.items(), key=lambda item: -item[1])[:6]
    print("  slowest pairs (median cpu): " + ", ".join(
        f"{name} {seconds * 1e3:.0f} ms" for name, seconds in slowest))


def with_assumptions(value: Any, domains: dict[str, str]) -> Any:
    """Give each symbol its domain's assumptions, so simplify gets the same information."""
    mapping = {s: sp.Symbol(s.name, **parse_domain(domains.get(s.name, "real")).assumptions())
               for s in value.atoms(sp.Symbol) if not isinstance(s, sp.Dummy)}
    return value.xreplace(mapping)


def simplify_verdict(pair: Pair) -> str:
    """What `simplify(a - b) == 0` says about a pair (relations: sides' differences)."""
    student = with_assumptions(pair.student, pair.domains)
    reference = with_assumptions(pair.reference, pair.domains)
    if isinstance(student, sp.MatrixBase):
        if student.shape != reference.shape:
            return NE
        return EQ if sp.simplify(student - reference).is_zero_matrix else NE
    if isinstance(reference, sp.core.relational.Relational) or isinstance(
            student, sp.core.relational.Relational):
        (kind_s, ds), (kind_r, dr) = _normalised(student), _normalised(reference)
        if kind_s != kind_r:
            return NE
        same = sp.simplify(ds - dr) == 0 or (kind_s == "==" and sp.simplify(ds + dr) == 0)
        return EQ if same else NE
    return EQ if sp.simplify(student - reference) == 0 else NE


def _normalised(relation: Any) -> tuple[str, Any]:
    """A relation as (kind, difference): a <= b becomes b - a >= 0."""
    if isinstance(relation, sp.Equality):
        return "==", relation.lhs - relation.rhs
    if isinstance(relation, (sp.GreaterThan, sp.StrictGreaterThan)):
        return relation.rel_op, relation.lhs - relation.rhs
    if isinstance(relation, (sp.LessThan, sp.StrictLessThan)):
        return relation.rel_op.replace("<", ">"), relation.rhs - relation.lhs
    return "constant", relation


def bench_simplify(pairs: list[Pair], cap: float) -> None:
    results: Counter[str] = Counter()
    wrong: list[str] = []
    timed_out: list[str] = []
    seconds: list[float] = []
    for pair in pairs:
        start = time.perf_counter()
        try:
            with time_budget(cap):
                verdict = simplify_verdict(pair)
        except BudgetExceeded:
            verdict = "timeout"
            timed_out.append(pair.name)
        except Exception as error:  # noqa: BLE001 - sympy's own failures are data here
            verdict = f"error ({type(error).__name__})"
        seconds.append(time.perf_counter() - start)
        results[verdict] += 1
        if verdict in (EQ, NE) and verdict != pair.truth:
            wrong.append(f"{pair.name}: says {verdict}")
    print(f"plain sympy.simplify(a - b) == 0, capped at {cap:g} s per pair:")
    print(f"  per pair: median {statistics.median(seconds) * 1e3:.1f} ms, "
          f"95th percentile {percentile(seconds, 0.95) * 1e3:.1f} ms, "
          f"worst {max(seconds) * 1e3:.0f} ms, total {sum(seconds):.1f} s")
    print(f"  verdicts: {dict(results)}")
    false_accepts = sum(1 for w in wrong if w.endswith(f"says {EQ}"))
    print(f"  wrong: {len(wrong)} ({false_accepts} false accepts, "
          f"{len(wrong) - false_accepts} false rejects)"
          + "".join(f"\n    - {w}" for w in wrong))
    print(f"  timed out: {len(timed_out)} {timed_out if timed_out else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", "--repeat", dest="repeats", type=int, default=5)
    parser.add_argument("--simplify-cap", type=float, default=5.0)
    parser.add_argument("--n", type=int, default=None, help="judge only the first N pairs of the corpus")
    args = parser.parse_args()
    pairs = corpus()[: args.n]
    groups = Counter(p.group for p in pairs)
    print(f"corpus: {len(pairs)} pairs ({', '.join(f'{n} {g}' for g, n in groups.items())})")
    bench_judge(pairs, args.repeats)
    bench_simplify(pairs, args.simplify_cap)


if __name__ == "__main__":
    main()
