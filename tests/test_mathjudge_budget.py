"""CPU-time budgets: a check that runs out is `undecided`, never `not_equivalent`, and the
process's own timer and handler survive it. No assertion here is about speed."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator

import pytest
import sympy as sp

from grader.mathjudge import BudgetExceeded, Verdict, judge, time_budget

x, k = sp.Symbol("x"), sp.Symbol("k", integer=True)
SLOW_STUDENT = sp.Sum(x**k / sp.factorial(k), (k, 0, 10**5))  # 1e5 terms at every point


@pytest.fixture
def own_alarm() -> Iterator[list[int]]:
    """A SIGALRM handler and a long timer of the caller's, as a test harness might have."""
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    yield fired
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_running_out_of_time_is_undecided() -> None:
    result = judge(SLOW_STUDENT, sp.exp(x), budget=0.2)
    assert result.verdict is Verdict.UNDECIDED
    assert result.method == "timeout"
    assert result.message == "could not decide: a check used all of its 0.2 s of computing time; sent to a human"
    assert result.witness is None


def test_a_tiny_budget_is_undecided_not_wrong() -> None:
    result = judge(sp.Max(0, x), (x + sp.Abs(x)) / 2, budget=1e-4)
    assert result.verdict is Verdict.UNDECIDED


def test_the_callers_handler_and_timer_are_restored(own_alarm: list[int]) -> None:
    judge(SLOW_STUDENT, sp.exp(x), budget=0.1)
    judge(sp.Max(0, x), x)
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    assert 90 < remaining <= 100
    signal.setitimer(signal.ITIMER_REAL, 0.01)
    time.sleep(0.05)
    assert own_alarm == [signal.SIGALRM]


def test_no_timer_is_left_behind() -> None:
    judge(SLOW_STUDENT, sp.exp(x), budget=0.1)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_worker_threads_use_a_cooperative_deadline() -> None:
    results = {}

    def work() -> None:
        results["slow"] = judge(SLOW_STUDENT, sp.exp(x), budget=0.2)
        results["fine"] = judge(sp.Max(0, x), (x + sp.Abs(x)) / 2)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)
    assert results["slow"].verdict is Verdict.UNDECIDED
    assert results["fine"].verdict is Verdict.EQUIVALENT


def test_time_budget_interrupts_a_busy_body() -> None:
    with pytest.raises(BudgetExceeded), time_budget(0.05) as deadline:
        assert deadline.guarded
        while True:
            sum(range(1000))


def test_nested_budgets_keep_the_outer_timer() -> None:
    with time_budget(5.0) as outer:
        with time_budget(1.0) as inner:
            assert inner.guarded and inner.cpu_end < outer.cpu_end
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_cooperative_deadline_check_in_a_thread() -> None:
    results: dict[str, bool] = {}

    def work() -> None:
        with time_budget(0.01) as cooperative:
            spent = time.thread_time() + 0.02
            while time.thread_time() < spent:  # computing, not waiting: that is what counts
                sum(range(1000))
            try:
                cooperative.check()
            except BudgetExceeded:
                results["raised"] = True

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert results == {"raised": True}
