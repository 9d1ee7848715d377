"""The KM figure's click targets: a column of points down every drop names that drop.

Hand-computed curve: times 1, 2, 3, 4 with events 1, 0, 1, 1 gives S = 3/4 after month 1,
3/4 · 1/2 = 3/8 after month 3 (2 at risk) and 0 after month 4; month 2 is a censoring.
"""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from test_km import hover_text

from analytics.stats.survival import kaplan_meier
from components.figures.km import CLICK_TARGETS, km_figure
from components.figures.km_targets import TARGET_SPACING

TIMES, EVENTS = [1, 2, 3, 4], [1, 0, 1, 1]
DROPS = {1.0: (1.0, 0.75), 3.0: (0.75, 0.375), 4.0: (0.375, 0.0)}  # month: (before, after)


@pytest.fixture(scope="module")
def figure():
    km = kaplan_meier(TIMES, EVENTS, label="All")
    return go.Figure(km_figure({"All": km}, {}, show_ci=True))


def _targets(figure):
    return [t for t in figure.data if t.meta == CLICK_TARGETS and not t.name.endswith("censored")]


def test_every_drop_and_nothing_else_has_a_column_of_targets(figure):
    (targets,) = _targets(figure)
    assert sorted(set(targets.x)) == sorted(DROPS)
    pairs = zip(targets.customdata, targets.x, strict=True)
    assert all(list(custom[:2]) == ["All", x] for custom, x in pairs)


def test_a_column_runs_from_the_top_corner_to_just_above_the_bottom(figure):
    (targets,) = _targets(figure)
    for month, (before, after) in DROPS.items():
        points = zip(targets.x, targets.y, strict=True)
        ys = sorted((y for x, y in points if x == month), reverse=True)
        assert ys[0] == pytest.approx(before)  # the corner where the curve drops
        assert all(after < y <= before for y in ys)  # the bottom corner is the flat's
        # (positions are rounded to 1e-5, far below a pixel)
        # No place on the drop farther than one spacing from a target (the last gap: to
        # the bottom corner).
        gaps = [a - b for a, b in zip(ys, [*ys[1:], after], strict=True)]
        assert max(gaps) <= TARGET_SPACING + 1e-5


def test_the_targets_are_invisible_but_hover(figure):
    """An invisible line's points: plotly hovers them as markers, with no element each."""
    (targets,) = _targets(figure)
    assert targets.mode == "lines"
    assert targets.line.width == 0
    assert targets.hoverinfo is None
    assert targets.hovertemplate
    assert not targets.showlegend


def test_a_drop_hovers_its_month_survival_and_number_at_risk(figure):
    (targets,) = _targets(figure)
    first = list(targets.x).index(3.0)  # the drop to 3/8 at month 3: 2 at risk, 1 fails
    assert hover_text(targets, first) == (
        # 4 patients: fewer than 5 at risk from the start, so the tail mark is on.
        "<b>All patients (fewer than 5 at risk)</b><br>Month 3.0<br>Failure-free: 37.5% (95% CI "
        f"{targets.customdata[first][4]})<br>At risk: 1"
    )


def test_only_the_targets_and_censoring_ticks_take_clicks(figure):
    """The step line's own points are its corners: a click there named the wrong step."""
    clickable = [t for t in figure.data if t.hoverinfo != "skip" and t.mode != "text"]
    assert {t.meta for t in clickable} == {CLICK_TARGETS}
    (ticks,) = [t for t in clickable if t.name.endswith("censored")]
    assert [list(c[:2]) for c in ticks.customdata] == [["All", 2.0]]


def test_far_from_every_target_a_click_names_nothing(figure):
    assert figure.layout.hovermode == "closest"
    assert figure.layout.hoverdistance == 10
