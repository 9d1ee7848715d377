"""The main flow: controls + cohort -> analytics.reports.report -> every panel."""

from __future__ import annotations

from dash import Dash, Input, Output, ctx, no_update
from dash.exceptions import MissingCallbackContextException

from analytics.stats.levels import using_conf_level
from app.callbacks.common import (
    AGE_BOUNDS,
    LANGUAGE_STATE,
    in_page_language,
    report_for,
    resolve_view,
)
from app.callbacks.declarations import Declarations
from app.callbacks.safety import guarded
from app.callbacks.view import CONTROL_INPUTS
from app.layout import ids
from app.server.audit import audit
from app.state.open_controls import EXPOSURE_IDS, MANCOVA_IDS
from components.figures.empty import empty_figure
from components.figures.forest import forest_figure, report_sections
from components.figures.km import km_figure
from components.panels import analyses as panels
from components.panels import cards
from components.panels.methods import methods_section
from i18n.language import N_, t

declared = Declarations()

PANEL_OUTPUTS = [
    Output(ids.LIVE_COUNT, "children"),
    Output(ids.COHORT_LABEL, "children"),
    Output(ids.CARDS, "children"),
    Output(ids.WARNINGS, "children"),
    Output(ids.KM_GRAPH, "figure"),
    Output(ids.KM_SUMMARY, "children"),
    Output(ids.FOREST_GRAPH, "figure"),
    Output(ids.HAZARD_NOTES, "children"),
    Output(ids.LESION_PANEL, "children"),
    Output(ids.RATES_PANEL, "children"),
    Output(ids.TABLE_ONE, "children"),
    Output(ids.MANCOVA, "children"),
    Output(ids.METHODS, "children"),
]


def _failed(message: str) -> tuple:
    alert = panels.warnings_list([message], N_("This view could not be computed"))
    empty = empty_figure(t("Not available"))
    return (None, None, None, alert, empty, None, empty, None, None, None, None, None, None)


@declared.callback(
    *PANEL_OUTPUTS,
    *CONTROL_INPUTS,
    Input(ids.KM_OPTIONS, "value"),
    Input(ids.COHORT_STORE, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
)
@in_page_language
@guarded(_failed)
def update_panels(*args):
    *values, km_options, store, age_min, age_max = args
    cohort, state, notes = resolve_view(store, values, age_min, age_max)
    audit("view", cohort, "upload" if store else None)
    report = report_for(cohort, state)
    # Every "95% CI" label of the panels names the view's level (analytics.stats.levels).
    with using_conf_level(report.conf_level):
        return _only_changed(_render(report, state, len(cohort.patients), notes, km_options))


def _render(report, state, total, notes, km_options) -> tuple:
    # Figures are exported on their own (SVG), so the synthetic label travels in the title.
    suffix = " · " + t("synthetic demo cohort") if report.synthetic else ""
    # A list of option names from the checklist; anything else a request sends means none.
    options = set(km_options) if isinstance(km_options, list) else set()
    if report.n == 0:
        km = empty_figure(t("No patients match these filters: widen them or press Reset."))
    else:
        km = km_figure(
            report.km,
            report.risk_table,
            title=t("Time to treatment failure") + suffix,
            logrank_p=None if report.logrank is None else report.logrank.p,
            show_ci="ci" in options,
            show_events="events" in options,
            horizon=state.horizon,
            group_by=report.group_by,
            kmunicate="kmunicate" in options,
        )
    sections = report_sections(report)
    has_terms = any(terms for _, terms in sections)
    forest = (
        forest_figure(sections, title=t("Hazard ratios of treatment failure") + suffix)
        if has_terms
        else empty_figure(
            t("No hazard ratio to show: choose a grouping or covariates with at least one failure.")
        )
    )
    panels_out = (
        cards.live_count(report, total),
        cards.cohort_badge(report.cohort_label, report.synthetic, report.fingerprint),
        cards.summary_cards(report, total),
        panels.warnings_list([*notes, *report.warnings]),
        km,
        panels.km_summary(report),
        forest,
        panels.hazard_notes(report),
        panels.lesion_panel(report.lesion_timing, report.n),
        panels.rates_panel(report.subgroup_rates, report),
        panels.table_one_panel(report.table_one),
        panels.mancova_panel(report.mancova),
        methods_section(report),
    )
    return panels_out


# A display option or the Table 1 choice changes one panel: send only that one (the rest of
# the page keeps what it shows; its report came from the cache anyway).
_ONLY = {
    ids.KM_OPTIONS: {ids.KM_GRAPH},
    ids.TABLE_BY: {ids.TABLE_ONE},
    **{cid: {ids.LESION_PANEL, ids.METHODS, ids.WARNINGS} for cid in EXPOSURE_IDS},
    **{cid: {ids.MANCOVA, ids.WARNINGS} for cid in MANCOVA_IDS},
}


def _only_changed(panels_out: tuple) -> tuple:
    try:
        # Opening a shared URL sets many controls at once: then every panel is sent.
        triggered = {prop.rsplit(".", 1)[0] for prop in ctx.triggered_prop_ids}
        changed = _ONLY.get(triggered.pop()) if len(triggered) == 1 else None
    except MissingCallbackContextException:  # called directly (tests), not by Dash
        changed = None
    if changed is None:
        return panels_out
    return tuple(
        value if output.component_id in changed else no_update
        for output, value in zip(PANEL_OUTPUTS, panels_out, strict=True)
    )


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
