"""Page layout: header, filter panel, summary cards and the analysis tabs.

Static structure only; every number is filled in by callbacks from ``analytics.report``.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.cohort import Cohort
from analytics.schema import CohortValidationError
from app import ids
from app.callbacks.common import report_for, usable_state
from app.config import Config
from app.controls import CohortControls, cohort_controls
from app.relapses_layout import conditional_calculator, relapses_tab
from app.state import ALL, DEFAULT_GROUP_BY, NO_GROUP, ViewState
from app.tabs import TabSpec, accessible_tabs
from app.timeline_layout import km_step_area, timelines_tab
from components import cards, panels
from components.dictionary import dictionary_table
from components.empty import empty_figure

YES_NO = [
    {"label": "All", "value": ALL},
    {"label": "Yes", "value": "1"},
    {"label": "No", "value": "0"},
]
HORIZONS = [
    {"label": "Full follow-up", "value": "full"},
    {"label": "1 year", "value": "12"},
    {"label": "2 years", "value": "24"},
    {"label": "3 years", "value": "36"},
    {"label": "5 years", "value": "60"},
    {"label": "10 years", "value": "120"},
]


def _field(label: str, control: object, row_id: str | None = None, help_text: str | None = None):
    row_id = row_id or "wrap-" + "".join(c if c.isalnum() else "-" for c in label.lower())
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
        children.append(html.Div(help_text, className="form-text mt-0"))
    return html.Div(children, id=row_id, className="mb-3 filter-row", **{"data-label": label})


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
                html.H2("Filters", className="h5"),
                html.Div(live_count, id=ids.LIVE_COUNT, className="live-count mb-3", role="status"),
                _field(
                    "Sex",
                    _radio(
                        ids.SEX,
                        [
                            {"label": "All", "value": ALL},
                            {"label": "Female", "value": "F"},
                            {"label": "Male", "value": "M"},
                        ],
                    ),
                    ids.FILTER_ROWS[ids.SEX],
                ),
                _field(
                    "Age at first rituximab (years)",
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
                    "Baseline EDSS",
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
                    "New asymptomatic MRI lesions",
                    _radio(ids.LESIONS, YES_NO),
                    ids.FILTER_ROWS[ids.LESIONS],
                ),
                _field(
                    "Persistent Gd enhancement",
                    _radio(ids.GD, YES_NO),
                    ids.FILTER_ROWS[ids.GD],
                ),
                _field(
                    "FCGR3A-V158F genotype",
                    _radio(
                        ids.FCGR3A,
                        [
                            {"label": v if v != ALL else "All", "value": v}
                            for v in (ALL, "VV", "VF", "FF")
                        ],
                    ),
                    ids.FILTER_ROWS[ids.FCGR3A],
                ),
                _field(
                    "Grace period (months)",
                    dcc.Slider(
                        id=ids.GRACE,
                        min=0,
                        max=12,
                        step=1,
                        value=6,
                        marks={i: str(i) for i in (0, 3, 6, 9, 12)},
                        allow_direct_input=False,
                    ),
                    help_text="Relapses this soon after the first infusion are not failures.",
                ),
                html.Hr(),
                _field(
                    "Compare groups by",
                    dbc.Select(
                        id=ids.GROUP_BY,
                        value=_default_group(controls),
                        options=controls.group_options,
                    ),
                ),
                _field(
                    "Cox covariates (multivariable)",
                    dbc.Checklist(
                        id=ids.COVARIATES,
                        value=[],
                        options=controls.covariate_options,
                        input_class_name="me-1",
                    ),
                    help_text="None ticked: univariable models only.",
                ),
                _field(
                    "Kaplan–Meier time horizon",
                    dbc.Select(id=ids.HORIZON, options=HORIZONS, value="full"),
                ),
                _field(
                    "Lesion landmark (months)",
                    dbc.Input(id=ids.LANDMARK, type="number", min=1, max=120, step=1, value=12),
                ),
                dbc.Button(
                    "Reset filters",
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


def analysis_tabs(config: Config, km_summary: object = None) -> html.Div:
    graph_config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "svg", "filename": "nmosd-km"},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
    specs = [
        _tab(
            "Survival",
            "tab-km",
            [
                dbc.Checklist(
                    id=ids.KM_OPTIONS,
                    options=[
                        {"label": "95% CI bands", "value": "ci"},
                        {"label": "Failures/censored in risk table", "value": "events"},
                        {"label": "KMunicate style", "value": "kmunicate"},
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
                        figure=empty_figure("Computing…"),
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
        _tab("Timelines", "tab-timelines", timelines_tab()),
        _tab(
            "Hazard ratios",
            "tab-hr",
            [
                dcc.Graph(
                    id=ids.FOREST_GRAPH,
                    figure=empty_figure("Computing…"),
                    config={
                        **graph_config,
                        "toImageButtonOptions": {"format": "svg", "filename": "nmosd-forest"},
                    },
                ),
                html.Div(id=ids.HAZARD_NOTES),
            ],
        ),
        _tab("Lesion timing", "tab-lesions", [html.Div(id=ids.LESION_PANEL)]),
        _tab("Failure rates", "tab-rates", [html.Div(id=ids.RATES_PANEL)]),
        _tab("Relapses", "tab-relapses", relapses_tab()),
        _tab(
            "Table 1 & MANCOVA",
            "tab-table",
            [
                _field(
                    "Table 1 compares",
                    dbc.RadioItems(
                        id=ids.TABLE_BY,
                        options=[
                            {"label": "Failure vs no failure", "value": "failure"},
                            {"label": "The groups of “Compare groups by”", "value": "group"},
                        ],
                        value="failure",
                        inline=True,
                        input_class_name="me-1",
                        label_class_name="me-3",
                    ),
                    "row-table-by",
                ),
                html.Div(id=ids.TABLE_ONE),
                html.Div(id=ids.MANCOVA),
            ],
        ),
        _tab("Paper reproduction", "tab-paper", [html.Div(id=ids.PAPER)]),
        _tab("Data", "tab-data", [data_panel(config)]),
    ]
    # The switching callback is registered for TAB_KEYS: the two must list the same tabs.
    if tuple(spec.key for spec in specs) != TAB_KEYS:
        raise RuntimeError("TAB_KEYS does not match the analysis tabs")
    return accessible_tabs(specs, active="km")


def _upload_box(component_id: str, what: str, config: Config) -> dcc.Upload:
    return dcc.Upload(
        id=component_id,
        max_size=config.max_upload_bytes,
        children=html.Div([f"{what}: drag here or ", html.Span("choose a file", className="link")]),
        className="upload-box",
    )


def data_panel(config: Config) -> html.Div:
    limits = (
        f"Up to {config.max_upload_mb:g} MB and {config.max_upload_rows:,} rows per file. "
        if config.allow_uploads
        else "Uploads are turned off on this server: it shows its configured cohort only. "
    )
    return html.Div(
        [
            html.H2("Load a cohort", className="h5"),
            html.P(
                "Upload a patients file (CSV, XLSX or Parquet), optionally with a relapses file "
                "and a rituximab infusions file (drawn on the patient timelines). "
                "Uploads stay in this browser tab and are never stored on the server; if the "
                "file has problems, every problem is listed and the current cohort stays loaded. "
                + limits,
            ),
            dbc.Row(
                [
                    dbc.Col(_upload_box(ids.UPLOAD_PATIENTS, "Patients file", config), md=4),
                    dbc.Col(
                        _upload_box(ids.UPLOAD_RELAPSES, "Relapses file (optional)", config), md=4
                    ),
                    dbc.Col(
                        _upload_box(ids.UPLOAD_INFUSIONS, "Infusions file (optional)", config),
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
                        "Back to the demo / server cohort",
                        id=ids.USE_DEMO,
                        color="link",
                        className="ps-0",
                    ),
                    dbc.Button("Download template", id=ids.DOWNLOAD_TEMPLATE_BUTTON, color="link"),
                    dbc.Button(
                        "Download infusions template",
                        id=ids.DOWNLOAD_INFUSIONS_TEMPLATE_BUTTON,
                        color="link",
                    ),
                ]
            ),
            html.H2("Export", className="h5 mt-4"),
            html.Div(
                [
                    dbc.Button(
                        "Filtered cohort (CSV)",
                        id=ids.DOWNLOAD_CSV_BUTTON,
                        color="primary",
                        outline=True,
                        className="me-2",
                    ),
                    dbc.Button(
                        "Report of this view (HTML)",
                        id=ids.DOWNLOAD_REPORT_BUTTON,
                        color="primary",
                        outline=True,
                    ),
                ]
            ),
            html.P("Figures: use the camera icon above each plot (SVG).", className="form-text"),
            html.H2("Data dictionary", className="h5 mt-4", id="data-dictionary"),
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
    )


def build_layout(cohort: Cohort | None, config: Config | None = None) -> html.Div:
    """The page for ``cohort`` (None only for the validation layout of a broken start-up)."""
    config = config or Config()
    controls = (
        cohort_controls(cohort)
        if cohort is not None
        else CohortControls(
            visible={},
            group_options=[{"label": "No grouping", "value": NO_GROUP}],
            covariate_options=[],
            age_bounds=(0.0, 100.0),
        )
    )
    opening = opening_readouts(cohort)
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.COHORT_STORE, storage_type="memory"),
            html.Header(
                dbc.Container(
                    [
                        html.H1("RTX-Refractory NMOSD Cohort Explorer", className="h4 mb-0"),
                        html.Div(
                            cards.cohort_badge(cohort.label, cohort.synthetic, cohort.fingerprint)
                            if cohort is not None
                            else None,
                            id=ids.COHORT_LABEL,
                            className="cohort-label",
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
                                **{"aria-label": "Filters"},
                            ),
                            lg=3,
                            md=4,
                        ),
                        dbc.Col(
                            html.Main(
                                [
                                    html.Div(opening.cards, id=ids.CARDS, className="mb-3"),
                                    html.Div(opening.warnings, id=ids.WARNINGS),
                                    analysis_tabs(config, opening.km_summary),
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
                    "Time to treatment failure = first relapse after the grace period that "
                    "follows the first rituximab infusion. Statistics are checked against R's "
                    "survival package.",
                    fluid=True,
                    className="small text-body-secondary py-3",
                )
            ),
        ]
    )


def error_layout(error: CohortValidationError) -> html.Div:
    """Shown when the server's configured cohort file is invalid: what is wrong, not a crash."""
    return html.Main(
        dbc.Container(
            [
                html.H1("The configured cohort file could not be loaded", className="h3 mt-4"),
                html.P(
                    f"{len(error.problems)} problem(s) were found. "
                    "Fix the file and restart the service:"
                ),
                html.Ul([html.Li(str(p)) for p in error.problems[:200]]),
            ]
        )
    )
