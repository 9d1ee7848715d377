"""The Timelines tab and the KM-step read-out under the Kaplan–Meier plot (static parts)."""

from __future__ import annotations

from dash import dcc, html

from app.layout import ids
from app.layout.lazy import lazy
from components.export.menu import export_menu
from components.figures.empty import empty_figure
from components.panels.timelines import km_step_panel
from i18n.language import t

GRAPH_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "svg", "filename": "nmosd-timelines"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def timelines_tab() -> list[object]:
    """One row per patient of the current filters; the caption says what is drawn (built
    when the tab is first opened)."""
    return lazy(
        "timelines",
        [
            html.Div(
                [
                    html.H2(
                        t("Patient timelines"), id="timeline-heading", className="visually-hidden"
                    ),
                    dcc.Graph(
                        id=ids.TIMELINE_GRAPH,
                        figure=empty_figure(t("Computing…")),
                        config=GRAPH_CONFIG,
                    ),
                    html.Div(id=ids.TIMELINE_CAPTION),
                ],
                # Screen readers get the plot's name and its caption in words.
                role="figure",
                **{"aria-labelledby": "timeline-heading", "aria-describedby": ids.TIMELINE_CAPTION},
            ),
            export_menu(ids.TIMELINE_GRAPH, "timelines"),
        ],
    )


def km_step_area() -> list[object]:
    """Under the KM plot: who is behind a clicked step (and the store the timeline reads)."""
    return [
        dcc.Store(id=ids.KM_STEP, storage_type="memory"),
        html.Div(km_step_panel(None), id=ids.KM_STEP_PANEL, role="status"),
    ]
