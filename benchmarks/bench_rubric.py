"""Benchmark free-text scoring: the tutorial's rubrics on their measuring answers, with each
rubric's vocabulary (how the grader scores) and without it (every rubric word looked for one at a
time, as before the vocabulary), in one run.

Run: python benchmarks/bench_rubric.py [--n ANSWERS] [--repeat R]

`--n` answers are taken evenly from every folder of tests/data/rubric_samples/ (all of them with
`--n 0`); after a warm-up pass (rubrics loaded, patterns compiled, vocabularies made), each way
scores them R times. The figures are the CPU time per answer (median over the repetitions) of
each way and their ratio; the script checks that both ways give every answer the same points,
status, confidence, flags and feedback, and says so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.rubric import load_rubric, part_options, score_answer  # noqa: E402
from grader.rubric import score as scoring  # noqa: E402
from grader.rubric.samples import load_samples  # noqa: E402
from grader.spec import load_problem_set  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "rubric_samples"


def answers(n: int) -> tuple[dict[str, tuple[Any, str]], list[tuple[str, str]]]:
    """The text rubrics of the tutorial (part -> (rubric, prompt)) and n answers (part, text)."""
    problem_set = load_problem_set(ROOT / "problems" / "mlp_cnn")
    rubrics = {}
    for _, part in problem_set.parts():
        if part.kind == "text":
            options = part_options(part.options, problem_set.root, part.prompt)
            rubrics[part.id] = (load_rubric(options["rubric"]), options["prompt"])
    found = [(path.stem, sample.answer) for path in sorted(SAMPLES.glob("*/*.yaml")) if path.stem in rubrics
             for sample in load_samples(path) if isinstance(sample.answer, str)]
    return rubrics, (found if n <= 0 else found[::max(1, len(found) // n)][:n])


def score_all(rubrics: dict[str, tuple[Any, str]], chosen: list[tuple[str, str]]) -> tuple[float, list[Any]]:
    cpu = time.process_time()
    results = [score_answer(rubrics[part][0], text, rubrics[part][1]) for part, text in chosen]
    return time.process_time() - cpu, results


def without_vocabulary(rubric: Any) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="answers scored (0: every measuring answer)")
    parser.add_argument("--repeat", type=int, default=3, help="measured repetitions of each way")
    args = parser.parse_args()
    rubrics, chosen = answers(args.n)
    with_it = scoring.vocabulary
    score_all(rubrics, chosen)  # warm-up: patterns compiled, vocabularies made
    times: dict[str, list[float]] = {"with the vocabulary": [], "without it": []}
    outcomes: dict[str, list[Any]] = {}
    for _ in range(max(1, args.repeat)):
        for way, make in (("with the vocabulary", with_it), ("without it", without_vocabulary)):
            scoring.vocabulary = make  # type: ignore[assignment]
            try:
                seconds, results = score_all(rubrics, chosen)
            finally:
                scoring.vocabulary = with_it
            times[way].append(seconds)
            outcomes[way] = [(r.points, r.status, r.confidence, r.flags, r.reasons, r.feedback) for r in results]
    print(f"free-text scoring: {len(chosen)} answers of {len(rubrics)} rubrics, {args.repeat} repetition(s), CPU time")
    medians = {way: statistics.median(values) for way, values in times.items()}
    for way, seconds in medians.items():
        print(f"  {way:<20} {1000 * seconds / len(chosen):7.2f} ms an answer")
    print(f"  ratio (without / with): {medians['without it'] / medians['with the vocabulary']:.2f}")
    same = outcomes["with the vocabulary"] == outcomes["without it"]
    print(f"  the same results both ways: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
