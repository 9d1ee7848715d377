"""Logs that carry no patient data and stay small, whatever a request sends.

Exception messages quote what they failed on (a cell value, a store's key, a whole malformed
callback body: a 30 MB body once became 60 MB of log, quoted by two chained exceptions). So
an exception is logged by its type and the place it was raised, never by its message or
traceback text, and every record is cut to ``MAX_RECORD_CHARS``.

Imports nothing heavy: gunicorn.conf.py installs the filter in the master.
"""

from __future__ import annotations

import logging
from types import TracebackType

MAX_RECORD_CHARS = 2000


def exception_summary(error: BaseException) -> str:
    """``TypeName at file:line`` of the innermost frame: where, never what."""
    frame: TracebackType | None = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame else "?"
    return f"{type(error).__name__} at {where}"


def _cut(text: str) -> str:
    if len(text) <= MAX_RECORD_CHARS:
        return text
    return f"{text[:MAX_RECORD_CHARS]}… [{len(text) - MAX_RECORD_CHARS} characters cut]"


class SafeRecords(logging.Filter):
    """On a handler: every record's exception becomes its summary, its text is capped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {exception_summary(record.exc_info[1])}"
        record.msg, record.args = _cut(message), None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def install_exception_logging(server: object) -> None:
    """Flask logs an unhandled exception with its traceback and message: log the request's
    method and (capped) path and the exception's summary instead."""
    import flask

    assert isinstance(server, flask.Flask)
    logger = server.logger

    def log_exception(exc_info: tuple) -> None:
        error = exc_info[1]
        summary = exception_summary(error) if error is not None else "?"
        path = flask.request.path if flask.has_request_context() else "?"
        method = flask.request.method if flask.has_request_context() else "?"
        logger.error("exception on %s [%s]: %s", path[:200], method, summary)

    server.log_exception = log_exception  # type: ignore[method-assign]


def install_filter(handlers: list[logging.Handler]) -> None:
    """``SafeRecords`` on each handler (once)."""
    for handler in handlers:
        if not any(isinstance(f, SafeRecords) for f in handler.filters):
            handler.addFilter(SafeRecords())
