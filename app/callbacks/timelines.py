"""Patient timelines (swimmer plot) and the patients behind a clicked Kaplan–Meier step."""

from __future__ import annotations

from dash import Input, Output, callback, ctx
from dash.exceptions import MissingCallbackContextException

from analytics.language import t
from analytics.timelines import KmStep, km_step, patient_timelines
from app import ids
from app.callbacks.common import AGE_BOUNDS, LANGUAGE_STATE, in_page_language, resolve_view
from app.callbacks.safety import guarded
from app.callbacks.view import CONTROL_INPUTS
from components import panels
from components.empty import empty_figure
from components.swimmer import swimmer_figure
from components.timeline_panels import km_step_panel, swimmer_caption


def _clicked_step(click: dict | None) -> tuple[str, float] | None:
    """(curve key, month) of a click on a KM curve or censoring tick; None for anything else
    (the at-risk table, a CI band, or a click payload from an older page)."""
    points = (click or {}).get("points") or []
    custom = points[0].get("customdata") if points else None
    if not isinstance(custom, list) or len(custom) != 2:
        return None
    group, month = custom
    if not isinstance(group, str) or isinstance(month, bool):
        return None
    try:
        return group, float(month)
    except (TypeError, ValueError):
        return None


def _triggered() -> object:
    try:
        return ctx.triggered_id
    except MissingCallbackContextException:  # called directly (tests), not by Dash
        return ids.KM_GRAPH


@callback(
    Output(ids.KM_STEP, "data"),
    Output(ids.KM_STEP_PANEL, "children"),
    Input(ids.KM_GRAPH, "clickData"),
    *CONTROL_INPUTS,
    Input(ids.COHORT_STORE, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
)
@in_page_language
@guarded(lambda message: (None, panels.warnings_list([message])))
def select_km_step(click, *rest):
    """A click on a curve lists its patients; any change of view clears the selection (the
    step it named may no longer exist)."""
    *values, store, age_min, age_max = rest
    clicked = _clicked_step(click) if _triggered() == ids.KM_GRAPH else None
    if clicked is None:
        return None, km_step_panel(None)
    cohort, state, _ = resolve_view(store, values, age_min, age_max)
    group, month = clicked
    step = km_step(cohort, state.filters(), state.group_by, group, month)
    return {"group": group, "time": month}, km_step_panel(step, state.group_by)


def _failed(message: str) -> tuple:
    return empty_figure(t("Not available")), panels.warnings_list([message])


@callback(
    Output(ids.TIMELINE_GRAPH, "figure"),
    Output(ids.TIMELINE_CAPTION, "children"),
    *CONTROL_INPUTS,
    Input(ids.COHORT_STORE, "data"),
    Input(ids.KM_STEP, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
)
@in_page_language
@guarded(_failed)
def update_timelines(*args):
    *values, store, selected, age_min, age_max = args
    cohort, state, _ = resolve_view(store, values, age_min, age_max)
    filters = state.filters()
    step: KmStep | None = None
    if selected:
        step = km_step(
            cohort, filters, state.group_by, str(selected["group"]), float(selected["time"])
        )
    timelines = patient_timelines(cohort, filters, state.group_by, step=step)
    suffix = " · " + t("synthetic demo cohort") if cohort.synthetic else ""
    figure = swimmer_figure(timelines, title=t("Patient timelines") + suffix, step=step)
    return figure, swimmer_caption(timelines)
