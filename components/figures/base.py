"""Plotly figures as plain dicts (``{"data": [...], "layout": {...}}``), plotly.js's JSON.

``dcc.Graph(figure=...)`` and ``plotly.io.to_html(..., validate=False)`` take the dicts as
they are. plotly.py's validating ``go.Figure`` checks every property as it is set: for the
Kaplan–Meier figure that was ~100 ms of each view change at n = 54, against well under a
millisecond to write the dicts. tests/components/test_figures.py runs each builder's output
through the validating constructor, so a misspelt property still fails a test, not the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import plotly.io as pio

from components.text.format import ci_label
from i18n.language import plotly_separators

Trace = dict[str, Any]
Figure = dict[str, Any]


@lru_cache(maxsize=4)
def _template(name: str) -> dict[str, Any]:
    # plotly.js knows no template names: the figure carries the whole template, as a
    # validated figure given ``template="plotly_white"`` does.
    return pio.templates[name].to_plotly_json()


def fast_figure(
    data: list[Trace], layout: dict[str, Any], *, template: str = "plotly_white"
) -> Figure:
    """The figure of ``data`` and ``layout`` as given (plotly.js property names).

    The dicts must hold what validation would have kept: lists or tuples of plain numbers
    and strings, no typos. Figures share one template dict, read-only: a copy per figure
    cost ~3 ms, more than building the Kaplan–Meier figure itself.
    """
    # Decimal comma and thousands point in Spanish for every number plotly writes itself
    # (ticks, hover formats): plotly's ``separators``, decimal mark first.
    separators = plotly_separators()
    return {
        "data": data,
        "layout": {"separators": separators, **layout, "template": _template(template)},
    }


def scatter(**properties: Any) -> Trace:
    """A scatter trace (the only trace type in plotly's basic bundle the page ships)."""
    return {"type": "scatter", **properties}


def step_band(
    x: Sequence[Any], low: Sequence[Any], high: Sequence[Any], *, name: str, fillcolor: str
) -> list[Trace]:
    """A confidence band between two step curves, for the curve ``name`` (its legend group).

    Plotly fills between consecutive traces: an invisible upper edge, then the lower edge
    filled up to it ("tonexty"). Both step as the curve does (``hv``) and stay out of the
    legend and the hover, which belong to the curve.
    """
    edge = {"type": "scatter", "x": x, "mode": "lines", "line": {"width": 0, "shape": "hv"}}
    return [
        {**edge, "y": high, "legendgroup": name, "showlegend": False, "hoverinfo": "skip"},
        {
            **edge,
            "y": low,
            "fill": "tonexty",
            "fillcolor": fillcolor,
            "name": f"{name} {ci_label()}",
            "legendgroup": name,
            "showlegend": False,
            "hoverinfo": "skip",
        },
    ]


def vline(x: float, line: dict[str, Any]) -> dict[str, Any]:
    """A vertical line across the plot at ``x``, as ``fig.add_vline`` draws it."""
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "y domain",
        "line": line,
    }
