"""Mean cumulative function figure: step curves of the mean number of relapses per patient.

Pure rendering of :class:`analytics.recurrent.MeanCumulativeFunction`; no statistics here.
The figure is built as plain data and wrapped without plotly's property validation, which
costs several times more than building it (the Relapses tab redraws it on every filter change);
the data are what validation would produce, so the browser gets the same figure.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from analytics.recurrent import MeanCumulativeCurve, MeanCumulativeFunction
from components.labels import level_label
from components.palette import GROUP_COLOURS, rgba

FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


@lru_cache(maxsize=1)
def _white_template() -> dict[str, Any]:
    # A validated figure expands template="plotly_white" into the template's data; without
    # validation the name would reach the browser as is, and plotly.js knows no named
    # templates. go.Figure copies its input, so the cached dict is never changed.
    template: dict[str, Any] = pio.templates["plotly_white"].to_plotly_json()
    return template


def _hover(curve: MeanCumulativeCurve, name: str) -> list[str]:
    return [
        f"<b>{name}</b><br>Month {t:.1f}<br>Mean relapses per patient: {m:.2f} "
        f"(95% CI {lo:.2f}–{hi:.2f})<br>Followed: {n}"
        for t, m, lo, hi, n in zip(
            curve.timeline, curve.mcf, curve.ci_low, curve.ci_high, curve.at_risk, strict=True
        )
    ]


def _curve_traces(curve: MeanCumulativeCurve, name: str, colour: str) -> list[dict[str, Any]]:
    plural = "relapse" if curve.events == 1 else "relapses"
    x = list(curve.timeline)
    return [
        {
            "type": "scatter",
            "x": x,
            "y": list(curve.ci_high),
            "mode": "lines",
            "line": {"width": 0, "shape": "hv"},
            "legendgroup": name,
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": x,
            "y": list(curve.ci_low),
            "mode": "lines",
            "line": {"width": 0, "shape": "hv"},
            "fill": "tonexty",
            "fillcolor": rgba(colour, 0.15),
            "name": f"{name} 95% CI",
            "legendgroup": name,
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": x,
            "y": list(curve.mcf),
            "mode": "lines",
            "line": {"color": colour, "width": 2.5, "shape": "hv"},
            "name": f"{name} (n={curve.n}, {curve.events} {plural})",
            "legendgroup": name,
            "hovertext": _hover(curve, name),
            "hoverinfo": "text",
        },
    ]


def mcf_figure(mcf: MeanCumulativeFunction, *, title: str) -> go.Figure:
    """Step curves of the mean cumulative number of relapses per patient, with 95% CI bands.

    Scatter traces only: the page ships plotly's basic bundle.
    """
    data: list[dict[str, Any]] = []
    for j, curve in enumerate(mcf.curves):
        colour = GROUP_COLOURS[j % len(GROUP_COLOURS)]
        data += _curve_traces(curve, level_label(mcf.group_by, curve.label), colour)
    layout = {
        "title": {"text": title, "x": 0, "font": {"size": 16}},
        "template": _white_template(),
        "height": 420,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 50},
        "legend": {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"},
        "font": FONT,
        "xaxis": {
            "title": {"text": "Months since first rituximab infusion"},
            "rangemode": "tozero",
        },
        "yaxis": {"title": {"text": "Mean relapses per patient"}, "rangemode": "tozero"},
    }
    return go.Figure({"data": data, "layout": layout}, _validate=False)
