"""Work budgets for checks, measured in CPU time and counted steps, never in wall-clock time.

A grade must not depend on how busy the machine is, so a budget counts only the work this
check does:

* In the main thread (a `grader check`, a batch worker), a CPU-time interval timer
  (`ITIMER_PROF`, SIGPROF) raises `BudgetExceeded` inside whatever sympy or mpmath call is
  running once the process has *computed* for the budget. Time the process spends waiting for a
  core, or stopped, does not count. The timer counts the whole process's CPU time: should other
  threads compute meanwhile, a budget can only run out sooner, which makes a result provisional
  (retried), never different.
* Everywhere else (worker threads, platforms without `setitimer`) the cooperative
  `Deadline.check()` calls between steps compare the thread's own CPU time with the budget and
  count the steps, so a single long sympy call there can overrun; the judge therefore skips its
  unbounded steps (`sympy.simplify`) when the deadline is not `guarded`.
* One wall-clock watchdog (SIGALRM, or the same cooperative check) sits far above the budget
  (`WATCHDOG_FACTOR` times it, at least `WATCHDOG_MIN_SECONDS`) for a check that truly hangs.

However a budget runs out, `BudgetExceeded` says why (`reason`), and the outermost budget notes
it for `watch()`: the engine uses that to mark a part's result as provisional (`needs_review`,
retried by the next `grader grade`) rather than letting a kind turn "ran out" into a verdict.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

# The CPU seconds one check may use when its part does not say, and the most a part may ask for.
DEFAULT_SECONDS = 2.0
MAX_SECONDS = 30.0
MIN_SECONDS = 0.05  # the least `grader compare --budget` accepts
# Random variants an author's check tries: `grader validate`, and each question test.
VALIDATE_VARIANTS = 20
QUESTION_TEST_VARIANTS = 3

# Re-fire a timer this often after it expired, in case a library swallowed the first signal.
_REFIRE_SECONDS = 0.05
# The wall-clock watchdog: far above the CPU budget, so only a true hang reaches it.
WATCHDOG_FACTOR = 15.0
WATCHDOG_MIN_SECONDS = 30.0
# Cooperative checks allowed per second of budget: a bound that does not depend on any clock.
STEPS_PER_SECOND = 2_000_000

CPU = "cpu"
STEPS = "steps"
WATCHDOG = "watchdog"


class BudgetExceeded(BaseException):
    """A check ran out of its budget; `reason` is CPU, STEPS or WATCHDOG.

    A BaseException, like KeyboardInterrupt, so that the broad `except Exception` clauses inside
    sympy do not swallow it.
    """

    def __init__(self, reason: str = CPU) -> None:
        super().__init__(reason)
        self.reason = reason


class OutOfBudget(Exception):
    """Raised to callers outside the budget machinery (the parser's): the work was cut short.

    Not an error in the answer: whoever grades must send the part to a person, never to zero.
    """

    def __init__(self, message: str, reason: str = CPU) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def describe(reason: str, seconds: float) -> str:
    """A sentence fragment saying which budget ran out."""
    if reason == WATCHDOG:
        return f"a check was still running after {watchdog_seconds(seconds):g} s and was stopped"
    if reason == STEPS:
        return f"a check used all of its {max_steps(seconds)} steps"
    return f"a check used all of its {seconds:g} s of computing time"


def watchdog_seconds(seconds: float) -> float:
    """The wall-clock limit that stands behind a CPU budget of `seconds`."""
    return max(WATCHDOG_MIN_SECONDS, WATCHDOG_FACTOR * seconds)


def max_steps(seconds: float) -> int:
    """Cooperative checks allowed under a budget of `seconds`."""
    return max(1, int(STEPS_PER_SECOND * seconds))


@dataclass
class Deadline:
    """The limits of one check; `guarded` when a timer enforces the CPU budget preemptively.

    `cpu_end` is on the clock `cpu_clock` reads (the thread's CPU time), `wall_end` on
    `time.monotonic()` (the watchdog only).
    """

    cpu_end: float
    wall_end: float
    steps_left: int
    guarded: bool = False
    seconds: float = 0.0
    cpu_clock: Callable[[], float] = field(default=time.thread_time, repr=False)

    def remaining(self) -> float:
        """Seconds of computing time left (negative once past)."""
        return self.cpu_end - self.cpu_clock()

    def check(self) -> None:
        """Raise BudgetExceeded when any limit is spent; counts as one step."""
        self.steps_left -= 1
        if self.steps_left < 0:
            raise BudgetExceeded(STEPS)
        if self.cpu_clock() > self.cpu_end:
            raise BudgetExceeded(CPU)
        if time.monotonic() > self.wall_end:
            raise BudgetExceeded(WATCHDOG)


class _State(threading.local):
    active: bool = False
    notes: list[tuple[str, float]] | None = None


_state = _State()


def _on_cpu(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    if _state.active:
        raise BudgetExceeded(CPU)


def _on_watchdog(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    if _state.active:
        raise BudgetExceeded(WATCHDOG)


def _signals_usable() -> bool:
    if not hasattr(signal, "setitimer") or not hasattr(signal, "SIGPROF"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    # A handler installed from C cannot be restored from Python afterwards.
    return signal.getsignal(signal.SIGPROF) is not None and signal.getsignal(signal.SIGALRM) is not None


def _usable_seconds(seconds: float) -> float:
    # Stop a little early: unwinding and building the verdict must also fit in the budget.
    return max(seconds - 0.05, seconds * 0.9)


@contextmanager
def watch() -> Iterator[list[tuple[str, float]]]:
    """Collect (reason, seconds) of every budget that runs out inside the body, in this thread."""
    outer = _state.notes
    notes: list[tuple[str, float]] = []
    _state.notes = notes
    try:
        yield notes
    finally:
        _state.notes = outer
        if outer is not None:
            outer.extend(notes)


def _note(reason: str, seconds: float) -> None:
    if _state.notes is not None:
        _state.notes.append((reason, seconds))


@contextmanager
def time_budget(seconds: float) -> Iterator[Deadline]:
    """Run the body under a budget of `seconds` of CPU time; BudgetExceeded escapes when it runs out.

    Nested budgets keep the outer timers and add a cooperative deadline of their own. Timers the
    caller had armed are paused and re-armed afterwards.
    """
    usable = _usable_seconds(seconds)
    wall_end = time.monotonic() + watchdog_seconds(seconds)
    try:
        if _state.active or not _signals_usable():
            yield Deadline(time.thread_time() + usable, wall_end, max_steps(seconds),
                           guarded=_state.active, seconds=seconds)
            return
        with _timers(usable, watchdog_seconds(seconds)):
            # The thread's clock: with a CPU timer armed, Linux updates the process's clock only
            # once a tick.
            yield Deadline(time.thread_time() + usable, wall_end, max_steps(seconds), guarded=True,
                           seconds=seconds)
    except BudgetExceeded as exceeded:
        _note(exceeded.reason, seconds)
        raise


@contextmanager
def _timers(cpu_seconds: float, wall_seconds: float) -> Iterator[None]:
    started = time.monotonic()
    previous_prof = signal.signal(signal.SIGPROF, _on_cpu)
    previous_alarm = signal.signal(signal.SIGALRM, _on_watchdog)
    prof_before = signal.setitimer(signal.ITIMER_PROF, max(cpu_seconds, 1e-6), _REFIRE_SECONDS)
    real_before = signal.setitimer(signal.ITIMER_REAL, max(wall_seconds, 1e-6), _REFIRE_SECONDS)
    _state.active = True
    try:
        yield
    finally:
        try:
            _state.active = False
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGPROF, previous_prof)
            signal.signal(signal.SIGALRM, previous_alarm)
            if real_before[0] > 0:
                left = max(real_before[0] - (time.monotonic() - started), 1e-6)
                signal.setitimer(signal.ITIMER_REAL, left, real_before[1])
            if prof_before[0] > 0:
                signal.setitimer(signal.ITIMER_PROF, prof_before[0], prof_before[1])
