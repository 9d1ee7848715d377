"""Capturing or silencing library warnings safely when several threads compute at once.

``warnings.catch_warnings`` swaps the process-wide filter list and restores it on exit, so
two threads inside it at once (gunicorn threads, or a test's server thread beside the test)
restore each other's filters: a warning can then escape as an error, or vanish from the
record. Every use in analytics goes through this one lock.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.RLock()


@contextmanager
def recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning raised inside the block (none is shown or raised)."""
    with _LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


@contextmanager
def ignored_warnings(category: type[Warning]) -> Iterator[None]:
    """Silence one category of warnings inside the block."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", category)
        yield
