"""The Survival tab: the Kaplan–Meier plot and its options, the clicked step's patients, the
KM summary and the conditional survival calculator.

Filled by ``app.callbacks.report`` (plot, summary), ``.timelines`` (the clicked step) and
``.conditional`` (the calculator).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.layout import ids
from app.layout.loading import computing
from app.layout.relapses import conditional_calculator
from app.layout.static_parts import data_id, static_part
from app.layout.timelines import km_step_area
from components.export.menu import export_menu
from components.figures.empty import empty_figure
from components.panels.plot_caption import captioned
from i18n.language import t

# The options switched on when the page opens.
KM_DEFAULT_OPTIONS = ("ci",)
GRAPH_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "svg", "filename": "nmosd-km"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def survival_tab(
    km_summary: object = None,
    km_figure: object = None,
    km_caption: str | None = None,
    conditional: object = None,
) -> list[object]:
    """The tab, showing the opening view's plot, caption, summary and conditional survival
    when given."""
    return [
        dbc.Checklist(
            id=ids.KM_OPTIONS,
            options=[
                {"label": t("Confidence bands"), "value": "ci"},
                {"label": t("Failures/censored in risk table"), "value": "events"},
                {"label": t("KMunicate style"), "value": "kmunicate"},
            ],
            value=list(KM_DEFAULT_OPTIONS),
            inline=True,
            switch=True,
        ),
        # dcc.Graph loads asynchronously: its slot keeps the height meanwhile, so
        # what is under it does not jump when the curve appears.
        captioned(
            computing(
                html.Div(
                    dcc.Graph(
                        id=ids.KM_GRAPH,
                        figure=empty_figure(t("Computing…")) if km_figure is None else km_figure,
                        config=GRAPH_CONFIG,
                        style={"height": "560px"},
                    ),
                    style={"minHeight": "560px"},
                ),
                {ids.KM_GRAPH: "figure"},
            ),
            ids.KM_CAPTION,
            km_caption,
        ),
        export_menu(ids.KM_GRAPH, "km"),
        *km_step_area(),
        computing(
            html.Div(static_part(ids.KM_SUMMARY, km_summary)),
            {data_id(ids.KM_SUMMARY): "data"},
        ),
        conditional_calculator(conditional),
    ]
