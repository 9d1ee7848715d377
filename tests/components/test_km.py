"""Kaplan–Meier figure: curves, CI bands, censor ticks, faded tails and the at-risk table."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from analytics.data.cohort import Filters
from analytics.data.demo import load_demo
from analytics.reports.report import build_report
from analytics.stats.subgroups import risk_table_times
from analytics.stats.survival import kaplan_meier, survival_at
from components.figures.km import (
    CENSOR_TICKS,
    CI_BAND,
    CLICK_TARGETS,
    FADE_BELOW_AT_RISK,
    KM_HEIGHT,
    TICK_PIXELS,
    horizon_update,
)
from components.figures.km import km_figure as km_figure_data


def km_figure(*args, **options) -> go.Figure:
    # Read as plotly's (validated) objects: a misspelt property fails the test too.
    return go.Figure(km_figure_data(*args, **options))


# Ten patients: at-risk counts fall below 5 after month 5 (4 remain at month 6).
TIMES = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9]
EVENTS = [1, 0, 1, 0, 1, 1, 0, 1, 0, 0]


@pytest.fixture(scope="module")
def demo_report():
    """The demo report grouped by asymptomatic lesions."""
    return build_report(load_demo(), Filters(), group_by="asymptomatic_lesions")


def _curves(figure):
    return [
        t
        for t in figure.data
        if t.mode == "lines" and t.line.width and t.line.dash is None and t.meta is None
    ]


def _bands(figure):
    return [t for t in figure.data if t.meta == CI_BAND]


def _faded(figure):
    return [t for t in figure.data if t.mode == "lines" and t.line.dash == "dot"]


def _censor_marks(figure):
    """The censoring ticks' hover and click points (one per censored time)."""
    return [t for t in figure.data if t.meta == CLICK_TARGETS and t.name.endswith(" censored")]


def hover_text(trace, i: int) -> str:
    """What plotly shows on hovering point ``i``: its hovertemplate with the point's
    customdata filled in (the only fields the figure uses), the hidden box dropped."""
    text = trace.hovertemplate.replace("<extra></extra>", "")
    return re.sub(r"%\{customdata\[(\d+)\]\}", lambda m: str(trace.customdata[i][int(m[1])]), text)


def _censor_strokes(figure):
    return [t for t in figure.data if t.meta == CENSOR_TICKS]


def _risk_rows(figure):
    return [t for t in figure.data if t.mode == "text"]


def _single(times=TIMES, events=EVENTS, **options):
    km = kaplan_meier(times, events, label="All")
    table = {"All": survival_at(km, risk_table_times(max(times)))}
    return km, km_figure({"All": km}, table, **options)


def test_one_visible_curve_per_group(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, group_by="asymptomatic_lesions")
    assert len(_curves(figure)) == len(demo_report.km)


def test_each_group_is_in_the_legend_once(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, group_by="asymptomatic_lesions")
    shown = [t for t in figure.data if t.showlegend is not False]
    assert len(shown) == len(demo_report.km)


def test_the_curve_is_the_estimate(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table)
    for trace, km in zip(_curves(figure), demo_report.km.values(), strict=True):
        points = len(trace.x)
        assert list(trace.y) == list(km.survival[:points])


def test_ci_bands_are_drawn_with_show_ci(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, show_ci=True)
    assert len(_bands(figure)) == 2 * len(demo_report.km)


def test_ci_bands_are_hidden_without_show_ci(demo_report):
    """Drawn but hidden, marked for the page's browser-side toggle (app.callbacks.km_display)."""
    figure = km_figure(demo_report.km, demo_report.risk_table, show_ci=False)
    bands = _bands(figure)
    assert len(bands) == 2 * len(demo_report.km)
    assert {(band.visible, band.meta) for band in bands} == {(False, CI_BAND)}
    shown = km_figure(demo_report.km, demo_report.risk_table, show_ci=True)
    assert {band.visible for band in _bands(shown)} == {True}


def test_the_risk_table_carries_both_texts(demo_report):
    """The failures/censored counts are switched in the browser from the trace's meta."""
    plain = km_figure(demo_report.km, demo_report.risk_table, show_events=False)
    counted = km_figure(demo_report.km, demo_report.risk_table, show_events=True)
    for figure in (plain, counted):
        rows = [t for t in figure.data if t.mode == "text"]
        assert [list(r.meta["plain"]) for r in rows] == [
            [str(s.at_risk) for s in demo_report.risk_table[key]] for key in demo_report.km
        ]
        assert [list(r.meta["events"]) for r in rows] == [
            [f"{s.at_risk} ({s.cumulative_events}/{s.cumulative_censored})" for s in table]
            for table in demo_report.risk_table.values()
        ]
    assert [list(r.text) for r in plain.data if r.mode == "text"] == [
        list(r.meta["plain"]) for r in plain.data if r.mode == "text"
    ]
    assert [list(r.text) for r in counted.data if r.mode == "text"] == [
        list(r.meta["events"]) for r in counted.data if r.mode == "text"
    ]


def test_ci_bands_are_the_confidence_limits():
    km, figure = _single(show_ci=True)
    upper, lower = _bands(figure)
    assert (list(upper.y), list(lower.y)) == (list(km.ci_high), list(km.ci_low))


def test_censor_marks_sit_at_the_censored_times():
    km, figure = _single()
    (marks,) = _censor_marks(figure)
    censored = sorted({t for t, e in zip(TIMES, EVENTS, strict=True) if e == 0})
    assert list(marks.x) == censored


def test_censor_marks_sit_on_the_curve():
    km, figure = _single()
    (marks,) = _censor_marks(figure)
    expected = [km.survival[km.timeline.index(x)] for x in marks.x]
    assert list(marks.y) == expected


def test_each_censoring_is_drawn_as_a_vertical_stroke_through_the_curve():
    """One path for all ticks (a marker per tick was an SVG element each): a stroke per
    censored time, centred on the curve, TICK_PIXELS tall on the page's curve panel."""
    km, figure = _single()
    (strokes,) = _censor_strokes(figure)
    (marks,) = _censor_marks(figure)
    xs, ys = list(strokes.x), list(strokes.y)
    assert xs[2::3] == ys[2::3] == [None] * len(marks.x)  # gaps between the strokes
    assert xs[0::3] == xs[1::3] == list(marks.x)
    for low, high, y in zip(ys[0::3], ys[1::3], marks.y, strict=True):
        assert (low + high) / 2 == pytest.approx(y, abs=1e-5)
    # Its height in pixels: the curve panel's share of the plot area, over the y range.
    layout = figure.layout
    panel = (KM_HEIGHT - layout.margin.t - layout.margin.b) * (
        layout.yaxis.domain[1] - layout.yaxis.domain[0]
    )
    pixels = (ys[1] - ys[0]) / (layout.yaxis.range[1] - layout.yaxis.range[0]) * panel
    assert pixels == pytest.approx(TICK_PIXELS, abs=0.01)
    assert strokes.hoverinfo == "skip"
    assert strokes.line.color == _curves(figure)[0].line.color


def test_a_censoring_tick_hovers_its_count_and_month():
    km, figure = _single([1, 2, 2, 3, 4], [1, 0, 0, 1, 0])
    (marks,) = _censor_marks(figure)
    assert [list(c) for c in marks.customdata] == [["All", 2.0, 2, "2.0"], ["All", 4.0, 1, "4.0"]]
    assert [hover_text(marks, i) for i in range(2)] == [
        "All patients: 2 censored at month 2.0",
        "All patients: 1 censored at month 4.0",
    ]
    assert marks.line.width == 0  # invisible: the strokes are the drawing


def test_no_censor_marks_when_nobody_is_censored():
    _, figure = _single([1, 2, 3, 4, 5, 6], [1] * 6)
    (marks,) = _censor_marks(figure)
    assert list(marks.x) == []


def _at_risk(times, t):
    return int(np.sum(np.asarray(times) >= t))


def test_the_faded_tail_starts_where_fewer_than_5_are_at_risk():
    km, figure = _single()
    (tail,) = _faded(figure)
    # The step leaving month t covers times up to the next event; its at-risk count is the
    # number still followed at that next time.
    timeline = list(km.timeline)
    first_thin = next(i for i in range(1, len(timeline)) if _at_risk(TIMES, timeline[i]) < 5)
    assert list(tail.x) == timeline[first_thin - 1 :]


def test_the_solid_curve_stops_where_the_tail_starts():
    km, figure = _single()
    (solid,) = _curves(figure)
    (tail,) = _faded(figure)
    assert solid.x[-1] == tail.x[0]


def test_every_solid_step_has_at_least_5_at_risk():
    km, figure = _single()
    (solid,) = _curves(figure)
    timeline = list(km.timeline)
    following = [timeline[timeline.index(x) + 1] for x in solid.x[:-1]]
    assert min(_at_risk(TIMES, t) for t in following) >= FADE_BELOW_AT_RISK


def test_no_faded_tail_when_at_least_5_stay_at_risk():
    # Five patients are still followed at the last time, so no step has fewer than 5.
    km = kaplan_meier([1, 2, 3, 4, 5] + [20] * 5, [1, 0, 1, 0, 1] + [0] * 5, label="All")
    figure = km_figure({"All": km}, {"All": survival_at(km, [0, 12])})
    assert _faded(figure) == []


def test_risk_table_rows_equal_the_report(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, group_by="asymptomatic_lesions")
    rows = _risk_rows(figure)
    shown = [list(r.text) for r in rows]
    expected = [[str(s.at_risk) for s in v] for v in demo_report.risk_table.values()]
    assert shown == expected


def test_risk_table_columns_are_the_report_times(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table)
    rows = _risk_rows(figure)
    times = [list(r.x) for r in rows]
    assert times == [[s.time for s in v] for v in demo_report.risk_table.values()]


def test_risk_table_at_time_zero_is_the_group_size(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table)
    first = [int(r.text[0]) for r in _risk_rows(figure)]
    assert first == [km.n for km in demo_report.km.values()]


def test_show_events_adds_failures_and_censored(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, show_events=True)
    rows = _risk_rows(figure)
    expected = [
        [f"{s.at_risk} ({s.cumulative_events}/{s.cumulative_censored})" for s in v]
        for v in demo_report.risk_table.values()
    ]
    assert [list(r.text) for r in rows] == expected


def test_the_risk_table_is_below_the_curves(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table)
    axes = {t.yaxis for t in _risk_rows(figure)}
    assert axes == {"y2"}


def test_the_horizon_limits_the_x_axis(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, horizon=24)
    assert figure.layout.xaxis.range[1] == pytest.approx(24 * 1.02)


def test_the_logrank_p_is_in_the_title(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, logrank_p=0.0004)
    assert "p < 0.001" in figure.layout.title.text


def test_the_figure_serialises(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table)
    assert figure.to_json()


# --- KMunicate style (Morris et al. 2019) --------------------------------------------------


LESIONS = "asymptomatic_lesions"


def _table_traces(figure):
    return [t for t in figure.data if t.mode == "text"]


def test_kmunicate_adds_at_risk_events_and_censored_rows_per_group(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, kmunicate=True, group_by=LESIONS)
    traces = _table_traces(figure)
    assert len(traces) == 3 * len(demo_report.km)
    labels = list(figure.layout.yaxis2.ticktext)
    assert ["At risk" in lab for lab in labels].count(True) == 2
    assert any("no: Events" in lab for lab in labels)
    assert any("yes: Censored" in lab for lab in labels)


def test_kmunicate_counts_are_cumulative(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, kmunicate=True, group_by=LESIONS)
    rows = demo_report.risk_table["1"]
    by_name = {t.name: list(t.text) for t in _table_traces(figure)}
    assert by_name["yes: At risk"] == [str(r.at_risk) for r in rows]
    assert by_name["yes: Events"] == [str(r.cumulative_events) for r in rows]
    assert by_name["yes: Censored"] == [str(r.cumulative_censored) for r in rows]
    events = [int(v) for v in by_name["yes: Events"]]
    assert events == sorted(events)


def test_kmunicate_turns_ci_bands_on(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, show_ci=False, kmunicate=True)
    assert len(_bands(figure)) == 2 * len(demo_report.km)  # upper and lower edge per group


def test_kmunicate_single_group_rows_are_plain():
    km = kaplan_meier(TIMES, EVENTS, label="All")
    table = {"All": survival_at(km, risk_table_times(9))}
    figure = km_figure({"All": km}, table, kmunicate=True)
    assert [t.split(">")[1].split("<")[0] for t in figure.layout.yaxis2.ticktext] == [
        "At risk",
        "Events",
        "Censored",
    ]


def test_default_figure_is_unchanged_by_the_option(demo_report):
    default = km_figure(demo_report.km, demo_report.risk_table)
    explicit = km_figure(demo_report.km, demo_report.risk_table, kmunicate=False)
    assert default.to_json() == explicit.to_json()
    assert len(_table_traces(default)) == len(demo_report.km)
    assert list(default.layout.yaxis2.domain)[1] < 0.25


@pytest.mark.parametrize(
    ("horizon", "ticks"),
    [
        (12, [0, 3, 6, 9, 12]),
        (24, [0, 6, 12, 18, 24]),
        (36, [0, 6, 12, 18, 24, 30, 36]),
        (60, [0, 12, 24, 36, 48, 60]),
        (120, [0, 24, 48, 72, 96, 120]),
    ],
)
def test_ticks_and_risk_columns_follow_the_horizon(demo_report, horizon, ticks):
    # The 1-year view showed one tick ("0") and one at-risk column.
    figure = km_figure(demo_report.km, demo_report.risk_table, horizon=horizon)
    assert list(figure.layout.xaxis2.tickvals) == ticks
    assert list(figure.layout.xaxis.tickvals) == ticks
    for row in _risk_rows(figure):
        assert list(row.x) == ticks


def test_risk_columns_of_a_horizon_are_the_estimator_at_the_ticks(demo_report):
    figure = km_figure(demo_report.km, demo_report.risk_table, horizon=12)
    rows = [list(r.text) for r in _risk_rows(figure)]
    expected = [
        [str(s.at_risk) for s in survival_at(km, [0, 3, 6, 9, 12])]
        for km in demo_report.km.values()
    ]
    assert rows == expected


def test_the_full_follow_up_table_is_the_report_s(demo_report):
    # The CLI's risk_table and the page's columns: the same times and numbers.
    figure = km_figure(demo_report.km, demo_report.risk_table)
    times = [s.time for s in next(iter(demo_report.risk_table.values()))]
    assert list(figure.layout.xaxis2.tickvals) == times
    assert 5 <= len(times) <= 9


def test_the_legend_is_above_the_plot(demo_report):
    # Inside the plot it covered low curves and their bands.
    figure = km_figure(demo_report.km, demo_report.risk_table, group_by="asymptomatic_lesions")
    legend = figure.layout.legend
    assert (legend.yanchor, legend.y) == ("bottom", 1)
    assert figure.layout.margin.t >= len(demo_report.km) * 20


def test_the_logrank_p_is_on_its_own_line(demo_report):
    # Appended to the title it was cut after "log-rank p <" in Spanish at 1024 px.
    figure = km_figure(demo_report.km, demo_report.risk_table, logrank_p=0.0004)
    first, second = figure.layout.title.text.split("<br>")
    assert "log-rank" not in first
    assert "log-rank p < 0.001" in second


def test_horizon_update_holds_the_axes_and_risk_rows(demo_report):
    figure = km_figure_data(demo_report.km, demo_report.risk_table, horizon=12)
    axes, table = horizon_update(figure)
    assert axes["xaxis2"]["tickvals"] == [0, 3, 6, 9, 12]
    assert sorted(table) == [i for i, t in enumerate(figure["data"]) if t.get("yaxis") == "y2"]
    assert len(table) == len(demo_report.km)
