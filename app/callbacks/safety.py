"""Callbacks never show a traceback: an unexpected error becomes a message and a log line.

Every guarded callback also runs inside the server's computation budget (time and memory of
work arrays, app.server.config): gunicorn's timeout does not stop a request of a threaded worker, so
the engine checks the budget itself (analytics.budget) and a view too large for the server
ends with a sentence instead of holding the worker.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import no_update, set_props
from dash.exceptions import MissingCallbackContextException, PreventUpdate
from flask import has_app_context

from analytics.budget import TOO_LARGE, BudgetExceeded, budget
from analytics.data.choices import ChoiceError
from analytics.data.schema import CohortValidationError
from app.layout import ids
from app.server.config import Config
from app.server.logsafe import exception_summary
from app.state.cohort_store import UploadNotHeld
from app.state.session import app_config
from app.state.upload_keys import UploadKeyInvalid
from i18n.language import N_, Message, reason, t

RESTORING = N_("Restoring your uploaded file…")
LOST = N_("The uploaded file is no longer held by the server: upload it again.")

log = logging.getLogger("app.callbacks")


def _limits() -> Config:
    # Outside a request (a test calling the function directly) the defaults apply.
    return app_config() if has_app_context() else Config()


def _refusal(error: Exception) -> str | None:
    """The sentence for an error that is the request's fault, not a bug (None: a bug)."""
    if isinstance(error, BudgetExceeded):
        # Which limit, never which values: operators size mem_limit and workers from it.
        log.warning("a computation exceeded the server's budget (%s)", error.reason)
        return str(error)
    if isinstance(error, MemoryError):
        # Beyond what the budget estimates (e.g. inside statsmodels): the server's limit too.
        log.warning("a computation exceeded the server's budget (memory: out of memory)")
        return TOO_LARGE
    if isinstance(error, ChoiceError):
        return reason(error)
    if isinstance(error, CohortValidationError):
        # The cohort the browser sent back is not one this server accepts (e.g. uploads
        # are off, or it is over the upload limits): the first problem says why.
        return error.problems[0].rule if error.problems else str(error)
    return None


def restoring_alert() -> dbc.Alert:
    return dbc.Alert(t(RESTORING), color="info", id="upload-restoring")


def _ask_restore(error: UploadNotHeld | UploadKeyInvalid, fallback: Callable) -> object:
    """Tell the page's restore callback (app.callbacks.restore) that this worker lacks the
    upload of the store, or refused its key, and leave the outputs as they are meanwhile:
    the restore answers with the cohort or with the message that it is gone."""
    if isinstance(error, UploadKeyInvalid):
        # Which check failed, never the key or anything in the store.
        log.warning("an upload key was refused (%s)", error.reason)
    try:
        set_props(ids.UPLOAD_RESTORE, {"data": error.signal})
        if isinstance(error, UploadNotHeld):
            set_props(ids.UPLOAD_RESTORE_STATUS, {"children": restoring_alert()})
    except MissingCallbackContextException:  # called directly (tests), not by Dash
        return fallback(RESTORING if isinstance(error, UploadNotHeld) else LOST)
    return no_update


def guarded(fallback: Callable[[str], tuple]) -> Callable:
    """Run the callback within the computation budget; on an unexpected error log it (type
    and place, no data values) and return ``fallback(message)`` so the page stays usable."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            limits = _limits()
            try:
                with budget(limits.compute_seconds, limits.compute_memory_bytes):
                    return function(*args, **kwargs)
            except PreventUpdate:  # Dash's way to leave every output as it is
                raise
            except (UploadNotHeld, UploadKeyInvalid) as error:
                return _ask_restore(error, fallback)
            except Exception as error:  # the boundary: anything here is a bug, not user error
                refusal = _refusal(error)
                if refusal is not None:
                    return fallback(refusal)
                # Exception messages can quote cell values: log the type and place only.
                log.error("callback %s failed: %s", function.__name__, exception_summary(error))
                return fallback(
                    Message(
                        "Something went wrong computing this view ({error}). The error was "
                        "logged; try other filters or reload the page.",
                        error=type(error).__name__,
                    )
                )

        return wrapper

    return decorate
