"""The Relapses tab, conditional survival calculator and KMunicate option, called directly."""

from __future__ import annotations

import logging

import plotly.graph_objects as go
import pytest
from dash import no_update

from analytics.data.cohort import Filters
from analytics.reports.relapse_report import ALL, build_relapse_report
from app.callbacks import relapses as relapses_callbacks
from app.callbacks.conditional import parse_months, update_conditional
from app.callbacks.data import download_report
from app.callbacks.relapses import update_relapses
from app.layout import ids
from app.layout.page import TAB_KEYS
from app.layout.tabs import panel_id
from app.state.lru import BoundedCache
from components.panels.relapses import NO_RELAPSES_FILE
from tests.app.callback_calls import arguments
from tests.app.page_calls import render_page
from tests.app.test_callbacks import GOOD, _download, _upload
from tests.dash_text import component_texts

GROUP = "asymptomatic_lesions"
RELAPSES_HIDDEN = (panel_id("relapses"), "hidden")


@pytest.fixture(autouse=True)
def fresh_relapse_cache(monkeypatch):
    """An empty relapse-report cache, as a freshly started worker has."""
    cache = BoundedCache(relapses_callbacks.RELAPSE_CACHE_ITEMS)
    monkeypatch.setattr(relapses_callbacks, "_relapse_reports", cache)
    return cache


def _text(component) -> str:
    return " ".join(component_texts(component))


def _relapses(dash_app, hidden=False, store=None, **changes):
    (panel,) = update_relapses(
        *arguments(
            update_relapses,
            dash_app,
            {**changes, RELAPSES_HIDDEN: hidden, (ids.COHORT_STORE, "data"): store},
        )
    )
    return panel


def _conditional(dash_app, given=12, ahead=12, store=None, **changes):
    return update_conditional(
        *arguments(
            update_conditional,
            dash_app,
            {
                **changes,
                ids.CONDITIONAL_GIVEN: given,
                ids.CONDITIONAL_AHEAD: ahead,
                (ids.COHORT_STORE, "data"): store,
            },
        )
    )


# --- Relapses tab ----------------------------------------------------------------------------


def test_the_tab_is_in_the_page(dash_app):
    assert "relapses" in TAB_KEYS
    assert dash_app.validation_layout[panel_id("relapses")].hidden is True


def test_a_hidden_tab_computes_nothing(app_context, fresh_relapse_cache):
    assert _relapses(app_context, hidden=True) is no_update
    assert len(fresh_relapse_cache) == 0


def test_the_open_tab_shows_the_rates_of_build_relapse_report(app_context, demo):
    expected = build_relapse_report(demo, Filters(), GROUP)
    text = _text(_relapses(app_context))
    post = expected.group("1").rates.pooled_post
    assert "Asymptomatic lesions: yes" in text
    assert f"{post.estimate:.2f} ({post.ci_low:.2f}–{post.ci_high:.2f})" in text
    assert "Andersen–Gill" in text


@pytest.mark.parametrize(
    ("changes", "filters"),
    [({ids.SEX: "M"}, Filters(sex="M")), ({ids.GRACE: 0}, Filters(grace_months=0))],
)
def test_the_tab_follows_filters_and_the_grace_period(app_context, demo, changes, filters):
    expected = build_relapse_report(demo, filters, GROUP).group(ALL).rates.pooled_post
    default = build_relapse_report(demo, Filters(), GROUP).group(ALL).rates.pooled_post
    assert expected != default
    text = _text(_relapses(app_context, **changes))
    assert f"{expected.events} relapses / {expected.person_years:.1f} patient-years" in text


def test_no_grouping_shows_all_patients_only(app_context):
    text = _text(_relapses(app_context, **{ids.GROUP_BY: "none"}))
    assert "All patients" in text
    assert "Asymptomatic lesions: yes" not in text
    assert "Choose a grouping" in text


def test_a_cohort_without_relapses_file_explains_which_file(app_context):
    store, _ = _upload(app_context, GOOD / "patients.csv")
    assert store is not no_update
    assert store.get("relapses") is None
    assert _text(_relapses(app_context, store=store, **{ids.GROUP_BY: "none"})) == (
        NO_RELAPSES_FILE
    )


def test_an_empty_subgroup_is_a_message(app_context):
    assert "No patients match" in _text(_relapses(app_context, **{ids.EDSS: [9.5, 10]}))


def test_an_unexpected_error_is_a_message_and_a_clean_log(app_context, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("patient NMO-017 relapsed at 14.5")

    monkeypatch.setattr(relapses_callbacks, "build_relapse_report", broken)
    with caplog.at_level(logging.ERROR, logger="app.callbacks"):
        text = _text(_relapses(app_context))
    assert "Something went wrong" in text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "update_relapses failed: RuntimeError" in logged
    assert "NMO-017" not in logged
    assert "14.5" not in logged


def test_the_same_view_is_computed_once(app_context, monkeypatch):
    calls = []
    real = relapses_callbacks.build_relapse_report

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(relapses_callbacks, "build_relapse_report", counting)
    _relapses(app_context)
    _relapses(app_context, **{ids.HORIZON: "24"})  # a display choice: same report
    assert len(calls) == 1


# --- conditional survival calculator -------------------------------------------------------


def test_the_calculator_gives_a_probability(app_context):
    panel, given_invalid, ahead_invalid = _conditional(app_context)
    text = _text(panel)
    assert "of patients failure-free at 12 months on rituximab, an estimated" in text
    assert "remain failure-free at 24 months." in text
    assert (given_invalid, ahead_invalid) == (False, False)


def test_changing_x_changes_the_answer(app_context):
    at_12 = _text(_conditional(app_context, **{ids.GROUP_BY: "none"})[0])
    at_36 = _text(_conditional(app_context, given=36, **{ids.GROUP_BY: "none"})[0])
    assert "failure-free at 48 months" in at_36
    assert at_12 != at_36


def test_the_calculator_follows_the_filters(app_context):
    women = _text(_conditional(app_context, **{ids.SEX: "F", ids.GROUP_BY: "none"})[0])
    everyone = _text(_conditional(app_context, **{ids.GROUP_BY: "none"})[0])
    assert women != everyone


@pytest.mark.parametrize(
    ("given", "ahead", "message", "flags"),
    [
        (-1, 12, "cannot be negative", (True, False)),
        (None, 12, "Enter the months failure-free so far", (True, False)),
        (12, "", "Enter the months ahead", (False, True)),
        (12, 0, "must be more than 0 months", (False, True)),
        (-3, -3, "cannot be negative", (True, True)),
    ],
)
def test_bad_numbers_get_a_clear_message(app_context, given, ahead, message, flags):
    panel, *invalid = _conditional(app_context, given=given, ahead=ahead)
    assert message in _text(panel)
    assert tuple(invalid) == flags


def test_zero_months_so_far_is_allowed():
    assert parse_months(0, "x", allow_zero=True) == (0.0, None)
    assert parse_months("7.5", "x", allow_zero=False) == (7.5, None)


def test_the_calculator_on_an_empty_subgroup(app_context):
    panel, *_ = _conditional(app_context, **{ids.EDSS: [9.5, 10]})
    assert "No patients match" in _text(panel)


# --- KMunicate option ----------------------------------------------------------------------


def test_the_km_options_offer_kmunicate_and_keep_the_default(dash_app):
    options = dash_app.validation_layout[ids.KM_OPTIONS]
    assert "kmunicate" in [o["value"] for o in options.options]
    assert options.value == ["ci"]


def test_kmunicate_adds_the_cumulative_table(app_context):
    def table_rows(km_options):
        panels = render_page(app_context, {ids.KM_OPTIONS: km_options}, tabs=("km",))
        figure = go.Figure(panels[ids.KM_GRAPH])
        return [t for t in figure.data if t.mode == "text"]

    assert len(table_rows(["ci"])) == 2
    rows = table_rows(["kmunicate"])
    assert len(rows) == 6
    assert {r.name.split(": ")[1] for r in rows} == {"At risk", "Events", "Censored"}


def test_the_report_download_has_the_tabs_relapse_numbers(app_context, demo):
    expected = build_relapse_report(demo, Filters(sex="M"), GROUP)
    post = expected.group(ALL).rates.pooled_post
    sent = _download(download_report, app_context, **{ids.SEX: "M"})["content"]
    assert "<h2>Relapses before and after rituximab</h2>" in sent
    assert f"{post.events} relapses / {post.person_years:.1f} patient-years" in sent
    assert "regression to the mean" in sent
    # The same cached report as the open tab, not a second computation.
    tab = _text(_relapses(app_context, **{ids.SEX: "M"}))
    assert f"{post.events} relapses / {post.person_years:.1f} patient-years" in tab
    assert len(relapses_callbacks._relapse_reports) == 1


def test_the_report_download_of_a_cohort_without_relapses_says_so(app_context):
    store, _ = _upload(app_context, GOOD / "patients.csv")
    sent = _download(download_report, app_context, store, **{ids.GROUP_BY: "none"})["content"]
    assert "No relapses file" in sent
