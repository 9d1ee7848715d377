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


def test_separation_reads_as_more_than_1000():
    figure = forest_figure([("Univariable", [_term(hr=math.inf, low=2.0, high=math.inf)])])
    labels = [t for t in figure.data if t.mode == "text"]
    assert "> 1000" in labels[0].text[0]


def test_an_infinite_hr_figure_is_valid_json():
    figure = forest_figure([("Univariable", [_term(hr=math.inf, low=2.0, high=math.inf)])])
    text = figure.to_json()
    assert "Infinity" not in text
    assert json.loads(text)


def test_the_axis_shows_the_clipped_values():
    figure = forest_figure([("Univariable", [_term()])])
    low, high = figure.layout.xaxis.range
    assert 10**low <= AXIS_MIN
    assert 10**high >= AXIS_MAX


def test_a_null_effect_line_is_drawn_at_one():
    figure = forest_figure([("Univariable", [_term()])])
    assert [s.x0 for s in figure.layout.shapes] == [1]
