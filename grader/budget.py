"""Time budgets for checks: a SIGALRM timer where possible, a cooperative deadline everywhere.

In the main thread of a process (where POSIX delivers signals) a real-time interval timer
raises `BudgetExceeded` inside whatever sympy or mpmath call is running, so no single call can
overrun by more than the time until the interpreter next runs Python bytecode. Elsewhere (worker
threads, platforms without `setitimer`) only the cooperative `Deadline.check()` calls between
steps stop a check, so a single long sympy call there can overrun; the judge therefore skips
its unbounded steps (`sympy.simplify`) when the deadline is not `guarded`.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

# Re-fire the alarm this often after the deadline, in case a library swallowed the first one.
_REFIRE_SECONDS = 0.05


class BudgetExceeded(BaseException):
    """A check ran out of time.

    A BaseException, like KeyboardInterrupt, so that the broad `except Exception` clauses inside
    sympy do not swallow it.
    """


@dataclass(frozen=True)
class Deadline:
    """The moment a check must stop; `guarded` when a timer enforces it preemptively."""

    end: float
    guarded: bool = False

    def remaining(self) -> float:
        """Seconds left (negative once past)."""
        return self.end - time.monotonic()

    def check(self) -> None:
        """Raise BudgetExceeded when the deadline has passed."""
        if time.monotonic() > self.end:
            raise BudgetExceeded


class _AlarmState(threading.local):
    active: bool = False


_state = _AlarmState()


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    if _state.active:
        raise BudgetExceeded


def _signals_usable() -> bool:
    if not hasattr(signal, "setitimer"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    # A handler installed from C cannot be restored from Python afterwards.
    return signal.getsignal(signal.SIGALRM) is not None


def _usable_seconds(seconds: float) -> float:
    # Stop a little early: unwinding and building the verdict must also fit in the budget.
    return max(seconds - 0.05, seconds * 0.9)


@contextmanager
def time_budget(seconds: float) -> Iterator[Deadline]:
    """Run the body under a budget of `seconds`; BudgetExceeded escapes when it runs out.

    Nested budgets keep the outer timer and add a cooperative deadline of their own. A timer the
    caller had armed is paused and re-armed afterwards with its remaining time.
    """
    start = time.monotonic()
    usable = _usable_seconds(seconds)
    if _state.active or not _signals_usable():
        yield Deadline(start + usable, guarded=_state.active)
        return
    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    previous_delay, previous_interval = signal.setitimer(
        signal.ITIMER_REAL, max(usable, 1e-6), _REFIRE_SECONDS
    )
    _state.active = True
    try:
        yield Deadline(start + usable, guarded=True)
    finally:
        try:
            _state.active = False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if previous_delay > 0:
                left = max(previous_delay - (time.monotonic() - start), 1e-6)
                signal.setitimer(signal.ITIMER_REAL, left, previous_interval)
