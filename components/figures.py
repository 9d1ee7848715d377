"""Plotly figures from plain dicts, without plotly.py's per-property validation.

plotly.py checks every property of every trace as it is set: for the Kaplan–Meier figure
that was ~100 ms of each view change at n = 54 (validated ``add_trace``/``update_layout``),
against a few ms for the same dicts wrapped unvalidated. The builders write plotly.js's
JSON directly; tests/components/test_figures.py runs each builder's output through the
validating constructor, so a misspelt property still fails a test, not the page.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from analytics.language import plotly_separators

Trace = dict[str, Any]


@lru_cache(maxsize=4)
def _template(name: str) -> dict[str, Any]:
    # plotly.js knows no template names: the figure carries the whole template, as a
    # validated figure given ``template="plotly_white"`` does.
    return pio.templates[name].to_plotly_json()


def fast_figure(
    data: list[Trace], layout: dict[str, Any], *, template: str = "plotly_white"
) -> go.Figure:
    """A ``go.Figure`` of ``data`` and ``layout`` as given (plotly.js property names).

    Attributes read as usual (``fig.data[0].x``, ``fig.layout.title.text``), and
    ``to_json``/``to_html`` write the same JSON a validated figure would, as long as the
    dicts hold what validation would have kept: lists or tuples of plain numbers and
    strings, no typos. The figure deep-copies its inputs (the cached template included).
    """
    # Decimal comma and thousands point in Spanish for every number plotly writes itself
    # (ticks, hover formats): plotly's ``separators``, decimal mark first.
    separators = plotly_separators()
    return go.Figure(
        {
            "data": data,
            "layout": {"separators": separators, **layout, "template": _template(template)},
        },
        _validate=False,
    )


def scatter(**properties: Any) -> Trace:
    """A scatter trace (the only trace type in plotly's basic bundle the page ships)."""
    return {"type": "scatter", **properties}


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
