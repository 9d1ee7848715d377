"""Mean cumulative function figure: step curves of the mean number of relapses per patient.

Pure rendering of :class:`analytics.stats.recurrent.MeanCumulativeFunction`; no statistics here.
The figure is plain data (components.figures.base), not validated by plotly.py, which costs
several times more than building it (the Relapses tab redraws it on every filter change);
the data are what validation would produce, so the browser gets the same figure.
"""

from __future__ import annotations

import math
from typing import Any

from analytics.stats.recurrent import MeanCumulativeCurve, MeanCumulativeFunction
from components.figures.base import (
    FONT,
    Figure,
    fast_figure,
    heading,
    legend_above,
    step_band,
    under_toolbar,
    wrap,
)
from components.figures.palette import GROUP_COLOURS, TAIL_ALPHA, rgba
from components.text.format import ci_label
from components.text.labels import figure_level_label
from i18n.language import integer, number, percent, t

# The tail of a curve where few patients are still followed is drawn dotted and faded (the
# survminer / KMunicate practice for Kaplan–Meier tails; Pocock et al., Lancet 2002;359:1686).
# Rule: fewer than 10 patients, or fewer than 10% of the group when that is more. The MCF is a
# mean over the patients followed, so below 10 one relapse moves it by more than 0.1 relapses
# per patient; in a large cohort the last tenth followed longest are a selected few (the
# earliest treated), no longer the group the legend names. Dotted as well as faded: the
# difference must not rest on colour alone.
FADE_BELOW_PATIENTS = 10
FADE_BELOW_SHARE = 0.10
TAIL_BAND_ALPHA = 0.07
BAND_ALPHA = 0.15
# The curves' panel, under the title and legend.
PLOT_PIXELS = 320
# Characters of a legend line (13 px) in the narrowest figure, after the line sample.
LEGEND_CHARS = 70


def fade_threshold(n_patients: int) -> int:
    """Fewer patients than this still followed fade the curve: 10, or 10% of the group if more."""
    return max(FADE_BELOW_PATIENTS, math.ceil(FADE_BELOW_SHARE * n_patients))


def tail_start(curve: MeanCumulativeCurve) -> int | None:
    """Index of the timeline point where the faded tail begins, None when there is none.

    ``at_risk[i]`` counts the patients followed through ``(timeline[i-1], timeline[i]]``, so
    the first such stretch with too few starts at point ``i - 1``; 0 when the whole group is
    smaller than the threshold (all of its curve is faded).
    """
    threshold = fade_threshold(curve.n)
    for i, followed in enumerate(curve.at_risk):
        if followed < threshold:
            return max(i - 1, 0)
    return None


def _hover(curve: MeanCumulativeCurve, name: str, points: range, tail: str) -> list[str]:
    return [
        f"<b>{name}</b>{tail}<br>"
        + t("Month {month}").format(month=number(curve.timeline[i]))
        + "<br>"
        + t("Mean relapses per patient: {mean} ({ci} {low}–{high})").format(
            mean=number(curve.mcf[i], 2),
            ci=ci_label(),
            low=number(curve.ci_low[i], 2),
            high=number(curve.ci_high[i], 2),
        )
        + "<br>"
        + t("Followed: {n}").format(n=integer(curve.at_risk[i]))
        for i in points
    ]


def _band(
    curve: MeanCumulativeCurve, points: range, name: str, fillcolor: str
) -> list[dict[str, Any]]:
    return step_band(
        [curve.timeline[i] for i in points],
        [curve.ci_low[i] for i in points],
        [curve.ci_high[i] for i in points],
        name=name,
        fillcolor=fillcolor,
    )


def _line(
    curve: MeanCumulativeCurve, points: range, name: str, line: dict[str, Any], tail: str = ""
) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": [curve.timeline[i] for i in points],
        "y": [curve.mcf[i] for i in points],
        "mode": "lines",
        "line": line,
        "legendgroup": name,
        "hovertext": _hover(curve, name, points, tail),
        "hoverinfo": "text",
    }


def _curve_traces(curve: MeanCumulativeCurve, name: str, colour: str) -> list[dict[str, Any]]:
    """CI band and step curve; from :func:`tail_start` on, a fainter band and a dotted line."""
    events = t("1 relapse") if curve.events == 1 else t("{n} relapses").format(n=curve.events)
    legend = f"{name} (n={curve.n}, {events})"
    end = len(curve.timeline)
    fade = tail_start(curve)
    solid = range(0, end if fade is None else fade + 1)
    traces: list[dict[str, Any]] = []
    if fade != 0:
        traces += _band(curve, solid, name, rgba(colour, BAND_ALPHA))
        traces.append(
            {
                **_line(curve, solid, name, {"color": colour, "width": 2.5, "shape": "hv"}),
                "name": legend,
            }
        )
    if fade is not None:
        tail = range(fade, end)
        few = t("fewer than {n} patients still followed").format(n=fade_threshold(curve.n))
        traces += _band(curve, tail, name, rgba(colour, TAIL_BAND_ALPHA))
        line = {"color": rgba(colour, TAIL_ALPHA), "width": 2, "shape": "hv", "dash": "dot"}
        traces.append(
            {
                **_line(
                    curve, tail, name, line, " (" + t("{few}: imprecise").format(few=few) + ")"
                ),
                # A curve that is all tail (a group smaller than the threshold) keeps its
                # legend entry here.
                "name": legend if fade == 0 else f"{name}: {few}",
                "showlegend": fade == 0,
            }
        )
    return traces


def _tail_rule(thresholds: set[int]) -> str:
    if len(thresholds) == 1:
        return t("fewer than {n} patients still followed").format(n=next(iter(thresholds)))
    return t("fewer than {n} patients (or {share} of the group, if more) still followed").format(
        n=FADE_BELOW_PATIENTS, share=percent(FADE_BELOW_SHARE, 0)
    )


def _tail_legend(rule: str) -> dict[str, Any]:
    """A legend-only entry that says what the dotted, faded lines mean."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "lines",
        "line": {"color": rgba("#495057", TAIL_ALPHA), "width": 2, "dash": "dot"},
        # Wrapped: in Spanish it ran past a 1024-px figure's edge.
        "name": wrap(t("Dotted, faded: {rule}").format(rule=rule), LEGEND_CHARS),
        "hoverinfo": "skip",
    }


def tail_caption(mcf: MeanCumulativeFunction) -> str | None:
    """The sentence under the figure that explains its faded tails (None when it has none)."""
    faded = [c for c in mcf.curves if tail_start(c) is not None]
    if not faded:
        return None
    rule = _tail_rule({fade_threshold(c.n) for c in faded})
    return t(
        "Dotted, faded part of a curve: {rule}. The mean is then taken over few patients, so "
        "a single relapse moves it visibly, and those still followed are often the ones "
        "treated earliest rather than the whole group: read that part with care."
    ).format(rule=rule)


def mcf_figure(mcf: MeanCumulativeFunction, *, title: str) -> Figure:
    """Step curves of the mean cumulative number of relapses per patient, with 95% CI bands.

    Scatter traces only: the page ships plotly's basic bundle.
    """
    data: list[dict[str, Any]] = []
    for j, curve in enumerate(mcf.curves):
        colour = GROUP_COLOURS[j % len(GROUP_COLOURS)]
        data += _curve_traces(curve, figure_level_label(mcf.group_by, curve.label), colour)
    faded = {fade_threshold(c.n) for c in mcf.curves if tail_start(c) is not None}
    if faded:
        data.append(_tail_legend(_tail_rule(faded)))
    title_block, title_pixels = heading(title)
    # Above the curves: inside the plot (top left) the legend covered the curves' start.
    rows = sum(
        1 + trace["name"].count("<br>")
        for trace in data
        if trace.get("showlegend", True) and "name" in trace
    )
    legend, legend_pixels = legend_above(rows)
    top = title_pixels + legend_pixels
    height = top + PLOT_PIXELS + 60
    # A little room left of 0: the axes' two zeros collided in the corner.
    longest = max((max(c.timeline, default=0.0) for c in mcf.curves), default=12.0) or 12.0
    layout = {
        "title": under_toolbar(title_block, height),
        "height": height,
        "margin": {"l": 70, "r": 20, "t": top, "b": 60},
        "legend": legend,
        "font": FONT,
        "xaxis": {
            "title": {"text": t("Months since first rituximab infusion")},
            "range": [-0.03 * longest, 1.02 * longest],
            "automargin": True,
        },
        "yaxis": {
            "title": {"text": t("Mean relapses per patient")},
            "rangemode": "tozero",
            "automargin": True,
        },
    }
    return fast_figure(data, layout)
