"""The Hazard ratios tab: the forest plot, its notes and the cox.zph time transform
(filled by ``app.callbacks.report``)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.layout import ids
from app.layout.field import labelled_field
from app.layout.lazy import lazy
from app.layout.loading import computing
from app.layout.survival import GRAPH_CONFIG
from components.export.menu import export_menu
from components.figures.empty import empty_figure
from components.panels.plot_caption import captioned
from i18n.language import N_, t


def hazards_tab() -> list[object]:
    # The plot and notes are built when the tab is first opened; the cox.zph choice stays in
    # the page (the URL and Reset set it whether or not the tab was opened).
    plot_and_notes = [
        captioned(
            computing(
                dcc.Graph(
                    id=ids.FOREST_GRAPH,
                    figure=empty_figure(t("Computing…")),
                    # The Kaplan–Meier plot's toolbar, saving under the forest plot's own name.
                    config={
                        **GRAPH_CONFIG,
                        "toImageButtonOptions": {"format": "svg", "filename": "nmosd-forest"},
                    },
                ),
                {ids.FOREST_GRAPH: "figure"},
            ),
            ids.FOREST_CAPTION,
        ),
        export_menu(ids.FOREST_GRAPH, "forest"),
        computing(html.Div(id=ids.HAZARD_NOTES), {ids.HAZARD_NOTES: "children"}),
    ]
    return [
        *lazy("hr", plot_and_notes),
        labelled_field(
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
    ]
