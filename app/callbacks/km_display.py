"""The Kaplan–Meier display options that need no server: CI bands and the failures/censored
counts of the risk table are switched in the browser, on the figure the page already has
(components.figures.km marks the traces with ``meta``). KMunicate changes the layout: the
server redraws it from the cached section (app.callbacks.tab_panels).

Registered by ``create_app`` next to the tab switching, not through ``attach``: it is a
browser function, and ``callback_specs`` lists the server's callbacks.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State

from app.layout import ids
from components.figures.km import CI_BAND, RISK_ROW

TOGGLE_KM_DISPLAY = f"""
function(options, figure) {{
    if (!figure || !Array.isArray(figure.data)) {{
        return window.dash_clientside.no_update;
    }}
    const chosen = Array.isArray(options) ? options : [];
    const bands = chosen.includes("ci") || chosen.includes("kmunicate");
    const events = chosen.includes("events");
    const data = figure.data.map(function(trace) {{
        const meta = trace.meta;
        if (meta === "{CI_BAND}") {{
            return Object.assign({{}}, trace, {{visible: bands}});
        }}
        if (meta && meta.role === "{RISK_ROW}") {{
            return Object.assign({{}}, trace, {{text: events ? meta.events : meta.plain}});
        }}
        return trace;
    }});
    const layout = Object.assign({{}}, figure.layout);
    const titles = layout.meta && layout.meta.risk_titles;
    if (titles && layout.yaxis2) {{
        const title = Object.assign({{}}, layout.yaxis2.title, {{text: titles[events ? 1 : 0]}});
        layout.yaxis2 = Object.assign({{}}, layout.yaxis2, {{title: title}});
    }}
    return Object.assign({{}}, figure, {{data: data, layout: layout}});
}}
"""


def register(app: Dash) -> None:
    """Register the clientside toggle on ``app`` (per app, as app.layout.tabs explains)."""
    app.clientside_callback(
        TOGGLE_KM_DISPLAY,
        Output(ids.KM_GRAPH, "figure", allow_duplicate=True),
        Input(ids.KM_OPTIONS, "value"),
        State(ids.KM_GRAPH, "figure"),
        prevent_initial_call=True,
    )
