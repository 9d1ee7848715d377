"""Click targets on the drops of a Kaplan–Meier curve: a click on a drop names its step.

Plotly reports a click as the data point nearest the mouse, and a step curve's points are
only its corners (line shape "hv"): a click on the vertical segment of a drop landed on the
previous failure or a neighbouring censoring (hand-tested: 10 of 22 clicks; in Chromium 4
of 24 on the demo's 12 drops, middle and top corner). So the curve line itself takes no
hover or click; each drop carries a column of invisible points from its top corner down,
all naming that drop's (curve, month), and the censoring ticks name their own month.

Plotly counts every point within 3 px of the mouse as equally near, so a column stops
short of the drop's bottom: that corner sits on the flat that leads to the next drop, which
can be under 3 px to the right (two failures 0.6 months apart on a 200-month axis).
"""

from __future__ import annotations

import math

from analytics.stats.survival import KaplanMeier
from components.figures.base import Trace, scatter

# Distance between target points along a drop, in survival units: about 3 px on the page's
# curve panel, so the mouse is never more than 1.5 px from one.
TARGET_SPACING = 0.01
# Points of one column: large enough to hover, small enough (plotly's 3 px floor) not to
# reach a neighbouring drop's column.
TARGET_SIZE = 6
# Farther than this (px) from any target or tick, a click lists nothing: on a long flat the
# nearest drop is not "the step" the user pointed at.
HOVER_DISTANCE = 10


def drop_targets(
    km: KaplanMeier, key: str, legend_group: str, hovertext: list[str]
) -> Trace | None:
    """Invisible points down every drop of ``km`` ([curve key, month] as customdata, the
    curve's hover text of that month); None for a curve without a drop."""
    xs: list[float] = []
    ys: list[float] = []
    custom: list[list[object]] = []
    texts: list[str] = []
    for i in range(1, len(km.timeline)):
        before, after = km.survival[i - 1], km.survival[i]
        if not after < before:
            continue
        count = max(2, math.ceil((before - after) / TARGET_SPACING))
        for j in range(count):  # the top corner included, the bottom one left to the flat
            xs.append(km.timeline[i])
            ys.append(before - (before - after) * j / count)
            custom.append([key, km.timeline[i]])
            texts.append(hovertext[i])
    if not xs:
        return None
    return scatter(
        x=xs,
        y=ys,
        mode="markers",
        marker={"size": TARGET_SIZE, "color": "rgba(0,0,0,0)"},
        name=legend_group,
        legendgroup=legend_group,
        showlegend=False,
        hovertext=texts,
        hoverinfo="text",
        customdata=custom,
    )
