"""What `judge` and `judge_relation` share: their option types, settings and the budgeted run.

It sits below both so that neither imports the other at module level.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from grader.budget import BudgetExceeded, Deadline, describe, time_budget
from grader.mathjudge.numeric import Settings
from grader.mathjudge.result import STUDENT_UNDECIDED, Judgement, undecided

if TYPE_CHECKING:
    from grader.mathjudge.domains import Domain

DomainSpec = Mapping[str, "str | Domain"] | None
IgnorePoints = Sequence[Mapping[str, float]] | None


def make_settings(rel_tol: float, seed: int, ignore_points: IgnorePoints) -> Settings:
    """Validate and bundle the options shared by judge and judge_relation."""
    if not 0 <= rel_tol < 1:
        raise ValueError(f"rel_tol must be in [0, 1), not {rel_tol!r}.")
    ignore = tuple(dict(entry) for entry in (ignore_points or ()))
    return Settings(rel_tol=rel_tol, seed=seed, ignore=ignore)


def run_with_budget(budget: float, check: Callable[[Deadline], Judgement]) -> Judgement:
    """Run one check under `budget` seconds of CPU time; running out gives `undecided`, never `wrong`."""
    if budget <= 0:
        raise ValueError(f"budget must be positive, not {budget!r}.")
    started = time.perf_counter()
    try:
        with time_budget(budget) as deadline:
            result = check(deadline)
    except BudgetExceeded as exceeded:
        spent = describe(exceeded.reason, budget)
        result = undecided("timeout", f"could not decide: {spent}; sent to a human",
                           f"your answer could not be checked automatically ({spent}); a person will review it")
    except Exception as error:  # noqa: BLE001 - the one boundary: see below
        # sympy raises many exception types on unusual inputs (PolynomialError,
        # NotImplementedError, TypeError from comparing non-real values, ...); whatever
        # escapes the deliberate handling inside, one answer must end in a verdict, and
        # "could not decide" sends it to a human instead of crashing the batch.
        # The exception is for the author and the reviewer; the student is told only that a person looks.
        result = undecided("unsupported", f"the check failed ({type(error).__name__}: {error}); sent to a human",
                           STUDENT_UNDECIDED)
    return replace(result, seconds=time.perf_counter() - started)
