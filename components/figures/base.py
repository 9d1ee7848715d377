"""Plotly figures as plain dicts (``{"data": [...], "layout": {...}}``), plotly.js's JSON.

``dcc.Graph(figure=...)`` and ``plotly.io.to_html(..., validate=False)`` take the dicts as
they are. plotly.py's validating ``go.Figure`` checks every property as it is set: for the
Kaplan–Meier figure that was ~100 ms of each view change at n = 54, against well under a
millisecond to write the dicts. tests/components/test_figures.py runs each builder's output
through the validating constructor, so a misspelt property still fails a test, not the page.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import plotly.io as pio

from components.text.format import ci_label
from i18n.language import plotly_separators

Trace = dict[str, Any]
Figure = dict[str, Any]

FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}
TITLE_SIZE = 16
SUBTITLE_SIZE = 13
# plotly.js sets one line of text 1.3 font sizes below the previous one.
LINE_SPACING = 1.3
# The plot toolbar (plotly's modebar) is a strip about 28 px high along the top right of a
# figure. Titles start under it, so no title, in any language at any width, runs under it
# (a title beside it was cut off by it at 1024 px).
TOOLBAR_PIXELS = 30
TITLE_GAP = 8  # between the toolbar's strip and the title's first line
# Characters of a title line: system-ui averages about 0.55 em a character, and the page's
# narrowest figures (a 1024-px window) are about 640 px wide: 62 characters at 16 px.
TITLE_CHARS = 62
# One legend entry in a vertical legend: a 13-px line and plotly's item padding.
LEGEND_ROW_PIXELS = 22


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


def wrap(text: str, chars: int) -> str:
    """``text`` broken into lines of at most ``chars`` characters at spaces (plotly's ``<br>``),
    since plotly never wraps a title or axis title and cuts what passes the figure's edge."""
    lines = textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines) or text


def heading(
    title: str, subtitle: str = "", *, chars: int = TITLE_CHARS
) -> tuple[dict[str, Any], int]:
    """A figure's title (left, under the toolbar, wrapped) with an optional smaller second
    part (a test's result) on lines of its own, and the pixels it takes from the top."""
    lines = wrap(title, chars).split("<br>") if title else []
    text = "<br>".join(lines)
    # A smaller font in the title's own text keeps plotly's line spacing of the title's font.
    sub_chars = round(chars * TITLE_SIZE / SUBTITLE_SIZE)
    sub_lines = wrap(subtitle, sub_chars).split("<br>") if subtitle else []
    if sub_lines:
        small = f'<span style="font-size:{SUBTITLE_SIZE}px">'
        sub_text = "<br>".join(small + line + "</span>" for line in sub_lines)
        text = f"{text}<br>{sub_text}" if text else sub_text
    count = len(lines) + len(sub_lines)
    title_dict = {
        "text": text,
        "x": 0,
        "xref": "container",
        "xanchor": "left",
        "yref": "container",
        "yanchor": "top",
        "pad": {"l": 12},
        "font": {"size": TITLE_SIZE},
    }
    return title_dict, TOOLBAR_PIXELS + TITLE_GAP + round(count * TITLE_SIZE * LINE_SPACING) + 8


def under_toolbar(title: dict[str, Any], height: int) -> dict[str, Any]:
    """``title`` (from :func:`heading`) placed under the toolbar's strip of a figure ``height``
    pixels high (plotly.js ignored the title's top padding in the container's frame)."""
    # plotly.js's "top" anchor is the first line's baseline less 0.7 em, about one font size
    # below the top of its letters (measured in Chromium): the anchor goes that much lower.
    pixels = TOOLBAR_PIXELS + TITLE_GAP + TITLE_SIZE
    return {**title, "y": 1 - pixels / height}


def legend_above(rows: int, **style: Any) -> tuple[dict[str, Any], int]:
    """A vertical legend right above the plot area (so it never covers a curve or a band),
    and the pixels it needs: its bottom sits on the plot's top edge."""
    legend = {
        "orientation": "v",
        "x": 0,
        "xanchor": "left",
        "y": 1,
        "yanchor": "bottom",
        "tracegroupgap": 0,
        **style,
    }
    return legend, rows * LEGEND_ROW_PIXELS + 10
