"""Forest plot: log axis, one point per term, separation (infinite HR) kept on the plot."""

from __future__ import annotations

import json
import math

import plotly.graph_objects as go
import pytest

from analytics.stats.cox.models import HazardTerm
from components.figures.forest import AXIS_MAX, AXIS_MIN
from components.figures.forest import forest_figure as forest_figure_data


def forest_figure(*args, **options) -> go.Figure:
    # Read as plotly's (validated) objects: a misspelt property fails the test too.
    return go.Figure(forest_figure_data(*args, **options))


def _term(name="age_at_rtx", hr=1.5, low=0.8, high=2.8, p=0.2, level=None, reference=None):
    return HazardTerm(
        term=name if level is None else f"{name}[{level}]",
        covariate=name,
        level=level,
        reference=reference,
        coef=math.log(hr) if 0 < hr < math.inf else (math.inf if hr == math.inf else -math.inf),
        se=0.3,
        hr=hr,
        ci_low=low,
        ci_high=high,
        p=p,
    )


def _points(figure):
    return [t for t in figure.data if t.mode == "markers"]


@pytest.fixture
def sections():
    """Two univariable terms and a two-term multivariable model."""
    return [
        ("Univariable", [_term(), _term("asymptomatic_lesions", 25.9, 3.09, 218, 0.002)]),
        (
            "Multivariable",
            [_term(), _term("sex", 0.6, 0.1, 3.0, 0.5, level="M", reference="F")],
        ),
    ]


def test_the_x_axis_is_logarithmic(sections):
    assert forest_figure(sections).layout.xaxis.type == "log"


def test_one_point_per_term(sections):
    xs = [x for trace in _points(forest_figure(sections)) for x in trace.x]
    assert len(xs) == 4


def test_points_are_the_hazard_ratios(sections):
    xs = [x for trace in _points(forest_figure(sections)) for x in trace.x]
    assert xs == [1.5, 25.9, 1.5, 0.6]


def test_error_bars_reach_the_confidence_limits(sections):
    (uni, _) = _points(forest_figure(sections))
    ends = [
        (x - minus, x + plus)
        for x, minus, plus in zip(uni.x, uni.error_x.arrayminus, uni.error_x.array, strict=True)
    ]
    assert ends == [pytest.approx((0.8, 2.8)), pytest.approx((3.09, 218))]


def test_every_term_has_its_own_row(sections):
    ys = [y for trace in _points(forest_figure(sections)) for y in trace.y]
    assert len(set(ys)) == 4


def test_empty_sections_are_skipped(sections):
    figure = forest_figure([("Firth", []), *sections])
    assert [t.name for t in _points(figure)] == ["Univariable", "Multivariable"]


@pytest.mark.parametrize(
    ("hr", "low", "high", "drawn"),
    [
        (math.inf, 2.0, math.inf, AXIS_MAX),
        (5000.0, 3.0, 1e9, AXIS_MAX),
        (0.0, 0.0, 0.5, AXIS_MIN),
        (1e-5, 1e-9, 0.5, AXIS_MIN),
    ],
)
def test_extreme_hazard_ratios_are_drawn_at_the_edge(hr, low, high, drawn):
    figure = forest_figure([("Univariable", [_term(hr=hr, low=low, high=high)])])
    (points,) = _points(figure)
    assert points.x[0] == drawn


def test_infinite_limits_give_finite_error_bars():
    figure = forest_figure([("Univariable", [_term(hr=math.inf, low=2.0, high=math.inf)])])
    (points,) = _points(figure)
    bars = [*points.error_x.array, *points.error_x.arrayminus]
    assert all(math.isfinite(b) for b in bars)


def _column(figure) -> list[str]:
    """The "HR (CI), p" column: the right-hand axis's labels."""
    return list(figure.layout.yaxis2.ticktext)


def test_separation_reads_as_more_than_1000():
    figure = forest_figure([("Univariable", [_term(hr=math.inf, low=2.0, high=math.inf)])])
    assert "> 1000" in _column(figure)[0]


def test_the_column_is_aligned_with_the_rows(sections):
    figure = forest_figure(sections)
    rows = [y for trace in _points(figure) for y in trace.y]
    assert list(figure.layout.yaxis2.tickvals) == rows
    assert list(figure.layout.yaxis.tickvals) == rows
    assert figure.layout.yaxis2.overlaying == "y"
    assert figure.layout.yaxis2.automargin  # sized to its labels: never cut at the edge
    assert _column(figure)[1] == "25.9 (3.09–218.0), p = 0.002"


def test_p_values_follow_one_rule_in_the_column():
    terms = [_term(p=p) for p in (0.0000001, 0.0004, 0.0123, 0.0996, 0.4567)]
    column = _column(forest_figure([("Univariable", terms)]))
    assert [c.split(", ")[-1] for c in column] == [
        "p < 0.001",
        "p < 0.001",
        "p = 0.012",
        "p = 0.10",
        "p = 0.46",
    ]


def test_an_infinite_hr_figure_is_valid_json():
    figure = forest_figure([("Univariable", [_term(hr=math.inf, low=2.0, high=math.inf)])])
    text = figure.to_json()
    assert "Infinity" not in text
    assert json.loads(text)


@pytest.mark.parametrize(
    ("hr", "low", "high"),
    [(1.5, 0.8, 2.8), (25.9, 3.09, 218), (math.inf, 2.0, math.inf), (1e-5, 1e-9, 0.5)],
)
def test_the_axis_shows_every_interval_and_the_null_line(hr, low, high):
    figure = forest_figure([("Univariable", [_term(hr=hr, low=low, high=high)])])
    first, last = (10**v for v in figure.layout.xaxis.range)
    assert first < min(1, max(low, AXIS_MIN))
    assert last > max(1, min(high, AXIS_MAX))


@pytest.mark.parametrize(("low", "high"), [(0.8, 2.8), (3.09, 218), (0.0, math.inf)])
def test_log_ticks_keep_apart(low, high):
    # 0.5, 1 and 2 collided on a narrow figure: ticks are 1-2-5 only on a short range.
    figure = forest_figure([("Univariable", [_term(hr=1.5, low=low, high=high)])])
    ticks = [math.log10(v) for v in figure.layout.xaxis.tickvals]
    start, end = figure.layout.xaxis.range
    assert len(ticks) >= 2
    assert min(b - a for a, b in zip(ticks, ticks[1:], strict=False)) >= (end - start) / 12
    assert 1 in figure.layout.xaxis.tickvals


def test_a_null_effect_line_is_drawn_at_one():
    figure = forest_figure([("Univariable", [_term()])])
    assert [s.x0 for s in figure.layout.shapes] == [1]
