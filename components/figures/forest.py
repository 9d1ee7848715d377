"""Forest plot of hazard ratios (log axis) from Cox model results."""

from __future__ import annotations

import math
from collections.abc import Sequence

from analytics.reports.report import Report
from analytics.stats.cox.models import HazardTerm
from analytics.stats.cox.results import term_contrast
from components.figures.base import Figure, Trace, fast_figure, scatter, vline
from components.figures.palette import GROUP_COLOURS
from components.text.format import format_hr, format_p
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


def forest_figure(
    sections: Sequence[tuple[str, Sequence[HazardTerm]]], *, title: str = ""
) -> Figure:
    """One row per term, grouped by model (e.g. univariable, multivariable, Firth); section
    names in English, shown in the page's language."""
    data: list[Trace] = []
    labels: list[str] = []
    for j, (english, terms) in enumerate(sections):
        if not terms:
            continue
        section = t(english)
        colour = GROUP_COLOURS[j % len(GROUP_COLOURS)]
        y = [f"{section} · {_label(term)}" for term in terms]
        labels += y
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
        data.append(
            scatter(
                x=[AXIS_MAX * 3] * len(terms),
                y=y,
                mode="text",
                text=[
                    f"{format_hr(term.hr, term.ci_low, term.ci_high)}, {format_p(term.p)}"
                    for term in terms
                ],
                textposition="middle right",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    layout = {
        "title": {"text": title, "x": 0, "font": {"size": 15}},
        "height": max(240, 90 + 34 * len(labels)),
        "margin": {"l": 10, "r": 10, "t": 60 if title else 30, "b": 40},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "shapes": [vline(1, {"color": "#555", "width": 1, "dash": "dash"})],
        "xaxis": {
            "type": "log",
            "range": [math.log10(AXIS_MIN), math.log10(AXIS_MAX * 400)],
            "tickvals": [0.01, 0.1, 0.5, 1, 2, 10, 100, 1000],
            "title": {
                "text": t("Hazard ratio of treatment failure (log scale; right of 1 = higher risk)")
            },
        },
        "yaxis": {
            "autorange": "reversed",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": labels,
        },
    }
    return fast_figure(data, layout)
