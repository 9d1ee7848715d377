"""A time and memory budget for one computation (one request of the server).

gunicorn's ``timeout`` does not stop a request of a threaded worker (its heartbeat runs in
another thread), so a long computation would hold a worker for as long as it takes. The
engine's long loops (Cox Newton iterations, Firth fits and profile limits, one model per
covariate, one curve per group) call :func:`check_deadline`, and its large allocations
call :func:`check_memory` first; both raise :class:`BudgetExceeded`, which the app and the
CLI turn into one clear sentence.

The budget is a context variable, set with :func:`budget` around one request's work: other
threads (other requests) and code outside the block (tests, notebooks, the CLI without a
budget) run unlimited.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

TOO_LARGE = "Too large for this server: narrow the cohort or choose fewer levels."
# A float64 is 8 bytes.
FLOAT_BYTES = 8


class BudgetExceeded(RuntimeError):
    """The computation would take longer or more memory than this server allows."""

    def __init__(self, reason: str) -> None:
        super().__init__(TOO_LARGE)
        # Why, for logs and tests (never a patient value): "time" or "memory".
        self.reason = reason


@dataclass(frozen=True)
class _Budget:
    deadline: float | None  # time.monotonic() value
    max_bytes: int | None


_current: ContextVar[_Budget | None] = ContextVar("budget", default=None)


@contextmanager
def budget(seconds: float | None, max_bytes: int | None) -> Iterator[None]:
    """Limit the computation inside the block to ``seconds`` and arrays of ``max_bytes``
    (``None``: no limit of that kind)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    token = _current.set(_Budget(deadline, max_bytes))
    try:
        yield
    finally:
        _current.reset(token)


def check_deadline() -> None:
    """Raise BudgetExceeded when the current budget's time is up."""
    current = _current.get()
    if current is not None and current.deadline is not None:
        if time.monotonic() > current.deadline:
            raise BudgetExceeded("time")


def check_memory(elements: int, what: str = "work arrays") -> None:
    """Raise BudgetExceeded before allocating ``elements`` floats beyond the budget."""
    current = _current.get()
    if current is not None and current.max_bytes is not None:
        if elements * FLOAT_BYTES > current.max_bytes:
            raise BudgetExceeded(f"memory ({what})")
