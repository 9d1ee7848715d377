"""The page, put together: header, filter panel, summary cards, the analysis tabs (each laid
out by its own ``app/*_layout.py`` module) and the methods; and the page of a broken start-up.

Static structure only; every number is filled in by callbacks from ``analytics.reports.report``.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.data.cohort import Cohort
from analytics.data.schema import CohortValidationError
from app.layout import ids
from app.layout.data import data_panel
from app.layout.filters import filter_panel
from app.layout.hazards import hazards_tab
from app.layout.header import page_header
from app.layout.lesion_timing import lesion_timing_tab
from app.layout.loading import computing
from app.layout.methods import methods_details
from app.layout.opening_readouts import OpeningReadouts, opening_readouts
from app.layout.paper import paper_tab
from app.layout.rates import rates_tab
from app.layout.relapses import relapses_tab
from app.layout.static_parts import data_id, static_part
from app.layout.survival import survival_tab
from app.layout.table_one import table_one_tab
from app.layout.tabs import TabSpec, accessible_tabs
from app.layout.timelines import timelines_tab
from app.server.config import Config
from app.state.controls import CohortControls, cohort_controls
from app.state.open_controls import OpenOptions, open_options
from app.state.view_state import NO_GROUP
from components.panels.problems import problem_text
from i18n.language import DEFAULT_LANGUAGE, Language, ngettext, t, using_language


def _tab(label: str, tab_id: str, children: list[object]) -> TabSpec:
    return TabSpec(key=tab_id.removeprefix("tab-"), label=label, children=children)


# Keys of the analysis tabs, in order (the tab switching callback is registered for these).
TAB_KEYS = ("km", "timelines", "hr", "lesions", "rates", "relapses", "table", "paper", "data")


def analysis_tabs(
    config: Config, opening: OpeningReadouts, options: OpenOptions | None = None
) -> html.Div:
    specs = [
        _tab(
            t("Survival"),
            "tab-km",
            survival_tab(
                opening.km_summary, opening.km_figure, opening.km_caption, opening.conditional
            ),
        ),
        _tab(t("Timelines"), "tab-timelines", timelines_tab()),
        _tab(t("Hazard ratios"), "tab-hr", hazards_tab()),
        _tab(t("Lesion timing"), "tab-lesions", lesion_timing_tab(options)),
        _tab(t("Failure rates"), "tab-rates", rates_tab()),
        _tab(t("Relapses"), "tab-relapses", relapses_tab()),
        _tab(t("Table 1 & MANCOVA"), "tab-table", table_one_tab(options)),
        _tab(t("Paper reproduction"), "tab-paper", paper_tab()),
        _tab(t("Data"), "tab-data", [data_panel(config)]),
    ]
    # The switching callback is registered for TAB_KEYS: the two must list the same tabs.
    if tuple(spec.key for spec in specs) != TAB_KEYS:
        raise RuntimeError("TAB_KEYS does not match the analysis tabs")
    return accessible_tabs(specs, active="km")


def build_layout(
    cohort: Cohort | None, config: Config | None = None, language: Language = DEFAULT_LANGUAGE
) -> html.Div:
    """The page for ``cohort`` in ``language`` (cohort None only for the validation layout of
    a broken start-up)."""
    with using_language(language):
        return _page(cohort, config or Config(), language)


def _page(cohort: Cohort | None, config: Config, language: Language) -> html.Div:
    controls = (
        cohort_controls(cohort)
        if cohort is not None
        else CohortControls(
            visible={},
            group_options=[{"label": t("No grouping"), "value": NO_GROUP}],
            covariate_options=[],
            age_bounds=(0.0, 100.0),
        )
    )
    opening = opening_readouts(cohort)
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.URL_QUERY),
            dcc.Store(id=ids.PAGE_QUERY),
            dcc.Store(id=ids.LANGUAGE, data=language),
            dcc.Store(id=ids.COHORT_STORE, storage_type="memory"),
            dcc.Store(id=ids.UPLOAD_RESTORE, storage_type="memory"),
            dcc.Store(id=ids.CONTROLS_ADAPTED_TO, storage_type="memory"),
            dcc.Store(id=ids.RENDERED_CORE, data=opening.rendered_core),
            dcc.Store(id=ids.RENDERED_KM, data=opening.rendered_km),
            *[
                dcc.Store(id=s)
                for s in ids.RENDERED_STORES
                if s not in (ids.RENDERED_CORE, ids.RENDERED_KM)
            ],
            *[dcc.Store(id=store_id) for store_id in ids.VIEW_GATES.values()],
            dcc.Store(id=ids.KM_STEP_RESET),
            dcc.Store(id=ids.PAPER_GATE),
            # The first Tab stop: keyboard and screen-reader users skip the header and the
            # twenty-odd filter controls (assets/a11y.js moves the focus to the results).
            html.A(t("Skip to results"), href="#" + ids.RESULTS, className="skip-link"),
            page_header(cohort, language),
            dbc.Container(
                dbc.Row(
                    [
                        dbc.Col(
                            html.Aside(
                                filter_panel(controls, opening.live_count),
                                **{"aria-label": t("Filters")},
                            ),
                            lg=3,
                            md=4,
                        ),
                        dbc.Col(
                            html.Main(
                                [
                                    html.Div(id=ids.UPLOAD_RESTORE_STATUS, role="status"),
                                    computing(
                                        html.Div(
                                            static_part(ids.CARDS, opening.cards),
                                            className="mb-3",
                                        ),
                                        {data_id(ids.CARDS): "data"},
                                    ),
                                    html.Div(opening.warnings, id=ids.WARNINGS),
                                    analysis_tabs(
                                        config,
                                        opening,
                                        None if cohort is None else open_options(cohort.patients),
                                    ),
                                    methods_details(),
                                ],
                                id=ids.RESULTS,
                                # Focusable from the skip link only, not a Tab stop.
                                tabIndex=-1,
                            ),
                            lg=9,
                            md=8,
                        ),
                    ]
                ),
                fluid=True,
            ),
            html.Footer(
                dbc.Container(
                    t(
                        "Time to treatment failure = first relapse after the grace period that "
                        "follows the first rituximab infusion. Statistics are checked against R's "
                        "survival package."
                    ),
                    fluid=True,
                    className="small text-body-secondary py-3",
                )
            ),
        ]
    )


def error_layout(error: CohortValidationError, language: Language = DEFAULT_LANGUAGE) -> html.Main:
    """Shown when the server's configured cohort file is invalid: what is wrong, not a crash."""
    with using_language(language):
        return _error_page(error)


def _error_page(error: CohortValidationError) -> html.Main:
    return html.Main(
        dbc.Container(
            [
                html.H1(t("The configured cohort file could not be loaded"), className="h3 mt-4"),
                html.P(
                    ngettext(
                        "{n} problem was found. Fix the file and restart the service:",
                        "{n} problems were found. Fix the file and restart the service:",
                        len(error.problems),
                    ).format(n=len(error.problems))
                ),
                html.Ul([html.Li(problem_text(p)) for p in error.problems[:200]]),
            ]
        )
    )
