"""Forest plot of hazard ratios (log axis) from Cox model results."""

from __future__ import annotations

import math
from collections.abc import Sequence

from analytics.reports.report import Report
from analytics.stats.cox.models import HazardTerm
from analytics.stats.cox.results import term_contrast
from components.figures.base import (
    FONT,
    Figure,
    Trace,
    fast_figure,
    heading,
    scatter,
    under_toolbar,
    vline,
    wrap,
)
from components.figures.palette import GROUP_COLOURS
from components.text.format import ci_label, format_hr, format_p
from components.text.labels import figure_column_label, markup_free
from i18n.language import N_, t

# Plot limits: hazard ratios beyond these (separation) are drawn at the edge with an arrow.
AXIS_MIN, AXIS_MAX = 0.01, 1000.0


def _clip(value: float) -> float:
    if not math.isfinite(value):
        return AXIS_MAX if value > 0 else AXIS_MIN
    return min(max(value, AXIS_MIN), AXIS_MAX)


def _label(term: HazardTerm) -> str:
    # term_contrast: the reference level or unit, worded once for page, report and CLI; the
    # data-derived parts (column, levels) made literal for plotly.
    name = figure_column_label(term.covariate)
    if term.reference is not None:
        return f"{name}: {markup_free(term_contrast(term))}"
    return f"{name} ({term_contrast(term)})"


def report_sections(report: Report) -> list[tuple[str, Sequence[HazardTerm]]]:
    """The models a report has, in reading order: univariable, multivariable, Firth."""
    return [
        (N_("Univariable"), report.univariable),
        (N_("Multivariable"), report.cox.terms if report.cox else ()),
        (N_("Firth"), report.firth.terms if report.firth else ()),
    ]


# Candidate ticks of the log axis: 1-2-5 steps. Only those far enough apart on the drawn
# range are kept (:func:`_ticks`): 0.5, 1 and 2 collided on a narrow figure.
TICK_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
# Term names wrap at this many characters (the row labels take the figure's left part).
LABEL_CHARS = 34
ROW_PIXELS = 18  # a 13-px line of a row label
TICK_TEXT = "#212529"


def _x_range(terms: Sequence[HazardTerm]) -> tuple[float, float]:
    """log10 limits around every interval and the null line at 1, with a quarter-decade
    margin, within the plot limits."""
    lows = [_clip(v) for term in terms for v in (term.ci_low, term.hr)]
    highs = [_clip(v) for term in terms for v in (term.ci_high, term.hr)]
    low = math.log10(min([1.0, *lows])) - 0.25
    high = math.log10(max([1.0, *highs])) + 0.25
    return max(low, math.log10(AXIS_MIN) - 0.1), min(high, math.log10(AXIS_MAX) + 0.1)


def _ticks(low: float, high: float) -> list[float]:
    """Ticks on the log range [low, high]: 1-2-5 steps on a short range, decades (and 1) on
    a long one, so labels keep apart at the narrowest figure (about 200 px of plot)."""
    span = high - low
    every = TICK_STEPS if span <= 1.6 else [v for v in TICK_STEPS if str(v)[0] in "15"]
    if span > 3.2:
        every = [v for v in TICK_STEPS if math.log10(v).is_integer()]
    return [v for v in every if low <= math.log10(v) <= high]


def _row_label(section: str, term: HazardTerm) -> str:
    # The term on one or two lines, the model under it, smaller: the model's name in every
    # row ("Univariable · ...") made the labels wider than half of a 1024-px figure.
    name = wrap(_label(term), LABEL_CHARS)
    return f'{name}<br><span style="font-size:11px">{section}</span>'


def forest_figure(
    sections: Sequence[tuple[str, Sequence[HazardTerm]]], *, title: str = ""
) -> Figure:
    """One row per term, grouped by model (e.g. univariable, multivariable, Firth); section
    names in English, shown in the page's language.

    The "HR (CI), p" column is the tick labels of a second y-axis on the right: plotly sizes
    the margins to tick labels (``automargin``), so the column is never cut at the edge.
    """
    data: list[Trace] = []
    labels: list[str] = []
    row_text: list[str] = []
    column: list[str] = []
    drawn: list[HazardTerm] = []
    for j, (english, terms) in enumerate(sections):
        if not terms:
            continue
        section = t(english)
        colour = GROUP_COLOURS[j % len(GROUP_COLOURS)]
        y = [f"{section} · {_label(term)}" for term in terms]
        labels += y
        row_text += [_row_label(section, term) for term in terms]
        column += [
            f"{format_hr(term.hr, term.ci_low, term.ci_high)}, {format_p(term.p)}" for term in terms
        ]
        drawn += terms
        hr = [_clip(term.hr) for term in terms]
        data.append(
            scatter(
                x=hr,
                y=y,
                mode="markers",
                marker={"symbol": "square", "size": 10, "color": colour},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [_clip(term.ci_high) - h for term, h in zip(terms, hr, strict=True)],
                    "arrayminus": [
                        h - _clip(term.ci_low) for term, h in zip(terms, hr, strict=True)
                    ],
                    "color": colour,
                    "thickness": 2,
                    "width": 0,
                },
                name=section,
                hovertext=[
                    f"<b>{_label(term)}</b><br>{section}<br>"
                    f"HR {format_hr(term.hr, term.ci_low, term.ci_high)}<br>{format_p(term.p)}"
                    for term in terms
                ],
                hoverinfo="text",
            )
        )
    # The right-hand axis needs a trace of its own to draw its categories: invisible points.
    data.append(
        scatter(
            x=[1.0] * len(labels),
            y=labels,
            yaxis="y2",
            mode="none",
            text=column,
            hoverinfo="skip",
            showlegend=False,
        )
    )
    low, high = _x_range(drawn)
    heading_block, title_pixels = heading(title)
    lines = sum(label.count("<br>") + 1 for label in row_text)
    categories = {
        "autorange": "reversed",
        "automargin": True,
        "categoryorder": "array",
        "categoryarray": labels,
        "tickmode": "array",
        "tickvals": labels,
        "tickfont": {"color": TICK_TEXT},
        "showgrid": False,
    }
    header = t("HR ({ci}), p").format(ci=ci_label())
    height = max(260, title_pixels + 110 + ROW_PIXELS * lines + 12 * len(labels))
    layout = {
        "title": under_toolbar(heading_block, height),
        "height": height,
        # The header line above the rows; no legend: each row names its model.
        "margin": {"l": 10, "r": 10, "t": title_pixels + 22, "b": 40},
        "showlegend": False,
        "font": FONT,
        "shapes": [vline(1, {"color": "#555", "width": 1, "dash": "dash"})],
        # The column's header, over the right-hand axis's labels.
        "annotations": [
            {
                "text": f"<b>{header}</b>",
                "xref": "paper",
                "x": 1,
                "xanchor": "left",
                "xshift": 6,
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
            }
        ],
        "xaxis": {
            "type": "log",
            "range": [low, high],
            "tickvals": _ticks(low, high),
            "automargin": True,
            "title": {
                "text": wrap(
                    t("Hazard ratio of treatment failure (log scale; right of 1 = higher risk)"),
                    40,
                )
            },
        },
        "yaxis": {**categories, "ticktext": row_text},
        "yaxis2": {**categories, "ticktext": column, "overlaying": "y", "side": "right"},
    }
    return fast_figure(data, layout)
