"""Contrast of the figures' colours on their white background, by WCAG 2.1's definitions.

Text (risk-table numbers, KMunicate's row names, tick labels, annotations) needs 4.5:1
(success criterion 1.4.3); the marks that carry data (curves, their faded tails, markers,
error bars, reference lines) 3:1 (1.4.11). axe-core does not look inside plotly's SVG, so
the ratios are computed here, from every colour the figures actually use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from analytics.data.cohort import Filters
from analytics.reports.relapse_report import build_relapse_report
from analytics.reports.report import build_report
from analytics.stats.timelines import km_step, patient_timelines
from components.figures.base import Figure
from components.figures.forest import forest_figure, report_sections
from components.figures.km import km_figure
from components.figures.mcf import mcf_figure
from components.figures.palette import GROUP_COLOURS, TAIL_ALPHA, rgba
from components.figures.rates import rates_figure
from components.figures.swimmer import STEP_BAND, swimmer_figure

GROUP = "asymptomatic_lesions"
TEXT_MINIMUM = 4.5
MARK_MINIMUM = 3.0
WHITE = (255.0, 255.0, 255.0)
_RGBA = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")
_SPAN_COLOUR = re.compile(r"color:\s*([^;\"']+)")


def _channel(value: float) -> float:
    # WCAG 2.1 relative luminance: sRGB channel to linear light.
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[float, float, float]) -> float:
    red, green, blue = (_channel(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(colour: str, background: tuple[float, float, float] = WHITE) -> float:
    """WCAG contrast ratio of ``colour`` (``#RRGGBB``, ``rgb()``/``rgba()``: composited on
    the background as the browser paints it) against ``background``."""
    rgb = _rgb_on(colour, background)
    lighter, darker = sorted((luminance(rgb), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _rgb_on(colour: str, background: tuple[float, float, float]) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.lower() == "white":
        return WHITE
    if colour.lower() == "black":
        return (0.0, 0.0, 0.0)
    if colour.startswith("#") and len(colour) in (4, 7):
        value = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
        rgb = tuple(float(int(value[i : i + 2], 16)) for i in (0, 2, 4))
        return rgb[0], rgb[1], rgb[2]
    match = _RGBA.fullmatch(colour)
    assert match, f"a colour this test cannot read: {colour!r}"
    alpha = 1.0 if match.group(4) is None else float(match.group(4))
    red, green, blue = (
        alpha * float(match.group(i)) + (1 - alpha) * background[i - 1] for i in (1, 2, 3)
    )
    return red, green, blue


def _transparent(colour: str | None) -> bool:
    match = _RGBA.fullmatch(colour or "")
    return bool(match and match.group(4) is not None and float(match.group(4)) == 0)


def test_the_contrast_formula_gives_wcag_s_known_ratios():
    # The extremes and two published values (WebAIM's checker): the formula is right.
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#FFFFFF") == pytest.approx(1.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast("#E69F00") == pytest.approx(2.25, abs=0.01)
    # Half-transparent black over white is the grey half way: (0.5 * 0 + 0.5 * 255).
    assert contrast("rgba(0,0,0,0.5)") == pytest.approx(contrast("rgb(127.5,127.5,127.5)"))
    assert contrast("#555") == pytest.approx(contrast("#555555"))


@pytest.mark.parametrize("colour", GROUP_COLOURS)
def test_every_group_colour_is_readable_as_text(colour):
    # Group colours write the number-at-risk table and KMunicate's row names.
    assert contrast(colour) >= TEXT_MINIMUM


@pytest.mark.parametrize("colour", GROUP_COLOURS)
def test_every_faded_tail_is_still_a_visible_mark(colour):
    assert contrast(rgba(colour, TAIL_ALPHA)) >= MARK_MINIMUM


@pytest.fixture(scope="module")
def figures(demo) -> dict[str, Figure]:
    report = build_report(demo, Filters(), group_by=GROUP, covariates=("age_at_rtx", "sex"))
    timelines = patient_timelines(demo, Filters(), GROUP)
    step = km_step(demo, Filters(), GROUP, "0", 84.0)
    stepped = patient_timelines(demo, Filters(), GROUP, step=step)
    by_fcgr = build_report(demo, Filters(), group_by="fcgr3a_v158f")
    relapses = build_relapse_report(demo, Filters(), group_by=GROUP)
    return {
        "km": km_figure(report.km, report.risk_table, logrank_p=0.03, group_by=GROUP),
        "km, events, 1 year": km_figure(
            report.km, report.risk_table, show_events=True, horizon=12, group_by=GROUP
        ),
        "km, KMunicate, three groups": km_figure(
            by_fcgr.km, by_fcgr.risk_table, kmunicate=True, group_by="fcgr3a_v158f"
        ),
        "forest": forest_figure(report_sections(report), title="Hazard ratios"),
        "rates": rates_figure(report.failure_rate, report.subgroup_rates),
        "swimmer": swimmer_figure(timelines),
        "swimmer, KM step": swimmer_figure(stepped, step=step),
        "swimmer, many rows": swimmer_figure(
            replace(timelines, rows=timelines.rows * 3, total=3 * len(timelines.rows))
        ),
        "mcf": mcf_figure(relapses.mcf, title="Mean cumulative relapses"),
    }


def _marks(figure: Figure) -> Iterator[tuple[str, str]]:
    """(what, colour) of every mark that carries data: lines, markers, error bars, shapes'
    lines. Fills (CI bands, the grace period) and the band behind a KM step's rows in the
    timelines (a thick line, :data:`STEP_BAND`) are backgrounds, not marks."""
    for i, trace in enumerate(figure["data"]):
        mode = trace.get("mode", "")
        line = trace.get("line") or {}
        drawn = line.get("width", 2) > 0 and trace.get("x") != [None]
        if "lines" in mode and drawn and line.get("color") != STEP_BAND:
            yield f"trace {i} ({trace.get('name')}) line", line["color"]
        marker = trace.get("marker") or {}
        if "markers" in mode and marker.get("opacity", 1) > 0:
            outline = marker.get("line") or {}
            colour = outline.get("color") if outline.get("width", 0) > 0 else None
            colour = colour or marker.get("color")
            if colour and not _transparent(colour) and trace.get("x") != [None]:
                yield f"trace {i} ({trace.get('name')}) markers", colour
        if "error_x" in trace:
            yield f"trace {i} ({trace.get('name')}) error bars", trace["error_x"]["color"]
    for j, shape in enumerate(figure["layout"].get("shapes", [])):
        if shape.get("type") == "line":
            yield f"shape {j}", shape["line"]["color"]


def _texts(figure: Figure) -> Iterator[tuple[str, str]]:
    """(what, colour) of every text: the default font, text traces, coloured tick labels,
    axis tick fonts and annotations."""
    layout = figure["layout"]
    default = layout["template"]["layout"]["font"]["color"]
    yield "the default font", (layout.get("font") or {}).get("color", default)
    for i, trace in enumerate(figure["data"]):
        if "text" in trace.get("mode", ""):
            yield f"trace {i} text", (trace.get("textfont") or {}).get("color", default)
    for name, axis in layout.items():
        if not name.startswith(("xaxis", "yaxis")) or not isinstance(axis, dict):
            continue
        if "color" in (axis.get("tickfont") or {}):
            yield f"{name} tick labels", axis["tickfont"]["color"]
        for label in axis.get("ticktext") or []:
            for colour in _SPAN_COLOUR.findall(str(label)):
                yield f"{name} tick label {label!r}", colour
    for k, note in enumerate(layout.get("annotations", [])):
        yield f"annotation {k}", (note.get("font") or {}).get("color", default)


def test_every_figure_text_reaches_4_5_to_1(figures):
    low = [
        (name, what, colour, round(contrast(colour), 2))
        for name, figure in figures.items()
        for what, colour in _texts(figure)
        if contrast(colour) < TEXT_MINIMUM
    ]
    assert low == []


def test_every_figure_mark_reaches_3_to_1(figures):
    low = [
        (name, what, colour, round(contrast(colour), 2))
        for name, figure in figures.items()
        for what, colour in _marks(figure)
        if contrast(colour) < MARK_MINIMUM
    ]
    assert low == []


def test_the_walk_sees_the_risk_table_and_the_curves(figures):
    # A walk that found nothing would pass both tests above.
    texts = dict(_texts(figures["km"]))
    marks = [colour for _, colour in _marks(figures["km"])]
    assert sum(1 for what in texts if what.startswith("trace")) == 2  # the two at-risk rows
    assert set(GROUP_COLOURS[:2]) <= set(marks)
    kmunicate = [what for what, _ in _texts(figures["km, KMunicate, three groups"])]
    assert sum(1 for what in kmunicate if "tick label" in what) == 9  # 3 rows x 3 groups
