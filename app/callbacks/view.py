"""URL <-> filter controls, reset, and adapting the controls to the loaded cohort."""

from __future__ import annotations

from dataclasses import replace

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from analytics.data.cohort import DEFAULT_GRACE_MONTHS
from app.callbacks.common import LANGUAGE_STATE, control_source, in_page_language
from app.callbacks.declarations import Declarations
from app.callbacks.safety import guarded
from app.layout import ids
from app.state.control_values import read_bounds
from app.state.controls import (
    CONTROL_IDS,
    cohort_controls,
    controls_from_state,
    state_from_controls,
)
from app.state.open_controls import OPEN_IDS, open_options
from app.state.session import current_cohort
from app.state.view_state import ViewState
from i18n.language import parse_language

declared = Declarations()

# The views compute from these: a slider's settled value (app/callbacks/settle.py), so a run
# of keyboard steps computes once, and every other control's own value.
CONTROL_INPUTS = [Input(*control_source(cid)) for cid in CONTROL_IDS]
CONTROL_OUTPUTS = [Output(cid, "value", allow_duplicate=False) for cid in CONTROL_IDS]
# A shared URL or Reset sets a slider and its settled value together: the views compute at
# once, without waiting for the pause that keyboard steps get.
SETTLED_IDS = tuple(ids.SETTLED)
SETTLED_OUTPUTS = [Output(ids.SETTLED[cid], "data") for cid in SETTLED_IDS]


def _with_settled(values: tuple) -> tuple:
    """The controls' values (CONTROL_IDS order), then the sliders' among them again for their
    settled stores (SETTLED_IDS order)."""
    by_id = dict(zip(CONTROL_IDS, values, strict=True))
    return (*values, *[by_id[cid] for cid in SETTLED_IDS])


@declared.callback(
    *CONTROL_OUTPUTS,
    *SETTLED_OUTPUTS,
    Input(ids.URL_QUERY, "data"),
    Input(ids.RESET, "n_clicks"),
    State(ids.AGE, "min"),
    State(ids.AGE, "max"),
    # Called when the URL gate passes a query (not for a plain address: the layout's
    # controls already hold the defaults) and on Reset.
    prevent_initial_call=True,
)
# Any other failure leaves the controls as they are (never a 500).
@guarded(lambda _message: (no_update,) * (len(CONTROL_IDS) + len(SETTLED_IDS)))
def controls_from_url(search, _reset, age_min, age_max):
    """The URL sets the controls when the page opens with a query or the browser goes
    back/forward to another view; Reset sets the defaults.

    A plain address sets nothing: the layout's controls are the defaults already, and
    answering it (23 unchanged values) made every view wait one more round trip at load and
    re-rendered every control (170 ms of main thread in Lighthouse's desktop run). The gate
    is ``pageQuery.gate`` (assets/page_query.js).

    Only these two directions write the controls. The other direction (controls -> URL) is
    ``query_from_controls``: were both one callback, as they once were, the controls would be
    its outputs and Dash would hold every view's request until that callback had answered
    (one more round trip before each filter change starts computing: 60-90 ms in Chromium,
    benchmarks/browser_profile.py)."""
    # dcc.Location sends text; a request can send anything (a list or object was a 500).
    search = search if isinstance(search, str) else None
    bounds = read_bounds(age_min, age_max)
    state = ViewState() if ctx.triggered_id == ids.RESET else ViewState.from_query(search)
    return _with_settled(controls_from_state(state, bounds))


@declared.callback(
    Output(ids.PAGE_QUERY, "data"),
    *CONTROL_INPUTS,
    State(ids.AGE, "min"),
    State(ids.AGE, "max"),
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@guarded(lambda _message: no_update)
def query_from_controls(*values_and_bounds):
    """The view as the URL's query (which keeps the page's language). The browser puts it in
    the address bar (assets/page_query.js): a new history entry per view, so Back returns to
    the previous one. Nothing waits for this answer."""
    *values, age_min, age_max, page_language = values_and_bounds
    state = state_from_controls(tuple(values), read_bounds(age_min, age_max))
    return replace(state, language=parse_language(page_language)).to_query()


@declared.callback(
    *[Output(row, "style") for row in ids.FILTER_ROWS.values()],
    Output(ids.GROUP_BY, "options"),
    Output(ids.COVARIATES, "options"),
    Output(ids.AGE, "min"),
    Output(ids.AGE, "max"),
    # The age range follows the new cohort's extent; a range left from the previous cohort
    # would silently become an active filter on this one.
    Output(ids.AGE, "value", allow_duplicate=True),
    Output(ids.SETTLED[ids.AGE], "data", allow_duplicate=True),
    *[Output(cid, "options") for cid in OPEN_IDS],
    # A grace period cannot be applied to a recorded failure column: slider disabled, reason
    # shown, value back to the default (a leftover value would only raise a warning).
    Output(ids.GRACE, "disabled"),
    Output(ids.GRACE_REASON, "style"),
    Output(ids.GRACE, "value", allow_duplicate=True),
    Output(ids.SETTLED[ids.GRACE], "data", allow_duplicate=True),
    Output(ids.CONTROLS_ADAPTED_TO, "data"),
    Input(ids.COHORT_STORE, "data"),
    State(ids.CONTROLS_ADAPTED_TO, "data"),
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
# A store this server refuses leaves the controls as they are (the panels say why).
@guarded(lambda _message: (no_update,) * (len(ids.FILTER_ROWS) + 11 + len(OPEN_IDS)))
def adapt_controls(store, adapted_to):
    """Hide filters for columns the cohort lacks; offer its columns for grouping and Cox;
    disable the grace period where it cannot be applied."""
    key = store.get("key") if isinstance(store, dict) else None
    if key == adapted_to:
        # The same upload, restored in a worker that had lost it: the user's age range and
        # grace period stay (adapting again would reset them to the cohort's defaults).
        raise PreventUpdate
    cohort = current_cohort(store)
    controls = cohort_controls(cohort)
    styles = [None if controls.visible[cid] else {"display": "none"} for cid in ids.FILTER_ROWS]
    low, high = controls.age_bounds
    # The slider and its settled value change together: the views compute once, at once.
    grace = (
        (False, {"display": "none"}, no_update, no_update)
        if controls.grace_applies
        else (True, None, DEFAULT_GRACE_MONTHS, DEFAULT_GRACE_MONTHS)
    )
    choices = open_options(cohort.patients).by_id
    return (
        *styles,
        controls.group_options,
        controls.covariate_options,
        low,
        high,
        [low, high],
        [low, high],
        *[choices[cid] for cid in OPEN_IDS],
        *grace,
        key,
    )


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
    # The opening address's query, if any, and every later one (Back/Forward) go to
    # controls_from_url; a plain opening address goes nowhere.
    app.clientside_callback(
        ClientsideFunction(namespace="pageQuery", function_name="gate"),
        Output(ids.URL_QUERY, "data"),
        Input(ids.URL, "search"),
    )
    # The address bar and the language link follow the view, in the browser.
    app.clientside_callback(
        ClientsideFunction(namespace="pageQuery", function_name="follow"),
        Output(ids.LANGUAGE_LINK, "href"),
        Input(ids.PAGE_QUERY, "data"),
        State(ids.LANGUAGE, "data"),
        # The layout's link is right for the opening address until a query is answered.
        prevent_initial_call=True,
    )
