"""Conditional survival calculator (Survival tab): filters + X + Y -> a table per group.

Its own callback, not part of update_panels: typing a number recomputes one small table.
"""

from __future__ import annotations

import math

from dash import Dash, Input, Output, State

from analytics.data.cohort import analysis_frame
from analytics.stats.conditional import conditional_survival
from app.callbacks.common import (
    AGE_BOUNDS,
    CONTROL_STATES,
    LANGUAGE_STATE,
    in_page_language,
    resolve_view,
)
from app.callbacks.declarations import Declarations
from app.callbacks.safety import guarded
from app.callbacks.visible import gate_input
from app.layout import ids
from app.layout.static_parts import data_id
from components.panels.analyses import EMPTY_MESSAGE, empty_state
from components.panels.conditional import conditional_panel, input_problem
from components.plain_html import plain
from i18n.language import N_, t

declared = Declarations()


def parse_months(value: object, what: str, *, allow_zero: bool) -> tuple[float | None, str | None]:
    """A number of months from an input box, or a message saying what is wrong with it
    (``what`` in English; the message in the page's language)."""
    what = t(what)
    if value is None or value == "":
        return None, t("Enter {what} (a number of months).").format(what=what)
    try:
        # A decimal comma ("6,5") is how Spanish speakers write it.
        months = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None, _sentence(t("{what} must be a number of months.").format(what=what))
    if not math.isfinite(months) or months < 0:
        return None, _sentence(t("{what} cannot be negative.").format(what=what))
    if months == 0 and not allow_zero:
        return None, _sentence(t("{what} must be more than 0 months.").format(what=what))
    return months, None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _failed(message: str) -> tuple:
    return (plain(input_problem([message])), False, False)


@declared.callback(
    Output(data_id(ids.CONDITIONAL_PANEL), "data"),
    Output(ids.CONDITIONAL_GIVEN, "invalid"),
    Output(ids.CONDITIONAL_AHEAD, "invalid"),
    Input(ids.CONDITIONAL_GIVEN, "value"),
    Input(ids.CONDITIONAL_AHEAD, "value"),
    # On the Survival tab: requested with it (app.callbacks.visible).
    gate_input("km"),
    *CONTROL_STATES,
    State(ids.COHORT_STORE, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(_failed)
def update_conditional(*args):
    given, ahead, _gate, *values, store, age_min, age_max = args
    given_months, given_problem = parse_months(
        given, N_("the months failure-free so far"), allow_zero=True
    )
    ahead_months, ahead_problem = parse_months(ahead, N_("the months ahead"), allow_zero=False)
    problems = [p for p in (given_problem, ahead_problem) if p]
    if problems:
        problem = plain(input_problem(problems))
        return (problem, given_problem is not None, ahead_problem is not None)
    cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    return (plain(conditional_table(cohort, state, given_months, ahead_months)), False, False)


def conditional_table(cohort, state, given_months: float, ahead_months: float) -> object:
    """The calculator's read-out for the view (the page's opening one too)."""
    frame = analysis_frame(cohort, state.filters())
    if frame.empty:
        return empty_state(EMPTY_MESSAGE)
    table = conditional_survival(
        frame, given_months, ahead_months, group_by=state.group_by, conf_level=state.conf_level
    )
    return conditional_panel(table)


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
