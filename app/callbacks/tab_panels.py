"""One callback per analysis tab: controls + cohort -> that tab's section -> its panels.

A tab's callback computes and sends its panels only while the tab is shown: a filter change
with the tab hidden costs nothing, and opening it renders the current view (its section is
computed then, and cached for the view: app.callbacks.view_sections). Each tab keeps the
digest of the view it last rendered in a store, so a change that leaves its view as it is
(another tab's choice, a display option) sends nothing.
"""

from __future__ import annotations

from dash import Dash, Input, Output, Patch, State, no_update

from analytics.stats.levels import using_conf_level
from app.callbacks.common import (
    AGE_BOUNDS,
    CONTROL_STATES,
    LANGUAGE_STATE,
    busy,
    in_page_language,
    resolve_view,
)
from app.callbacks.declarations import Declarations
from app.callbacks.safety import guarded
from app.callbacks.view_sections import (
    core_for,
    core_key,
    digest,
    hazards_for,
    hazards_key,
    lesion_for,
    lesion_key,
    mancova_key,
    rates_for,
    table_one_key,
    tables_for,
)
from app.callbacks.visible import gate_input
from app.layout import ids
from app.layout.static_parts import data_id
from app.layout.tabs import panel_id
from components.figures.empty import empty_figure
from components.figures.forest import forest_figure, report_sections
from components.figures.km import horizon_update, km_figure
from components.panels import analyses as panels
from components.plain_html import plain
from components.text import captions
from i18n.language import N_, t

declared = Declarations()


def _view_states(tab: str, rendered: str) -> list[object]:
    """Every filter, the cohort, whether ``tab`` is hidden, and what it last rendered: read
    when the tab's gate (app.callbacks.visible) asks, never a request of their own."""
    return [
        *CONTROL_STATES,
        State(ids.COHORT_STORE, "data"),
        State(panel_id(tab), "hidden"),
        State(rendered, "data"),
        *AGE_BOUNDS,
        LANGUAGE_STATE,
    ]


def _gated(tab: str, rendered: str) -> list[object]:
    return [gate_input(tab), *_view_states(tab, rendered)]


def _failure_alert(message: str) -> object:
    return panels.warnings_list([message], N_("This view could not be computed"))


def _suffix(synthetic: bool) -> str:
    # Figures are exported on their own (SVG), so the synthetic label travels in the title.
    return " · " + t("synthetic demo cohort") if synthetic else ""


# --- Survival ----------------------------------------------------------------------------


def _km_failed(message: str) -> tuple:
    return (empty_figure(t("Not available")), plain(_failure_alert(message)), None, None)


@declared.callback(
    Output(ids.KM_GRAPH, "figure"),
    Output(data_id(ids.KM_SUMMARY), "data"),
    Output(ids.RENDERED_KM, "data"),
    Output(ids.KM_CAPTION, "children"),
    Input(ids.KM_OPTIONS, "value"),
    *_gated("km", ids.RENDERED_KM),
    prevent_initial_call=True,
    **busy(panel_id("km")),
)
@in_page_language
@guarded(_km_failed)
def update_survival_tab(*args):
    """The Kaplan–Meier plot and summary. CI bands and the failures/censored counts are
    switched in the browser (app.callbacks.km_display); KMunicate redraws from the cached
    section; a new horizon patches the axes only."""
    km_options, _gate, *values, store, hidden, rendered, age_min, age_max = args
    if hidden:
        return (no_update,) * 4
    cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    # A list of option names from the checklist; anything else a request sends means none.
    options = set(km_options) if isinstance(km_options, list) else set()
    drawn = km_drawn(cohort, state, options)
    same_figure = isinstance(rendered, dict) and all(
        rendered.get(k) == drawn[k] for k in ("view", "kmunicate")
    )
    if same_figure and rendered.get("horizon") == drawn["horizon"]:
        return (no_update,) * 4
    core = core_for(cohort, state)
    if same_figure:
        if core.n == 0:  # the empty figure has no months to show
            return (no_update, no_update, drawn, no_update)
        # The axes and the at-risk columns (they follow the horizon's ticks), not the curves.
        with using_conf_level(core.conf_level):
            axes, table = horizon_update(km_view_figure(core, state, options))
        patch = Patch()
        for name, axis in axes.items():
            patch["layout"][name] = axis
        for index, trace in table.items():
            patch["data"][index] = trace
        return (patch, no_update, drawn, no_update)
    with using_conf_level(core.conf_level):
        figure, summary = km_view_figure(core, state, options), plain(panels.km_summary(core))
        return (figure, summary, drawn, captions.km_caption(core))


def km_drawn(cohort, state, options: set[str]) -> dict[str, object]:
    """What the Kaplan–Meier plot of this view with these options depends on (the
    ``rendered-km`` store's value once drawn)."""
    return {
        "view": digest(core_key(cohort, state)),
        "kmunicate": "kmunicate" in options,
        "horizon": state.horizon,
    }


def km_view_figure(core, state, options: set[str]):
    """The Kaplan–Meier plot of a view (call inside ``using_conf_level``)."""
    if core.n == 0:
        return empty_figure(t("No patients match these filters: widen them or press Reset."))
    return km_figure(
        core.km,
        core.risk_table,
        title=t("Time to treatment failure") + _suffix(core.synthetic),
        logrank_p=None if core.logrank is None else core.logrank.p,
        show_ci="ci" in options,
        show_events="events" in options,
        horizon=state.horizon,
        group_by=core.group_by,
        kmunicate="kmunicate" in options,
    )


# --- Hazard ratios -----------------------------------------------------------------------


def _hr_failed(message: str) -> tuple:
    return (empty_figure(t("Not available")), _failure_alert(message), None, None)


@declared.callback(
    Output(ids.FOREST_GRAPH, "figure"),
    Output(ids.HAZARD_NOTES, "children"),
    Output(ids.RENDERED_HR, "data"),
    Output(ids.FOREST_CAPTION, "children"),
    *_gated("hr", ids.RENDERED_HR),
    prevent_initial_call=True,
    **busy(panel_id("hr")),
)
@in_page_language
@guarded(_hr_failed)
def update_hazards_tab(*args):
    """The forest plot and the models' table and checks (with the models' warnings)."""
    _gate, *values, store, hidden, rendered, age_min, age_max = args
    if hidden:
        return (no_update,) * 4
    cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    view = digest(hazards_key(cohort, state))
    if view == rendered:
        return (no_update,) * 4
    core, hazards = core_for(cohort, state), hazards_for(cohort, state)
    with using_conf_level(core.conf_level):
        sections = report_sections(hazards)
        forest = (
            forest_figure(
                sections, title=t("Hazard ratios of treatment failure") + _suffix(core.synthetic)
            )
            if any(terms for _, terms in sections)
            else empty_figure(
                t(
                    "No hazard ratio to show: choose a grouping or covariates with at least "
                    "one failure."
                )
            )
        )
        notes = [panels.warnings_list(list(hazards.notes)), panels.hazard_notes(hazards)]
        return (forest, notes, view, captions.forest_caption(sections))


# --- Lesion timing, failure rates --------------------------------------------------------


@declared.callback(
    Output(ids.LESION_PANEL, "children"),
    Output(ids.RENDERED_LESIONS, "data"),
    *_gated("lesions", ids.RENDERED_LESIONS),
    prevent_initial_call=True,
    **busy(panel_id("lesions")),
)
@in_page_language
@guarded(lambda message: (_failure_alert(message), None))
def update_lesion_tab(*args):
    """Naive vs time-dependent vs landmark models of the chosen exposure."""
    _gate, *values, store, hidden, rendered, age_min, age_max = args
    if hidden:
        return (no_update,) * 2
    cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    view = digest(lesion_key(cohort, state))
    if view == rendered:
        return (no_update,) * 2
    core, timing = core_for(cohort, state), lesion_for(cohort, state)
    with using_conf_level(core.conf_level):
        return (panels.lesion_panel(timing, core.n), view)


@declared.callback(
    Output(ids.RATES_PANEL, "children"),
    Output(ids.RENDERED_RATES, "data"),
    *_gated("rates", ids.RENDERED_RATES),
    prevent_initial_call=True,
    **busy(panel_id("rates")),
)
@in_page_language
@guarded(lambda message: (_failure_alert(message), None))
def update_rates_tab(*args):
    """Failure proportions overall and by subgroup."""
    _gate, *values, store, hidden, rendered, age_min, age_max = args
    if hidden:
        return (no_update,) * 2
    cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    view = digest(core_key(cohort, state))
    if view == rendered:
        return (no_update,) * 2
    core, rates = core_for(cohort, state), rates_for(cohort, state)
    with using_conf_level(core.conf_level):
        return (panels.rates_panel(rates, core), view)


# --- Table 1 & MANCOVA -------------------------------------------------------------------


@declared.callback(
    Output(ids.TABLE_ONE, "children"),
    Output(ids.MANCOVA, "children"),
    Output(ids.RENDERED_TABLE, "data"),
    *_gated("table", ids.RENDERED_TABLE),
    prevent_initial_call=True,
    **busy(panel_id("table")),
)
@in_page_language
@guarded(lambda message: (_failure_alert(message), None, None))
def update_table_tab(*args):
    """Table 1 and the MANCOVA, each sent only when its own view changed (choosing what
    Table 1 compares leaves the MANCOVA as it is)."""
    _gate, *values, store, hidden, rendered, age_min, age_max = args
    if hidden:
        return (no_update,) * 3
    cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    drawn = {
        "table": digest(table_one_key(cohort, state)),
        "mancova": digest(mancova_key(cohort, state)),
    }
    before = rendered if isinstance(rendered, dict) else {}
    if before == drawn:
        return (no_update,) * 3
    tables = tables_for(cohort, state)
    table = (
        panels.table_one_panel(tables.table_one)
        if before.get("table") != drawn["table"]
        else no_update
    )
    mancova = (
        [panels.mancova_panel(tables.mancova), panels.warnings_list(list(tables.notes))]
        if before.get("mancova") != drawn["mancova"]
        else no_update
    )
    return (table, mancova, drawn)


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
