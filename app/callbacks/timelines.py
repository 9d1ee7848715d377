"""Patient timelines (swimmer plot) and the patients behind a clicked Kaplan–Meier step."""

from __future__ import annotations

import math

from dash import Dash, Input, Output, State, ctx
from dash.exceptions import MissingCallbackContextException

from analytics.stats.timelines import KmStep, km_step, patient_timelines
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
from components.figures.empty import empty_figure
from components.figures.swimmer import swimmer_figure
from components.panels import analyses as panels
from components.panels.timelines import km_step_panel, swimmer_caption
from i18n.language import t

declared = Declarations()


def _clicked_step(click: dict | None) -> tuple[str, float] | None:
    """(curve key, month) of a click on a KM curve or censoring tick; None for anything else
    (the at-risk table, a CI band, or a click payload from an older page or a forged one)."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points else None
    custom = point.get("customdata") if isinstance(point, dict) else None
    # [curve key, month, ...hover texts] (components.figures.km): the first two name the step.
    if not isinstance(custom, list) or len(custom) < 2:
        return None
    return _step(*custom[:2])


def _step(group: object, month: object) -> tuple[str, float] | None:
    """A curve key and a finite month, else None: the browser sends these back (the click,
    the selected step's store), so a request can put anything there."""
    if not isinstance(group, str) or not isinstance(month, int | float | str):
        return None
    if isinstance(month, bool):
        return None
    try:
        number = float(month)
    except (ValueError, OverflowError):
        return None
    return (group, number) if math.isfinite(number) else None


def _triggered() -> object:
    try:
        return ctx.triggered_id
    except MissingCallbackContextException:  # called directly (tests), not by Dash
        return ids.KM_GRAPH


@declared.callback(
    Output(ids.KM_STEP, "data"),
    Output(ids.KM_STEP_PANEL, "children"),
    Input(ids.KM_GRAPH, "clickData"),
    # Set in the browser when the view changes with a step selected (app.callbacks.visible).
    Input(ids.KM_STEP_RESET, "data"),
    *CONTROL_STATES,
    State(ids.COHORT_STORE, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(lambda message: (None, panels.warnings_list([message])))
def select_km_step(click, *rest):
    """A click on a curve lists its patients; any change of view clears the selection (the
    step it named may no longer exist)."""
    _reset, *values, store, age_min, age_max = rest
    clicked = _clicked_step(click) if _triggered() == ids.KM_GRAPH else None
    if clicked is None:
        return None, km_step_panel(None)
    cohort, state, _ = resolve_view(store, values, age_min, age_max)
    group, month = clicked
    step = km_step(cohort, state.filters(), state.group_by, group, month)
    return {"group": group, "time": month}, km_step_panel(step, state.group_by)


def _failed(message: str) -> tuple:
    return empty_figure(t("Not available")), panels.warnings_list([message])


@declared.callback(
    Output(ids.TIMELINE_GRAPH, "figure"),
    Output(ids.TIMELINE_CAPTION, "children"),
    # Requested while the tab is shown and its view (the clicked step too) changed.
    gate_input("timelines"),
    *CONTROL_STATES,
    State(ids.COHORT_STORE, "data"),
    State(ids.KM_STEP, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(_failed)
def update_timelines(*args):
    _gate, *values, store, selected, age_min, age_max = args
    cohort, state, _ = resolve_view(store, values, age_min, age_max)
    filters = state.filters()
    step: KmStep | None = None
    chosen = (
        _step(selected.get("group"), selected.get("time")) if isinstance(selected, dict) else None
    )
    if chosen is not None:
        step = km_step(cohort, filters, state.group_by, *chosen)
    timelines = patient_timelines(cohort, filters, state.group_by, step=step)
    suffix = " · " + t("synthetic demo cohort") if cohort.synthetic else ""
    figure = swimmer_figure(timelines, title=t("Patient timelines") + suffix, step=step)
    return figure, swimmer_caption(timelines)


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
