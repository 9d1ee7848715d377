"""Page layout: header, filter panel, summary cards and the analysis tabs.

Static structure only; every number is filled in by callbacks from ``analytics.report``.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.cohort import Cohort
from analytics.language import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    N_,
    Language,
    integer,
    ngettext,
    short,
    t,
    using_language,
)
from analytics.schema import CohortValidationError
from app import ids
from app.callbacks.common import report_for, usable_state
from app.config import Config
from app.controls import GRACE_NOT_APPLIED, CohortControls, cohort_controls
from app.open_controls import OpenOptions, open_options
from app.open_layout import exposure_controls, mancova_controls, table_by_control
from app.relapses_layout import conditional_calculator, relapses_tab
from app.state import ALL, DEFAULT_GROUP_BY, NO_GROUP, ViewState
from app.tabs import TabSpec, accessible_tabs
from app.timeline_layout import km_step_area, timelines_tab
from components import cards, panels
from components.dictionary import dictionary_table
from components.empty import empty_figure
from components.methods import methods_section
from components.problems import problem_text


def _yes_no() -> list[dict[str, str]]:
    return [
        {"label": t("All"), "value": ALL},
        {"label": t("Yes"), "value": "1"},
        {"label": t("No"), "value": "0"},
    ]


def _horizons() -> list[dict[str, str]]:
    return [
        {"label": t("Full follow-up"), "value": "full"},
        {"label": t("1 year"), "value": "12"},
        {"label": t("2 years"), "value": "24"},
        {"label": t("3 years"), "value": "36"},
        {"label": t("5 years"), "value": "60"},
        {"label": t("10 years"), "value": "120"},
    ]


def _field(english: str, control: object, row_id: str | None = None, help_text: str | None = None):
    """A labelled control; ``english`` names its row id (the same in every language)."""
    row_id = row_id or "wrap-" + "".join(c if c.isalnum() else "-" for c in english.lower())
    label = t(english)
    label_id = f"{row_id}-label"
    label_class = "filter-label fw-semibold small mb-1"
    if isinstance(control, dbc.Select | dbc.Input):
        heading: object = html.Label(label, id=label_id, htmlFor=control.id, className=label_class)
    else:
        heading = html.Div(label, id=label_id, className=label_class)
    if isinstance(control, dbc.RadioItems | dbc.Checklist):
        # Name the group for screen readers by its visible heading.
        role = "radiogroup" if isinstance(control, dbc.RadioItems) else "group"
        control = html.Div(control, role=role, **{"aria-labelledby": label_id})
    # Slider thumbs get their names from this heading via assets/a11y.js (dcc sliders take no
    # aria props); the data attribute tells the script which heading belongs to the row.
    if isinstance(control, dcc.Slider | dcc.RangeSlider):
        # dcc sliders load asynchronously: a slot of their final height keeps the filter
        # panel from jumping when they appear (layout shift).
        control = html.Div(control, className="slider-slot")
    children = [heading, control]
    if help_text:
        children.append(html.Div(t(help_text), className="form-text mt-0"))
    return html.Div(children, id=row_id, className="mb-3 filter-row", **{"data-label": label})


def _grace_field(applies: bool) -> html.Div:
    """The grace-period slider; disabled, with the reason beside it, when the cohort's outcome
    is its own failure column (the slider would change nothing)."""
    row = _field(
        N_("Grace period (months)"),
        dcc.Slider(
            id=ids.GRACE,
            min=0,
            max=12,
            step=1,
            value=6,
            marks={i: str(i) for i in (0, 3, 6, 9, 12)},
            allow_direct_input=False,
            disabled=not applies,
        ),
        help_text=N_("Relapses this soon after the first infusion are not failures."),
    )
    reason = html.Div(
        t(GRACE_NOT_APPLIED),
        id=ids.GRACE_REASON,
        className="form-text mt-0 fw-semibold",
        style=None if not applies else {"display": "none"},
    )
    row.children = [*row.children, reason]
    return row


def _radio(component_id: str, options: list[dict[str, str]]) -> dbc.RadioItems:
    return dbc.RadioItems(
        id=component_id,
        options=options,
        value=ALL,
        inline=True,
        input_class_name="me-1",
        label_class_name="me-3",
    )


def filter_panel(controls: CohortControls, live_count: object = None) -> dbc.Card:
    """The filters, set up for the server's cohort (an upload re-adapts them)."""
    age_low, age_high = controls.age_bounds
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t("Filters"), className="h5"),
                html.Div(live_count, id=ids.LIVE_COUNT, className="live-count mb-3", role="status"),
                _field(
                    N_("Sex"),
                    _radio(
                        ids.SEX,
                        [
                            {"label": t("All"), "value": ALL},
                            {"label": t("Female"), "value": "F"},
                            {"label": t("Male"), "value": "M"},
                        ],
                    ),
                    ids.FILTER_ROWS[ids.SEX],
                ),
                _field(
                    N_("Age at first rituximab (years)"),
                    dcc.RangeSlider(
                        id=ids.AGE,
                        min=age_low,
                        max=age_high,
                        step=1,
                        value=[age_low, age_high],
                        tooltip={"placement": "bottom"},
                        marks=None,
                        allowCross=False,
                        allow_direct_input=False,
                    ),
                    ids.FILTER_ROWS[ids.AGE],
                ),
                _field(
                    N_("Baseline EDSS"),
                    dcc.RangeSlider(
                        id=ids.EDSS,
                        min=0,
                        max=10,
                        step=0.5,
                        value=[0, 10],
                        marks={i: str(i) for i in range(0, 11, 2)},
                        allowCross=False,
                        allow_direct_input=False,
                        tooltip={"placement": "bottom"},
                    ),
                    ids.FILTER_ROWS[ids.EDSS],
                ),
                _field(
                    N_("New asymptomatic MRI lesions"),
                    _radio(ids.LESIONS, _yes_no()),
                    ids.FILTER_ROWS[ids.LESIONS],
                ),
                _field(
                    N_("Persistent Gd enhancement"),
                    _radio(ids.GD, _yes_no()),
                    ids.FILTER_ROWS[ids.GD],
                ),
                _field(
                    N_("FCGR3A-V158F genotype"),
                    _radio(
                        ids.FCGR3A,
                        [
                            {"label": v if v != ALL else t("All"), "value": v}
                            for v in (ALL, "VV", "VF", "FF")
                        ],
                    ),
                    ids.FILTER_ROWS[ids.FCGR3A],
                ),
                _grace_field(controls.grace_applies),
                html.Hr(),
                _field(
                    N_("Compare groups by"),
                    dbc.Select(
                        id=ids.GROUP_BY,
                        value=_default_group(controls),
                        options=controls.group_options,
                    ),
                ),
                _field(
                    N_("Cox covariates (multivariable)"),
                    dbc.Checklist(
                        id=ids.COVARIATES,
                        value=[],
                        options=controls.covariate_options,
                        input_class_name="me-1",
                    ),
                    help_text=N_("None ticked: univariable models only."),
                ),
                _field(
                    N_("Kaplan–Meier time horizon"),
                    dbc.Select(id=ids.HORIZON, options=_horizons(), value="full"),
                ),
                _field(
                    N_("Lesion landmark (months)"),
                    dbc.Input(id=ids.LANDMARK, type="number", min=1, max=120, step=1, value=12),
                ),
                _field(
                    N_("Confidence level of intervals"),
                    dbc.Select(
                        id=ids.CONF_LEVEL,
                        options=[
                            {"label": t("{level}% CI").format(level=v), "value": v}
                            for v in ("90", "95", "99")
                        ],
                        value="95",
                    ),
                ),
                dbc.Button(
                    t("Reset filters"),
                    id=ids.RESET,
                    color="secondary",
                    outline=True,
                    className="w-100",
                ),
            ]
        ),
        className="filter-panel",
    )


def _tab(label: str, tab_id: str, children: list[object]) -> TabSpec:
    return TabSpec(key=tab_id.removeprefix("tab-"), label=label, children=children)


# Keys of the analysis tabs, in order (the tab switching callback is registered for these).
TAB_KEYS = ("km", "timelines", "hr", "lesions", "rates", "relapses", "table", "paper", "data")


def analysis_tabs(
    config: Config, km_summary: object = None, options: OpenOptions | None = None
) -> html.Div:
    graph_config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "svg", "filename": "nmosd-km"},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
    specs = [
        _tab(
            t("Survival"),
            "tab-km",
            [
                dbc.Checklist(
                    id=ids.KM_OPTIONS,
                    options=[
                        {"label": t("Confidence bands"), "value": "ci"},
                        {"label": t("Failures/censored in risk table"), "value": "events"},
                        {"label": t("KMunicate style"), "value": "kmunicate"},
                    ],
                    value=["ci"],
                    inline=True,
                    switch=True,
                ),
                # dcc.Graph loads asynchronously: its slot keeps the height meanwhile, so
                # what is under it does not jump when the curve appears.
                html.Div(
                    dcc.Graph(
                        id=ids.KM_GRAPH,
                        figure=empty_figure(t("Computing…")),
                        config=graph_config,
                        style={"height": "560px"},
                    ),
                    style={"minHeight": "560px"},
                ),
                *km_step_area(),
                html.Div(km_summary, id=ids.KM_SUMMARY),
                conditional_calculator(),
            ],
        ),
        _tab(t("Timelines"), "tab-timelines", timelines_tab()),
        _tab(
            t("Hazard ratios"),
            "tab-hr",
            [
                dcc.Graph(
                    id=ids.FOREST_GRAPH,
                    figure=empty_figure(t("Computing…")),
                    config={
                        **graph_config,
                        "toImageButtonOptions": {"format": "svg", "filename": "nmosd-forest"},
                    },
                ),
                html.Div(id=ids.HAZARD_NOTES),
                _field(
                    N_("Proportional-hazards test (cox.zph) time transform"),
                    dbc.RadioItems(
                        id=ids.ZPH_TRANSFORM,
                        options=[
                            {"label": t("Kaplan–Meier (R default)"), "value": "km"},
                            {"label": t("rank"), "value": "rank"},
                            {"label": t("identity (months)"), "value": "identity"},
                        ],
                        value="km",
                        inline=True,
                    ),
                ),
            ],
        ),
        _tab(
            t("Lesion timing"),
            "tab-lesions",
            [exposure_controls(options), html.Div(id=ids.LESION_PANEL)],
        ),
        _tab(t("Failure rates"), "tab-rates", [html.Div(id=ids.RATES_PANEL)]),
        _tab(t("Relapses"), "tab-relapses", relapses_tab()),
        _tab(
            t("Table 1 & MANCOVA"),
            "tab-table",
            [
                table_by_control(options),
                html.Div(id=ids.TABLE_ONE),
                mancova_controls(options),
                html.Div(id=ids.MANCOVA),
            ],
        ),
        _tab(t("Paper reproduction"), "tab-paper", [html.Div(id=ids.PAPER)]),
        _tab(t("Data"), "tab-data", [data_panel(config)]),
    ]
    # The switching callback is registered for TAB_KEYS: the two must list the same tabs.
    if tuple(spec.key for spec in specs) != TAB_KEYS:
        raise RuntimeError("TAB_KEYS does not match the analysis tabs")
    return accessible_tabs(specs, active="km")


def _upload_box(component_id: str, what: str, config: Config) -> dcc.Upload:
    return dcc.Upload(
        id=component_id,
        max_size=config.max_upload_bytes,
        children=html.Div(
            [
                t("{what}: drag here or ").format(what=what),
                html.Span(t("choose a file"), className="link"),
            ]
        ),
        className="upload-box",
    )


def data_panel(config: Config) -> html.Div:
    limits = (
        t("Up to {mb} MB and {rows} rows per file.").format(
            mb=short(config.max_upload_mb), rows=integer(config.max_upload_rows)
        )
        if config.allow_uploads
        else t("Uploads are turned off on this server: it shows its configured cohort only.")
    )
    return html.Div(
        [
            html.H2(t("Load a cohort"), className="h5"),
            html.P(
                t(
                    "Upload a patients file (CSV, XLSX or Parquet), optionally with a relapses "
                    "file and a rituximab infusions file (drawn on the patient timelines). "
                    "Uploads stay in this browser tab and are never stored on the server; if the "
                    "file has problems, every problem is listed and the current cohort stays "
                    "loaded."
                )
                + " "
                + limits,
            ),
            dbc.Row(
                [
                    dbc.Col(_upload_box(ids.UPLOAD_PATIENTS, t("Patients file"), config), md=4),
                    dbc.Col(
                        _upload_box(ids.UPLOAD_RELAPSES, t("Relapses file (optional)"), config),
                        md=4,
                    ),
                    dbc.Col(
                        _upload_box(ids.UPLOAD_INFUSIONS, t("Infusions file (optional)"), config),
                        md=4,
                    ),
                ],
                className="g-2 mb-2",
                # Hidden, not removed, when uploads are off: the callbacks still name them.
                style=None if config.allow_uploads else {"display": "none"},
            ),
            html.Div(id=ids.UPLOAD_STATUS, role="status"),
            html.Div(
                [
                    dbc.Button(
                        t("Back to the demo / server cohort"),
                        id=ids.USE_DEMO,
                        color="link",
                        className="ps-0",
                    ),
                    dbc.Button(
                        t("Download template"), id=ids.DOWNLOAD_TEMPLATE_BUTTON, color="link"
                    ),
                    dbc.Button(
                        t("Download infusions template"),
                        id=ids.DOWNLOAD_INFUSIONS_TEMPLATE_BUTTON,
                        color="link",
                    ),
                ]
            ),
            html.H2(t("Export"), className="h5 mt-4"),
            html.Div(
                [
                    dbc.Button(
                        t("Filtered cohort (CSV)"),
                        id=ids.DOWNLOAD_CSV_BUTTON,
                        color="primary",
                        outline=True,
                        className="me-2",
                    ),
                    dbc.Button(
                        t("Report of this view (HTML)"),
                        id=ids.DOWNLOAD_REPORT_BUTTON,
                        color="primary",
                        outline=True,
                    ),
                ]
            ),
            html.P(t("Figures: use the camera icon above each plot (SVG)."), className="form-text"),
            html.H2(t("Data dictionary"), className="h5 mt-4", id="data-dictionary"),
            dictionary_table(),
            dcc.Download(id=ids.DOWNLOAD_CSV),
            dcc.Download(id=ids.DOWNLOAD_REPORT),
            dcc.Download(id=ids.DOWNLOAD_TEMPLATE),
            dcc.Download(id=ids.DOWNLOAD_INFUSIONS_TEMPLATE),
        ]
    )


def _default_group(controls: CohortControls) -> str:
    values = {o["value"] for o in controls.group_options}
    return DEFAULT_GROUP_BY if DEFAULT_GROUP_BY in values else NO_GROUP


@dataclass(frozen=True)
class OpeningReadouts:
    """The default view's count, cards and warnings, rendered into the page itself."""

    live_count: object = None
    cards: object = None
    warnings: object = None
    km_summary: object = None
    methods: object = None


def opening_readouts(cohort: Cohort | None) -> OpeningReadouts:
    """What the first callback will show for the default view, so the first paint already
    has it: the page does not jump when the answer arrives (layout shift), and that answer
    is a cache hit."""
    if cohort is None:
        return OpeningReadouts()
    state, notes = usable_state(ViewState(), list(cohort.patients.columns))
    report = report_for(cohort, state)
    total = len(cohort.patients)
    return OpeningReadouts(
        live_count=cards.live_count(report, total),
        cards=cards.summary_cards(report, total),
        warnings=panels.warnings_list([*notes, *report.warnings]),
        km_summary=panels.km_summary(report),
        methods=methods_section(report),
    )


def build_layout(
    cohort: Cohort | None, config: Config | None = None, language: Language = DEFAULT_LANGUAGE
) -> html.Div:
    """The page for ``cohort`` in ``language`` (cohort None only for the validation layout of
    a broken start-up)."""
    with using_language(language):
        return _page(cohort, config or Config(), language)


def language_switch(language: Language) -> html.A:
    """A link to this page in the other language (the view's query is kept: a callback
    rewrites the link as the URL changes). Switching reloads the page, which is built once
    per language on the server."""
    other: Language = "es" if language == "en" else "en"
    return html.A(
        LANGUAGE_NAMES[other],
        id=ids.LANGUAGE_LINK,
        href=ViewState(language=other).to_query() or "?",
        hrefLang=other,
        lang=other,
        className="language-link",
        title=t("Show this page in {language}").format(language=LANGUAGE_NAMES[other]),
    )


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
            dcc.Store(id=ids.LANGUAGE, data=language),
            dcc.Store(id=ids.COHORT_STORE, storage_type="memory"),
            html.Header(
                dbc.Container(
                    [
                        html.H1(t("RTX-Refractory NMOSD Cohort Explorer"), className="h4 mb-0"),
                        html.Div(
                            [
                                html.Div(
                                    cards.cohort_badge(
                                        cohort.label, cohort.synthetic, cohort.fingerprint
                                    )
                                    if cohort is not None
                                    else None,
                                    id=ids.COHORT_LABEL,
                                    className="cohort-label",
                                ),
                                language_switch(language),
                            ],
                            className="d-flex flex-wrap align-items-center gap-3",
                        ),
                    ],
                    fluid=True,
                    className="d-flex flex-wrap align-items-center justify-content-between gap-2",
                ),
                className="app-header py-2 mb-3",
            ),
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
                                    html.Div(opening.cards, id=ids.CARDS, className="mb-3"),
                                    html.Div(opening.warnings, id=ids.WARNINGS),
                                    analysis_tabs(
                                        config,
                                        opening.km_summary,
                                        None if cohort is None else open_options(cohort.patients),
                                    ),
                                    html.Section(
                                        opening.methods,
                                        id=ids.METHODS,
                                        className="methods-section mt-4 p-3",
                                        **{"aria-label": t("Methods for this view")},
                                    ),
                                ]
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


def error_layout(error: CohortValidationError, language: Language = DEFAULT_LANGUAGE) -> html.Div:
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
