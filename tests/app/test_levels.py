"""The confidence level and the cox.zph transform on the page: URL, controls, cache, labels."""

from __future__ import annotations

import pytest

from analytics.data.cohort import Filters
from analytics.data.demo import load_demo
from analytics.reports.report import build_report
from app.callbacks import common
from app.callbacks.data import download_report
from app.callbacks.relapses import relapse_report_for, update_relapses
from app.layout import ids
from app.layout.tabs import panel_id
from app.state.controls import CONTROL_IDS, controls_from_state, state_from_controls
from app.state.view_state import ViewState
from i18n.language import percent, using_language
from tests.app.callback_calls import arguments
from tests.app.page_calls import render_page
from tests.app.test_callbacks import _download
from tests.app.test_relapses_callbacks import (
    _conditional,
    fresh_relapse_cache,  # noqa: F401 (autouse)
)
from tests.dash_text import component_texts

BOUNDS = (18.0, 70.0)


def _text(component) -> str:
    return " ".join(component_texts(component))


def _panels(dash_app, changes: dict):
    return render_page(dash_app, changes, methods=True)


def _part(panels, component_id: str):
    return panels[component_id]


@pytest.mark.parametrize(
    ("query", "level", "transform"),
    [
        ("?conf=90&zph=rank", 0.90, "rank"),
        ("?conf=99&zph=identity", 0.99, "identity"),
        ("?conf=0.9", 0.90, "km"),
        ("?conf=80&zph=log", 0.95, "km"),  # not offered: the defaults, as any bad parameter
        ("?conf=abc&zph=", 0.95, "km"),
    ],
)
def test_the_url_carries_level_and_transform(query, level, transform) -> None:
    state = ViewState.from_query(query)
    assert (state.conf_level, state.zph_transform) == (level, transform)
    assert ViewState.from_query(state.to_query()) == state


def test_defaults_stay_out_of_the_url() -> None:
    assert ViewState().to_query() == ""
    assert ViewState(conf_level=0.9, zph_transform="rank").to_query() == "?conf=90&zph=rank"


def test_controls_round_trip_and_forged_values_get_the_defaults() -> None:
    state = ViewState(conf_level=0.99, zph_transform="identity")
    values = controls_from_state(state, BOUNDS)
    assert state_from_controls(values, BOUNDS) == state
    forged = list(values)
    forged[CONTROL_IDS.index(ids.CONF_LEVEL)] = "50"
    forged[CONTROL_IDS.index(ids.ZPH_TRANSFORM)] = "__import__('os')"
    parsed = state_from_controls(tuple(forged), BOUNDS)
    assert (parsed.conf_level, parsed.zph_transform) == (0.95, "km")


def test_the_page_offers_only_the_allowed_choices(dash_app) -> None:
    layout = dash_app.validation_layout
    assert [o["value"] for o in layout[ids.CONF_LEVEL].options] == ["90", "95", "99"]
    assert [o["value"] for o in layout[ids.ZPH_TRANSFORM].options] == ["km", "rank", "identity"]


def test_reports_of_two_levels_are_cached_apart(app_context) -> None:
    demo = load_demo()
    at_90 = common.report_for(demo, ViewState(conf_level=0.9))
    at_95 = common.report_for(demo, ViewState())
    assert (at_90.conf_level, at_95.conf_level) == (0.9, 0.95)
    assert at_90.failure_rate.ci_low > at_95.failure_rate.ci_low
    rank = common.report_for(demo, ViewState(covariates=("age_at_rtx",), zph_transform="rank"))
    assert rank.ph_test is not None
    assert rank.ph_test.transform == "rank"


@pytest.mark.parametrize(("language", "label"), [("en", "90% CI"), ("es", "IC 90 %")])
def test_every_panel_label_names_the_level(app_context, language, label) -> None:
    panels = _panels(app_context, {ids.CONF_LEVEL: "90", (ids.LANGUAGE, "data"): language})
    for part in (ids.CARDS, ids.KM_SUMMARY, ids.HAZARD_NOTES, ids.RATES_PANEL, ids.METHODS):
        text = _text(_part(panels, part))
        assert "95" not in text.replace("1995", ""), part
    summary = _text(_part(panels, ids.KM_SUMMARY))
    assert label in summary
    # The card shows the report's 90 % interval (the same numbers as the CLI).
    expected = build_report(load_demo(), Filters(), group_by="asymptomatic_lesions", conf_level=0.9)
    with using_language(language):
        low = percent(expected.failure_rate.ci_low)
    assert low in _text(_part(panels, ids.CARDS))


def test_methods_paragraph_states_level_and_transform(app_context) -> None:
    panels = _panels(app_context, {ids.CONF_LEVEL: "99", ids.ZPH_TRANSFORM: "rank"})
    text = _text(_part(panels, ids.METHODS))
    assert "Wald 99% confidence intervals" in text
    assert "99% confidence intervals on the log(−log) scale" in text
    assert "rank time transform" in text
    panels = _panels(app_context, {ids.ZPH_TRANSFORM: "identity", (ids.LANGUAGE, "data"): "es"})
    assert "transformación temporal identidad" in _text(_part(panels, ids.METHODS))


def test_the_conditional_calculator_uses_the_level(app_context) -> None:
    panel, *_ = _conditional(app_context, given=6, ahead=24, **{ids.CONF_LEVEL: "99"})
    text = _text(panel)
    assert "99% CI" in text
    assert "95% CI" not in text


def test_the_html_report_names_the_level_everywhere(app_context) -> None:
    sent = _download(download_report, app_context, **{ids.CONF_LEVEL: "90"})
    content = sent["content"]
    before, _, relapses = content.partition("Relapses before and after rituximab")
    assert relapses  # the demo has a relapses file: the section is there
    for part in (before, relapses):
        assert "90% CI" in part
        assert "95% CI" not in part
    assert "Wald 90% confidence intervals" in content  # the methods paragraph


@pytest.mark.parametrize(("language", "label"), [("en", "99% CI"), ("es", "IC 99 %")])
def test_the_relapses_tab_computes_and_labels_at_the_level(app_context, language, label) -> None:
    changes = {
        ids.CONF_LEVEL: "99",
        (ids.LANGUAGE, "data"): language,
        (panel_id("relapses"), "hidden"): False,
    }
    (panel,) = update_relapses(*arguments(update_relapses, app_context, changes))
    text = _text(panel)
    assert label in text
    assert "95" not in text
    at_99 = relapse_report_for(load_demo(), ViewState(conf_level=0.99))
    at_95 = relapse_report_for(load_demo(), ViewState())
    assert at_99.conf_level == 0.99
    wide = at_99.groups[0].after_vs_before_poisson.terms[0]
    narrow = at_95.groups[0].after_vs_before_poisson.terms[0]
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high
