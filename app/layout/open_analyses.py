"""The open analyses' controls on their tabs: the exposure (Lesion timing), the Table 1
grouping and the MANCOVA design (Table 1 & MANCOVA). Values start at the default view's."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.layout import ids
from app.state.open_controls import OPEN_IDS, OpenOptions, open_values
from app.state.view_state import ViewState
from i18n.language import N_, t

_NO_OPTIONS = OpenOptions({cid: [] for cid in OPEN_IDS})
# Dash's own texts in a multiple-choice dropdown ("2 selected"...): English unless given.
_DROPDOWN_TEXTS = {
    "select_all": N_("Select all"),
    "deselect_all": N_("Deselect all"),
    "selected_count": N_("{num_selected} selected"),
    "search": N_("Search"),
    "clear_search": N_("Clear search"),
    "clear_selection": N_("Clear selection"),
    "no_options_found": N_("No options found"),
}


def _dropdown(
    component_id: str, english: str, options: OpenOptions, *, multi: bool = False
) -> dbc.Col:
    value = dict(zip(OPEN_IDS, open_values(ViewState()), strict=True))[component_id]
    label_id = f"{component_id}-label"
    return dbc.Col(
        [
            html.Label(
                t(english),
                id=label_id,
                htmlFor=component_id,
                className="filter-label fw-semibold small mb-1",
            ),
            # Multiple choice: a dropdown; one choice: a plain select, which keeps a value
            # that is not among its options (a URL's), so the page can say why it is not used.
            dcc.Dropdown(
                id=component_id,
                options=options.by_id.get(component_id, []),
                value=value,
                multi=True,
                placeholder=t("none"),
                labels={key: t(text) for key, text in _DROPDOWN_TEXTS.items()},
            )
            if multi
            else dbc.Select(
                id=component_id, options=options.by_id.get(component_id, []), value=value
            ),
        ],
        md=4,
        className="mb-2",
        id=f"row-{component_id}",
    )


def exposure_controls(options: OpenOptions | None) -> dbc.Row:
    """Which 0/1 column is the time-varying exposure, its onset, and adjustment."""
    options = options or _NO_OPTIONS
    return dbc.Row(
        [
            _dropdown(ids.EXPOSURE, N_("Exposure (0/1 column)"), options),
            _dropdown(ids.EXPOSURE_MONTHS, N_("Exposure onset (months)"), options),
            _dropdown(ids.EXPOSURE_COVARIATES, N_("Adjusted for"), options, multi=True),
        ],
        className="mb-2",
    )


def table_by_control(options: OpenOptions | None) -> dbc.Row:
    options = options or _NO_OPTIONS
    return dbc.Row([_dropdown(ids.TABLE_BY, N_("Table 1 by"), options)], className="mb-2")


def mancova_controls(options: OpenOptions | None) -> dbc.Row:
    options = options or _NO_OPTIONS
    return dbc.Row(
        [
            _dropdown(
                ids.MANCOVA_DEPENDENT, N_("MANCOVA dependent variables"), options, multi=True
            ),
            _dropdown(ids.MANCOVA_FACTOR, N_("MANCOVA factor"), options),
            _dropdown(ids.MANCOVA_COVARIATES, N_("MANCOVA covariates"), options, multi=True),
        ],
        className="mt-4 mb-2",
    )
