"""The Relapses tab: controls + cohort -> analytics.reports.relapse_report ->
components.panels.relapses.

Computed only while the tab is open (its models import statsmodels, a second on first use):
a filter change with the tab hidden costs nothing, and opening the tab shows the current view.
"""

from __future__ import annotations

from dash import Dash, Output, State, no_update

from analytics.data.cohort import Cohort
from analytics.reports.relapse_report import RelapseReport, build_relapse_report
from analytics.stats.levels import using_conf_level
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
from app.layout.tabs import panel_id
from app.state.lru import BoundedCache
from app.state.shared_cache import shared_cached
from app.state.view_state import ViewState
from components.panels.analyses import warnings_list
from components.panels.relapses import relapse_panel
from i18n.language import N_

declared = Declarations()

# One report per (cohort content, filters, grouping): revisiting a view is a lookup.
RELAPSE_CACHE_ITEMS = 32
RELAPSE_CACHE_PATIENTS = 500_000
_relapse_reports: BoundedCache[RelapseReport] = BoundedCache(
    RELAPSE_CACHE_ITEMS, RELAPSE_CACHE_PATIENTS
)


def relapse_report_for(cohort: Cohort, state: ViewState) -> RelapseReport:
    """The Relapses report of this view, computed once per worker and cached (and shared by
    every worker with REDIS_URL: app/state/shared_cache.py)."""
    filters = state.filters()
    key = (cohort.fingerprint, cohort.label, filters, state.group_by, state.conf_level)
    return shared_cached(
        "relapse-reports",
        key,
        lambda: build_relapse_report(cohort, filters, state.group_by, conf_level=state.conf_level),
        local=_relapse_reports,
        weight=lambda _: max(1, len(cohort.patients)),
    )


def _failed(message: str) -> tuple:
    return (warnings_list([message], N_("The relapse analyses could not be computed")),)


@declared.callback(
    [Output(ids.RELAPSE_PANEL, "children")],
    # Requested while the tab is shown and its view changed (app.callbacks.visible).
    gate_input("relapses"),
    *CONTROL_STATES,
    State(ids.COHORT_STORE, "data"),
    State(panel_id("relapses"), "hidden"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(_failed)
def update_relapses(*args):
    _gate, *values, store, hidden, age_min, age_max = args
    if hidden:
        return (no_update,)
    cohort, state, notes = resolve_view(store, values, age_min, age_max)
    report = relapse_report_for(cohort, state)
    with using_conf_level(report.conf_level):
        return (relapse_panel(report, synthetic=cohort.synthetic, context_notes=notes),)


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
