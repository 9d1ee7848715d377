"""Relapses panel and conditional-survival read-out: what the reader sees for given results."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analytics.data.cohort import Filters, analysis_frame
from analytics.reports.relapse_report import ALL, build_relapse_report
from analytics.stats.conditional import conditional_survival
from analytics.stats.recurrent import MeanCumulativeFunction, mcf_curve
from components.figures.mcf import fade_threshold, tail_caption, tail_start
from components.figures.mcf import mcf_figure as mcf_figure_data
from components.figures.palette import TAIL_ALPHA, rgba
from components.panels.conditional import conditional_panel, input_problem, sentence
from components.panels.relapses import (
    MCF_GRAPH,
    NO_RELAPSES_FILE,
    THETA_SENTENCE,
    relapse_panel,
)
from components.text.relapse_text import regression_to_mean_caveat
from tests.dash_text import component_texts
from tests.dash_text import components_of as _find


def mcf_figure(*args, **options) -> go.Figure:
    # Read as plotly's (validated) objects: a misspelt property fails the test too.
    return go.Figure(mcf_figure_data(*args, **options))


GROUP = "asymptomatic_lesions"


@pytest.fixture(scope="module")
def grouped(demo):
    """The demo's relapse report grouped by asymptomatic lesions."""
    return build_relapse_report(demo, Filters(), GROUP)


def _text(component) -> str:
    return " ".join(component_texts(component))


def test_rates_table_shows_each_group_with_exact_cis(grouped):
    text = _text(relapse_panel(grouped))
    for name in ("All patients", "Asymptomatic lesions: no", "Asymptomatic lesions: yes"):
        assert name in text
    pre = grouped.group(ALL).rates.pooled_pre
    assert f"{pre.estimate:.2f} ({pre.ci_low:.2f}–{pre.ci_high:.2f})" in text
    assert f"{pre.events} relapses / {pre.person_years:.1f} patient-years" in text


def test_small_rates_are_not_rounded_to_zero(grouped):
    post = grouped.group("0").rates.pooled_post
    assert post.estimate < 0.01
    assert f"{post.estimate:.2g}" in _text(relapse_panel(grouped))


def test_negative_binomial_headline_poisson_beside_and_theta_explained(grouped):
    text = _text(relapse_panel(grouped))
    nb = grouped.group(ALL).after_vs_before_nb
    poisson = grouped.group(ALL).after_vs_before_poisson
    assert f"{nb.terms[0].rate_ratio:.2g}" in text
    assert f"{poisson.terms[0].rate_ratio:.2g}" in text
    assert f"{nb.theta:.2f}" in text
    assert THETA_SENTENCE in text
    assert "large θ means little between-patient variation" in THETA_SENTENCE


@pytest.mark.parametrize("group_by", [None, GROUP])
def test_regression_to_the_mean_caveat_sits_right_under_the_after_vs_before_ratio(demo, group_by):
    report = build_relapse_report(demo, Filters(), group_by)
    children = relapse_panel(report).children
    rates = next(i for i, c in enumerate(children) if type(c).__name__ == "Table")
    assert "Rate ratio on ÷ before" in _text(children[rates])
    caveat = children[rates + 1]
    assert type(caveat).__name__ == "P"
    assert caveat.children == regression_to_mean_caveat(report)
    text = caveat.children
    assert "regression to the mean" in text
    assert "started soon after a relapse or a run of relapses" in text
    assert "the 24 months before the first infusion" in text
    assert "part of the fall on rituximab may not be due to the drug" in text
    assert "not a treatment effect measured against an untreated comparison group" in text


def test_between_groups_and_andersen_gill_when_grouped(grouped):
    text = _text(relapse_panel(grouped))
    assert "Asymptomatic lesions: yes vs Asymptomatic lesions: no" in text
    assert f"{grouped.andersen_gill.terms[0].hr:.1f}" in text
    # Besides the MCF plot's words (components/panels/plot_caption.py) and its export menu
    # (components/export/menu.py).
    details = [
        d
        for d in _find(relapse_panel(grouped), "Details")
        if getattr(d, "className", None) not in ("plot-caption-box", "export-menu")
    ]
    assert len(details) == 1
    assert "Naive SE" in _text(details[0])


def test_every_note_is_a_warning(grouped):
    panel = relapse_panel(grouped, context_notes=["A context note."])
    alerts = [a for a in _find(panel, "Alert") if a.color == "warning"]
    text = _text(alerts)
    assert "A context note." in text
    for note in grouped.notes:
        assert note in text
    for entry in grouped.groups:
        for note in entry.notes:
            assert note in text


def test_tables_have_captions(grouped):
    tables = _find(relapse_panel(grouped), "Table")
    assert len(tables) >= 3
    for table in tables:
        assert type(table.children[0]).__name__ == "Caption"


def test_no_grouping_says_how_to_get_the_comparisons(demo):
    text = _text(relapse_panel(build_relapse_report(demo, Filters(), None)))
    assert "Choose a grouping" in text
    assert "Andersen–Gill Cox model" not in text


def test_no_relapses_file_names_the_file(demo):
    report = build_relapse_report(replace(demo, relapses=None), Filters(), GROUP)
    text = _text(relapse_panel(report))
    assert text == NO_RELAPSES_FILE
    assert "months_from_rtx" in text
    assert "relapses file" in text


def test_no_patients_is_a_friendly_empty_state(demo):
    report = build_relapse_report(demo, Filters(edss_min=10, edss_max=10, sex="M"), GROUP)
    assert "No patients match" in _text(relapse_panel(report))


def _lines(figure, group: str) -> list:
    """A group's curve traces (hover text; the bands and the legend key have none)."""
    return [t for t in figure.data if t.legendgroup == group and t.hoverinfo == "text"]


def test_mcf_figure_has_step_curves_and_bands_scatter_only(grouped):
    figure = mcf_figure(grouped.mcf, title="MCF")
    assert {t.type for t in figure.data} == {"scatter"}
    bands = [t for t in figure.data if t.fill == "tonexty"]
    assert len(bands) == 4  # per group: the band, and its fainter part over the tail
    for group in ("Asymptomatic lesions: no", "Asymptomatic lesions: yes"):
        lines = _lines(figure, group)
        assert len(lines) == 2
        assert all(t.line.shape == "hv" for t in lines)
    (legend,) = [t for t in figure.data if t.showlegend is not False and "(n=33" in t.name]
    assert legend.name == "Asymptomatic lesions: yes (n=33, 22 relapses)"


@pytest.mark.parametrize(("n", "threshold"), [(3, 10), (54, 10), (100, 10), (101, 11), (400, 40)])
def test_fade_threshold_is_10_patients_or_10_percent(n, threshold):
    assert fade_threshold(n) == threshold


def test_mcf_tail_is_dotted_and_faded_where_fewer_than_10_are_followed(grouped):
    figure = mcf_figure(grouped.mcf, title="MCF")
    for label, group in (("0", "Asymptomatic lesions: no"), ("1", "Asymptomatic lesions: yes")):
        curve = grouped.mcf.curve(label)
        solid, tail = _lines(figure, group)
        # The two parts meet at one point and together are the whole curve.
        assert list(solid.y) + list(tail.y[1:]) == list(curve.mcf)
        assert list(solid.x) + list(tail.x[1:]) == list(curve.timeline)
        # at_risk[i] = patients followed through (timeline[i-1], timeline[i]].
        k = len(solid.x)
        assert min(curve.at_risk[:k]) >= 10
        assert curve.at_risk[k] < 10
        assert solid.line.dash is None
        assert solid.line.width == 2.5
        # Not told by colour alone: dotted, thinner and faded.
        assert tail.line.dash == "dot"
        assert tail.line.width < solid.line.width
        assert tail.line.color == rgba(solid.line.color, TAIL_ALPHA)
        assert all("fewer than 10 patients still followed" in h for h in tail.hovertext)
        assert not any("fewer than" in h for h in solid.hovertext)
    keys = [t for t in figure.data if t.name and t.name.startswith("Dotted, faded")]
    assert [k.name for k in keys] == ["Dotted, faded: fewer than 10 patients still followed"]
    assert keys[0].line.dash == "dot"


def _one_curve(followup, relapse_owner=(), relapse_months=(), label="All"):
    curve = mcf_curve(
        np.asarray(followup, dtype=float),
        np.asarray(relapse_owner, dtype=int),
        np.asarray(relapse_months, dtype=float),
        label=label,
    )
    return MeanCumulativeFunction(group_by=None, grace_months=0.0, curves=(curve,))


def test_no_tail_when_enough_patients_are_followed_to_the_end():
    mcf = _one_curve([24.0] * 12, [0, 1, 1], [3.0, 5.0, 20.0])
    figure = mcf_figure(mcf, title="MCF")
    (line,) = _lines(figure, "All patients")
    assert line.line.dash is None
    assert list(line.y) == list(mcf.curves[0].mcf)
    assert not any(t.name and t.name.startswith("Dotted") for t in figure.data)
    assert tail_caption(mcf) is None


def test_a_group_smaller_than_the_threshold_is_all_tail_and_keeps_its_legend():
    mcf = _one_curve([6.0, 12.0, 18.0, 24.0, 30.0], [0, 3], [4.0, 20.0])
    assert tail_start(mcf.curves[0]) == 0
    (line,) = _lines(mcf_figure(mcf, title="MCF"), "All patients")
    assert line.line.dash == "dot"
    assert line.showlegend is True
    assert line.name == "All patients (n=5, 2 relapses)"
    assert list(line.y) == list(mcf.curves[0].mcf)


def test_the_caption_states_the_rule_and_the_panel_shows_it(grouped):
    caption = tail_caption(grouped.mcf)
    assert caption.startswith("Dotted, faded part of a curve: fewer than 10 patients still")
    assert "read that part with care" in caption
    assert caption in _text(relapse_panel(grouped))


def test_different_thresholds_are_stated_as_the_rule():
    small = _one_curve([12.0] * 10 + [24.0] * 3, label="a").curves[0]
    large = _one_curve([12.0] * 200 + [24.0] * 5, label="b").curves[0]
    mcf = MeanCumulativeFunction(group_by="arm", grace_months=0.0, curves=(small, large))
    assert "fewer than 10 patients (or 10% of the group, if more)" in tail_caption(mcf)


def test_mcf_figure_built_without_validation_is_what_plotly_validates(grouped):
    """Built as plain data for speed: every property must still be one plotly knows (a typo
    would pass silently without validation) and the template must be expanded, not a name."""
    figure = mcf_figure_data(grouped.mcf, title="MCF")
    validated = go.Figure(figure)  # raises on a property plotly does not know
    assert json.loads(validated.to_json()) == json.loads(pio.to_json(figure, validate=False))
    assert figure["layout"]["template"]["layout"]["paper_bgcolor"] == "white"


def test_panel_graph_has_its_id(grouped):
    graphs = _find(relapse_panel(grouped), "Graph")
    assert [g.id for g in graphs] == [MCF_GRAPH]


# --- conditional survival -----------------------------------------------------------------


@pytest.fixture(scope="module")
def frame(demo):
    """The demo's analysis frame, default filters."""
    return analysis_frame(demo, Filters())


def test_sentence_in_clinical_words(frame):
    table = conditional_survival(frame, 12, 12)
    entry = table.groups[0]
    text = sentence(entry, None)
    assert text.startswith("Of patients failure-free at 12 months on rituximab, an estimated ")
    assert f"{entry.estimate:.0%} (95% CI {entry.ci_low * 100:.0f}–{entry.ci_high:.0%})" in text
    assert text.endswith("remain failure-free at 24 months.")


def test_grouped_sentences_name_the_group(frame):
    table = conditional_survival(frame, 12, 12, group_by=GROUP)
    text = _text(conditional_panel(table))
    assert "Asymptomatic lesions: yes — of patients failure-free at 12 months" in text


def test_no_failures_in_the_window_gives_no_fake_interval(frame):
    table = conditional_survival(frame, 12, 12, group_by=GROUP)
    entry = table.group("0")
    assert entry.events == 0
    text = sentence(entry, GROUP)
    assert "100% (no failures; CI not estimable)" in text  # the KM table's words too
    assert "100–100" not in text


def test_not_estimable_shows_the_reason(frame):
    table = conditional_survival(frame, 12, 1000)
    text = _text(conditional_panel(table))
    assert "Follow-up in All ends at" in text
    assert "not estimable" in text


def test_table_columns_name_x_and_y(frame):
    table = conditional_survival(frame, 6, 18)
    (tbl,) = _find(conditional_panel(table), "Table")
    assert type(tbl.children[0]).__name__ == "Caption"
    header = _text(tbl.children[1])
    assert "Failure-free and followed at 6 months" in header
    assert "Failure-free at 24 months, given failure-free at 6 (95% CI)" in header


def test_few_at_risk_note_is_a_warning():
    frame = pd.DataFrame({"time_months": [3, 8, 12, 20, 30], "failure": [1, 1, 0, 1, 0]})
    panel = conditional_panel(conditional_survival(frame, 6, 12))
    alerts = [a for a in _find(panel, "Alert") if a.color == "warning"]
    assert "imprecise" in _text(alerts)


def test_input_problem_lists_every_message():
    alert = input_problem(["First.", "Second."])
    assert alert.color == "danger"
    assert _text(alert) == "First. Second."
