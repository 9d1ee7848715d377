"""Failure proportion by subgroup: points with exact CIs, the whole cohort as reference line."""

from __future__ import annotations

from collections.abc import Sequence

from analytics.stats.rates import Proportion
from analytics.stats.subgroups import SubgroupRate
from components.figures.base import FONT, TOOLBAR_PIXELS, Figure, fast_figure, scatter, vline
from components.figures.palette import GROUP_COLOURS
from components.text.format import ci_label
from components.text.labels import figure_level_label
from i18n.language import percent, t


def rates_figure(overall: Proportion, rates: Sequence[SubgroupRate]) -> Figure:
    labels = [figure_level_label(r.variable, r.level) for r in rates]
    estimates = [r.proportion.estimate for r in rates]
    points = scatter(
        x=estimates,
        y=labels,
        mode="markers",
        marker={"size": 10, "color": GROUP_COLOURS[0], "symbol": "diamond"},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [r.proportion.ci_high - e for r, e in zip(rates, estimates, strict=True)],
            "arrayminus": [e - r.proportion.ci_low for r, e in zip(rates, estimates, strict=True)],
            "color": GROUP_COLOURS[0],
            "width": 0,
            "thickness": 2,
        },
        hovertext=[
            f"<b>{label}</b><br>"
            + t("{events}/{n} failed ({estimate}; {ci} {low}–{high})").format(
                events=r.proportion.events,
                n=r.proportion.n,
                estimate=percent(r.proportion.estimate),
                ci=ci_label(),
                low=percent(r.proportion.ci_low),
                high=percent(r.proportion.ci_high),
            )
            for label, r in zip(labels, rates, strict=True)
        ],
        hoverinfo="text",
        showlegend=False,
    )
    layout = {
        "height": max(260, 70 + 30 * len(labels)),
        # The reference line's label sits under the plot toolbar's strip, never under it.
        "margin": {"l": 10, "r": 20, "t": TOOLBAR_PIXELS + 24, "b": 40},
        "font": FONT,
        "shapes": [vline(overall.estimate, {"dash": "dash", "color": "#555", "width": 1})],
        # The reference line's label above the plot, as add_vline(annotation_position="top").
        "annotations": [
            {
                "text": t("all patients {estimate}").format(estimate=percent(overall.estimate, 0)),
                "showarrow": False,
                "x": overall.estimate,
                "xref": "x",
                "xanchor": "center",
                "y": 1,
                "yref": "y domain",
                "yanchor": "bottom",
            }
        ],
        "xaxis": {
            "range": [0, 1],
            "tickformat": ".0%",
            "title": {"text": t("Failure proportion ({ci}, exact)").format(ci=ci_label())},
            "automargin": True,
        },
        "yaxis": {"autorange": "reversed", "automargin": True},
    }
    return fast_figure([points], layout)
