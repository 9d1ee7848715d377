"""Swimmer plot, its caption and the KM-step panel; the KM curves' step keys for clicks."""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import pytest

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from analytics.stats.timelines import km_step, patient_timelines
from components.figures.km import km_figure as km_figure_data
from components.figures.palette import GROUP_COLOURS
from components.figures.swimmer import MAX_LABELLED_ROWS
from components.figures.swimmer import swimmer_figure as swimmer_figure_data
from components.panels import timelines as timeline_panels
from components.panels.timelines import km_step_panel, swimmer_caption
from tests.dash_text import component_texts


def km_figure(*args, **options) -> go.Figure:
    # Read as plotly's (validated) objects: a misspelt property fails the test too.
    return go.Figure(km_figure_data(*args, **options))


def swimmer_figure(*args, **options) -> go.Figure:
    # Read as plotly's (validated) objects: a misspelt property fails the test too.
    return go.Figure(swimmer_figure_data(*args, **options))


GROUP = "asymptomatic_lesions"


@pytest.fixture(scope="module")
def timelines(demo):
    """The demo's timelines grouped by asymptomatic lesions."""
    return patient_timelines(demo, Filters(), GROUP)


def _bars(figure):
    return [t for t in figure.data if t.mode == "lines" and t.hoverinfo == "text"]


def _bar_rows(figure) -> list[float]:
    return [y for trace in _bars(figure) for y in trace.y[::3]]


def _trace(figure, name_start: str):
    return next(t for t in figure.data if (t.name or "").startswith(name_start))


def _text(component) -> str:
    return " ".join(component_texts(component))


def test_one_bar_per_patient_from_zero_to_follow_up(timelines):
    figure = swimmer_figure(timelines)
    assert sorted(_bar_rows(figure)) == list(range(54))
    for trace in _bars(figure):
        starts, ends = trace.x[::3], trace.x[1::3]
        assert set(starts) == {0.0}
        rows = [timelines.rows[int(y)] for y in trace.y[::3]]
        assert list(ends) == [row.followup_months for row in rows]


def test_only_scatter_traces(timelines):
    """The page ships plotly's basic bundle (scatter, bar, pie)."""
    assert {trace.type for trace in swimmer_figure(timelines).data} == {"scatter"}


def test_groups_take_the_km_colours_and_name_the_legend(timelines):
    bars = _bars(swimmer_figure(timelines))
    assert [t.line.color for t in bars] == list(GROUP_COLOURS[:2])
    assert [t.name for t in bars] == [
        "Asymptomatic lesions: no (n=21)",
        "Asymptomatic lesions: yes (n=33)",
    ]


def test_legend_explains_every_mark(timelines):
    names = {t.name for t in swimmer_figure(timelines).data if t.showlegend is not False}
    for expected in (
        "Rituximab infusion",
        "Relapse (not a failure)",
        "New asymptomatic MRI lesion",
        "Treatment failure (first relapse after the grace period)",
        "Censored at last follow-up",
        "Grace period (6 months): relapses here are not failures",
    ):
        assert expected in names


def test_marks_are_where_the_timelines_put_them(timelines):
    figure = swimmer_figure(timelines)
    failures = _trace(figure, "Treatment failure")
    failed = [row for row in timelines.rows if row.failed]
    assert list(failures.x) == [row.failure_months for row in failed]
    censored = _trace(figure, "Censored")
    assert len(censored.x) == 54 - len(failed)
    relapses = _trace(figure, "Relapse")
    # Every relapse but the failing one; the earlier ones lie left of month 0.
    total = sum(len(row.relapse_months) for row in timelines.rows)
    assert len(relapses.x) == total - len(failed)
    assert min(relapses.x) < 0
    assert figure.layout.xaxis.range[0] < min(relapses.x)


def test_hover_names_the_pseudonymous_code_and_times(timelines):
    bar = _bars(swimmer_figure(timelines))[0]
    first = timelines.rows[0]
    assert first.patient_id in bar.hovertext[0]
    assert f"Follow-up: {first.followup_months:.1f} months" in bar.hovertext[0]


def test_rows_are_labelled_by_code_in_order(timelines):
    axis = swimmer_figure(timelines).layout.yaxis
    assert list(axis.ticktext) == [row.patient_id for row in timelines.rows]
    assert axis.range[0] > axis.range[1]  # first row on top


def test_title_carries_the_synthetic_label(timelines):
    figure = swimmer_figure(timelines, title="Patient timelines · synthetic demo cohort")
    assert "synthetic demo cohort" in figure.layout.title.text


def test_no_patients_gives_a_message(demo):
    empty = patient_timelines(demo, Filters(age_min=200), GROUP)
    figure = swimmer_figure(empty)
    assert "No patients match" in figure.layout.annotations[0].text


def test_many_rows_are_drawn_compactly_without_codes(demo):
    big = patient_timelines(demo, Filters(), GROUP)
    assert len(big.rows) <= MAX_LABELLED_ROWS
    # Fake a larger cohort by repeating rows: only the drawing is under test here.
    rows = tuple(big.rows) * 3
    larger = replace(big, rows=rows, total=len(rows))
    figure = swimmer_figure(larger)
    assert list(figure.layout.yaxis.tickvals) == []
    assert figure.layout.height < 20 * len(rows)


def test_caption_says_when_rows_are_left_out(demo):
    capped = patient_timelines(demo, Filters(), GROUP, max_rows=10)
    text = _text(swimmer_caption(capped))
    assert "Showing 10 of 54 patients" in text
    assert "Showing" not in _text(swimmer_caption(patient_timelines(demo, Filters(), GROUP)))


def test_selected_step_bands_fades_and_bolds(demo):
    step = km_step(demo, Filters(), GROUP, "0", 84.0)
    timelines = patient_timelines(demo, Filters(), GROUP, step=step)
    figure = swimmer_figure(timelines, step=step)
    band = _trace(figure, "Failed or censored at the selected KM step")
    assert len(band.y[::3]) == len(step.failed) + len(step.censored)
    bold = [t for t in figure.layout.yaxis.ticktext if t.startswith("<b>")]
    assert len(bold) == len(step.at_risk)
    faded = [t for t in _bars(figure) if "rgba" in t.line.color]
    assert faded, "rows outside the step are faded"
    assert any(s.x0 == 84.0 and s.line.dash == "dash" for s in figure.layout.shapes)


def test_step_panel_lists_codes_and_summarises_long_lists(demo, monkeypatch):
    monkeypatch.setattr(timeline_panels, "MAX_LISTED", 10)
    step = km_step(demo, Filters(), None, "All", 0.5)
    text = _text(km_step_panel(step, None))
    assert f"At risk just before ({len(step.at_risk)})" in text
    assert step.at_risk[0] in text
    assert step.at_risk[-1] not in text
    assert f"and {len(step.at_risk) - 10} more" in text
    assert "Click a step" in _text(km_step_panel(None))


def test_km_curves_carry_their_key_and_month_for_clicks(demo):
    report = build_report(demo, Filters(), group_by=GROUP)
    figure = km_figure(report.km, report.risk_table, group_by=GROUP)
    clickable = [t for t in figure.data if t.customdata is not None]
    assert {t.customdata[0][0] for t in clickable} == {"0", "1"}
    for trace in clickable:
        assert [c[1] for c in trace.customdata] == list(trace.x)
