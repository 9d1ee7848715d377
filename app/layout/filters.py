"""The filter panel (left column): the cohort filters and the view's analysis settings."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.data.cohort import DEFAULT_GRACE_MONTHS
from app.layout import ids
from app.layout.field import labelled_field
from app.state.controls import GRACE_NOT_APPLIED, CohortControls
from app.state.view_state import ALL, DEFAULT_GROUP_BY, NO_GROUP
from i18n.language import N_, short, t

# Typed numbers reach the views this long after the last keystroke (dbc.Input's debounce, in
# milliseconds): typing "24" computes the view for 24, not for 2 first. As the sliders' pause.
TYPING_PAUSE_MS = 350


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


def _settled(component_id: str, value: object) -> dcc.Store:
    """The value a slider settled on, which the views read (app/callbacks/settle.py)."""
    return dcc.Store(id=ids.SETTLED[component_id], data=value)


def _grace_field(applies: bool) -> html.Div:
    """The grace-period slider; disabled, with the reason beside it, when the cohort's outcome
    is its own failure column (the slider would change nothing)."""
    row = labelled_field(
        N_("Grace period (months)"),
        dcc.Slider(
            id=ids.GRACE,
            min=0,
            max=12,
            step=1,
            value=DEFAULT_GRACE_MONTHS,
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
    row.children = [*row.children, reason, _settled(ids.GRACE, DEFAULT_GRACE_MONTHS)]
    return row


def range_text(low: float, high: float) -> str:
    """A range slider's chosen range as text, '18–72' ('2,5–6' in Spanish); the browser
    rewrites it as the thumbs move (app/callbacks/range_readouts.py)."""
    return f"{short(low)}\u2013{short(high)}"


def _with_readout(row: html.Div, slider: str, value: tuple[float, float]) -> html.Div:
    """``row`` with its slider's chosen range written under it: the tooltip shows the values
    only while a thumb is dragged, and a reader must see which patients are kept."""
    readout = html.Div(
        [t("Chosen:") + " ", html.Span(range_text(*value), id=ids.RANGE_READOUTS[slider])],
        className="form-text mt-0 range-readout",
    )
    row.children = [*row.children, readout]
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
                labelled_field(
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
                _with_readout(
                    labelled_field(
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
                    ids.AGE,
                    (age_low, age_high),
                ),
                _settled(ids.AGE, [age_low, age_high]),
                _with_readout(
                    labelled_field(
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
                    ids.EDSS,
                    (0, 10),
                ),
                _settled(ids.EDSS, [0, 10]),
                labelled_field(
                    N_("New asymptomatic MRI lesions"),
                    _radio(ids.LESIONS, _yes_no()),
                    ids.FILTER_ROWS[ids.LESIONS],
                ),
                labelled_field(
                    N_("Persistent Gd enhancement"),
                    _radio(ids.GD, _yes_no()),
                    ids.FILTER_ROWS[ids.GD],
                ),
                labelled_field(
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
                labelled_field(
                    N_("Compare groups by"),
                    dbc.Select(
                        id=ids.GROUP_BY,
                        value=_default_group(controls),
                        options=controls.group_options,
                    ),
                ),
                labelled_field(
                    N_("Cox covariates (multivariable)"),
                    dbc.Checklist(
                        id=ids.COVARIATES,
                        value=[],
                        options=controls.covariate_options,
                        input_class_name="me-1",
                    ),
                    help_text=N_("None ticked: univariable models only."),
                ),
                labelled_field(
                    N_("Kaplan–Meier time horizon"),
                    dbc.Select(id=ids.HORIZON, options=_horizons(), value="full"),
                ),
                labelled_field(
                    N_("Lesion landmark (months)"),
                    dbc.Input(
                        id=ids.LANDMARK,
                        type="number",
                        min=1,
                        max=120,
                        step=1,
                        value=12,
                        debounce=TYPING_PAUSE_MS,
                    ),
                ),
                labelled_field(
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


def _default_group(controls: CohortControls) -> str:
    values = {o["value"] for o in controls.group_options}
    return DEFAULT_GROUP_BY if DEFAULT_GROUP_BY in values else NO_GROUP
