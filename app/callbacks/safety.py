"""Callbacks never show a traceback: an unexpected error becomes a message and a log line."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

log = logging.getLogger("app.callbacks")


def guarded(fallback: Callable[[str], tuple]) -> Callable:
    """Run the callback; on an unexpected error log it (type and place, no data values) and
    return ``fallback(message)`` so the page stays usable."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception as error:  # the boundary: anything here is a bug, not user error
                frame = error.__traceback__
                while frame is not None and frame.tb_next is not None:
                    frame = frame.tb_next
                where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame else "?"
                # Exception messages can quote cell values: log the type and place only.
                log.error(
                    "callback %s failed: %s at %s", function.__name__, type(error).__name__, where
                )
                return fallback(
                    f"Something went wrong computing this view ({type(error).__name__}). "
                    "The error was logged; try other filters or reload the page."
                )

        return wrapper

    return decorate
