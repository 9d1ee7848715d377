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
from collections.abc import Callable

from analytics.stats.survival import KaplanMeier
from components.figures.base import Trace, scatter

# Distance between target points along a drop, in survival units: about 3 px on the page's
# curve panel, so the mouse is never more than 1.5 px from one.
TARGET_SPACING = 0.01
# Farther than this (px) from any target or tick, a click lists nothing: on a long flat the
# nearest drop is not "the step" the user pointed at.
HOVER_DISTANCE = 10


def drop_targets(
    km: KaplanMeier,
    legend_group: str,
    point_data: Callable[[int], list[object]],
    hovertemplate: str,
) -> Trace | None:
    """Points down every drop of ``km``, each with its drop's customdata
    (``point_data(i)`` of the drop's timeline index: [curve key, month, ...]) and the curve's
    ``hovertemplate``; None for a curve without a drop.

    The points are an invisible line's, not markers: plotly hovers and clicks a line's
    points as it does markers' (same 3 px radius), with one SVG path for all of them
    instead of one element per marker.
    """
    xs: list[float] = []
    ys: list[float] = []
    custom: list[list[object]] = []
    for i in range(1, len(km.timeline)):
        before, after = km.survival[i - 1], km.survival[i]
        if not after < before:
            continue
        count = max(2, math.ceil((before - after) / TARGET_SPACING))
        data = point_data(i)
        for j in range(count):  # the top corner included, the bottom one left to the flat
            xs.append(km.timeline[i])
            # Where the mouse finds the drop (clicks name customdata's step): 1e-5 is far
            # below a pixel, and half the bytes of a full float.
            ys.append(round(before - (before - after) * j / count, 5))
            custom.append(data)
    if not xs:
        return None
    return scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"width": 0},
        name=legend_group,
        legendgroup=legend_group,
        showlegend=False,
        hovertemplate=hovertemplate,
        customdata=custom,
    )
